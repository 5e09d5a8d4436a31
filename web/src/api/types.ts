/**
 * Types of the ShopGuard REST API as the dashboard uses them.
 *
 * They come from the service's OpenAPI document: `src/api/openapi.json` is a copy of
 * `/api/openapi.json` (docs/openapi.json in the repository) and `npm run gen:api` turns it
 * into `schema.d.ts`. A few optional fields the service does not send yet are added here
 * (marked "not in the API yet"); the screens show them only when present.
 */
import type { components } from './schema';

type S = components['schemas'];

export type Role = S['Role'];
export type EventStatus = S['EventStatus'];
export type ReviewStatus = S['ReviewStatus'];
export type ReviewDecision = S['ReviewIn']['decision'];
export type ZoneKind = S['ZoneKind'];
export type DeliveryStatus = S['DeliveryStatus'];
/** Worker states (`starting`, `live`, `reconnecting`, `failed`, `stopped`, …). */
export type CameraState = string;

export type User = S['UserOut'];
export type LoginResponse = S['LoginOut'];
export type UserInput = S['UserIn'];
export type UserPatch = S['UserPatch'];

export interface Page<T> {
  items: T[];
  total: number;
  next: string | null;
}

export type Point = [number, number];

/** A zone as edited: `id` is present for stored zones (and ignored on save). */
export type Zone = S['ZoneIn'];

export type Camera = S['CameraOut'];
export type CameraInput = S['CameraIn'];
export type CameraPatch = S['CameraPatch'];
export type CameraTestResult = S['CameraTestOut'];

export type Reason = S['ReasonOut'];
export type ReviewRecord = S['ReviewOut'];
export type EvidenceInfo = S['EvidenceOut'];

export interface ScorePoint {
  t: number;
  score: number;
}

/** x, y (frame pixels), confidence; COCO-17 order. */
export type Keypoint = [number, number, number];

/** Fields the dashboard can show but the API does not send yet. */
export interface EventExtras {
  /** Not in the API yet: suspicion score over time (stream clock). */
  scores?: ScorePoint[];
  /** Not in the API yet: the person's keypoints at the peak, in snapshot pixels. */
  keypoints?: Keypoint[] | null;
  /** Not in the API yet: the person's box at the peak (x1, y1, x2, y2). */
  box?: [number, number, number, number] | null;
  /** Not in the API yet: stream-clock time of the clip's first frame (reason times → clip). */
  clip_t0?: number | null;
  snapshot_width?: number;
  snapshot_height?: number;
}

/** An event as listed (`EventOut`), or in full (`EventDetail`: reviews and evidence). */
export type AlertEvent = S['EventOut'] &
  Partial<Pick<S['EventDetail'], 'reviews' | 'evidence'>> &
  EventExtras;

export interface EventFilters {
  camera?: string;
  status?: EventStatus | '';
  review_status?: ReviewStatus | '';
  since?: string;
  until?: string;
  min_score?: number;
  limit?: number;
  cursor?: string;
}

/** A camera's latest health report (the API passes every field the worker sends). */
export type CameraHealth = S['CameraHealthOut'] & {
  fps_in?: number;
  fps_analysed?: number;
  inference_ms?: number;
  /** Unix seconds (worker reports) or ISO-8601. */
  last_frame_at?: string | number | null;
  last_error?: string | null;
  restarts?: number;
  width?: number;
  height?: number;
};

/** Not in the API yet: evidence storage use. */
export interface StorageUse {
  name?: string;
  kind?: string;
  used_bytes?: number;
  free_bytes?: number | null;
  total_bytes?: number | null;
  objects?: number;
}

export type Health = Omit<S['HealthOut'], 'cameras'> & {
  cameras: CameraHealth[];
  storage?: StorageUse | StorageUse[] | null;
};

export type Channel = S['ChannelOut'];
export type ChannelInput = S['ChannelIn'];
export type ChannelPatch = S['ChannelPatch'];
export type ChannelTestResult = S['ChannelTestOut'];

export type Delivery = S['DeliveryOut'];
export type ModelInfo = S['ModelOut'];
export type ApiTokenInfo = S['TokenOut'];

// ---- model registry, learning, privacy, audit ----

/** A behaviour model version in the registry (`candidate`, `active` or `retired`). */
export type ModelVersion = S['VersionOut'];
export type ModelVersionList = S['VersionList'];
/** Thresholds stored with a version: `default`, per-camera `cameras`, how they were `chosen`. */
export interface VersionThresholds {
  default?: number | null;
  cameras?: Record<string, number>;
  chosen?: Record<string, unknown>;
}
export type OperatingThresholds = S['ThresholdsOut'];
export type ThresholdsInput = S['ThresholdsIn'];
export type MissedReport = S['MissedOut'];
export type MissedInput = S['MissedIn'];
export type DatasetExportInput = S['ExportIn'];
export type PrivacyMode = S['RetentionOut']['privacy'];
export type RetentionSchedule = S['RetentionOut'];
export type AuditEntry = S['AuditOut'];

export interface AuditFilters {
  user?: string;
  action?: string;
  target?: string;
  camera?: string;
  since?: string;
  until?: string;
}
export type NewApiToken = S['NewTokenOut'];

export type StreamEventType =
  | 'event.opened'
  | 'event.updated'
  | 'event.closed'
  | 'event.reviewed'
  | 'event.evidence'
  | 'camera.health'
  | 'camera.notice';

/** `event.evidence`: a clip or snapshot of an event was stored (or replaced). */
export interface EvidenceMessage {
  id: string;
  kind: 'clip' | 'snapshot';
}

/** `camera.notice`: a camera went offline or came back. */
export interface CameraNotice {
  camera_id: string;
  status: 'offline' | 'recovered' | string;
  text: string;
}
