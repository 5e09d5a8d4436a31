/**
 * One server-sent-events connection to `/api/stream` for the whole dashboard, shared by
 * every screen (browsers allow only six HTTP/1.1 connections per host, and the live view
 * already uses several for MJPEG). Screens subscribe with `useStreamEvent(type, handler)`.
 *
 * The EventSource constructor is injectable (`<StreamProvider factory=...>`), so tests can
 * push messages without a server.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { urls } from '../api/client';
import type { StreamEventType } from '../api/types';

/** The part of `EventSource` the dashboard uses. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((this: EventSourceLike, ev: Event) => unknown) | null;
  onerror: ((this: EventSourceLike, ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export const STREAM_EVENT_TYPES: StreamEventType[] = [
  'event.opened',
  'event.updated',
  'event.closed',
  'event.reviewed',
  'event.evidence',
  'camera.health',
  'camera.notice',
];

type Handler = (data: unknown, type: StreamEventType) => void;

export type StreamState = 'connecting' | 'open' | 'closed';

interface StreamContextValue {
  subscribe(type: StreamEventType, handler: Handler): () => void;
  state: StreamState;
}

const StreamContext = createContext<StreamContextValue | null>(null);

const defaultFactory: EventSourceFactory = (url) =>
  new EventSource(url, { withCredentials: true }) as unknown as EventSourceLike;

const CLOSED = 2;

export function StreamProvider({
  children,
  factory = defaultFactory,
  enabled = true,
}: {
  children: ReactNode;
  factory?: EventSourceFactory;
  enabled?: boolean;
}) {
  const handlers = useRef(new Map<StreamEventType, Set<Handler>>());
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    if (!enabled || (factory === defaultFactory && typeof EventSource === 'undefined')) {
      setState('closed');
      return;
    }
    let source: EventSourceLike | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;

    const dispatch = (type: StreamEventType) => (ev: MessageEvent) => {
      let data: unknown = ev.data;
      if (typeof ev.data === 'string') {
        try {
          data = JSON.parse(ev.data);
        } catch {
          /* keep the raw text */
        }
      }
      handlers.current.get(type)?.forEach((h) => h(data, type));
    };
    const listeners = STREAM_EVENT_TYPES.map((type) => [type, dispatch(type)] as const);

    const connect = () => {
      setState('connecting');
      source = factory(urls.stream());
      for (const [type, listener] of listeners) source.addEventListener(type, listener);
      source.onopen = () => {
        attempt = 0;
        setState('open');
      };
      source.onerror = () => {
        if (stopped || !source) return;
        // EventSource retries by itself while CONNECTING; once CLOSED (e.g. a 401 or 5xx),
        // reconnect with a capped backoff.
        if (source.readyState === CLOSED) {
          setState('closed');
          for (const [type, listener] of listeners) source.removeEventListener(type, listener);
          source.close();
          source = null;
          const delay = Math.min(30_000, 1000 * 2 ** attempt++);
          retryTimer = setTimeout(connect, delay);
        } else {
          setState('connecting');
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      if (source) {
        for (const [type, listener] of listeners) source.removeEventListener(type, listener);
        source.close();
      }
    };
  }, [factory, enabled]);

  const subscribe = useCallback((type: StreamEventType, handler: Handler) => {
    let set = handlers.current.get(type);
    if (!set) handlers.current.set(type, (set = new Set()));
    set.add(handler);
    return () => {
      set!.delete(handler);
    };
  }, []);
  const value = useMemo<StreamContextValue>(() => ({ state, subscribe }), [state, subscribe]);
  return <StreamContext.Provider value={value}>{children}</StreamContext.Provider>;
}

/** Calls `handler` for each message of the given type(s); the latest handler is always used. */
export function useStreamEvent<T = unknown>(
  types: StreamEventType | StreamEventType[],
  handler: (data: T, type: StreamEventType) => void,
): void {
  const ctx = useContext(StreamContext);
  const latest = useRef(handler);
  latest.current = handler;
  const key = Array.isArray(types) ? types.join(',') : types;
  const subscribeFn = ctx?.subscribe;
  useEffect(() => {
    if (!subscribeFn) return;
    const list = key.split(',') as StreamEventType[];
    const unsubscribers = list.map((t) => subscribeFn(t, (data, type) => latest.current(data as T, type)));
    return () => unsubscribers.forEach((u) => u());
  }, [subscribeFn, key]);
}

export function useStreamState(): StreamState {
  return useContext(StreamContext)?.state ?? 'closed';
}

/**
 * Calls `onReconnect` each time the stream opens again after having been open (messages
 * may have been missed meanwhile: reload what the screen shows).
 */
export function useStreamReconnect(onReconnect: () => void): void {
  const state = useStreamState();
  const wasOpen = useRef(false);
  const latest = useRef(onReconnect);
  latest.current = onReconnect;
  useEffect(() => {
    if (state !== 'open') return;
    if (wasOpen.current) latest.current();
    wasOpen.current = true;
  }, [state]);
}
