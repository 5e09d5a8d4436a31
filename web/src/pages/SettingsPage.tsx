import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { KeyRound, Plus, RefreshCw, Send, Trash2, UserPlus } from 'lucide-react';
import { ApiError, api } from '../api/client';
import type {
  ApiTokenInfo,
  Channel,
  ChannelInput,
  Delivery,
  NewApiToken,
  Role,
  User,
  UserPatch,
} from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { AuditTrailPanel } from '../components/AuditTrail';
import { RetentionSchedules, SignagePanel } from '../components/PrivacySettings';
import { useToast } from '../components/toast';
import { Badge, Button, DeliveryBadge, EmptyState, Field, Loading, Modal, Notice } from '../components/ui';
import { useCameras } from '../hooks/data';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { STALE, useLatest } from '../hooks/useLatest';
import { formatAgo, formatDateTime } from '../lib/format';

const TABS = [
  { id: 'channels', label: 'Alert channels' },
  { id: 'deliveries', label: 'Deliveries' },
  { id: 'users', label: 'Users' },
  { id: 'tokens', label: 'API tokens' },
  { id: 'retention', label: 'Retention' },
  { id: 'signage', label: 'Entrance notice' },
  { id: 'audit', label: 'Audit trail' },
] as const;
type TabId = (typeof TABS)[number]['id'];

export function SettingsPage() {
  const [params, setParams] = useSearchParams();
  const tab = (TABS.find((t) => t.id === params.get('tab'))?.id ?? 'channels') as TabId;
  return (
    <div className="page">
      <div className="page-header">
        <h1>Settings</h1>
      </div>
      <div className="tabs" role="tablist" aria-label="Settings sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            className="tab"
            onClick={() => setParams({ tab: t.id }, { replace: true })}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'channels' && <ChannelsPanel />}
        {tab === 'deliveries' && <DeliveriesPanel />}
        {tab === 'users' && <UsersPanel />}
        {tab === 'tokens' && <TokensPanel />}
        {tab === 'retention' && <RetentionPanel />}
        {tab === 'signage' && <SignagePanel />}
        {tab === 'audit' && <AuditTrailPanel />}
      </div>
    </div>
  );
}

function useLoad<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const latest = useLatest();
  const reload = useCallback(async () => {
    try {
      const answer = await latest(load());
      if (answer === STALE) return;
      setData(answer);
      setError(null);
    } catch (err) {
      setError(err as Error);
    }
  }, [load, latest]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

function LoadError({ error, what }: { error: Error; what: string }) {
  if (error instanceof ApiError && error.status === 404)
    return <Notice tone="warning">This service does not offer {what} (yet).</Notice>;
  return <Notice tone="danger">{what} could not be loaded: {error.message}</Notice>;
}

// ---------------- channels ----------------

interface FieldSpec {
  key: string;
  label: string;
  secret?: boolean;
  placeholder?: string;
  type?: 'text' | 'number' | 'checkbox' | 'select';
  options?: string[];
  /** Comma-separated in the form, a list in the API. */
  list?: boolean;
  hint?: string;
}

const MIN_SCORE: FieldSpec = {
  key: 'min_score',
  label: 'Minimum score',
  type: 'number',
  placeholder: '0',
  hint: 'Only alerts at or above this score (0–1) are sent here.',
};

/**
 * Settings of each channel kind, as `alerts/config.py` defines them. Secrets are
 * write-only: the API says which are set, never their values.
 */
export const CHANNEL_KINDS: Record<string, { label: string; fields: FieldSpec[] }> = {
  webhook: {
    label: 'Webhook (HTTP POST)',
    fields: [
      { key: 'url', label: 'URL', placeholder: 'https://example.com/hooks/shopguard' },
      { key: 'secret', label: 'Signing secret', secret: true },
      MIN_SCORE,
    ],
  },
  twilio_sms: {
    label: 'SMS (Twilio)',
    fields: [
      { key: 'account_sid', label: 'Account SID', placeholder: 'AC…' },
      { key: 'auth_token', label: 'Auth token', secret: true },
      { key: 'from', label: 'From number', placeholder: '+15550100' },
      { key: 'to', label: 'To numbers (comma-separated)', placeholder: '+15550101, +15550102', list: true },
      MIN_SCORE,
    ],
  },
  email: {
    label: 'E-mail (SMTP)',
    fields: [
      { key: 'host', label: 'SMTP host', placeholder: 'smtp.example.com' },
      { key: 'port', label: 'Port', type: 'number', placeholder: '587' },
      { key: 'security', label: 'Security', type: 'select', options: ['starttls', 'ssl', 'none'] },
      { key: 'username', label: 'User name' },
      { key: 'password', label: 'Password', secret: true },
      { key: 'from', label: 'From', placeholder: 'shopguard@example.com' },
      { key: 'to', label: 'To (comma-separated)', list: true },
      { key: 'attach_snapshot', label: 'Attach the snapshot', type: 'checkbox' },
      MIN_SCORE,
    ],
  },
  mqtt: {
    label: 'MQTT',
    fields: [
      { key: 'host', label: 'Broker host', placeholder: 'localhost' },
      { key: 'port', label: 'Port', type: 'number', placeholder: '1883' },
      { key: 'topic_prefix', label: 'Topic prefix', placeholder: 'shopguard' },
      { key: 'username', label: 'User name' },
      { key: 'password', label: 'Password', secret: true },
      { key: 'tls', label: 'Use TLS', type: 'checkbox' },
      MIN_SCORE,
    ],
  },
};

function ChannelsPanel() {
  const load = useCallback(() => api.channels.list(), []);
  const { data, error, reload } = useLoad(load);
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, { ok: boolean; text: string }>>({});
  const toast = useToast();

  const test = async (name: string) => {
    setTesting(name);
    try {
      const r = await api.channels.test(name);
      setResults((x) => ({
        ...x,
        [name]: { ok: r.ok, text: r.ok ? `Sent (${r.duration_s.toFixed(1)} s)` : r.error || 'Failed' },
      }));
    } catch (err) {
      setResults((x) => ({ ...x, [name]: { ok: false, text: (err as Error).message } }));
    } finally {
      setTesting(null);
    }
  };

  const remove = async (name: string) => {
    if (!window.confirm(`Remove the channel “${name}”? Alerts stop going there.`)) return;
    try {
      await api.channels.remove(name);
      await reload();
    } catch (err) {
      toast.show({ tone: 'danger', title: 'Could not remove the channel', body: (err as Error).message });
    }
  };

  return (
    <section className="stack" aria-label="Alert channels">
      <div className="spread">
        <p className="muted" style={{ margin: 0 }}>
          Where alerts are sent. Each alert is stored first and retried until the channel accepts it.
        </p>
        <Button variant="primary" icon={<Plus size={16} />} onClick={() => setEditing('new')}>
          Add channel
        </Button>
      </div>
      {error && <LoadError error={error} what="Alert channels" />}
      {!data && !error && <Loading />}
      {data && data.length === 0 && <EmptyState title="No alert channels">Alerts show only on this dashboard.</EmptyState>}
      {data && data.length > 0 && (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Settings</th>
                <th>Test</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.map((c) => (
                <tr key={c.name}>
                  <td>
                    <strong>{c.name}</strong> {c.enabled === false && <Badge>off</Badge>}
                  </td>
                  <td>{CHANNEL_KINDS[c.kind]?.label ?? c.kind}</td>
                  <td className="muted mono" style={{ fontSize: 12 }}>
                    {summarizeConfig(c)}
                  </td>
                  <td>
                    <div className="row">
                      <Button size="sm" icon={<Send size={14} />} busy={testing === c.name} onClick={() => void test(c.name)}>
                        Send test
                      </Button>
                      {results[c.name] && (
                        <Badge tone={results[c.name].ok ? 'success' : 'danger'}>{results[c.name].text}</Badge>
                      )}
                    </div>
                  </td>
                  <td className="num">
                    <div className="row" style={{ justifyContent: 'flex-end' }}>
                      <Button size="sm" onClick={() => setEditing(c)}>
                        Edit
                      </Button>
                      <Button size="sm" variant="ghost" iconOnly label={`Remove ${c.name}`} icon={<Trash2 size={14} />} onClick={() => void remove(c.name)} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <ChannelForm
          channel={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            setEditing(null);
            await reload();
          }}
        />
      )}
    </section>
  );
}

function summarizeConfig(c: Channel): string {
  const parts = Object.entries(c.config ?? {})
    .filter(([, v]) => v !== '' && v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  if (c.secrets_set?.length) parts.push(`secrets: ${c.secrets_set.join(', ')}`);
  return parts.join(' · ') || '—';
}

function ChannelForm({ channel, onClose, onSaved }: { channel: Channel | null; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(channel?.name ?? '');
  const [kind, setKind] = useState(channel?.kind ?? 'webhook');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [config, setConfig] = useState<Record<string, unknown>>(channel?.config ?? {});
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const { busy, errors, formError, run } = useFormSubmit({ mapFields: flattenFields });
  const spec = CHANNEL_KINDS[kind] ?? { label: kind, fields: [] };

  const submit = (e: FormEvent) => {
    const invalid: Record<string, string> = /^[a-z0-9][a-z0-9_-]*$/.test(name) ? {} : { name: 'Lower-case letters, digits, - and _.' };
    const cleanConfig: Record<string, unknown> = {};
    for (const f of spec.fields.filter((f) => !f.secret)) {
      const v = config[f.key];
      if (v === undefined || v === '') {
        // PATCH merges config keys; null removes one that was set before.
        if (channel && channel.config?.[f.key] !== undefined) cleanConfig[f.key] = null;
        continue;
      }
      if (f.type === 'number') cleanConfig[f.key] = Number(v);
      else if (f.list && typeof v === 'string')
        cleanConfig[f.key] = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      else cleanConfig[f.key] = v;
    }
    const filled = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v));
    return run(e, invalid, async () => {
      if (channel) {
        await api.channels.update(channel.name, {
          enabled,
          config: cleanConfig,
          ...(Object.keys(filled).length ? { secrets: filled } : {}),
        });
      } else {
        const payload: ChannelInput = { name, kind, enabled, config: cleanConfig, secrets: filled };
        await api.channels.create(payload);
      }
      onSaved();
    });
  };

  return (
    <Modal
      title={channel ? `Edit channel ${channel.name}` : 'Add alert channel'}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="channel-form" busy={busy}>
            Save
          </Button>
        </>
      }
    >
      <form id="channel-form" className="stack" onSubmit={submit} noValidate>
        {formError && <Notice tone="danger">{formError}</Notice>}
        <div className="form-grid">
          <Field label="Name" error={errors.name}>
            {(p) => <input {...p} className="input" value={name} disabled={!!channel} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Kind" error={errors.kind}>
            {(p) => (
              <select {...p} className="select" value={kind} disabled={!!channel} onChange={(e) => setKind(e.target.value)}>
                {Object.entries(CHANNEL_KINDS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {spec.fields.map((f) =>
          f.type === 'select' ? (
            <Field key={f.key} label={f.label} error={errors[f.key] ?? errors[`config.${f.key}`]}>
              {(p) => (
                <select
                  {...p}
                  className="select"
                  value={String(config[f.key] ?? f.options?.[0] ?? '')}
                  onChange={(e) => setConfig((c) => ({ ...c, [f.key]: e.target.value }))}
                >
                  {f.options?.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : f.type === 'checkbox' ? (
            <label key={f.key} className="checkbox">
              <input
                type="checkbox"
                checked={!!config[f.key]}
                onChange={(e) => setConfig((c) => ({ ...c, [f.key]: e.target.checked }))}
              />
              {f.label}
            </label>
          ) : f.secret ? (
            <Field
              key={f.key}
              label={f.label}
              error={errors[f.key] ?? errors[`secrets.${f.key}`]}
              hint={channel?.secrets_set?.includes(f.key) ? 'Set. Leave empty to keep it; type to replace it.' : 'Stored encrypted; never shown again.'}
            >
              {(p) => (
                <input
                  {...p}
                  className="input"
                  type="password"
                  autoComplete="new-password"
                  placeholder={channel?.secrets_set?.includes(f.key) ? '••••••••' : ''}
                  value={secrets[f.key] ?? ''}
                  onChange={(e) => setSecrets((s) => ({ ...s, [f.key]: e.target.value }))}
                />
              )}
            </Field>
          ) : (
            <Field key={f.key} label={f.label} hint={f.hint} error={errors[f.key] ?? errors[`config.${f.key}`]}>
              {(p) => (
                <input
                  {...p}
                  className="input"
                  type={f.type === 'number' ? 'number' : 'text'}
                  step={f.key === 'min_score' ? 0.05 : undefined}
                  placeholder={f.placeholder}
                  value={Array.isArray(config[f.key]) ? (config[f.key] as string[]).join(', ') : String(config[f.key] ?? '')}
                  onChange={(e) => setConfig((c) => ({ ...c, [f.key]: e.target.value }))}
                />
              )}
            </Field>
          ),
        )}
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Send alerts to this channel
        </label>
      </form>
    </Modal>
  );
}

function flattenFields(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...fields };
  for (const [k, v] of Object.entries(fields)) {
    const last = k.split('.').pop();
    if (last && !(last in out)) out[last] = v;
  }
  return out;
}

// ---------------- deliveries ----------------

function DeliveriesPanel() {
  const [status, setStatus] = useState('');
  const load = useCallback(() => api.deliveries.list({ status: status || undefined, limit: 100 }), [status]);
  const { data, error, reload } = useLoad(load);
  const [retrying, setRetrying] = useState<number | null>(null);
  const toast = useToast();

  const retry = async (d: Delivery) => {
    setRetrying(d.id);
    try {
      await api.deliveries.retry(d.id);
      toast.show({ tone: 'success', title: 'Queued for another try' }, 2500);
      await reload();
    } catch (err) {
      toast.show({ tone: 'danger', title: 'Retry failed', body: (err as Error).message });
    } finally {
      setRetrying(null);
    }
  };

  return (
    <section className="stack" aria-label="Deliveries">
      <div className="spread">
        <Field label="Status">
          {(p) => (
            <select {...p} className="select" value={status} onChange={(e) => setStatus(e.target.value)} style={{ width: 180 }}>
              <option value="">All</option>
              <option value="pending">Pending</option>
              <option value="sent">Sent</option>
              <option value="dead">Failed (dead)</option>
            </select>
          )}
        </Field>
        <Button icon={<RefreshCw size={14} />} onClick={() => void reload()}>
          Refresh
        </Button>
      </div>
      {error && <LoadError error={error} what="Deliveries" />}
      {!data && !error && <Loading />}
      {data && data.items.length === 0 && <EmptyState title="No deliveries" />}
      {data && data.items.length > 0 && (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Created</th>
                <th>Channel</th>
                <th>Alert</th>
                <th>Status</th>
                <th className="num">Attempts</th>
                <th>Last error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.items.map((d) => (
                <tr key={d.id}>
                  <td className="nowrap" title={formatDateTime(d.created_at)}>
                    {formatAgo(d.created_at)}
                  </td>
                  <td>{d.channel}</td>
                  <td>{d.event_id ? <Link to={`/events/${d.event_id}`}>open</Link> : <span className="faint">camera notice</span>}</td>
                  <td>
                    <DeliveryBadge status={d.status} />
                    {d.status === 'sent' && d.sent_at && <span className="faint"> {formatAgo(d.sent_at)}</span>}
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td className="muted" style={{ maxWidth: 380 }}>
                    {d.last_error ?? ''}
                  </td>
                  <td className="num">
                    {d.status !== 'sent' && (
                      <Button size="sm" icon={<RefreshCw size={14} />} busy={retrying === d.id} onClick={() => void retry(d)}>
                        Retry
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// ---------------- users ----------------

const ROLES: { role: Role; hint: string }[] = [
  { role: 'viewer', hint: 'sees live views and alerts' },
  { role: 'reviewer', hint: 'also confirms, dismisses and escalates alerts' },
  { role: 'admin', hint: 'also manages cameras, channels and users' },
];

function UsersPanel() {
  const load = useCallback(() => api.users.list(), []);
  const { data, error, reload } = useLoad(load);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const { user: me } = useAuth();
  const toast = useToast();

  const remove = async (u: User) => {
    if (!window.confirm(`Delete the user “${u.username}”?`)) return;
    try {
      await api.users.remove(u.username);
      await reload();
    } catch (err) {
      toast.show({ tone: 'danger', title: 'Could not delete the user', body: (err as Error).message });
    }
  };

  return (
    <section className="stack" aria-label="Users">
      <div className="spread">
        <p className="muted" style={{ margin: 0 }}>
          {ROLES.map((r) => (
            <span key={r.role} style={{ marginRight: 12 }}>
              <Badge>{r.role}</Badge> {r.hint}
            </span>
          ))}
        </p>
        <Button variant="primary" icon={<UserPlus size={16} />} onClick={() => setEditing('new')}>
          Add user
        </Button>
      </div>
      {error && <LoadError error={error} what="Users" />}
      {!data && !error && <Loading />}
      {data && (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>User</th>
                <th>Role</th>
                <th>Cameras</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.map((u) => (
                <tr key={u.username}>
                  <td>
                    <strong>{u.username}</strong> {u.username === me?.username && <Badge tone="info">you</Badge>}{' '}
                    {u.disabled && <Badge tone="warning">disabled</Badge>}
                  </td>
                  <td>
                    <Badge>{u.role}</Badge>
                  </td>
                  <td className="muted">{u.cameras === null || u.cameras === undefined ? 'all' : u.cameras.join(', ') || 'none'}</td>
                  <td className="muted">{u.created_at ? formatDateTime(u.created_at) : '—'}</td>
                  <td className="num">
                    <div className="row" style={{ justifyContent: 'flex-end' }}>
                      <Button size="sm" onClick={() => setEditing(u)}>
                        Edit
                      </Button>
                      {u.username !== me?.username && (
                        <Button size="sm" variant="ghost" iconOnly label={`Delete ${u.username}`} icon={<Trash2 size={14} />} onClick={() => void remove(u)} />
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <UserEditor
          user={editing === 'new' ? null : editing}
          isSelf={editing !== 'new' && editing.username === me?.username}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            setEditing(null);
            await reload();
          }}
        />
      )}
    </section>
  );
}

interface UserForm {
  username: string;
  role: Role;
  cameras: string[] | null;
  disabled: boolean;
  password: string;
}

function UserEditor({
  user,
  isSelf,
  onClose,
  onSaved,
}: {
  user: User | null;
  isSelf: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { cameras } = useCameras();
  const [form, setForm] = useState<UserForm>({
    username: user?.username ?? '',
    role: user?.role ?? 'viewer',
    cameras: user?.cameras ?? null,
    disabled: user?.disabled ?? false,
    password: '',
  });
  const { busy, errors, formError, run } = useFormSubmit();

  const submit = (e: FormEvent) => {
    const errs: Record<string, string> = {};
    if (!form.username.trim()) errs.username = 'Enter a user name.';
    if (!user && (form.password?.length ?? 0) < 8) errs.password = 'At least 8 characters.';
    if (user && form.password && form.password.length < 8) errs.password = 'At least 8 characters.';
    return run(e, errs, async () => {
      if (user) {
        // PATCH takes only what changes; the user name is in the URL.
        const patch: UserPatch = { cameras: form.cameras };
        if (!isSelf) patch.role = form.role;
        if (!isSelf && form.disabled !== user.disabled) patch.disabled = form.disabled;
        if (form.password) patch.password = form.password;
        await api.users.update(user.username, patch);
      } else {
        await api.users.create({
          username: form.username.trim(),
          password: form.password ?? '',
          role: form.role,
          cameras: form.cameras,
        });
      }
      onSaved();
    });
  };

  const allCameras = form.cameras === null;
  return (
    <Modal
      title={user ? `Edit ${user.username}` : 'Add user'}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="user-form" busy={busy}>
            Save
          </Button>
        </>
      }
    >
      <form id="user-form" className="stack" onSubmit={submit} noValidate>
        {formError && <Notice tone="danger">{formError}</Notice>}
        <Field label="User name" error={errors.username}>
          {(p) => (
            <input
              {...p}
              className="input"
              autoComplete="off"
              value={form.username}
              disabled={!!user}
              onChange={(e) => setForm((f) => ({ ...f, username: e.target.value }))}
            />
          )}
        </Field>
        <Field label="Role" error={errors.role} hint={isSelf ? 'You cannot change your own role.' : ROLES.find((r) => r.role === form.role)?.hint}>
          {(p) => (
            <select
              {...p}
              className="select"
              value={form.role}
              disabled={isSelf}
              onChange={(e) => setForm((f) => ({ ...f, role: e.target.value as Role }))}
            >
              {ROLES.map((r) => (
                <option key={r.role} value={r.role}>
                  {r.role}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={user ? 'New password' : 'Password'} error={errors.password} hint={user ? 'Leave empty to keep the current password.' : undefined}>
          {(p) => (
            <input
              {...p}
              className="input"
              type="password"
              autoComplete="new-password"
              value={form.password ?? ''}
              onChange={(e) => setForm((f) => ({ ...f, password: e.target.value }))}
            />
          )}
        </Field>
        <fieldset className="fieldset">
          <legend className="field-label">Cameras</legend>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={allCameras}
              onChange={(e) => setForm((f) => ({ ...f, cameras: e.target.checked ? null : [] }))}
            />
            All cameras
          </label>
          {!allCameras && (
            <div className="row" style={{ marginTop: 8 }}>
              {cameras.map((c) => (
                <label key={c.id} className="checkbox">
                  <input
                    type="checkbox"
                    checked={form.cameras!.includes(c.id)}
                    onChange={(e) =>
                      setForm((f) => ({
                        ...f,
                        cameras: e.target.checked ? [...(f.cameras ?? []), c.id] : (f.cameras ?? []).filter((x) => x !== c.id),
                      }))
                    }
                  />
                  {c.name || c.id}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        {user && !isSelf && (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={!!form.disabled}
              onChange={(e) => setForm((f) => ({ ...f, disabled: e.target.checked }))}
            />
            Disabled (cannot sign in)
          </label>
        )}
      </form>
    </Modal>
  );
}

// ---------------- tokens ----------------

function TokensPanel() {
  const load = useCallback(() => api.tokens.list(), []);
  const { data, error, reload } = useLoad(load);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<NewApiToken | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    try {
      setCreated(await api.tokens.create(name.trim()));
      setName('');
      await reload();
    } catch (err) {
      toast.show({ tone: 'danger', title: 'Could not create the token', body: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (t: ApiTokenInfo) => {
    if (!window.confirm(`Revoke the token “${t.name}”? Programs using it stop working.`)) return;
    try {
      await api.tokens.remove(t.id);
      await reload();
    } catch (err) {
      toast.show({ tone: 'danger', title: 'Could not revoke the token', body: (err as Error).message });
    }
  };

  return (
    <section className="stack" aria-label="API tokens">
      <p className="muted" style={{ margin: 0 }}>
        For programs that use the API (<code>Authorization: Bearer …</code>). A token acts with your role.
      </p>
      <form className="row" onSubmit={create}>
        <input className="input" style={{ maxWidth: 280 }} aria-label="Token name" placeholder="Token name, e.g. vms-bridge" value={name} onChange={(e) => setName(e.target.value)} />
        <Button type="submit" icon={<KeyRound size={14} />} busy={busy} disabled={!name.trim()}>
          Create token
        </Button>
      </form>
      {created && (
        <Notice tone="success">
          <div className="stack" style={{ gap: 6 }}>
            <strong>Copy the token now: it is not shown again.</strong>
            <code style={{ wordBreak: 'break-all', userSelect: 'all' }}>{created.token}</code>
          </div>
        </Notice>
      )}
      {error && <LoadError error={error} what="API tokens" />}
      {data && data.length > 0 && (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.map((t) => (
                <tr key={t.id}>
                  <td>
                    {t.name} {t.username && <span className="faint">({t.username})</span>}
                  </td>
                  <td className="muted">{formatDateTime(t.created_at)}</td>
                  <td className="muted">{t.last_used_at ? formatAgo(t.last_used_at) : 'never'}</td>
                  <td className="num">
                    <Button size="sm" variant="ghost" icon={<Trash2 size={14} />} onClick={() => void revoke(t)}>
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// ---------------- retention ----------------

/** Retention is part of the service's configuration file; the API does not change it. */
function RetentionPanel() {
  return (
    <div className="stack">
      <section className="card card-body stack" style={{ maxWidth: 680 }} aria-label="Retention">
        <p style={{ margin: 0 }}>
          Evidence (clips, snapshots and pose data) of alerts nobody confirmed or escalated is deleted after{' '}
          <code>storage.retention_days</code> days (30 by default), and the oldest first whenever the disk has less than{' '}
          <code>storage.min_free_gb</code> free. Confirmed and escalated alerts keep their evidence.
        </p>
        <p className="muted" style={{ margin: 0 }}>
          Change these in the service's configuration file and restart it. Keep evidence only as long as you need it:
          local law may set a maximum.
        </p>
      </section>
      <h2 style={{ margin: '8px 0 0' }}>Per camera</h2>
      <RetentionSchedules />
    </div>
  );
}
