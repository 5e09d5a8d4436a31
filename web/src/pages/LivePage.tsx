import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { AlertTriangle, Cctv, Flag, Grid2x2, Maximize2, Minimize2, Square } from 'lucide-react';
import type { AlertEvent, Camera } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { LiveView } from '../components/LiveView';
import { MissedTheftDialog } from '../components/MissedTheft';
import { Badge, Button, EmptyState, HealthBadge, Loading, Notice, ScoreBadge } from '../components/ui';
import { useCameras } from '../hooks/data';
import { useAlertFeed } from '../hooks/useAlertFeed';
import { formatAgo, formatNumber, topReasonText } from '../lib/format';
import { usePref } from '../lib/prefs';

/**
 * MJPEG streams shown at once. Each holds one HTTP/1.1 connection and browsers allow six
 * per host; the rest of the grid refreshes snapshots instead.
 */
export const MAX_LIVE_STREAMS = 4;

export function LivePage() {
  const { cameras, loading, error, health } = useCameras();
  const openFeed = useAlertFeed({ status: 'open' }, 200);
  const [focused, setFocused] = useState<string | null>(null);
  const [columns, setColumns] = usePref<number>('liveColumns', 0);
  const [reporting, setReporting] = useState<Camera | null>(null);
  const { can } = useAuth();
  const canReport = can('reportMissed');

  const openByCamera = useMemo(() => {
    const map = new Map<string, AlertEvent[]>();
    for (const e of openFeed.events) {
      if (e.status !== 'open') continue;
      map.set(e.camera_id, [...(map.get(e.camera_id) ?? []), e]);
    }
    return map;
  }, [openFeed.events]);

  const visible = focused ? cameras.filter((c) => c.id === focused) : cameras.filter((c) => c.enabled !== false);
  // Cameras with an open alert get the live streams first.
  const streamed = new Set(
    [...visible]
      .sort((a, b) => Number(openByCamera.has(b.id)) - Number(openByCamera.has(a.id)))
      .slice(0, MAX_LIVE_STREAMS)
      .map((c) => c.id),
  );

  return (
    <div className="page">
      <div className="page-header">
        <div className="row">
          <h1>Live</h1>
          {openByCamera.size > 0 && (
            <Badge tone="solid-danger" dot pulse>
              {openFeed.events.length} open alert{openFeed.events.length === 1 ? '' : 's'}
            </Badge>
          )}
        </div>
        {!focused && cameras.length > 1 && (
          <div className="row" role="group" aria-label="Grid layout">
            {[0, 1, 2, 3].map((n) => (
              <Button
                key={n}
                size="sm"
                aria-pressed={columns === n}
                onClick={() => setColumns(n)}
                icon={n === 1 ? <Square size={14} /> : n === 0 ? undefined : <Grid2x2 size={14} />}
              >
                {n === 0 ? 'Auto' : `${n} col`}
              </Button>
            ))}
          </div>
        )}
      </div>
      {error && <Notice tone="danger">Cameras could not be loaded: {error}</Notice>}
      {loading ? (
        <Loading label="Loading cameras…" />
      ) : visible.length === 0 ? (
        <EmptyState icon={<Cctv size={36} />} title="No cameras yet">
          An administrator adds cameras on the Cameras screen.
        </EmptyState>
      ) : (
        <div
          className={`live-grid${focused ? ' live-grid-focused' : ''}`}
          style={columns && !focused ? { gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` } : undefined}
        >
          {visible.map((camera) => (
            <CameraTile
              key={camera.id}
              camera={camera}
              alerts={openByCamera.get(camera.id) ?? []}
              health={health[camera.id]}
              mode={streamed.has(camera.id) ? 'stream' : 'snapshot'}
              focused={focused === camera.id}
              onFocus={() => setFocused(focused === camera.id ? null : camera.id)}
              onReportMissed={canReport ? () => setReporting(camera) : undefined}
            />
          ))}
        </div>
      )}
      {reporting && <MissedTheftDialog camera={reporting} onClose={() => setReporting(null)} />}
    </div>
  );
}

function CameraTile({
  camera,
  alerts,
  health,
  mode,
  focused,
  onFocus,
  onReportMissed,
}: {
  camera: Camera;
  alerts: AlertEvent[];
  health: ReturnType<typeof useCameras>['health'][string] | undefined;
  mode: 'stream' | 'snapshot';
  focused: boolean;
  onFocus: () => void;
  /** Reviewers and admins: report a theft this camera missed. */
  onReportMissed?: () => void;
}) {
  const alerting = alerts.length > 0;
  const top = alerts.reduce<AlertEvent | null>((a, b) => (!a || b.peak_score > a.peak_score ? b : a), null);
  return (
    <section
      className={`camera-tile${alerting ? ' camera-tile-alert' : ''}`}
      aria-label={`${camera.name || camera.id}${alerting ? ' — open alert' : ''}`}
      data-camera={camera.id}
    >
      <header className="camera-tile-header">
        <div className="camera-tile-title">
          <strong>{camera.name || camera.id}</strong>
          <HealthBadge
            state={health?.state}
            title={health?.last_error ? `Last error: ${health.last_error}` : undefined}
          />
        </div>
        <div className="row">
          {health && (
            <span className="faint mono" title="Frames analysed per second · inference time">
              {formatNumber(health.fps_analysed)} fps · {Math.round(health.inference_ms ?? 0)} ms
            </span>
          )}
          {onReportMissed && (
            <Button
              size="sm"
              variant="ghost"
              iconOnly
              label={`Report a missed theft on ${camera.name || camera.id}`}
              icon={<Flag size={16} />}
              onClick={onReportMissed}
            />
          )}
          <Button
            size="sm"
            variant="ghost"
            iconOnly
            label={focused ? 'Back to grid' : `Enlarge ${camera.name || camera.id}`}
            icon={focused ? <Minimize2 size={16} /> : <Maximize2 size={16} />}
            onClick={onFocus}
          />
        </div>
      </header>
      <div className="camera-tile-body">
        <LiveView cameraId={camera.id} cameraName={camera.name || camera.id} mode={mode} />
        {mode === 'snapshot' && (
          <button className="live-mode-chip" onClick={onFocus} title="Refreshing snapshots; click to watch live">
            Snapshot
          </button>
        )}
        {health?.state && health.state !== 'live' && (
          <div className="camera-tile-status">
            {health.state === 'failed' ? 'Camera failed' : health.state === 'reconnecting' ? 'Reconnecting…' : 'Starting…'}
            {health.last_frame_at && <span> · last frame {formatAgo(health.last_frame_at)}</span>}
          </div>
        )}
        {top && (
          <Link className="camera-alert-banner" to={`/events/${top.id}`}>
            <AlertTriangle size={18} aria-hidden />
            <span className="grow">
              <strong>Alert</strong> · track {top.track_id} · {topReasonText(top.reasons)}
              {alerts.length > 1 && ` (+${alerts.length - 1} more)`}
            </span>
            <ScoreBadge score={top.peak_score} />
          </Link>
        )}
      </div>
    </section>
  );
}
