/**
 * The alerts feed: a page of events from `GET /api/events` (newest first), then kept live
 * from the stream: `event.opened` adds an event at the top when it matches the filters,
 * `event.updated|closed|reviewed` update it in place.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { AlertEvent, EventFilters } from '../api/types';
import { useStreamEvent, useStreamReconnect } from './stream';

export function matchesFilters(event: AlertEvent, f: EventFilters): boolean {
  if (f.camera && event.camera_id !== f.camera) return false;
  if (f.status && event.status !== f.status) return false;
  if (f.review_status && event.review_status !== f.review_status) return false;
  if (f.min_score !== undefined && f.min_score !== null && event.peak_score < f.min_score) return false;
  const t = new Date(event.started_at).getTime();
  if (f.since && t < new Date(f.since).getTime()) return false;
  if (f.until && t > new Date(f.until).getTime()) return false;
  return true;
}

export function sortNewestFirst(events: AlertEvent[]): AlertEvent[] {
  return [...events].sort((a, b) => new Date(b.started_at).getTime() - new Date(a.started_at).getTime());
}

export interface AlertFeed {
  events: AlertEvent[];
  total: number;
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore(): Promise<void>;
  reload(): Promise<void>;
  /** Ids of events that arrived over the stream since the feed loaded (for highlighting). */
  fresh: Set<string>;
}

export function useAlertFeed(filters: EventFilters, pageSize = 50): AlertFeed {
  const [events, setEvents] = useState<AlertEvent[]>([]);
  const eventsRef = useRef<AlertEvent[]>([]);
  const commit = useCallback((list: AlertEvent[]) => {
    eventsRef.current = list;
    setEvents(list);
  }, []);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const key = JSON.stringify(filters);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const page = await api.events.list({ ...filtersRef.current, limit: pageSize });
      commit(page.items);
      setTotal(page.total);
      setNext(page.next);
      setError(null);
      setFresh(new Set());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  }, [pageSize, commit]);

  useEffect(() => {
    void reload();
  }, [key, reload]);

  const loadMore = useCallback(async () => {
    if (!next) return;
    try {
      const page = await api.events.list({ ...filtersRef.current, limit: pageSize, cursor: next });
      const prev = eventsRef.current;
      const seen = new Set(prev.map((e) => e.id));
      commit([...prev, ...page.items.filter((e) => !seen.has(e.id))]);
      setNext(page.next);
      setTotal(page.total);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [next, pageSize, commit]);

  useStreamEvent<AlertEvent>(['event.opened', 'event.updated', 'event.closed', 'event.reviewed'], (data, type) => {
    if (!data || typeof data !== 'object' || !('id' in data)) return;
    const incoming = data as AlertEvent;
    const prev = eventsRef.current;
    const i = prev.findIndex((e) => e.id === incoming.id);
    if (i >= 0) {
      const merged = { ...prev[i], ...incoming };
      if (!matchesFilters(merged, filtersRef.current)) {
        setTotal((t) => Math.max(0, t - 1));
        commit(prev.filter((_, j) => j !== i));
      } else {
        commit(prev.map((e, j) => (j === i ? merged : e)));
      }
      return;
    }
    if (
      (type === 'event.opened' || type === 'event.updated') &&
      incoming.started_at &&
      matchesFilters(incoming, filtersRef.current)
    ) {
      setTotal((t) => t + 1);
      setFresh((f) => new Set(f).add(incoming.id));
      commit(sortNewestFirst([incoming, ...prev]));
    }
  });

  useStreamReconnect(() => void reload());

  return { events, total, loading, error, hasMore: !!next, loadMore, reload, fresh };
}
