/** Test helpers: a scripted fetch, an EventSource stand-in, and a full-app renderer. */
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { vi } from 'vitest';
import { App } from '../App';
import { setCsrfToken } from '../api/client';
import type { AlertEvent, Camera, User } from '../api/types';
import { AuthProvider } from '../auth/AuthContext';
import { ToastProvider } from '../components/toast';
import type { EventSourceLike } from '../hooks/stream';

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

const REPLY = Symbol('reply');
interface ReplyObj {
  [REPLY]: true;
  status: number;
  body?: unknown;
}
/** A reply with a status other than 200 (a plain value is sent as a 200 JSON body). */
export function reply(status: number, body?: unknown): ReplyObj {
  return { [REPLY]: true, status, body };
}
/** The API's error body. */
export function apiError(status: number, code: string, message = code, fields: Record<string, string> = {}): ReplyObj {
  return reply(status, { error: { code, message, fields } });
}
type Reply = ReplyObj | unknown;
type Handler = (call: Call) => Reply | Promise<Reply>;

/** Routes: `'GET /api/events'` or `'GET /api/events/:id'` → handler or a fixed JSON body. */
export function mockFetch(routes: Record<string, Handler | object | unknown[]>) {
  const calls: Call[] = [];
  const compiled = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(' ');
    const re = new RegExp(`^${pattern.replace(/:[a-z_]+/g, '[^/]+')}$`);
    return { method, re, handler };
  });
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers as Record<string, string>) ?? {}));
    const call: Call = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
      headers,
    };
    calls.push(call);
    const route = compiled.find((r) => r.method === method && r.re.test(url.pathname));
    if (!route) {
      return new Response(JSON.stringify({ error: { code: 'not_found', message: `no route ${method} ${url.pathname}` } }), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    const answer = typeof route.handler === 'function' ? await (route.handler as Handler)(call) : route.handler;
    if (answer instanceof Response) return answer; // files: ZIP, CSV, Markdown
    const isReply = answer !== null && typeof answer === 'object' && REPLY in answer;
    const status = isReply ? (answer as ReplyObj).status : 200;
    const body = isReply ? (answer as ReplyObj).body : answer;
    if (status === 204) return new Response(null, { status });
    return new Response(body === undefined ? '' : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock, find: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path) };
}

/** A stand-in for EventSource that the test drives: `open()`, `emit(type, data)`, `fail()`. */
export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((this: EventSourceLike, ev: Event) => unknown) | null = null;
  onerror: ((this: EventSourceLike, ev: Event) => unknown) | null = null;
  readonly url: string;
  private listeners = new Map<string, Set<(ev: MessageEvent) => void>>();
  closed = false;

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (ev: MessageEvent) => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }
  removeEventListener(type: string, listener: (ev: MessageEvent) => void) {
    this.listeners.get(type)?.delete(listener);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.call(this, new Event('open'));
  }
  emit(type: string, data: unknown) {
    const ev = new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) });
    this.listeners.get(type)?.forEach((l) => l(ev));
  }
  fail(closed = true) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.call(this, new Event('error'));
  }
  static latest(): FakeEventSource {
    const last = FakeEventSource.instances[FakeEventSource.instances.length - 1];
    if (!last) throw new Error('no EventSource was created');
    return last;
  }
  static reset() {
    FakeEventSource.instances = [];
  }
}

export const fakeEventSourceFactory = (url: string) => new FakeEventSource(url);

const created_at = '2026-11-01T08:00:00+00:00';
export const users: Record<'admin' | 'reviewer' | 'viewer', User> = {
  admin: { id: 1, username: 'alice', role: 'admin', cameras: null, disabled: false, created_at },
  reviewer: { id: 2, username: 'rita', role: 'reviewer', cameras: null, disabled: false, created_at },
  viewer: { id: 3, username: 'victor', role: 'viewer', cameras: null, disabled: false, created_at },
};

export const cameras: Camera[] = [
  { id: 'door', name: 'Front door', source_url: 'rtsp://cam:***@10.0.0.5/stream', enabled: true, settings: {}, zones: [], state: 'live' },
  { id: 'aisle-3', name: 'Aisle 3', source_url: 'file:///videos/aisle.mp4', enabled: true, settings: {}, zones: [], state: 'reconnecting' },
];

let seq = 0;
export function makeEvent(patch: Partial<AlertEvent> = {}): AlertEvent {
  seq += 1;
  return {
    id: `ev-${seq}`,
    camera_id: 'door',
    camera_name: 'Front door',
    has_clip: true,
    has_snapshot: true,
    track_id: seq,
    status: 'closed',
    review_status: 'new',
    started_at: new Date(Date.UTC(2026, 10, 25, 10, 0, seq)).toISOString(),
    ended_at: new Date(Date.UTC(2026, 10, 25, 10, 0, seq + 8)).toISOString(),
    peak_score: 0.82,
    peak_t: 12.5,
    reasons: [{ code: 'conceal_waist', text: 'Right hand at waistband for 2.1 s after shelf', t_start: 10, t_end: 12.1, weight: 0.4 }],
    model_version: 'behavior-lstm@1',
    ...patch,
  };
}

/** Routes every screen needs (cameras, health, counts); `extra` wins. */
export function baseRoutes(extra: Record<string, Handler | object | unknown[]> = {}) {
  return {
    'GET /api/cameras': { items: cameras, total: cameras.length, next: null },
    'GET /api/health': {
      status: 'ok',
      cameras: [
        { camera_id: 'door', state: 'live', fps_in: 15, fps_analysed: 7.5, inference_ms: 38, last_frame_at: new Date().toISOString(), last_error: null },
        { camera_id: 'aisle-3', state: 'reconnecting', fps_in: 0, fps_analysed: 0, inference_ms: 0, last_frame_at: null, last_error: 'connection refused' },
      ],
    },
    'GET /api/events': { items: [], total: 0, next: null },
    'GET /api/models': { items: [], total: 0, next: null },
    'GET /api/models/thresholds': { version: null, default: null, cameras: {}, chosen: {} },
    'GET /api/models/versions': { items: [], active: null },
    ...extra,
  };
}

export function renderApp({
  path,
  user,
}: {
  path: string;
  /** Signed-in user; null: signed out (no /auth/me call); undefined: ask /auth/me. */
  user?: User | null;
}) {
  FakeEventSource.reset();
  setCsrfToken(user ? 'csrf-test-token' : null);
  return render(
    <MemoryRouter initialEntries={[path]}>
      <AuthProvider initialUser={user}>
        <ToastProvider>
          <App eventSourceFactory={fakeEventSourceFactory} />
        </ToastProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
}
