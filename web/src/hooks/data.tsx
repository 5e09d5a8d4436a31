/**
 * Shared data for every screen: the cameras the user may see and their health, kept fresh
 * by `camera.health` stream messages and a slow poll of `/api/health`.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../api/client';
import type { Camera, CameraHealth, Health } from '../api/types';
import { useStreamEvent } from './stream';
import { STALE, useLatest } from './useLatest';

interface CamerasState {
  cameras: Camera[];
  loading: boolean;
  error: string | null;
  health: Record<string, CameraHealth>;
  systemHealth: Health | null;
  reload(): Promise<void>;
  reloadHealth(): Promise<void>;
  /** The camera's name; `fallback` (e.g. an event's camera_name) for cameras not listed. */
  cameraName(id: string, fallback?: string): string;
}

const CamerasContext = createContext<CamerasState | null>(null);

const HEALTH_POLL_MS = 10_000;

export function CamerasProvider({ children }: { children: ReactNode }) {
  const [cameras, setCameras] = useState<Camera[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [health, setHealth] = useState<Record<string, CameraHealth>>({});
  const [systemHealth, setSystemHealth] = useState<Health | null>(null);

  const latest = useLatest();
  const reload = useCallback(async () => {
    try {
      const list = await latest(api.cameras.list());
      if (list === STALE) return;
      setCameras(list);
      setError(null);
      setLoading(false);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setLoading(false);
    }
  }, [latest]);

  const reloadHealth = useCallback(async () => {
    try {
      const h = await api.health.get();
      setSystemHealth(h);
      setHealth(Object.fromEntries((h.cameras ?? []).map((c) => [c.camera_id, c])));
    } catch {
      /* health is best-effort; the badge shows "Unknown" */
    }
  }, []);

  useEffect(() => {
    void reload();
    void reloadHealth();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reloadHealth();
    }, HEALTH_POLL_MS);
    return () => clearInterval(timer);
  }, [reload, reloadHealth]);

  useStreamEvent<CameraHealth | CameraHealth[]>('camera.health', (data) => {
    const list = Array.isArray(data) ? data : [data];
    setHealth((prev) => {
      const next = { ...prev };
      for (const h of list) if (h && h.camera_id) next[h.camera_id] = { ...prev[h.camera_id], ...h };
      return next;
    });
  });

  const value = useMemo<CamerasState>(
    () => ({
      cameras,
      loading,
      error,
      health,
      systemHealth,
      reload,
      reloadHealth,
      cameraName: (id: string, fallback?: string) => cameras.find((c) => c.id === id)?.name || fallback || id,
    }),
    [cameras, loading, error, health, systemHealth, reload, reloadHealth],
  );
  return <CamerasContext.Provider value={value}>{children}</CamerasContext.Provider>;
}

export function useCameras(): CamerasState {
  const ctx = useContext(CamerasContext);
  if (!ctx) throw new Error('useCameras outside <CamerasProvider>');
  return ctx;
}
