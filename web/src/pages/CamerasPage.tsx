import { useEffect, useState, type FormEvent } from 'react';
import { Cctv, Pencil, PlugZap, Plus, Shapes, Trash2 } from 'lucide-react';
import { ApiError, api, urls } from '../api/client';
import type { Camera, CameraTestResult, PrivacyMode, Zone } from '../api/types';
import { useToast } from '../components/toast';
import { Badge, Button, EmptyState, Field, HealthBadge, Loading, Modal, Notice } from '../components/ui';
import { ZoneEditor, zonesProblems } from '../components/ZoneEditor';
import { useCameras } from '../hooks/data';
import { useFormSubmit } from '../hooks/useFormSubmit';
import type { Size } from '../lib/geometry';
import { PRIVACY_MODES, privacyLabel, privacyOf } from '../lib/privacy';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Hides a password in a source URL (`rtsp://user:secret@host` → `rtsp://user:•••@host`). */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+):[^@/]*@/i, '$1:•••@');
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

export function CamerasPage() {
  const { cameras, loading, error, health, reload } = useCameras();
  const [editing, setEditing] = useState<Camera | 'new' | null>(null);
  const [zonesFor, setZonesFor] = useState<Camera | null>(null);
  const [removing, setRemoving] = useState<Camera | null>(null);
  const toast = useToast();

  const remove = async (camera: Camera) => {
    try {
      await api.cameras.remove(camera.id);
      toast.show({ tone: 'success', title: `Removed ${camera.name || camera.id}` });
      await reload();
    } catch (err) {
      toast.show({ tone: 'danger', title: 'Could not remove the camera', body: (err as Error).message });
    } finally {
      setRemoving(null);
    }
  };

  return (
    <div className="page">
      <div className="page-header">
        <h1>Cameras</h1>
        <Button variant="primary" icon={<Plus size={16} />} onClick={() => setEditing('new')}>
          Add camera
        </Button>
      </div>
      {error && <Notice tone="danger">Cameras could not be loaded: {error}</Notice>}
      {loading ? (
        <Loading />
      ) : cameras.length === 0 ? (
        <EmptyState icon={<Cctv size={36} />} title="No cameras yet">
          Add an RTSP or HTTP stream, a video file, or a webcam.
        </EmptyState>
      ) : (
        <div className="camera-cards">
          {cameras.map((c) => {
            const h = health[c.id];
            return (
              <article key={c.id} className="card camera-card" aria-label={c.name || c.id}>
                <div className="camera-card-thumb">
                  <img src={urls.cameraSnapshot(c.id)} alt="" loading="lazy" onError={(e) => (e.currentTarget.style.visibility = 'hidden')} />
                </div>
                <div className="card-body stack" style={{ gap: 6 }}>
                  <div className="spread">
                    <strong>{c.name || c.id}</strong>
                    <div className="row">
                      <Badge tone={privacyOf(c) === 'full' ? 'neutral' : 'info'} title="Privacy mode">
                        {privacyLabel(privacyOf(c))}
                      </Badge>
                      {c.enabled === false && <Badge>disabled</Badge>}
                      <HealthBadge state={h?.state} title={h?.last_error ?? undefined} />
                    </div>
                  </div>
                  <div className="mono faint" title="Camera id">
                    {c.id}
                  </div>
                  <div className="mono muted camera-url" title="Source">
                    {redactUrl(c.source_url) || '—'}
                  </div>
                  {h?.last_error && <div className="field-error">{h.last_error}</div>}
                  <div className="row" style={{ marginTop: 6 }}>
                    <Button size="sm" icon={<Pencil size={14} />} onClick={() => setEditing(c)}>
                      Edit
                    </Button>
                    <Button size="sm" icon={<Shapes size={14} />} onClick={() => setZonesFor(c)}>
                      Zones{c.zones ? ` (${c.zones.length})` : ''}
                    </Button>
                    <Button size="sm" variant="ghost" icon={<Trash2 size={14} />} onClick={() => setRemoving(c)}>
                      Remove
                    </Button>
                  </div>
                </div>
              </article>
            );
          })}
        </div>
      )}

      {editing && (
        <CameraEditor
          camera={editing === 'new' ? null : editing}
          existingIds={cameras.map((c) => c.id)}
          onClose={() => setEditing(null)}
          onSaved={async (c) => {
            setEditing(null);
            toast.show({ tone: 'success', title: `Saved ${c.name || c.id}` });
            await reload();
          }}
        />
      )}
      {zonesFor && (
        <ZonesDialog
          camera={zonesFor}
          onClose={() => setZonesFor(null)}
          onSaved={async () => {
            setZonesFor(null);
            toast.show({ tone: 'success', title: 'Zones saved' });
            await reload();
          }}
        />
      )}
      {removing && (
        <Modal
          title={`Remove ${removing.name || removing.id}?`}
          onClose={() => setRemoving(null)}
          footer={
            <>
              <Button onClick={() => setRemoving(null)}>Cancel</Button>
              <Button variant="danger" onClick={() => void remove(removing)}>
                Remove camera
              </Button>
            </>
          }
        >
          <p>The camera stops being watched. Its past alerts and evidence stay until retention removes them.</p>
        </Modal>
      )}
    </div>
  );
}

interface CameraForm {
  id: string;
  name: string;
  source_url: string;
  enabled: boolean;
  privacy: PrivacyMode;
}

function CameraEditor({
  camera,
  existingIds,
  onClose,
  onSaved,
}: {
  camera: Camera | null;
  existingIds: string[];
  onClose: () => void;
  onSaved: (c: Camera) => void;
}) {
  const [form, setForm] = useState<CameraForm>({
    id: camera?.id ?? '',
    name: camera?.name ?? '',
    source_url: camera?.source_url ?? '',
    enabled: camera?.enabled ?? true,
    privacy: privacyOf(camera),
  });
  const [idTouched, setIdTouched] = useState(!!camera);
  const { busy, errors, setErrors, formError, run } = useFormSubmit();
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<CameraTestResult | null>(null);

  const set = (patch: Partial<CameraForm>) => setForm((f) => ({ ...f, ...patch }));

  const validate = (): Record<string, string> => {
    const e: Record<string, string> = {};
    if (!form.name.trim()) e.name = 'Give the camera a name.';
    if (!SLUG.test(form.id)) e.id = 'Lower-case letters, digits, - and _ (starting with a letter or digit).';
    else if (!camera && existingIds.includes(form.id)) e.id = 'Another camera has this id.';
    if (!form.source_url.trim()) e.source_url = 'Enter the stream URL, file path or webcam index.';
    return e;
  };

  const submit = (ev: FormEvent) =>
    run(ev, validate(), async () => {
      // PATCH replaces `settings` whole: keep the others, change only the privacy mode
      // (and only when it changed: a settings change restarts the camera's worker).
      const saved = camera
        ? await api.cameras.update(camera.id, {
            name: form.name.trim(),
            source_url: form.source_url.trim(),
            enabled: form.enabled,
            ...(form.privacy !== privacyOf(camera) ? { settings: { ...camera.settings, privacy: form.privacy } } : {}),
          })
        : await api.cameras.create({
            id: form.id,
            name: form.name.trim(),
            source_url: form.source_url.trim(),
            enabled: form.enabled,
            settings: { privacy: form.privacy },
          });
      onSaved(saved ?? { ...form, settings: { privacy: form.privacy }, zones: [], state: null });
    });

  const runTest = async () => {
    if (!form.source_url.trim()) {
      setErrors({ source_url: 'Enter a URL to test.' });
      return;
    }
    setTesting(true);
    setTest(null);
    try {
      setTest(await api.cameras.test(form.source_url.trim()));
    } catch (err) {
      setTest({ ok: false, error: (err as Error).message });
    } finally {
      setTesting(false);
    }
  };

  return (
    <Modal
      title={camera ? `Edit ${camera.name || camera.id}` : 'Add camera'}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="camera-form" busy={busy}>
            {camera ? 'Save' : 'Add camera'}
          </Button>
        </>
      }
    >
      <form id="camera-form" className="stack" onSubmit={submit} noValidate>
        {formError && <Notice tone="danger">{formError}</Notice>}
        <Field label="Name" error={errors.name}>
          {(p) => (
            <input
              {...p}
              className="input"
              value={form.name}
              placeholder="Front door"
              onChange={(e) => set({ name: e.target.value, ...(idTouched ? {} : { id: slugify(e.target.value) }) })}
            />
          )}
        </Field>
        <Field label="Id" error={errors.id} hint={camera ? 'The id cannot change.' : 'Used in URLs and alert messages.'}>
          {(p) => (
            <input
              {...p}
              className="input mono"
              value={form.id}
              disabled={!!camera}
              onChange={(e) => {
                setIdTouched(true);
                set({ id: e.target.value });
              }}
            />
          )}
        </Field>
        <Field
          label="Source"
          error={errors.source_url}
          hint="rtsp://user:password@host/stream, http(s)://…, a file path, or a webcam index (0)."
        >
          {(p) => (
            <input
              {...p}
              className="input mono"
              value={form.source_url}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => {
                set({ source_url: e.target.value });
                setTest(null);
              }}
            />
          )}
        </Field>
        <div className="row">
          <Button icon={<PlugZap size={14} />} onClick={() => void runTest()} busy={testing}>
            Test connection
          </Button>
          {test &&
            (test.ok ? (
              <Badge tone="success">
                Connected
                {test.width && test.height ? ` · ${test.width}×${test.height}` : ''}
                {test.fps ? ` · ${Math.round(test.fps)} fps` : ''}
                {test.codec ? ` · ${test.codec}` : ''}
              </Badge>
            ) : (
              <span className="field-error" role="alert">
                {test.error || 'Could not connect.'}
              </span>
            ))}
        </div>
        <fieldset className="fieldset">
          <legend className="field-label">Privacy mode</legend>
          <div className="stack" style={{ gap: 6 }}>
            {PRIVACY_MODES.map((m) => (
              <label key={m.mode} className="checkbox" style={{ alignItems: 'flex-start' }}>
                <input
                  type="radio"
                  name="privacy"
                  value={m.mode}
                  checked={form.privacy === m.mode}
                  onChange={() => set({ privacy: m.mode })}
                  aria-describedby={`privacy-${m.mode}-hint`}
                  style={{ flex: 'none', marginTop: 3 }}
                />
                <span>
                  <strong>{m.label}</strong>{' '}
                  <span id={`privacy-${m.mode}-hint`} className="muted">
                    {m.hint}
                  </span>
                </span>
              </label>
            ))}
          </div>
          <span className="field-hint">
            Detection works the same in every mode; the mode decides what is stored and shown. Changing it restarts the
            camera.
          </span>
          {errors.settings && <span className="field-error">{errors.settings}</span>}
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          Watch this camera
        </label>
      </form>
    </Modal>
  );
}

function ZonesDialog({ camera, onClose, onSaved }: { camera: Camera; onClose: () => void; onSaved: () => void }) {
  const [zones, setZones] = useState<Zone[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [imageUrl] = useState(() => urls.cameraSnapshot(camera.id, Date.now()));
  const frame: Size | null = camera.width && camera.height ? { width: camera.width, height: camera.height } : null;

  useEffect(() => {
    api.cameras
      .zones(camera.id)
      .then(setZones)
      .catch((err) => {
        setZones(camera.zones ?? []);
        if (!(err instanceof ApiError && err.status === 404)) setError((err as Error).message);
      });
  }, [camera]);

  const problems = zones ? zonesProblems(zones, frame) : [];

  const save = async () => {
    if (!zones || problems.length) return;
    setBusy(true);
    setError(null);
    try {
      await api.cameras.saveZones(
        camera.id,
        zones.map((z) => ({ ...z, name: z.name.trim() })),
      );
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message}${Object.values(err.fields).length ? ': ' + Object.values(err.fields).join('; ') : ''}` : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      wide
      title={`Zones · ${camera.name || camera.id}`}
      onClose={onClose}
      footer={
        <>
          {problems.length > 0 && <span className="field-error grow">{problems[0]}</span>}
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} disabled={!zones || problems.length > 0} onClick={() => void save()}>
            Save zones
          </Button>
        </>
      }
    >
      {error && <Notice tone="danger">{error}</Notice>}
      {zones === null ? (
        <Loading />
      ) : (
        <ZoneEditor
          zones={zones}
          onChange={setZones}
          frame={frame}
          imageUrl={imageUrl}
          fallbackImageUrl={urls.live(camera.id)}
        />
      )}
    </Modal>
  );
}
