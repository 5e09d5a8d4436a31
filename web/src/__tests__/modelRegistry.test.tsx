import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ModelVersion } from '../api/types';
import { apiError, baseRoutes, mockFetch, renderApp, users } from '../test/utils';

function version(patch: Partial<ModelVersion>): ModelVersion {
  return {
    version: 'v1',
    kind: 'behavior',
    status: 'active',
    sha256: 'ab'.repeat(32),
    size: 123456,
    metrics: { val: { roc_auc: 0.91, pr_auc: 0.62 } },
    training_data: { description: 'synthetic visits', clips: 2000 },
    thresholds: { default: 0.6, cameras: { door: 0.7 } },
    note: '',
    created_at: '2026-11-20T09:00:00+00:00',
    created_by: 'cli:ops',
    promoted_at: '2026-11-20T09:05:00+00:00',
    promoted_by: 'alice',
    forced_reason: null,
    refusals: [],
    ...patch,
  };
}

const v1 = version({});
const v2 = version({
  version: 'v2',
  status: 'candidate',
  promoted_at: null,
  promoted_by: null,
  metrics: {
    val: { roc_auc: 0.88 },
    comparison: { baseline: 'v1', candidate: { pr_auc: 0.55, event_recall: 0.7 }, active: { pr_auc: 0.62, event_recall: 0.8 } },
  },
  refusals: ['frame PR-AUC 0.550 is more than 0.01 below the active model’s 0.620'],
});
const v0 = version({ version: 'v0', status: 'retired', forced_reason: 'hotfix for the door camera', created_at: '2026-11-01T09:00:00+00:00' });

const thresholds = {
  version: 'v1',
  default: 0.6,
  cameras: { door: 0.7, 'aisle-3': 0.6 },
  chosen: { how: 'set by hand', by: 'alice' },
};

function routes(extra: Record<string, unknown> = {}) {
  return baseRoutes({
    'GET /api/models/thresholds': thresholds,
    'GET /api/models/versions': { items: [v2, v1, v0], active: 'v1' },
    ...(extra as Record<string, object>),
  });
}

describe('model registry (System screen)', () => {
  it('an admin sees the versions with the active one marked, metrics, training data and the forced reason', async () => {
    mockFetch(routes());
    renderApp({ path: '/system', user: users.admin });
    const list = await screen.findByRole('list', { name: 'Model versions' });
    const active = within(list).getByRole('listitem', { name: 'Version v1' });
    expect(within(active).getByText('Active')).toBeInTheDocument();
    expect(within(active).queryByRole('button', { name: /Promote/ })).not.toBeInTheDocument();
    expect(active).toHaveTextContent('val.roc_auc 0.910');
    expect(active).toHaveTextContent('synthetic visits');
    expect(active).toHaveTextContent('promoted');
    const candidate = within(list).getByRole('listitem', { name: 'Version v2' });
    expect(candidate).toHaveTextContent('candidate');
    expect(candidate).toHaveTextContent('Promotion would be refused');
    expect(within(candidate).getByRole('table', { name: /Held-out comparison of v2/ })).toHaveTextContent('event recall');
    const retired = within(list).getByRole('listitem', { name: 'Version v0' });
    expect(retired).toHaveTextContent('Forced: hotfix for the door camera');
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export training data' })).toBeInTheDocument();
  });

  it('a 409 on promote shows the reasons, then forcing needs a reason that is sent as force_reason', async () => {
    const user = userEvent.setup();
    const { calls } = mockFetch(
      routes({
        'POST /api/models/versions/v2/promote': (call: { body: { force_reason?: string } }) =>
          call.body.force_reason
            ? { ...v2, status: 'active', forced_reason: call.body.force_reason }
            : apiError(409, 'promotion_refused', 'v2 is worse than v1', {
                'reason.0': 'frame PR-AUC 0.550 is more than 0.01 below 0.620',
                'reason.1': 'event recall 0.70 is more than 0.05 below 0.80',
              }),
      }),
    );
    renderApp({ path: '/system', user: users.admin });
    await user.click(await screen.findByRole('button', { name: 'Promote v2' }));
    let dialog = screen.getByRole('dialog', { name: 'Promote v2?' });
    expect(dialog).toHaveTextContent('v1 is retired');
    await user.click(within(dialog).getByRole('button', { name: 'Promote' }));

    dialog = await screen.findByRole('dialog', { name: 'Promotion of v2 refused' });
    const reasons = within(dialog).getByRole('list', { name: 'Reasons' });
    expect(within(reasons).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'frame PR-AUC 0.550 is more than 0.01 below 0.620',
      'event recall 0.70 is more than 0.05 below 0.80',
    ]);
    const force = within(dialog).getByRole('button', { name: 'Promote anyway' });
    expect(force).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Reason for forcing the promotion'), 'night shift needs it now');
    expect(force).toBeEnabled();
    await user.click(force);

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const posts = calls.filter((c) => c.method === 'POST' && c.path === '/api/models/versions/v2/promote');
    expect(posts.map((c) => c.body)).toEqual([{}, { force_reason: 'night shift needs it now' }]);
    expect(posts[1].headers['X-CSRF-Token']).toBe('csrf-test-token');
    expect(await screen.findByText('v2 is active')).toBeInTheDocument();
  });

  it('rollback asks first and shows the service’s refusal', async () => {
    const user = userEvent.setup();
    const { find } = mockFetch(routes({ 'POST /api/models/rollback': apiError(409, 'conflict', 'no earlier active version') }));
    renderApp({ path: '/system', user: users.admin });
    await user.click(await screen.findByRole('button', { name: 'Roll back' }));
    const dialog = screen.getByRole('dialog', { name: 'Roll back the behaviour model?' });
    expect(find('POST', '/api/models/rollback')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect(await within(dialog).findByText('no earlier active version')).toBeInTheDocument();
    expect(find('POST', '/api/models/rollback')).toHaveLength(1);
  });

  it('thresholds are shown to everyone and edited by admins on the active version', async () => {
    const user = userEvent.setup();
    const { find } = mockFetch(routes({ 'PUT /api/models/versions/v1/thresholds': v1 }));
    renderApp({ path: '/system', user: users.admin });
    const table = await screen.findByRole('table', { name: 'Thresholds per camera' });
    expect(within(table).getByRole('row', { name: /Front door/ })).toHaveTextContent('0.70');
    expect(within(table).getByRole('row', { name: /Aisle 3/ })).toHaveTextContent('0.60 (default)');
    expect(screen.getByText(/set by hand by alice/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Edit thresholds' }));
    const dialog = screen.getByRole('dialog', { name: 'Thresholds · v1' });
    const door = within(dialog).getByLabelText('Front door');
    expect(door).toHaveValue('0.7');
    await user.clear(door);
    await user.type(door, '1.5');
    await user.click(within(dialog).getByRole('button', { name: 'Save thresholds' }));
    expect(within(dialog).getByText(/A number above 0, at most 1/)).toBeInTheDocument();
    expect(find('PUT', '/api/models/versions/v1/thresholds')).toHaveLength(0);
    await user.clear(door);
    await user.type(door, '0.8');
    await user.type(within(dialog).getByLabelText('Aisle 3'), '0.55');
    await user.click(within(dialog).getByRole('button', { name: 'Save thresholds' }));
    await waitFor(() => expect(find('PUT', '/api/models/versions/v1/thresholds')).toHaveLength(1));
    expect(find('PUT', '/api/models/versions/v1/thresholds')[0].body).toEqual({ default: 0.6, cameras: { door: 0.8, 'aisle-3': 0.55 } });
  });

  it('a viewer sees the thresholds but no versions, promote, rollback, threshold editing or export', async () => {
    const { find } = mockFetch(routes());
    renderApp({ path: '/system', user: users.viewer });
    expect(await screen.findByRole('table', { name: 'Thresholds per camera' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Promote/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Roll back' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit thresholds' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Export/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Behaviour model versions' })).not.toBeInTheDocument();
    expect(find('GET', '/api/models/versions')).toHaveLength(0);
  });

  it('the dataset export downloads the ZIP under the name the service gives, and says only poses leave', async () => {
    const user = userEvent.setup();
    const createObjectURL = vi.fn(() => 'blob:zip');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const clicks: { download: string; href: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ download: this.download, href: this.href });
    });
    const { find } = mockFetch(
      routes({
        'POST /api/dataset/export': () =>
          new Response('PK\x03\x04', {
            status: 200,
            headers: {
              'Content-Type': 'application/zip',
              'Content-Disposition': 'attachment; filename="shopguard-reviews-20261203T081500Z.zip"',
            },
          }),
      }),
    );
    renderApp({ path: '/system', user: users.admin });
    expect(await screen.findByText(/Only poses .* and labels leave: never pictures or video/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Export training data' }));
    await waitFor(() => expect(clicks).toHaveLength(1));
    expect(clicks[0]).toEqual({ download: 'shopguard-reviews-20261203T081500Z.zip', href: 'blob:zip' });
    const post = find('POST', '/api/dataset/export')[0];
    expect(post.body).toEqual({ background_hours: 0 });
    expect(post.headers['X-CSRF-Token']).toBe('csrf-test-token');
  });
});
