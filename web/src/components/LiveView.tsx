/**
 * A camera's live picture. `stream` shows the MJPEG (`<img src=live.mjpg>`, overlays drawn
 * by the server); `snapshot` refreshes a still every few seconds, for tiles beyond the
 * browser's connection budget. The MJPEG connection is closed when the tile unmounts or
 * the tab is hidden, so idle dashboards don't hold server workers.
 */
import { useEffect, useRef, useState } from 'react';
import { VideoOff } from 'lucide-react';
import { urls } from '../api/client';

export type LiveMode = 'stream' | 'snapshot';

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState !== 'hidden');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}

export function LiveView({
  cameraId,
  cameraName,
  mode = 'stream',
  snapshotEveryMs = 3000,
}: {
  cameraId: string;
  cameraName: string;
  mode?: LiveMode;
  snapshotEveryMs?: number;
}) {
  const visible = usePageVisible();
  const imgRef = useRef<HTMLImageElement>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [tick, setTick] = useState(() => Date.now());

  // Retry a failed stream every 5 s (the camera may be reconnecting).
  useEffect(() => {
    if (!failed) return;
    const t = setTimeout(() => {
      setFailed(false);
      setAttempt((a) => a + 1);
    }, 5000);
    return () => clearTimeout(t);
  }, [failed]);

  useEffect(() => {
    if (mode !== 'snapshot' || !visible) return;
    const t = setInterval(() => setTick(Date.now()), snapshotEveryMs);
    return () => clearInterval(t);
  }, [mode, visible, snapshotEveryMs]);

  // Abort the MJPEG request when the element goes away (removing the node alone may not).
  useEffect(() => {
    const img = imgRef.current;
    return () => {
      if (img) img.src = '';
    };
  }, [mode, attempt, visible]);

  const src = !visible
    ? undefined
    : mode === 'stream'
      ? `${urls.live(cameraId)}${attempt ? `?retry=${attempt}` : ''}`
      : urls.cameraSnapshot(cameraId, tick);

  return (
    <div className="live-view">
      {src && !failed && (
        <img
          key={`${mode}-${attempt}`}
          ref={imgRef}
          src={src}
          alt={`Live view of ${cameraName}`}
          onError={() => setFailed(true)}
          draggable={false}
        />
      )}
      {(failed || !src) && (
        <div className="live-placeholder" role="img" aria-label={`No picture from ${cameraName}`}>
          <VideoOff size={28} aria-hidden />
          <span>{!visible ? 'Paused' : 'No picture'}</span>
        </div>
      )}
    </div>
  );
}
