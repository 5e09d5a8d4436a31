/**
 * "Report a missed theft" (reviewers and admins): a time span on a camera, in local time,
 * where a theft happened without an alert. The service labels the person's poses in that
 * span (from the camera's track log) as theft in the next training-data export. The
 * dialog also lists the camera's earlier reports.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { Camera, MissedReport } from '../api/types';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { STALE, useLatest } from '../hooks/useLatest';
import { formatDateTime } from '../lib/format';
import { useToast } from './toast';
import { Badge, Button, EmptyState, Field, Loading, Modal, Notice } from './ui';

/** The longest span the API accepts. */
export const MAX_MISSED_SPAN_MS = 10 * 60 * 1000;

/** A `datetime-local` value with seconds, in the browser's time zone. */
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** What is wrong with a span (local `datetime-local` values), by field; empty when it may be sent. */
export function spanProblems(since: string, until: string, now = Date.now()): Record<string, string> {
  const e: Record<string, string> = {};
  const s = since ? new Date(since).getTime() : NaN;
  const u = until ? new Date(until).getTime() : NaN;
  if (Number.isNaN(s)) e.since = 'When did it start?';
  if (Number.isNaN(u)) e.until = 'When did it end?';
  if (Object.keys(e).length) return e;
  if (s > now) e.since = 'The start is in the future.';
  else if (u <= s) e.until = 'The end must be after the start.';
  else if (u - s > MAX_MISSED_SPAN_MS) e.until = 'At most 10 minutes after the start.';
  return e;
}

export function MissedTheftDialog({ camera, onClose }: { camera: Camera; onClose: () => void }) {
  const toast = useToast();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 2 * 60 * 1000)));
  const [until, setUntil] = useState(() => toLocalInput(new Date()));
  const [trackId, setTrackId] = useState('');
  const [note, setNote] = useState('');
  const { busy, errors, formError, run } = useFormSubmit();
  const [reports, setReports] = useState<MissedReport[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const name = camera.name || camera.id;
  // the list asked for when the dialog opened may answer after the one asked for after a report
  const latest = useLatest();

  const load = useCallback(async () => {
    try {
      const page = await latest(api.missed.list(camera.id));
      if (page === STALE) return;
      setReports(page.items);
      setListError(null);
    } catch (err) {
      setListError((err as Error).message);
    }
  }, [camera.id, latest]);

  useEffect(() => {
    void load();
  }, [load]);

  const submit = (ev: FormEvent) => {
    const e = spanProblems(since, until);
    const track = trackId.trim() ? Number(trackId) : null;
    if (track !== null && !(Number.isInteger(track) && track >= 0)) e.track_id = 'The number shown next to the person, or empty.';
    return run(ev, e, async () => {
      const saved = await api.missed.report(camera.id, {
        since: new Date(since).toISOString(),
        until: new Date(until).toISOString(),
        track_id: track,
        note: note.trim(),
      });
      toast.show({
        tone: saved.poses_logged ? 'success' : 'info',
        title: 'Missed theft reported',
        body: saved.poses_logged
          ? 'It becomes a theft example in the next training-data export.'
          : 'No poses were logged in that span, so it cannot become training data.',
      });
      setNote('');
      setTrackId('');
      await load();
    });
  };

  return (
    <Modal
      title={`Report a missed theft · ${name}`}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" type="submit" form="missed-form" busy={busy}>
            Report
          </Button>
        </>
      }
    >
      <div className="stack" style={{ gap: 16 }}>
        <form id="missed-form" className="stack" onSubmit={submit} noValidate>
          <p className="muted" style={{ margin: 0 }}>
            A theft happened here without an alert? Give the time span (your local time, at most 10 minutes). The
            person's poses in that span become a theft example for retraining; no picture is used, and the note stays
            with the report.
          </p>
          {formError && <Notice tone="danger">{formError}</Notice>}
          <div className="form-grid">
            <Field label="Start" error={errors.since}>
              {(p) => <input {...p} className="input" type="datetime-local" step={1} value={since} onChange={(e) => setSince(e.target.value)} />}
            </Field>
            <Field label="End" error={errors.until}>
              {(p) => <input {...p} className="input" type="datetime-local" step={1} value={until} onChange={(e) => setUntil(e.target.value)} />}
            </Field>
          </div>
          <Field
            label="Track number (optional)"
            error={errors.track_id}
            hint="The number next to the person in the live view; needed when several people were in view."
          >
            {(p) => <input {...p} className="input mono" inputMode="numeric" style={{ maxWidth: 160 }} value={trackId} onChange={(e) => setTrackId(e.target.value)} />}
          </Field>
          <Field label="Note" error={errors.note} hint="For reviewers only; never part of training data.">
            {(p) => <textarea {...p} className="textarea" rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
        </form>

        <section aria-label={`Missed-theft reports of ${name}`}>
          <h3 style={{ margin: '0 0 8px' }}>Reports on this camera</h3>
          {listError ? (
            <Notice tone="danger">Reports could not be loaded: {listError}</Notice>
          ) : !reports ? (
            <Loading />
          ) : reports.length === 0 ? (
            <EmptyState title="No missed thefts reported" />
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>From</th>
                    <th>To</th>
                    <th>Track</th>
                    <th>By</th>
                    <th>Poses</th>
                    <th>Note</th>
                  </tr>
                </thead>
                <tbody>
                  {reports.map((r) => (
                    <tr key={r.id}>
                      <td className="nowrap">{formatDateTime(r.since)}</td>
                      <td className="nowrap">{formatDateTime(r.until)}</td>
                      <td className="mono">{r.track_id ?? '—'}</td>
                      <td>{r.username ?? '—'}</td>
                      <td>
                        {r.poses_logged ? (
                          <Badge tone="success">logged</Badge>
                        ) : (
                          <Badge tone="warning" title="The track log holds no poses in this span: it cannot become a clip">
                            none
                          </Badge>
                        )}
                      </td>
                      <td className="muted">{r.note}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </Modal>
  );
}
