/**
 * Types of the ShopGuard REST API, as the dashboard uses them.
 *
 * Written to match the service's OpenAPI document (`src/api/openapi.json`, generated
 * into `schema.d.ts` by `npm run gen:api`). Fields the server may leave out are optional.
 */

export type Role = 'admin' | 'reviewer' | 'viewer';
export type EventStatus = 'open' | 'closed';
export type ReviewStatus = 'new' | 'confirmed' | 'dismissed' | 'escalated';
export type ReviewDecision = 'confirm' | 'dismiss' | 'escalate';
export type ZoneKind = 'shelf' | 'checkout' | 'exit';
export type CameraState = 'starting' | 'live' | 'reconnecting' | 'failed' | 'stopped' | 'disabled';
export type DeliveryStatus = 'pending' | 'sent' | 'dead';

export interface User {
  id?: number;
  username: string;
  role: Role;
  /** Cameras this user may see; null: all cameras. */
  cameras: string[] | null;
  disabled?: boolean;
  created_at?: string;
}

export interface LoginResponse {
  user: User;
  csrf_token: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  next: string | null;
}

export type Point = [number, number];

export interface Zone {
  id?: number;
  name: string;
  kind: ZoneKind;
  polygon: Point[];
}

export interface Camera {
  id: string;
  name: string;
  source_url?: string;
  enabled?: boolean;
  settings?: Record<string, unknown>;
  zones?: Zone[];
  /** Frame size in pixels, where the server knows it. */
  width?: number;
  height?: number;
}

export interface CameraInput {
  id: string;
  name: string;
  source_url: string;
  enabled: boolean;
}

export interface CameraTestResult {
  ok: boolean;
  message?: string;
  error?: string;
  width?: number;
  height?: number;
  fps?: number;
  codec?: string;
}

export interface Reason {
  code: string;
  text: string;
  /** Start and end on the stream clock (seconds), like `peak_t`. */
  t_start: number;
  t_end: number;
  weight: number;
}

export interface ScorePoint {
  t: number;
  score: number;
}

/** x, y (frame pixels), confidence; COCO-17 order. */
export type Keypoint = [number, number, number];

export interface AlertEvent {
  id: string;
  camera_id: string;
  camera_name?: string;
  track_id: number;
  status: EventStatus;
  review_status: ReviewStatus;
  started_at: string;
  ended_at: string | null;
  peak_score: number;
  peak_t?: number;
  reasons: Reason[];
  model_version?: string;
  /** Suspicion score over time (stream clock), where the server keeps it. */
  scores?: ScorePoint[];
  /** The person's keypoints at the peak, in snapshot pixels. */
  keypoints?: Keypoint[] | null;
  /** Box of the person at the peak (x1, y1, x2, y2). */
  box?: [number, number, number, number] | null;
  /** Stream-clock time of the clip's first frame, to map reason times onto the clip. */
  clip_t0?: number | null;
  has_clip?: boolean;
  has_snapshot?: boolean;
  snapshot_width?: number;
  snapshot_height?: number;
  reviews?: ReviewRecord[];
}

export interface ReviewRecord {
  decision: ReviewStatus | ReviewDecision;
  note: string;
  at: string;
  username?: string | null;
}

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

export interface CameraHealth {
  camera_id: string;
  state: CameraState;
  fps_in: number;
  fps_analysed: number;
  inference_ms: number;
  last_frame_at: string | null;
  last_error: string | null;
  restarts?: number;
  queue_depth?: number;
}

export interface StorageUse {
  name?: string;
  kind?: string;
  used_bytes?: number;
  free_bytes?: number | null;
  total_bytes?: number | null;
  objects?: number;
}

export interface Health {
  status: string;
  version?: string;
  cameras: CameraHealth[];
  storage?: StorageUse | StorageUse[] | null;
  database?: { ok: boolean; url?: string; size_bytes?: number | null } | null;
  outbox?: { pending?: number; dead?: number } | null;
}

export interface Channel {
  name: string;
  kind: string;
  enabled?: boolean;
  /** Non-secret settings, as stored. */
  config: Record<string, unknown>;
  /** Names of secret settings that are set (their values are never returned). */
  secrets_set?: string[];
  min_score?: number;
  cameras?: string[] | null;
}

export interface ChannelInput {
  name: string;
  kind: string;
  enabled: boolean;
  config: Record<string, unknown>;
  secrets?: Record<string, string>;
}

export interface Delivery {
  id: number;
  event_id: string | null;
  channel: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at?: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
}

export interface ModelInfo {
  name: string;
  kind?: string;
  version?: string;
  file?: string;
  path?: string;
  sha256?: string;
  licence?: string;
  license?: string;
  source?: string;
  input_shape?: number[] | string;
  verified?: boolean;
  active?: boolean;
  /** The model card, as Markdown text. */
  card?: string | null;
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
  username?: string;
}

export interface NewApiToken extends ApiTokenInfo {
  token: string;
}

export interface UserInput {
  username: string;
  role: Role;
  password?: string;
  cameras: string[] | null;
  disabled?: boolean;
}

export interface Retention {
  events_days?: number | null;
  clips_days?: number | null;
  snapshots_days?: number | null;
  [key: string]: unknown;
}

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
