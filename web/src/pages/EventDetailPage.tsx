import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  AlertOctagon,
  ArrowLeft,
  Check,
  ChevronDown,
  ChevronUp,
  FilmIcon,
  Keyboard,
  ShieldQuestion,
  X,
} from 'lucide-react';
import { ApiError, api, urls } from '../api/client';
import type { AlertEvent, EvidenceMessage, Reason, ReviewDecision, ReviewRecord } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ScoreChart } from '../components/ScoreChart';
import { SkeletonOverlay } from '../components/SkeletonOverlay';
import { useToast } from '../components/toast';
import {
  Badge,
  Button,
  EmptyState,
  EventStatusBadge,
  Loading,
  Modal,
  Notice,
  ReviewBadge,
  ScoreBadge,
} from '../components/ui';
import { useCameras } from '../hooks/data';
import { useHotkeys } from '../hooks/useHotkeys';
import { useStreamEvent, useStreamReconnect } from '../hooks/stream';
import { formatDateTime, formatDuration } from '../lib/format';
import { usePref } from '../lib/prefs';
import { getReviewQueue, neighbours, setReviewQueue } from '../lib/reviewQueue';

export const SHORTCUTS: { keys: string[]; what: string; reviewer?: boolean }[] = [
  { keys: ['c'], what: 'Confirm: real theft or attempt', reviewer: true },
  { keys: ['d'], what: 'Dismiss: false alarm', reviewer: true },
  { keys: ['e'], what: 'Escalate: needs a second look or action', reviewer: true },
  { keys: ['n'], what: 'Write a note (Esc leaves the note)', reviewer: true },
  { keys: ['j'], what: 'Next (older) alert' },
  { keys: ['k'], what: 'Previous (newer) alert' },
  { keys: ['Space'], what: 'Play / pause the clip' },
  { keys: ['←', '→'], what: 'Back / forward 2 seconds' },
  { keys: ['u'], what: 'Back to the alerts list' },
  { keys: ['?'], what: 'Show this help' },
];

const DECISIONS: {
  decision: ReviewDecision;
  key: string;
  label: string;
  variant: 'danger' | 'default' | 'warning';
  icon: ReactElement;
  done: string;
}[] = [
  { decision: 'confirm', key: 'c', label: 'Confirm', variant: 'danger', icon: <Check size={16} />, done: 'Confirmed' },
  { decision: 'dismiss', key: 'd', label: 'Dismiss', variant: 'default', icon: <X size={16} />, done: 'Dismissed' },
  {
    decision: 'escalate',
    key: 'e',
    label: 'Escalate',
    variant: 'warning',
    icon: <AlertOctagon size={16} />,
    done: 'Escalated',
  },
];

/** Seconds from the first time on the event's clock, for display. */
function relTime(t: number, origin: number): string {
  return `${Math.max(0, t - origin).toFixed(1)} s`;
}

export function EventDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { can } = useAuth();
  const { cameraName } = useCameras();
  const toast = useToast();
  const canReview = can('review');

  const [event, setEvent] = useState<AlertEvent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<ReviewDecision | null>(null);
  const [help, setHelp] = useState(false);
  const [autoAdvance, setAutoAdvance] = usePref('autoAdvance', false);
  const [queue, setQueue] = useState<string[]>(() => getReviewQueue());
  const [videoTime, setVideoTime] = useState<number | null>(null);
  const [clipFailed, setClipFailed] = useState(false);
  const [clipAttempt, setClipAttempt] = useState(0);
  const videoRef = useRef<HTMLVideoElement>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    setNote('');
    setClipFailed(false);
    setClipAttempt(0);
    setVideoTime(null);
    api.events
      .get(id, ctrl.signal)
      .then((e) => setEvent(e))
      .catch((err) => {
        if (ctrl.signal.aborted) return;
        setEvent(null);
        setError(err instanceof ApiError && err.status === 404 ? 'This alert does not exist (any more).' : String(err.message ?? err));
      })
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
  }, [id]);

  // Opened straight from a link: use the latest alerts as the j/k list.
  useEffect(() => {
    if (queue.includes(id)) return;
    let cancelled = false;
    api.events
      .list({ limit: 100 })
      .then((page) => {
        if (cancelled) return;
        const ids = page.items.map((e) => e.id);
        if (!ids.includes(id)) return;
        setReviewQueue(ids);
        setQueue(ids);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [id, queue]);

  useStreamEvent<AlertEvent>(['event.updated', 'event.closed', 'event.reviewed'], (data, type) => {
    if (data?.id !== id) return;
    const { review, ...fields } = data as AlertEvent & { review?: ReviewRecord };
    setEvent((prev) => {
      if (!prev) return prev;
      const next = { ...prev, ...fields };
      // event.reviewed carries the new review: add it to the history once.
      if (review && !(prev.reviews ?? []).some((r) => r.at === review.at)) next.reviews = [...(prev.reviews ?? []), review];
      return next;
    });
    if (type === 'event.closed') {
      // The clip is written when the event ends: try loading it again.
      setClipFailed(false);
      setClipAttempt((a) => a + 1);
    }
  });

  useStreamReconnect(() => {
    api.events
      .get(id)
      .then((e) => setEvent(e))
      .catch(() => undefined);
  });

  // The clip or a better snapshot was stored: load it (again).
  const [snapshotVersion, setSnapshotVersion] = useState(0);
  useStreamEvent<EvidenceMessage>('event.evidence', (data) => {
    if (data?.id !== id) return;
    setEvent((prev) => (prev ? { ...prev, [data.kind === 'clip' ? 'has_clip' : 'has_snapshot']: true } : prev));
    if (data.kind === 'clip') {
      setClipFailed(false);
      setClipAttempt((a) => a + 1);
    } else setSnapshotVersion((v) => v + 1);
  });

  // A clip that fails to load right after the event closed may still be being written.
  const onClipError = () => {
    if (event?.status === 'closed' && clipAttempt < 5) setTimeout(() => setClipAttempt((a) => a + 1), 2000);
    else setClipFailed(true);
  };

  const { prev, next } = neighbours(queue, id);
  const go = useCallback((target: string | null) => target && navigate(`/events/${target}`), [navigate]);

  const review = useCallback(
    async (decision: ReviewDecision) => {
      if (!event || busy || !canReview) return;
      setBusy(decision);
      try {
        const updated = await api.events.review(event.id, decision, note.trim());
        const done = DECISIONS.find((d) => d.decision === decision)!.done;
        setEvent((prev) =>
          updated && typeof updated === 'object' && 'id' in updated
            ? { ...prev!, ...updated }
            : { ...prev!, review_status: `${decision === 'confirm' ? 'confirmed' : decision === 'dismiss' ? 'dismissed' : 'escalated'}` },
        );
        setNote('');
        toast.show({ tone: 'success', title: `${done}`, body: `Alert on ${cameraName(event.camera_id)}` }, 2500);
        if (autoAdvance && next) go(next);
      } catch (err) {
        toast.show({ tone: 'danger', title: 'Review not saved', body: err instanceof Error ? err.message : String(err) });
      } finally {
        setBusy(null);
      }
    },
    [event, busy, canReview, note, toast, cameraName, autoAdvance, next, go],
  );

  const seekBy = (dt: number) => {
    const v = videoRef.current;
    if (v) v.currentTime = Math.max(0, Math.min(v.duration || Infinity, v.currentTime + dt));
  };

  useHotkeys(
    {
      ...(canReview
        ? {
            c: () => void review('confirm'),
            d: () => void review('dismiss'),
            e: () => void review('escalate'),
            n: () => noteRef.current?.focus(),
          }
        : {}),
      j: () => go(next),
      k: () => go(prev),
      u: () => navigate('/alerts'),
      '?': () => setHelp((h) => !h),
      ' ': () => {
        const v = videoRef.current;
        if (v) void (v.paused ? v.play() : v.pause());
      },
      ArrowLeft: () => seekBy(-2),
      ArrowRight: () => seekBy(2),
    },
    { allowInDialog: ['?'] },
  );

  // Map between the clip (seconds from its start) and the stream clock of reasons/scores.
  const clipT0 = event?.clip_t0 ?? null;
  const origin = useMemo(() => {
    if (!event) return 0;
    if (event.scores?.length) return event.scores[0].t;
    if (clipT0 !== null) return clipT0;
    const starts = (event.reasons ?? []).map((r) => r.t_start);
    return starts.length ? Math.min(...starts) : (event.peak_t ?? 0);
  }, [event, clipT0]);

  const seekToStream = (t: number) => {
    const v = videoRef.current;
    if (!v || clipT0 === null) return;
    v.currentTime = Math.max(0, t - clipT0);
    void v.play().catch(() => undefined);
  };

  if (loading && !event) return <Loading label="Loading alert…" />;
  if (error || !event)
    return (
      <div className="page">
        <Notice tone="danger">{error ?? 'Alert not found.'}</Notice>
        <p>
          <Link to="/alerts">Back to alerts</Link>
        </p>
      </div>
    );

  const name = cameraName(event.camera_id, event.camera_name);
  const duration = event.ended_at
    ? (new Date(event.ended_at).getTime() - new Date(event.started_at).getTime()) / 1000
    : null;
  const reasons = [...(event.reasons ?? [])].sort((a, b) => a.t_start - b.t_start);
  const streamNow = clipT0 !== null && videoTime !== null ? clipT0 + videoTime : null;

  return (
    <div className="page event-page">
      <div className="page-header">
        <div className="row">
          <Button variant="ghost" size="sm" icon={<ArrowLeft size={16} />} onClick={() => navigate('/alerts')}>
            Alerts
          </Button>
          <h1>
            Alert · {name} · track {event.track_id}
          </h1>
          <EventStatusBadge status={event.status} />
          <ReviewBadge status={event.review_status} />
        </div>
        <div className="row">
          <Button size="sm" iconOnly label="Previous (newer) alert — k" icon={<ChevronUp size={16} />} disabled={!prev} onClick={() => go(prev)} />
          <Button size="sm" iconOnly label="Next (older) alert — j" icon={<ChevronDown size={16} />} disabled={!next} onClick={() => go(next)} />
          <Button size="sm" variant="ghost" icon={<Keyboard size={16} />} onClick={() => setHelp(true)}>
            Shortcuts <kbd>?</kbd>
          </Button>
        </div>
      </div>

      <div className="event-layout">
        <div className="event-main stack">
          <div className="card event-video ev-video">
            {clipFailed || event.has_clip === false ? (
              <EmptyState icon={<FilmIcon size={32} />} title="No clip">
                {event.status === 'open' ? 'The clip is written when the alert ends.' : 'The clip is not available.'}
              </EmptyState>
            ) : (
              <video
                ref={videoRef}
                key={`${event.id}-${clipAttempt}`}
                src={`${urls.eventClip(event.id)}${clipAttempt ? `?try=${clipAttempt}` : ''}`}
                controls
                playsInline
                preload="metadata"
                aria-label={`Evidence clip of the alert on ${name}`}
                onTimeUpdate={(e) => setVideoTime(e.currentTarget.currentTime)}
                onError={onClipError}
              />
            )}
          </div>

          {event.scores && event.scores.length > 1 && (
            <div className="card ev-chart">
              <div className="card-header">
                <h2>Score over time</h2>
                <span className="muted">peak {Math.round(event.peak_score * 100)}%</span>
              </div>
              <div className="card-body">
                <ScoreChart
                  points={event.scores}
                  reasons={reasons}
                  current={streamNow}
                  onSeek={clipT0 !== null ? seekToStream : undefined}
                />
              </div>
            </div>
          )}

          <div className="card ev-reasons">
            <div className="card-header">
              <h2>Why this alert</h2>
              <span className="muted">{reasons.length} reason{reasons.length === 1 ? '' : 's'}</span>
            </div>
            {reasons.length === 0 ? (
              <div className="card-body muted">The model's score alone raised this alert.</div>
            ) : (
              <ol className="reason-list">
                {reasons.map((r, i) => (
                  <ReasonItem
                    key={i}
                    reason={r}
                    origin={origin}
                    active={streamNow !== null && streamNow >= r.t_start && streamNow <= r.t_end}
                    onSeek={clipT0 !== null ? () => seekToStream(r.t_start) : undefined}
                  />
                ))}
              </ol>
            )}
          </div>
        </div>

        <aside className="event-side stack">
          {canReview ? (
            <div className="card review-panel ev-review">
              <div className="card-header">
                <h2>Review</h2>
                <ReviewBadge status={event.review_status} />
              </div>
              <div className="card-body stack">
                <div className="field">
                  <label htmlFor="review-note">Note (optional)</label>
                  <textarea
                    id="review-note"
                    ref={noteRef}
                    className="textarea"
                    placeholder="What did you see? Shared with the team and used for retraining."
                    value={note}
                    maxLength={2000}
                    onChange={(e) => setNote(e.target.value)}
                    onKeyDown={(e) => {
                      if (e.key === 'Escape') e.currentTarget.blur();
                    }}
                  />
                </div>
                <div className="review-buttons">
                  {DECISIONS.map((d) => (
                    <Button
                      key={d.decision}
                      variant={d.variant}
                      size="lg"
                      icon={d.icon}
                      busy={busy === d.decision}
                      disabled={!!busy}
                      onClick={() => void review(d.decision)}
                      aria-keyshortcuts={d.key}
                    >
                      {d.label} <kbd>{d.key}</kbd>
                    </Button>
                  ))}
                </div>
                <label className="checkbox">
                  <input type="checkbox" checked={autoAdvance} onChange={(e) => setAutoAdvance(e.target.checked)} />
                  Go to the next alert after a decision
                </label>
              </div>
            </div>
          ) : (
            <div className="ev-review">
            <Notice tone="info">
              <ShieldQuestion size={18} aria-hidden /> Your role can watch alerts but not review them.
            </Notice>
            </div>
          )}

          <div className="card ev-snapshot">
            <div className="card-header">
              <h2>Snapshot at peak</h2>
            </div>
            <SnapshotWithPose event={event} version={snapshotVersion} />
          </div>

          <div className="card ev-facts">
            <dl className="facts card-body">
              <dt>Score</dt>
              <dd>
                <ScoreBadge score={event.peak_score} />
              </dd>
              <dt>Camera</dt>
              <dd>{name}</dd>
              <dt>Started</dt>
              <dd>{formatDateTime(event.started_at)}</dd>
              <dt>Ended</dt>
              <dd>{event.ended_at ? formatDateTime(event.ended_at) : <Badge tone="danger">ongoing</Badge>}</dd>
              {duration !== null && (
                <>
                  <dt>Duration</dt>
                  <dd>{formatDuration(duration)}</dd>
                </>
              )}
              <dt>Track</dt>
              <dd>#{event.track_id}</dd>
              {event.model_version && (
                <>
                  <dt>Model</dt>
                  <dd className="mono">{event.model_version}</dd>
                </>
              )}
              <dt>Alert id</dt>
              <dd className="mono faint" style={{ wordBreak: 'break-all' }}>
                {event.id}
              </dd>
            </dl>
          </div>

          {event.reviews && event.reviews.length > 0 && (
            <div className="card ev-history">
              <div className="card-header">
                <h2>History</h2>
              </div>
              <ul className="history card-body">
                {event.reviews.map((r, i) => (
                  <li key={i}>
                    <strong>{r.username ?? 'someone'}</strong> — {r.decision} · <span className="muted">{formatDateTime(r.at)}</span>
                    {r.note && <div className="muted">“{r.note}”</div>}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </aside>
      </div>

      {help && (
        <Modal title="Keyboard shortcuts" onClose={() => setHelp(false)}>
          <table className="table shortcuts-table">
            <tbody>
              {SHORTCUTS.filter((s) => canReview || !s.reviewer).map((s) => (
                <tr key={s.what}>
                  <td className="nowrap">
                    {s.keys.map((k) => (
                      <kbd key={k} style={{ marginRight: 4 }}>
                        {k}
                      </kbd>
                    ))}
                  </td>
                  <td>{s.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Modal>
      )}
    </div>
  );
}

function ReasonItem({
  reason,
  origin,
  active,
  onSeek,
}: {
  reason: Reason;
  origin: number;
  active: boolean;
  onSeek?: () => void;
}) {
  const content = (
    <>
      <span className="reason-time mono">
        {relTime(reason.t_start, origin)} – {relTime(reason.t_end, origin)}
      </span>
      <span className="grow">{reason.text}</span>
      <span className="reason-weight faint" title="Weight of this cue in the score">
        {(reason.weight ?? 0) >= 0 ? '+' : ''}
        {Math.round((reason.weight ?? 0) * 100)}
      </span>
    </>
  );
  return (
    <li className={`reason${active ? ' reason-active' : ''}`} data-code={reason.code}>
      {onSeek ? (
        <button className="reason-button" onClick={onSeek} title="Play the clip from here">
          {content}
        </button>
      ) : (
        <div className="reason-button">{content}</div>
      )}
    </li>
  );
}

function SnapshotWithPose({ event, version }: { event: AlertEvent; version: number }) {
  const [size, setSize] = useState<{ width: number; height: number } | null>(
    event.snapshot_width && event.snapshot_height ? { width: event.snapshot_width, height: event.snapshot_height } : null,
  );
  const [failed, setFailed] = useState(false);
  const [showPose, setShowPose] = useState(true);
  const hasPose = !!event.keypoints && event.keypoints.length === 17;
  if (failed || event.has_snapshot === false) return <div className="card-body muted">No snapshot.</div>;
  return (
    <div className="snapshot-wrap">
      <div className="snapshot">
        <img
          src={`${urls.eventSnapshot(event.id)}${version ? `?v=${version}` : ''}`}
          alt={`Snapshot of the alert at its peak score`}
          onLoad={(e) => !size && setSize({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
          onError={() => setFailed(true)}
        />
        {hasPose && showPose && size && (
          <SkeletonOverlay keypoints={event.keypoints!} box={event.box} width={size.width} height={size.height} />
        )}
      </div>
      {hasPose && (
        <label className="checkbox" style={{ padding: '8px 12px' }}>
          <input type="checkbox" checked={showPose} onChange={(e) => setShowPose(e.target.checked)} /> Show pose
        </label>
      )}
    </div>
  );
}
