/**
 * The behaviour model registry on the System screen: the operating threshold each camera
 * runs with (everyone; admins edit them), the registered versions with promote and
 * rollback (admins), and the training-data export (admins).
 *
 * A promotion the service refuses (the candidate is worse than the active model on
 * held-out data, or was never compared with it) answers 409 `promotion_refused` with the
 * reasons in `fields["reason.N"]`; the admin may then force it with a written reason,
 * which is stored with the version and in the audit trail.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ArrowUpCircle, Download, History, SlidersHorizontal } from 'lucide-react';
import { ApiError, api, saveDownload } from '../api/client';
import type { ModelVersion, ModelVersionList, OperatingThresholds, VersionThresholds } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { useCameras } from '../hooks/data';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { STALE, useLatest } from '../hooks/useLatest';
import { formatDateTime } from '../lib/format';
import { useToast } from './toast';
import { Badge, Button, EmptyState, Field, Loading, Modal, Notice } from './ui';

export function ModelRegistrySection() {
  const { can } = useAuth();
  const admin = can('manageModels');
  const [thresholds, setThresholds] = useState<OperatingThresholds | null>(null);
  const [thresholdsError, setThresholdsError] = useState<Error | null>(null);
  const [versions, setVersions] = useState<ModelVersionList | null>(null);
  const [versionsError, setVersionsError] = useState<Error | null>(null);

  // reloaded after each change: an earlier, slower answer must not undo what it shows
  const latestThresholds = useLatest();
  const latestVersions = useLatest();

  const load = useCallback(async () => {
    const jobs: Promise<void>[] = [
      latestThresholds(api.models.thresholds())
        .then((t) => {
          if (t === STALE) return;
          setThresholds(t);
          setThresholdsError(null);
        })
        .catch((err) => setThresholdsError(err as Error)),
    ];
    if (admin)
      jobs.push(
        latestVersions(api.models.versions())
          .then((v) => {
            if (v === STALE) return;
            setVersions(v);
            setVersionsError(null);
          })
          .catch((err) => setVersionsError(err as Error)),
      );
    await Promise.all(jobs);
  }, [admin, latestThresholds, latestVersions]);

  useEffect(() => {
    void load();
  }, [load]);

  const active = versions?.items.find((v) => v.version === versions.active) ?? null;

  return (
    <>
      <ThresholdsCard thresholds={thresholds} error={thresholdsError} active={active} onSaved={load} />
      {admin && <VersionsCard versions={versions} error={versionsError} onChanged={load} />}
      {admin && <DatasetExportCard />}
    </>
  );
}

function loadError(error: Error, what: string) {
  return error instanceof ApiError && error.status === 404 ? (
    <span className="muted">This service does not offer {what}.</span>
  ) : (
    <Notice tone="danger">
      {what[0].toUpperCase() + what.slice(1)} could not be loaded: {error.message}
    </Notice>
  );
}

// ---------------- operating thresholds ----------------

function formatThreshold(t: number | null | undefined): string {
  return t === null || t === undefined ? '—' : t.toFixed(2);
}

/** "set by hand by alice", "max_false_per_hour 0.5", … from a thresholds' `chosen` record. */
export function describeChosen(chosen: Record<string, unknown> | undefined | null): string {
  if (!chosen) return '';
  const how = typeof chosen.how === 'string' ? chosen.how : '';
  const by = typeof chosen.by === 'string' ? ` by ${chosen.by}` : '';
  const rest = Object.entries(chosen)
    .filter(([k, v]) => k !== 'how' && k !== 'by' && (typeof v === 'number' || typeof v === 'string'))
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${String(v)}`);
  return [how + by, ...rest].filter(Boolean).join(' · ');
}

function ThresholdsCard({
  thresholds,
  error,
  active,
  onSaved,
}: {
  thresholds: OperatingThresholds | null;
  error: Error | null;
  active: ModelVersion | null;
  onSaved: () => Promise<void>;
}) {
  const { can } = useAuth();
  const { cameras, cameraName } = useCameras();
  const [editing, setEditing] = useState(false);
  const ids = thresholds ? Array.from(new Set([...cameras.map((c) => c.id), ...Object.keys(thresholds.cameras)])) : [];
  const chosen = describeChosen(thresholds?.chosen);

  return (
    <section className="card" aria-labelledby="thresholds">
      <div className="card-header">
        <h2 id="thresholds">Operating thresholds</h2>
        <div className="row">
          {thresholds?.version && (
            <span className="muted">
              model <span className="mono">{thresholds.version}</span>
            </span>
          )}
          {can('manageModels') && active && (
            <Button size="sm" icon={<SlidersHorizontal size={14} />} onClick={() => setEditing(true)}>
              Edit thresholds
            </Button>
          )}
        </div>
      </div>
      {error ? (
        <div className="card-body">{loadError(error, 'operating thresholds')}</div>
      ) : !thresholds ? (
        <Loading />
      ) : !thresholds.version ? (
        <EmptyState title="No active behaviour model" />
      ) : (
        <>
          <div className="card-body muted" style={{ paddingBottom: 0 }}>
            An alert opens when a person's suspicion score reaches the camera's threshold. Default{' '}
            <strong className="mono">{formatThreshold(thresholds.default)}</strong>
            {chosen && <> · chosen: {chosen}</>}. Each camera row shows what it runs with: a camera's own{' '}
            <code>events</code> block in the configuration file wins over a value set here, and{' '}
            <code>events.threshold</code> in the file wins over the default.
          </div>
          <div className="table-wrap">
            <table className="table" aria-label="Thresholds per camera">
              <thead>
                <tr>
                  <th>Camera</th>
                  <th className="num">Threshold</th>
                </tr>
              </thead>
              <tbody>
                {ids.map((id) => {
                  const t = thresholds.cameras[id];
                  return (
                    <tr key={id}>
                      <td>{cameraName(id)}</td>
                      <td className="num mono">
                        {t === undefined ? (
                          <span className="faint" title="The camera's configuration sets its own events block">
                            {formatThreshold(thresholds.default)} (default)
                          </span>
                        ) : (
                          <>
                            {formatThreshold(t)}
                            {t === thresholds.default && <span className="faint"> (default)</span>}
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      {editing && active && (
        <ThresholdsEditor
          version={active}
          onClose={() => setEditing(false)}
          onSaved={async () => {
            setEditing(false);
            await onSaved();
          }}
        />
      )}
    </section>
  );
}

function parseThreshold(text: string): number | null | 'bad' {
  if (!text.trim()) return null;
  const v = Number(text);
  return Number.isFinite(v) && v > 0 && v <= 1 ? v : 'bad';
}

function ThresholdsEditor({ version, onClose, onSaved }: { version: ModelVersion; onClose: () => void; onSaved: () => void }) {
  const { cameras } = useCameras();
  const toast = useToast();
  const stored = version.thresholds as VersionThresholds;
  const [def, setDef] = useState(stored.default != null ? String(stored.default) : '');
  const [perCamera, setPerCamera] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(stored.cameras ?? {}).map(([k, v]) => [k, String(v)])),
  );
  const { busy, errors, formError, run } = useFormSubmit();
  const ids = Array.from(new Set([...cameras.map((c) => c.id), ...Object.keys(stored.cameras ?? {})]));

  const submit = (e: FormEvent) => {
    const errs: Record<string, string> = {};
    const d = parseThreshold(def);
    if (d === 'bad') errs.default = 'A number above 0, at most 1.';
    const out: Record<string, number> = {};
    for (const id of ids) {
      const v = parseThreshold(perCamera[id] ?? '');
      if (v === 'bad') errs[`cameras.${id}`] = 'A number above 0, at most 1 (empty: the default).';
      else if (v !== null) out[id] = v;
    }
    return run(e, errs, async () => {
      await api.models.setThresholds(version.version, { default: d as number | null, cameras: out });
      toast.show({ tone: 'success', title: `Thresholds of ${version.version} saved`, body: 'Cameras switch within a few seconds.' });
      onSaved();
    });
  };

  return (
    <Modal
      title={`Thresholds · ${version.version}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="thresholds-form" busy={busy}>
            Save thresholds
          </Button>
        </>
      }
    >
      <form id="thresholds-form" className="stack" onSubmit={submit} noValidate>
        {formError && <Notice tone="danger">{formError}</Notice>}
        <p className="muted" style={{ margin: 0 }}>
          Lower catches more thefts and raises more false alerts. A camera left empty uses the default. A camera whose
          configuration file sets its own <code>events</code> threshold keeps that.
        </p>
        <Field label="Default threshold" error={errors.default} hint="Between 0 and 1, e.g. 0.6.">
          {(p) => (
            <input {...p} className="input mono" inputMode="decimal" value={def} onChange={(e) => setDef(e.target.value)} />
          )}
        </Field>
        <div className="form-grid">
          {ids.map((id) => (
            <Field key={id} label={cameras.find((c) => c.id === id)?.name || id} error={errors[`cameras.${id}`] ?? errors.cameras}>
              {(p) => (
                <input
                  {...p}
                  className="input mono"
                  inputMode="decimal"
                  placeholder={def || 'default'}
                  value={perCamera[id] ?? ''}
                  onChange={(e) => setPerCamera((x) => ({ ...x, [id]: e.target.value }))}
                />
              )}
            </Field>
          ))}
        </div>
      </form>
    </Modal>
  );
}

// ---------------- versions ----------------

/** Numeric leaves of a metrics record, dotted keys, at most two levels deep. */
export function numericMetrics(metrics: Record<string, unknown>, skip = ['comparison']): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(metrics)) {
    if (skip.includes(k)) continue;
    if (typeof v === 'number') out.push([k, v]);
    else if (v && typeof v === 'object' && !Array.isArray(v))
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>))
        if (typeof v2 === 'number') out.push([`${k}.${k2}`, v2]);
  }
  return out;
}

function formatMetric(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
}

/** The reasons of a 409 `promotion_refused` (`fields["reason.0"]`, …), in order. */
export function refusalReasons(err: ApiError): string[] {
  return Object.entries(err.fields)
    .filter(([k]) => k.startsWith('reason'))
    .sort(([a], [b]) => Number(a.split('.')[1] ?? 0) - Number(b.split('.')[1] ?? 0))
    .map(([, v]) => v);
}

const STATUS_TONE: Record<string, 'success' | 'info' | 'neutral'> = { active: 'success', candidate: 'info', retired: 'neutral' };

function VersionsCard({
  versions,
  error,
  onChanged,
}: {
  versions: ModelVersionList | null;
  error: Error | null;
  onChanged: () => Promise<void>;
}) {
  const [promoting, setPromoting] = useState<ModelVersion | null>(null);
  const [rollingBack, setRollingBack] = useState(false);
  const active = versions?.active ?? null;

  return (
    <section className="card" aria-labelledby="model-versions">
      <div className="card-header">
        <h2 id="model-versions">Behaviour model versions</h2>
        {versions && active && (
          <Button size="sm" icon={<History size={14} />} onClick={() => setRollingBack(true)}>
            Roll back
          </Button>
        )}
      </div>
      {error ? (
        <div className="card-body">{loadError(error, 'model versions')}</div>
      ) : !versions ? (
        <Loading />
      ) : versions.items.length === 0 ? (
        <EmptyState title="No versions registered">
          Register a trained model with <code>shopguard models register</code>.
        </EmptyState>
      ) : (
        <ul className="model-list" aria-label="Model versions">
          {versions.items.map((v) => (
            <VersionItem key={v.version} version={v} isActive={v.version === active} onPromote={() => setPromoting(v)} />
          ))}
        </ul>
      )}
      {promoting && (
        <PromoteDialog
          version={promoting}
          active={active}
          onClose={() => setPromoting(null)}
          onDone={async () => {
            setPromoting(null);
            await onChanged();
          }}
        />
      )}
      {rollingBack && active && (
        <RollbackDialog
          active={active}
          onClose={() => setRollingBack(false)}
          onDone={async () => {
            setRollingBack(false);
            await onChanged();
          }}
        />
      )}
    </section>
  );
}

function VersionItem({ version: v, isActive, onPromote }: { version: ModelVersion; isActive: boolean; onPromote: () => void }) {
  const metrics = numericMetrics(v.metrics);
  const comparison = v.metrics.comparison as
    | { baseline?: string; candidate?: Record<string, unknown>; active?: Record<string, unknown> }
    | undefined;
  const data = v.training_data as Record<string, unknown>;
  const dataLine = Object.entries(data)
    .filter(([k, x]) => k !== 'description' && (typeof x === 'number' || typeof x === 'string') && x !== '')
    .map(([k, x]) => `${k.replace(/_/g, ' ')}: ${String(x)}`)
    .join(' · ');
  return (
    <li className="model-item" data-version={v.version} aria-label={`Version ${v.version}`}>
      <div className="spread">
        <div className="row">
          <strong className="mono">{v.version}</strong>
          <Badge tone={STATUS_TONE[v.status] ?? 'neutral'} dot={isActive}>
            {isActive ? 'Active' : v.status}
          </Badge>
          {v.forced_reason && <Badge tone="warning">forced</Badge>}
        </div>
        {!isActive && (
          <Button size="sm" variant="primary" icon={<ArrowUpCircle size={14} />} onClick={onPromote}>
            Promote {v.version}
          </Button>
        )}
      </div>
      <div className="muted">
        Registered {formatDateTime(v.created_at)}
        {v.created_by && ` by ${v.created_by}`}
        {v.promoted_at && (
          <>
            {' '}
            · promoted {formatDateTime(v.promoted_at)}
            {v.promoted_by && ` by ${v.promoted_by}`}
          </>
        )}
      </div>
      {v.note && <div>{v.note}</div>}
      {v.forced_reason && (
        <div className="muted">
          <strong>Forced:</strong> {v.forced_reason}
        </div>
      )}
      {metrics.length > 0 && (
        <div className="row" style={{ gap: 6 }} aria-label="Metrics">
          {metrics.slice(0, 8).map(([k, x]) => (
            <Badge key={k}>
              {k} <span className="mono">{formatMetric(x)}</span>
            </Badge>
          ))}
        </div>
      )}
      {comparison?.candidate && comparison.active && (
        <ComparisonTable version={v.version} baseline={comparison.baseline ?? 'active'} candidate={comparison.candidate} active={comparison.active} />
      )}
      {(typeof data.description === 'string' && data.description) || dataLine ? (
        <div className="muted">
          <strong>Training data:</strong> {typeof data.description === 'string' ? data.description : ''}
          {dataLine && <span className="faint"> {dataLine}</span>}
        </div>
      ) : null}
      {v.status !== 'active' && v.refusals.length > 0 && (
        <div className="field-error">Promotion would be refused: {v.refusals.join('; ')}</div>
      )}
      <details>
        <summary>Details</summary>
        <pre className="model-card">
          {JSON.stringify({ sha256: v.sha256, size: v.size, metrics: v.metrics, training_data: v.training_data, thresholds: v.thresholds }, null, 2)}
        </pre>
      </details>
    </li>
  );
}

function ComparisonTable({
  version,
  baseline,
  candidate,
  active,
}: {
  version: string;
  baseline: string;
  candidate: Record<string, unknown>;
  active: Record<string, unknown>;
}) {
  const keys = Object.keys(candidate).filter((k) => typeof candidate[k] === 'number' || typeof active[k] === 'number');
  if (!keys.length) return null;
  const cell = (x: unknown) => (typeof x === 'number' ? formatMetric(x) : '—');
  return (
    <table className="table" aria-label={`Held-out comparison of ${version}`} style={{ maxWidth: 520 }}>
      <thead>
        <tr>
          <th>held-out</th>
          <th className="num">{version}</th>
          <th className="num">{baseline}</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <td>{k.replace(/_/g, ' ')}</td>
            <td className="num mono">{cell(candidate[k])}</td>
            <td className="num mono">{cell(active[k])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PromoteDialog({
  version,
  active,
  onClose,
  onDone,
}: {
  version: ModelVersion;
  active: string | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const [reasons, setReasons] = useState<string[] | null>(null);
  const [forceReason, setForceReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const forcing = reasons !== null;

  const promote = async () => {
    if (forcing && !forceReason.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await api.models.promote(version.version, forcing ? forceReason.trim() : undefined);
      toast.show({ tone: 'success', title: `${version.version} is active`, body: 'Cameras switch within a few seconds.' });
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && (err.code === 'promotion_refused' || refusalReasons(err).length)) {
        const r = refusalReasons(err);
        setReasons(r.length ? r : [err.message]);
      } else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={forcing ? `Promotion of ${version.version} refused` : `Promote ${version.version}?`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          {forcing ? (
            <Button variant="danger" busy={busy} disabled={!forceReason.trim()} onClick={() => void promote()}>
              Promote anyway
            </Button>
          ) : (
            <Button variant="primary" busy={busy} onClick={() => void promote()}>
              Promote
            </Button>
          )}
        </>
      }
    >
      <div className="stack">
        {error && <Notice tone="danger">{error}</Notice>}
        {!forcing ? (
          <p style={{ margin: 0 }}>
            Every camera switches to <strong className="mono">{version.version}</strong> within a few seconds, without a
            restart.
            {active && (
              <>
                {' '}
                <span className="mono">{active}</span> is retired; <em>Roll back</em> brings it back.
              </>
            )}
          </p>
        ) : (
          <>
            <Notice tone="warning" role="alert">
              <div className="stack" style={{ gap: 6 }}>
                <strong>The service refused: {version.version} is not shown to be at least as good as the active model.</strong>
                <ul style={{ margin: 0, paddingLeft: 18 }} aria-label="Reasons">
                  {reasons.map((r, i) => (
                    <li key={i}>{r}</li>
                  ))}
                </ul>
              </div>
            </Notice>
            <Field label="Reason for forcing the promotion" hint="Required. Stored with the version and in the audit trail.">
              {(p) => (
                <textarea
                  {...p}
                  className="textarea"
                  rows={3}
                  maxLength={2000}
                  value={forceReason}
                  onChange={(e) => setForceReason(e.target.value)}
                />
              )}
            </Field>
          </>
        )}
      </div>
    </Modal>
  );
}

function RollbackDialog({ active, onClose, onDone }: { active: string; onClose: () => void; onDone: () => void }) {
  const toast = useToast();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const rollback = async () => {
    setBusy(true);
    setError(null);
    try {
      const v = await api.models.rollback();
      toast.show({ tone: 'success', title: `${v.version} is active again` });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title="Roll back the behaviour model?"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" busy={busy} onClick={() => void rollback()}>
            Roll back
          </Button>
        </>
      }
    >
      <div className="stack">
        {error && <Notice tone="danger">{error}</Notice>}
        <p style={{ margin: 0 }}>
          The version that was active before <strong className="mono">{active}</strong> becomes active again; cameras
          switch within a few seconds. Rolling back again goes further back.
        </p>
      </div>
    </Modal>
  );
}

// ---------------- dataset export ----------------

export const EXPORT_PRIVACY_LINE =
  'Only poses (skeleton joints, boxes, times) and labels leave: never pictures or video, never review notes.';

function DatasetExportCard() {
  const toast = useToast();
  const [hours, setHours] = useState('0');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    const h = Number(hours || 0);
    if (!Number.isFinite(h) || h < 0 || h > 168) {
      setError('Background hours: 0 to 168.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const file = await api.dataset.export({ background_hours: h });
      saveDownload(file);
      toast.show({ tone: 'success', title: 'Training data exported', body: file.filename });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="dataset-export">
      <div className="card-header">
        <h2 id="dataset-export">Training data</h2>
      </div>
      <div className="card-body stack">
        <p style={{ margin: 0 }}>
          Confirmed and dismissed alerts and missed-theft reports as labelled pose clips (ZIP), for retraining the
          behaviour model.
        </p>
        <p className="muted" style={{ margin: 0 }}>
          {EXPORT_PRIVACY_LINE}
        </p>
        {error && <Notice tone="danger">{error}</Notice>}
        <div className="row" style={{ alignItems: 'center' }}>
          <Field label="Background hours" hint="Also ordinary shopping from the track log (normal), 0–168.">
            {(p) => (
              <input {...p} className="input mono" style={{ maxWidth: 120 }} inputMode="decimal" value={hours} onChange={(e) => setHours(e.target.value)} />
            )}
          </Field>
          <Button icon={<Download size={14} />} busy={busy} onClick={() => void run()}>
            Export training data
          </Button>
        </div>
      </div>
    </section>
  );
}
