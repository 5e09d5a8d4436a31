/**
 * The one typed client of the ShopGuard API. Every request of the dashboard goes through
 * `request()`: same-origin session cookie, JSON in and out, the CSRF header on writes, and
 * the API's error body (`{"error": {code, message, fields}}`) turned into an `ApiError`.
 */
import type {
  AlertEvent,
  ApiTokenInfo,
  AuditEntry,
  AuditFilters,
  DatasetExportInput,
  Camera,
  CameraHealth,
  CameraInput,
  CameraPatch,
  CameraTestResult,
  Channel,
  ChannelInput,
  ChannelPatch,
  ChannelTestResult,
  Delivery,
  EventFilters,
  Health,
  LoginResponse,
  MissedInput,
  MissedReport,
  ModelInfo,
  ModelVersion,
  ModelVersionList,
  OperatingThresholds,
  NewApiToken,
  Page,
  RetentionSchedule,
  ReviewDecision,
  ThresholdsInput,
  User,
  UserInput,
  UserPatch,
  Zone,
} from './types';

export const API_BASE = '/api';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Called when a request other than login/me answers 401 (session expired). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function buildQuery(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Don't call the unauthorized handler on 401 (login, me). */
  quiet401?: boolean;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** One API call with the session cookie and CSRF token; a network failure is an ApiError. */
async function send(method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (WRITE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  try {
    return await fetch(`${API_BASE}${path}${buildQuery(options.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The ShopGuard service cannot be reached.');
  }
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options, 'application/json');
  if (response.status === 204) return undefined as T;
  if (!response.ok) throw await errorOf(response, options);
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  return data as T;
}

/** The API's error body (`{"error": {code, message, fields}}`) as an `ApiError`. */
async function errorOf(response: Response, options: RequestOptions): Promise<ApiError> {
  let data: unknown = undefined;
  try {
    const text = await response.text();
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  const error = (data as { error?: { code?: string; message?: string; fields?: Record<string, string> } })?.error;
  const apiError = new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? (response.statusText || `Request failed (${response.status})`),
    error?.fields ?? {},
  );
  if (response.status === 401 && !options.quiet401 && onUnauthorized) onUnauthorized();
  return apiError;
}

export interface Download {
  blob: Blob;
  /** From `Content-Disposition`, else `fallback`. */
  filename: string;
}

/** The file name in a `Content-Disposition` header (`filename*=` or `filename=`). */
export function dispositionFilename(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header);
  const name = plain ? (plain[2] ?? plain[1]).trim() : '';
  // never a path: the browser would drop it anyway
  return name.replace(/^.*[\\/]/, '') || fallback;
}

/** A request whose answer is a file (ZIP, CSV): same cookie, CSRF and errors as `request()`. */
export async function requestBlob(
  method: string,
  path: string,
  options: RequestOptions & { fallbackName: string },
): Promise<Download> {
  const response = await send(method, path, options, '*/*');
  if (!response.ok) throw await errorOf(response, options);
  return {
    blob: await response.blob(),
    filename: dispositionFilename(response.headers.get('Content-Disposition'), options.fallbackName),
  };
}

/** Hands a downloaded file to the browser ("Save as" / Downloads). */
export function saveDownload({ blob, filename }: Download): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

const enc = encodeURIComponent;

// ---- URLs used directly by <img>, <video> and EventSource ----

export const urls = {
  live: (cameraId: string) => `${API_BASE}/cameras/${enc(cameraId)}/live.mjpg`,
  cameraSnapshot: (cameraId: string, bust?: number) =>
    `${API_BASE}/cameras/${enc(cameraId)}/snapshot.jpg${bust ? `?t=${bust}` : ''}`,
  eventClip: (eventId: string) => `${API_BASE}/events/${enc(eventId)}/clip`,
  eventSnapshot: (eventId: string) => `${API_BASE}/events/${enc(eventId)}/snapshot`,
  stream: () => `${API_BASE}/stream`,
};

// ---- resources ----

export const api = {
  auth: {
    async login(username: string, password: string): Promise<LoginResponse> {
      const res = await request<LoginResponse>('POST', '/auth/login', {
        body: { username, password },
        quiet401: true,
      });
      setCsrfToken(res.csrf_token);
      return res;
    },
    async me(): Promise<LoginResponse> {
      const res = await request<LoginResponse>('GET', '/auth/me', { quiet401: true });
      setCsrfToken(res.csrf_token);
      return res;
    },
    async logout(): Promise<void> {
      try {
        await request<void>('POST', '/auth/logout', { quiet401: true });
      } finally {
        setCsrfToken(null);
      }
    },
  },

  cameras: {
    list: (signal?: AbortSignal) =>
      listAll<Camera>('/cameras', signal),
    get: (id: string) => request<Camera>('GET', `/cameras/${enc(id)}`),
    create: (camera: CameraInput) => request<Camera>('POST', '/cameras', { body: camera }),
    update: (id: string, camera: CameraPatch) =>
      request<Camera>('PATCH', `/cameras/${enc(id)}`, { body: camera }),
    remove: (id: string) => request<void>('DELETE', `/cameras/${enc(id)}`),
    test: (url: string) => request<CameraTestResult>('POST', '/cameras/test', { body: { url } }),
    zones: (id: string) =>
      request<Page<Zone> | Zone[]>('GET', `/cameras/${enc(id)}/zones`).then(itemsOf),
    /** Replace all zones of a camera. */
    saveZones: (id: string, zones: Zone[]) =>
      request<Page<Zone> | Zone[]>('PUT', `/cameras/${enc(id)}/zones`, { body: { items: zones } }).then(itemsOf),
  },

  events: {
    list: (filters: EventFilters = {}, signal?: AbortSignal) =>
      request<Page<AlertEvent>>('GET', '/events', { query: { ...filters }, signal }),
    get: (id: string, signal?: AbortSignal) => request<AlertEvent>('GET', `/events/${enc(id)}`, { signal }),
    review: (id: string, decision: ReviewDecision, note: string) =>
      request<AlertEvent>('POST', `/events/${enc(id)}/review`, { body: { decision, note } }),
  },

  channels: {
    list: () => request<Page<Channel> | Channel[]>('GET', '/channels').then(itemsOf),
    create: (channel: ChannelInput) => request<Channel>('POST', '/channels', { body: channel }),
    /** Config keys are merged (null removes one); given secrets replace the stored ones. */
    update: (name: string, patch: ChannelPatch) =>
      request<Channel>('PATCH', `/channels/${enc(name)}`, { body: patch }),
    remove: (name: string) => request<void>('DELETE', `/channels/${enc(name)}`),
    test: (name: string) =>
      request<ChannelTestResult>('POST', `/channels/${enc(name)}/test`),
  },

  deliveries: {
    list: (query: { status?: string; channel?: string; limit?: number; cursor?: string } = {}) =>
      request<Page<Delivery>>('GET', '/deliveries', { query }),
    retry: (id: number) => request<Delivery>('POST', `/deliveries/${id}/retry`),
  },

  models: {
    list: () => request<Page<ModelInfo> | ModelInfo[]>('GET', '/models').then(itemsOf),
    /** Behaviour model versions, newest first, and the active one (admin). */
    versions: () => request<ModelVersionList>('GET', '/models/versions'),
    /** 409 `promotion_refused` with `fields["reason.N"]` unless `forceReason` is given. */
    promote: (version: string, forceReason?: string) =>
      request<ModelVersion>('POST', `/models/versions/${enc(version)}/promote`, {
        body: forceReason ? { force_reason: forceReason } : {},
      }),
    rollback: () => request<ModelVersion>('POST', '/models/rollback'),
    /** What each camera runs with under the active version (any user). */
    thresholds: () => request<OperatingThresholds>('GET', '/models/thresholds'),
    setThresholds: (version: string, thresholds: ThresholdsInput) =>
      request<ModelVersion>('PUT', `/models/versions/${enc(version)}/thresholds`, { body: thresholds }),
  },

  dataset: {
    /** Reviews and missed-theft reports as labelled pose clips (ZIP; admin). */
    export: (input: DatasetExportInput = {}) =>
      requestBlob('POST', '/dataset/export', { body: input, fallbackName: 'shopguard-reviews.zip' }),
  },

  missed: {
    list: (cameraId: string) =>
      request<Page<MissedReport>>('GET', `/cameras/${enc(cameraId)}/missed`, { query: { limit: MAX_PAGE } }),
    report: (cameraId: string, report: MissedInput) =>
      request<MissedReport>('POST', `/cameras/${enc(cameraId)}/missed`, { body: report }),
  },

  privacy: {
    retention: (cameraId: string) => request<RetentionSchedule>('GET', `/cameras/${enc(cameraId)}/retention`),
    /** The entrance notice, Markdown. */
    signage: async (): Promise<string> => {
      const { blob } = await requestBlob('GET', '/privacy/signage', { fallbackName: 'signage.md' });
      return blob.text();
    },
  },

  audit: {
    list: (filters: AuditFilters & { limit?: number; cursor?: string | null } = {}) =>
      request<Page<AuditEntry>>('GET', '/audit', { query: { ...filters } }),
    export: (filters: AuditFilters, format: 'csv' | 'json') =>
      requestBlob('GET', '/audit/export', {
        query: { ...filters, format },
        fallbackName: `shopguard-audit.${format}`,
      }),
  },

  users: {
    list: () => listAll<User>('/users'),
    create: (user: UserInput) => request<User>('POST', '/users', { body: user }),
    update: (username: string, user: UserPatch) =>
      request<User>('PATCH', `/users/${enc(username)}`, { body: user }),
    remove: (username: string) => request<void>('DELETE', `/users/${enc(username)}`),
  },

  tokens: {
    list: () => listAll<ApiTokenInfo>('/tokens'),
    create: (name: string) => request<NewApiToken>('POST', '/tokens', { body: { name } }),
    remove: (id: number) => request<void>('DELETE', `/tokens/${id}`),
  },

  health: {
    get: (signal?: AbortSignal) => request<Health>('GET', '/health', { signal }),
  },
};

/** The API's largest page. */
export const MAX_PAGE = 200;

/** Every item of a short list (cameras, users, tokens), following `next` cursors. */
async function listAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const res: Page<T> | T[] = await request<Page<T> | T[]>('GET', path, { query: { limit: MAX_PAGE, cursor }, signal });
    if (Array.isArray(res)) return res;
    items.push(...res.items);
    cursor = res.next;
    if (!cursor) break;
  }
  return items;
}

/** Lists come as `{items, total, next}`; tolerate a bare array too. */
function itemsOf<T>(page: Page<T> | T[]): T[] {
  return Array.isArray(page) ? page : page.items;
}

export type { CameraHealth };
