import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { ImageOff, ShieldAlert, X } from 'lucide-react';
import { urls } from '../api/client';
import type { AlertEvent, EventFilters, EventStatus, EvidenceMessage, ReviewStatus } from '../api/types';
import { Button, EmptyState, EventStatusBadge, Field, Loading, Notice, ReviewBadge, ScoreBadge } from '../components/ui';
import { useCameras } from '../hooks/data';
import { useAlertFeed } from '../hooks/useAlertFeed';
import { useStreamEvent } from '../hooks/stream';
import { useHotkeys } from '../hooks/useHotkeys';
import { formatDuration, formatTime, isoToLocalInput, localInputToIso, topReasonText } from '../lib/format';
import { setReviewQueue } from '../lib/reviewQueue';

const SCORE_STEPS = [0, 0.5, 0.6, 0.7, 0.8, 0.9];

export function filtersFromParams(params: URLSearchParams): EventFilters {
  const f: EventFilters = {};
  const camera = params.get('camera');
  if (camera) f.camera = camera;
  const status = params.get('status');
  if (status === 'open' || status === 'closed') f.status = status;
  const review = params.get('review_status');
  if (review && ['new', 'confirmed', 'dismissed', 'escalated'].includes(review)) f.review_status = review as ReviewStatus;
  const since = params.get('since');
  if (since) f.since = since;
  const until = params.get('until');
  if (until) f.until = until;
  const min = Number(params.get('min_score'));
  if (params.get('min_score') && !Number.isNaN(min)) f.min_score = min;
  return f;
}

export function AlertsPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const feed = useAlertFeed(filters);
  const { cameras, cameraName } = useCameras();
  const navigate = useNavigate();

  const setFilter = (key: keyof EventFilters, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const active = Object.keys(filters).length > 0;

  // j/k move through the list, Enter opens (the rows are links).
  useHotkeys({
    j: () => moveFocus(1),
    k: () => moveFocus(-1),
  });

  const open = (event: AlertEvent) => {
    setReviewQueue(feed.events.map((e) => e.id));
    navigate(`/events/${event.id}`);
  };

  return (
    <div className="page">
      <div className="page-header">
        <div className="row">
          <h1>Alerts</h1>
          <span className="muted">{feed.total} total</span>
        </div>
      </div>

      <form className="filters card" role="search" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <Field label="Camera">
          {(p) => (
            <select {...p} className="select" value={filters.camera ?? ''} onChange={(e) => setFilter('camera', e.target.value)}>
              <option value="">All cameras</option>
              {cameras.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name || c.id}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status">
          {(p) => (
            <select {...p} className="select" value={filters.status ?? ''} onChange={(e) => setFilter('status', e.target.value as EventStatus)}>
              <option value="">Any</option>
              <option value="open">Ongoing</option>
              <option value="closed">Ended</option>
            </select>
          )}
        </Field>
        <Field label="Review">
          {(p) => (
            <select
              {...p}
              className="select"
              value={filters.review_status ?? ''}
              onChange={(e) => setFilter('review_status', e.target.value)}
            >
              <option value="">Any</option>
              <option value="new">New</option>
              <option value="confirmed">Confirmed</option>
              <option value="dismissed">Dismissed</option>
              <option value="escalated">Escalated</option>
            </select>
          )}
        </Field>
        <Field label="Min. score">
          {(p) => (
            <select
              {...p}
              className="select"
              value={String(filters.min_score ?? 0)}
              onChange={(e) => setFilter('min_score', e.target.value === '0' ? undefined : e.target.value)}
            >
              {SCORE_STEPS.map((s) => (
                <option key={s} value={String(s)}>
                  {s === 0 ? 'Any' : `≥ ${Math.round(s * 100)}%`}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From">
          {(p) => (
            <input
              {...p}
              type="datetime-local"
              className="input"
              value={isoToLocalInput(filters.since)}
              onChange={(e) => setFilter('since', localInputToIso(e.target.value))}
            />
          )}
        </Field>
        <Field label="To">
          {(p) => (
            <input
              {...p}
              type="datetime-local"
              className="input"
              value={isoToLocalInput(filters.until)}
              onChange={(e) => setFilter('until', localInputToIso(e.target.value))}
            />
          )}
        </Field>
        {active && (
          <div className="filters-clear">
            <Button size="sm" variant="ghost" icon={<X size={14} />} onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              Clear filters
            </Button>
          </div>
        )}
      </form>

      {feed.error && <Notice tone="danger">Alerts could not be loaded: {feed.error}</Notice>}
      {feed.loading && feed.events.length === 0 ? (
        <Loading label="Loading alerts…" />
      ) : feed.events.length === 0 ? (
        <EmptyState icon={<ShieldAlert size={36} />} title={active ? 'No alerts match these filters' : 'No alerts yet'}>
          New alerts appear here as they happen.
        </EmptyState>
      ) : (
        <ul className="alert-list" aria-label="Alerts, newest first">
          {feed.events.map((event) => (
            <AlertRow
              key={event.id}
              event={event}
              cameraName={cameraName(event.camera_id, event.camera_name)}
              fresh={feed.fresh.has(event.id)}
              onOpen={() => open(event)}
            />
          ))}
        </ul>
      )}
      {feed.hasMore && (
        <div className="row" style={{ justifyContent: 'center', marginTop: 16 }}>
          <Button onClick={() => void feed.loadMore()}>Load older alerts</Button>
        </div>
      )}
    </div>
  );
}

function moveFocus(step: number) {
  const links = Array.from(document.querySelectorAll<HTMLAnchorElement>('.alert-row-link'));
  if (!links.length) return;
  const i = links.indexOf(document.activeElement as HTMLAnchorElement);
  const next = links[i < 0 ? 0 : Math.max(0, Math.min(links.length - 1, i + step))];
  next.focus();
  next.scrollIntoView?.({ block: 'nearest' });
}

function Thumb({ event }: { event: AlertEvent }) {
  const [failed, setFailed] = useState(false);
  const [version, setVersion] = useState(0);
  useStreamEvent<EvidenceMessage>('event.evidence', (data) => {
    if (data?.id === event.id && data.kind === 'snapshot') {
      setFailed(false);
      setVersion((v) => v + 1);
    }
  });
  if (failed || event.has_snapshot === false)
    return (
      <div className="alert-thumb alert-thumb-empty" aria-hidden>
        <ImageOff size={20} />
      </div>
    );
  return (
    <img
      className="alert-thumb"
      src={`${urls.eventSnapshot(event.id)}${version ? `?v=${version}` : ''}`}
      alt=""
      loading="lazy"
      onError={() => setFailed(true)}
    />
  );
}

function AlertRow({
  event,
  cameraName,
  fresh,
  onOpen,
}: {
  event: AlertEvent;
  cameraName: string;
  fresh: boolean;
  onOpen: () => void;
}) {
  const duration =
    event.ended_at && event.started_at
      ? (new Date(event.ended_at).getTime() - new Date(event.started_at).getTime()) / 1000
      : null;
  return (
    <li
      className={`alert-row${fresh ? ' alert-row-fresh' : ''}${event.status === 'open' ? ' alert-row-open' : ''}`}
      data-event-id={event.id}
    >
      <Link
        to={`/events/${event.id}`}
        className="alert-row-link"
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
          e.preventDefault();
          onOpen();
        }}
        aria-label={`Alert on ${cameraName} at ${formatTime(event.started_at)}, score ${Math.round(event.peak_score * 100)}%`}
      >
        <Thumb event={event} />
        <div className="alert-row-main">
          <div className="row">
            <strong>{cameraName}</strong>
            <span className="muted">{formatTime(event.started_at)}</span>
            {duration !== null && <span className="faint">· {formatDuration(duration)}</span>}
          </div>
          <div className="alert-reason">{topReasonText(event.reasons)}</div>
        </div>
        <div className="alert-row-meta">
          <ScoreBadge score={event.peak_score} />
          <div className="row">
            <EventStatusBadge status={event.status} />
            <ReviewBadge status={event.review_status} />
          </div>
        </div>
      </Link>
    </li>
  );
}
