import type { Camera, PrivacyMode } from '../api/types';

/** The privacy modes a camera can run in, and what each keeps (docs/privacy.md). */
export const PRIVACY_MODES: { mode: PrivacyMode; label: string; hint: string }[] = [
  { mode: 'full', label: 'Full', hint: 'Video as seen, with faces blurred in clips and snapshots.' },
  { mode: 'blurred', label: 'Blurred', hint: 'Bodies pixelated except the hands and the item they hold.' },
  { mode: 'pose_only', label: 'Pose only', hint: 'Skeletons over an empty-scene background: no camera pixel of a person.' },
];

export function privacyOf(camera: Pick<Camera, 'settings'> | null | undefined): PrivacyMode {
  const p = camera?.settings?.privacy;
  return p === 'blurred' || p === 'pose_only' ? p : 'full';
}

export function privacyLabel(mode: PrivacyMode): string {
  return PRIVACY_MODES.find((m) => m.mode === mode)?.label ?? mode;
}
