/**
 * Settings → Retention (what the retention rules will delete when, per camera) and
 * Settings → Signage (the entrance notice the service writes from its configuration).
 */
import { useCallback, useEffect, useState } from 'react';
import { Copy, RefreshCw } from 'lucide-react';
import { ApiError, api } from '../api/client';
import type { Camera, RetentionSchedule } from '../api/types';
import { useCameras } from '../hooks/data';
import { formatBytes } from '../lib/format';
import { privacyLabel } from '../lib/privacy';
import { useToast } from './toast';
import { Badge, Button, EmptyState, Loading, Notice } from './ui';

function amount(a: { events: number; objects: number; bytes: number }): string {
  return `${a.events} alert${a.events === 1 ? '' : 's'} · ${a.objects} file${a.objects === 1 ? '' : 's'} · ${formatBytes(a.bytes)}`;
}

/** A UTC day (`2026-12-04`) in the browser's words, e.g. "Fri, 4 Dec 2026". */
function formatDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? day
    : d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export function RetentionSchedules() {
  const { cameras, loading } = useCameras();
  if (loading) return <Loading />;
  if (cameras.length === 0) return <EmptyState title="No cameras" />;
  return (
    <div className="stack">
      {cameras.map((c) => (
        <CameraRetention key={c.id} camera={c} />
      ))}
    </div>
  );
}

function CameraRetention({ camera }: { camera: Camera }) {
  const [data, setData] = useState<RetentionSchedule | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    api.privacy
      .retention(camera.id)
      .then((r) => live && setData(r))
      .catch((err) => live && setError(err as Error));
    return () => {
      live = false;
    };
  }, [camera.id]);
  const name = camera.name || camera.id;

  return (
    <section className="card" aria-label={`Retention of ${name}`}>
      <div className="card-header">
        <h3 style={{ margin: 0 }}>{name}</h3>
        {data && <Badge title="Privacy mode">{privacyLabel(data.privacy)}</Badge>}
      </div>
      <div className="card-body stack" style={{ gap: 8 }}>
        {error ? (
          error instanceof ApiError && error.status === 404 ? (
            <span className="muted">This service does not report a retention schedule.</span>
          ) : (
            <Notice tone="danger">The retention schedule could not be loaded: {error.message}</Notice>
          )
        ) : !data ? (
          <Loading />
        ) : (
          <>
            <div className="muted">
              {data.policy.max_age_days == null
                ? 'Unconfirmed evidence is not deleted by age.'
                : `Unconfirmed evidence is deleted after ${data.policy.max_age_days} days.`}
              {data.policy.min_free_bytes != null &&
                ` Below ${formatBytes(data.policy.min_free_bytes)} free disk space the oldest goes first.`}{' '}
              Kept until deleted by hand: {data.policy.protected.join(', ') || 'nothing'}.
            </div>
            <dl className="facts">
              <dt>Stored</dt>
              <dd>{amount(data.stored)}</dd>
              <dt>Kept (confirmed, escalated)</dt>
              <dd>{amount(data.protected)}</dd>
              <dt>Due now</dt>
              <dd>{amount(data.due)}</dd>
            </dl>
            {data.scheduled.length === 0 ? (
              <span className="muted">Nothing is scheduled for deletion.</span>
            ) : (
              <div className="table-wrap">
                <table className="table" aria-label={`Deletion schedule of ${name}`}>
                  <thead>
                    <tr>
                      <th>Deleted on (UTC)</th>
                      <th className="num">Alerts</th>
                      <th className="num">Files</th>
                      <th className="num">Size</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.scheduled.map((d) => (
                      <tr key={d.day}>
                        <td>{formatDay(d.day)}</td>
                        <td className="num">{d.events}</td>
                        <td className="num">{d.objects}</td>
                        <td className="num">{formatBytes(d.bytes)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {data.later.objects > 0 && <div className="muted">Later: {amount(data.later)}</div>}
          </>
        )}
      </div>
    </section>
  );
}

export function SignagePanel() {
  const toast = useToast();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const load = useCallback(async () => {
    try {
      setText(await api.privacy.signage());
      setError(null);
    } catch (err) {
      setError(err as Error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text ?? '');
      toast.show({ tone: 'success', title: 'Notice copied' });
    } catch {
      toast.show({ tone: 'danger', title: 'Could not copy: select the text instead' });
    }
  };

  return (
    <section className="stack" aria-label="Entrance notice">
      <div className="spread">
        <p className="muted" style={{ margin: 0 }}>
          The notice for the shop's entrance, written from the <code>privacy</code> section of the configuration and the
          cameras (Markdown). Check it, fill in what it asks for, and print it.
        </p>
        <div className="row">
          <Button size="sm" icon={<RefreshCw size={14} />} onClick={() => void load()}>
            Refresh
          </Button>
          <Button size="sm" icon={<Copy size={14} />} disabled={!text} onClick={() => void copy()}>
            Copy
          </Button>
        </div>
      </div>
      {error ? (
        <Notice tone="danger">The notice could not be loaded: {error.message}</Notice>
      ) : text === null ? (
        <Loading />
      ) : (
        <pre className="model-card signage" aria-label="Notice text" style={{ maxHeight: 'none' }}>
          {text}
        </pre>
      )}
    </section>
  );
}
