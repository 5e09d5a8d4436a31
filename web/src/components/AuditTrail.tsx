/**
 * Settings → Audit trail (admins): who saw or did what, newest first, with the API's
 * filters and cursor pages, and the export of every matching row as CSV or JSON.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Download, X } from 'lucide-react';
import { api, saveDownload } from '../api/client';
import type { AuditEntry, AuditFilters } from '../api/types';
import { useCameras } from '../hooks/data';
import { formatDateTime, isoToLocalInput, localInputToIso } from '../lib/format';
import { useToast } from './toast';
import { Badge, Button, EmptyState, Field, Loading, Notice } from './ui';

/** Actions the service writes (docs/privacy.md, registry/store.py); the filter also takes any other text. */
export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'view_event',
  'view_clip',
  'download_snapshot',
  'view_poses',
  'review',
  'delete_evidence',
  'subject_search',
  'export',
  'erase',
  'export_audit',
  'model.register',
  'model.promote',
  'model.rollback',
  'model.thresholds',
];

const PAGE = 50;

function clean(f: AuditFilters): AuditFilters {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) as AuditFilters;
}

function detailText(detail: Record<string, unknown>): string {
  const entries = Object.entries(detail ?? {});
  if (!entries.length) return '';
  return entries
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

export function AuditTrailPanel() {
  const { cameras } = useCameras();
  const toast = useToast();
  const [draft, setDraft] = useState<AuditFilters>({});
  const [filters, setFilters] = useState<AuditFilters>({});
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [exporting, setExporting] = useState<'csv' | 'json' | null>(null);
  const generation = useRef(0);

  const load = useCallback(async (f: AuditFilters) => {
    const gen = ++generation.current;
    setItems(null);
    try {
      const page = await api.audit.list({ ...f, limit: PAGE });
      if (gen !== generation.current) return;
      setItems(page.items);
      setTotal(page.total);
      setNext(page.next);
      setError(null);
    } catch (err) {
      if (gen !== generation.current) return;
      setItems([]);
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    void load(filters);
  }, [filters, load]);

  const more = async () => {
    if (!next) return;
    setLoadingMore(true);
    const gen = generation.current;
    try {
      const page = await api.audit.list({ ...filters, limit: PAGE, cursor: next });
      if (gen !== generation.current) return;
      setItems((x) => [...(x ?? []), ...page.items]);
      setNext(page.next);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoadingMore(false);
    }
  };

  const exportAs = async (format: 'csv' | 'json') => {
    setExporting(format);
    try {
      saveDownload(await api.audit.export(filters, format));
    } catch (err) {
      toast.show({ tone: 'danger', title: 'Could not export the audit trail', body: (err as Error).message });
    } finally {
      setExporting(null);
    }
  };

  const set = (key: keyof AuditFilters, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const apply = (e?: FormEvent) => {
    e?.preventDefault();
    setFilters(clean(draft));
  };
  const active = Object.keys(filters).length > 0;

  return (
    <section className="stack" aria-label="Audit trail">
      <div className="spread">
        <p className="muted" style={{ margin: 0 }}>
          Every access to personal data and every change of the model, newest first. The trail cannot be edited; an export is
          itself recorded.
        </p>
        <div className="row">
          <Button size="sm" icon={<Download size={14} />} busy={exporting === 'csv'} onClick={() => void exportAs('csv')}>
            Export CSV
          </Button>
          <Button size="sm" icon={<Download size={14} />} busy={exporting === 'json'} onClick={() => void exportAs('json')}>
            Export JSON
          </Button>
        </div>
      </div>
      <form className="filters card" role="search" aria-label="Filter the audit trail" onSubmit={apply}>
        <Field label="User">
          {(p) => <input {...p} className="input" value={draft.user ?? ''} onChange={(e) => set('user', e.target.value)} />}
        </Field>
        <Field label="Action">
          {(p) => (
            <>
              <input {...p} className="input" list="audit-actions" value={draft.action ?? ''} onChange={(e) => set('action', e.target.value)} />
              <datalist id="audit-actions">
                {AUDIT_ACTIONS.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Target id">
          {(p) => <input {...p} className="input mono" value={draft.target ?? ''} onChange={(e) => set('target', e.target.value)} />}
        </Field>
        <Field label="Camera">
          {(p) => (
            <select {...p} className="select" value={draft.camera ?? ''} onChange={(e) => set('camera', e.target.value)}>
              <option value="">All</option>
              {cameras.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name || c.id}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From">
          {(p) => (
            <input
              {...p}
              className="input"
              type="datetime-local"
              value={isoToLocalInput(draft.since)}
              onChange={(e) => set('since', localInputToIso(e.target.value) ?? '')}
            />
          )}
        </Field>
        <Field label="To">
          {(p) => (
            <input
              {...p}
              className="input"
              type="datetime-local"
              value={isoToLocalInput(draft.until)}
              onChange={(e) => set('until', localInputToIso(e.target.value) ?? '')}
            />
          )}
        </Field>
        <div className="filters-clear row">
          <Button type="submit" variant="primary" size="sm">
            Apply
          </Button>
          {active && (
            <Button
              size="sm"
              variant="ghost"
              icon={<X size={14} />}
              onClick={() => {
                setDraft({});
                setFilters({});
              }}
            >
              Clear
            </Button>
          )}
        </div>
      </form>
      {error && <Notice tone="danger">The audit trail could not be loaded: {error}</Notice>}
      {items === null ? (
        <Loading />
      ) : items.length === 0 ? (
        !error && <EmptyState title={active ? 'No entries match' : 'No entries yet'} />
      ) : (
        <>
          <div className="muted" aria-live="polite">
            {items.length} of {total} entr{total === 1 ? 'y' : 'ies'}
          </div>
          <div className="card table-wrap">
            <table className="table" aria-label="Audit entries">
              <thead>
                <tr>
                  <th>When</th>
                  <th>User</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Camera</th>
                  <th>From</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => (
                  <tr key={a.id}>
                    <td className="nowrap">{formatDateTime(a.at)}</td>
                    <td>{a.username || <span className="faint">system</span>}</td>
                    <td>
                      <Badge tone={a.action === 'login_failed' || a.action === 'erase' ? 'warning' : 'neutral'}>{a.action}</Badge>
                    </td>
                    <td className="mono" style={{ fontSize: 12 }}>
                      {a.target_type === 'event' && a.target_id ? (
                        <Link to={`/events/${a.target_id}`}>{a.target_id}</Link>
                      ) : (
                        <>
                          {a.target_type}
                          {a.target_id && `:${a.target_id}`}
                        </>
                      )}
                    </td>
                    <td>{a.camera_id ?? ''}</td>
                    <td className="muted mono" style={{ fontSize: 12 }} title={a.user_agent}>
                      {a.ip}
                    </td>
                    <td className="muted mono" style={{ fontSize: 12, maxWidth: 360, wordBreak: 'break-word' }}>
                      {detailText(a.detail)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {next && (
            <Button onClick={() => void more()} busy={loadingMore}>
              Load older entries
            </Button>
          )}
        </>
      )}
    </section>
  );
}
