import { useCallback, useEffect, useState } from 'react';
import { RefreshCw } from 'lucide-react';
import { ApiError, api } from '../api/client';
import type { ModelInfo, StorageUse } from '../api/types';
import { ModelRegistrySection } from '../components/ModelRegistry';
import { Badge, Button, EmptyState, HealthBadge, Loading, Notice } from '../components/ui';
import { useCameras } from '../hooks/data';
import { formatAgo, formatBytes, formatNumber } from '../lib/format';

export function SystemPage() {
  const { cameras, health, systemHealth, reloadHealth, cameraName } = useCameras();
  const [models, setModels] = useState<ModelInfo[] | null>(null);
  const [modelsError, setModelsError] = useState<Error | null>(null);
  const [, setNow] = useState(Date.now());

  const loadModels = useCallback(async () => {
    try {
      setModels(await api.models.list());
      setModelsError(null);
    } catch (err) {
      setModelsError(err as Error);
    }
  }, []);

  useEffect(() => {
    void loadModels();
    // Re-render "x s ago" every few seconds.
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, [loadModels]);

  const ids = Array.from(new Set([...cameras.map((c) => c.id), ...Object.keys(health)]));
  const storage: StorageUse[] = systemHealth?.storage
    ? Array.isArray(systemHealth.storage)
      ? systemHealth.storage
      : [systemHealth.storage]
    : [];

  return (
    <div className="page stack" style={{ gap: 20 }}>
      <div className="page-header" style={{ marginBottom: 0 }}>
        <div className="row">
          <h1>System</h1>
          {systemHealth && (
            <Badge tone={systemHealth.status === 'ok' ? 'success' : 'warning'} dot>
              {systemHealth.status}
            </Badge>
          )}
          {systemHealth?.version && <span className="faint mono">v{systemHealth.version}</span>}
        </div>
        <Button icon={<RefreshCw size={14} />} onClick={() => void (reloadHealth(), loadModels())}>
          Refresh
        </Button>
      </div>

      <section className="card" aria-labelledby="cameras-health">
        <div className="card-header">
          <h2 id="cameras-health">Cameras</h2>
          <span className="muted">frames in / analysed per second, model time per frame</span>
        </div>
        {ids.length === 0 ? (
          <EmptyState title="No cameras" />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Camera</th>
                  <th>State</th>
                  <th className="num">fps in</th>
                  <th className="num">fps analysed</th>
                  <th className="num">inference</th>
                  <th>Last frame</th>
                  <th>Last error</th>
                </tr>
              </thead>
              <tbody>
                {ids.map((id) => {
                  const h = health[id];
                  return (
                    <tr key={id}>
                      <td>
                        <strong>{cameraName(id)}</strong>
                        {h?.restarts ? <span className="faint"> · {h.restarts} restarts</span> : null}
                      </td>
                      <td>
                        <HealthBadge state={h?.state} />
                      </td>
                      <td className="num">{formatNumber(h?.fps_in)}</td>
                      <td className="num">{formatNumber(h?.fps_analysed)}</td>
                      <td className="num">{h ? `${formatNumber(h.inference_ms, 0)} ms` : '—'}</td>
                      <td className="muted nowrap">{h ? formatAgo(h.last_frame_at) : '—'}</td>
                      <td className="muted" style={{ maxWidth: 360 }}>
                        {h?.last_error ?? ''}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="storage-use">
        <div className="card-header">
          <h2 id="storage-use">Storage</h2>
        </div>
        <div className="card-body">
          {storage.length === 0 && !systemHealth?.database ? (
            <span className="muted">The service reports no storage figures.</span>
          ) : (
            <div className="storage-grid">
              {storage.map((s, i) => (
                <StorageMeter key={i} storage={s} />
              ))}
              {systemHealth?.database && (
                <div className="storage-item">
                  <div className="spread">
                    <strong>Database</strong>
                    <Badge tone={systemHealth.database.ok ? 'success' : 'danger'} dot>
                      {systemHealth.database.ok ? 'ok' : 'error'}
                    </Badge>
                  </div>
                </div>
              )}
              {systemHealth?.outbox && (
                <div className="storage-item">
                  <strong>Alert outbox</strong>
                  <div className="muted">
                    {systemHealth.outbox.pending ?? 0} pending · {systemHealth.outbox.dead ?? 0} failed
                  </div>
                </div>
              )}
            </div>
          )}
        </div>
      </section>

      <ModelRegistrySection />

      <section className="card" aria-labelledby="models">
        <div className="card-header">
          <h2 id="models">Models</h2>
        </div>
        {modelsError ? (
          <div className="card-body">
            {modelsError instanceof ApiError && modelsError.status === 404 ? (
              <span className="muted">This service does not list its models.</span>
            ) : (
              <Notice tone="danger">Models could not be loaded: {modelsError.message}</Notice>
            )}
          </div>
        ) : !models ? (
          <Loading />
        ) : models.length === 0 ? (
          <EmptyState title="No models registered" />
        ) : (
          <ul className="model-list">
            {models.map((m) => (
              <li key={`${m.name}-${m.version ?? ''}`} className="model-item">
                <div className="spread">
                  <div className="row">
                    <strong>{m.name}</strong>
                    {m.version && <span className="mono muted">{m.version}</span>}
                    {m.kind && <Badge>{m.kind}</Badge>}
                  </div>
                  {m.license && <span className="muted">licence {m.license}</span>}
                </div>
                <div className="model-meta faint mono">
                  {m.file}
                  {m.sha256 && <> · sha256 {m.sha256.slice(0, 16)}…</>}
                </div>
                {m.source && <div className="muted">Source: {m.source}</div>}
                {m.card && (
                  <details>
                    <summary>Model card</summary>
                    <pre className="model-card">{m.card}</pre>
                  </details>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function StorageMeter({ storage }: { storage: StorageUse }) {
  const total = storage.total_bytes ?? (storage.used_bytes != null && storage.free_bytes != null ? storage.used_bytes + storage.free_bytes : null);
  const pct = total && storage.used_bytes != null ? Math.min(100, (storage.used_bytes / total) * 100) : null;
  return (
    <div className="storage-item">
      <div className="spread">
        <strong>{storage.name ?? 'Evidence'}</strong>
        {storage.kind && <Badge>{storage.kind}</Badge>}
      </div>
      <div className="muted">
        {formatBytes(storage.used_bytes)} used
        {storage.free_bytes != null && ` · ${formatBytes(storage.free_bytes)} free`}
        {storage.objects != null && ` · ${storage.objects} files`}
      </div>
      {pct !== null && (
        <div
          className="meter"
          role="meter"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(pct)}
          aria-label={`${storage.name ?? 'Evidence'} storage used`}
        >
          <span style={{ width: `${pct}%`, background: pct > 90 ? 'var(--danger)' : pct > 75 ? 'var(--warning)' : 'var(--accent)' }} />
        </div>
      )}
    </div>
  );
}
