import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../api/types';
import { baseRoutes, mockFetch, renderApp, users } from '../test/utils';

function entry(id: number, patch: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: new Date(Date.UTC(2026, 11, 3, 8, 0, 0) - id * 60_000).toISOString(),
    user_id: 1,
    username: 'alice',
    action: 'view_clip',
    target_type: 'event',
    target_id: `ev-${id}`,
    camera_id: 'door',
    ip: '10.0.0.9',
    user_agent: 'Chromium',
    detail: { range: 'bytes=0-' },
    ...patch,
  };
}

describe('audit trail (Settings)', () => {
  it('lists entries newest first, filters with the API’s parameters and pages with the cursor', async () => {
    const user = userEvent.setup();
    const { find } = mockFetch(
      baseRoutes({
        'GET /api/audit': (call: { query: URLSearchParams }) => {
          if (call.query.get('cursor') === 'c2')
            return { items: [entry(3, { action: 'login_failed', username: 'mallory', target_type: 'user', target_id: 'mallory' })], total: 3, next: null };
          if (call.query.get('action')) return { items: [entry(1, { action: 'review' })], total: 1, next: null };
          return { items: [entry(1), entry(2, { user_id: null, username: 'system:retention', action: 'delete_evidence' })], total: 3, next: 'c2' };
        },
      }),
    );
    renderApp({ path: '/settings?tab=audit', user: users.admin });
    const table = await screen.findByRole('table', { name: 'Audit entries' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(table).toHaveTextContent('system:retention');
    expect(within(table).getByRole('link', { name: 'ev-1' })).toHaveAttribute('href', '/events/ev-1');
    expect(screen.getByText('2 of 3 entries')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Load older entries' }));
    expect(await within(table).findByText('mallory')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load older entries' })).not.toBeInTheDocument();
    expect(find('GET', '/api/audit')[1].query.get('cursor')).toBe('c2');
    expect(find('GET', '/api/audit')[1].query.get('limit')).toBe('50');

    const form = screen.getByRole('search', { name: 'Filter the audit trail' });
    await user.type(within(form).getByLabelText('User'), 'alice');
    await user.type(within(form).getByLabelText('Action'), 'review');
    await user.selectOptions(within(form).getByLabelText('Camera'), 'door');
    fireEvent.change(within(form).getByLabelText('From'), { target: { value: '2026-12-01T08:00' } });
    await user.click(within(form).getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(find('GET', '/api/audit')).toHaveLength(3));
    const q = find('GET', '/api/audit')[2].query;
    expect(q.get('user')).toBe('alice');
    expect(q.get('action')).toBe('review');
    expect(q.get('camera')).toBe('door');
    expect(q.get('since')).toBe(new Date(2026, 11, 1, 8, 0).toISOString());
    expect(q.get('cursor')).toBeNull();
    expect(await screen.findByText('1 of 1 entry')).toBeInTheDocument();
  });

  it('exports the filtered trail as CSV or JSON under the service’s file name', async () => {
    const user = userEvent.setup();
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:audit'), revokeObjectURL: vi.fn() }));
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    const { find } = mockFetch(
      baseRoutes({
        'GET /api/audit': { items: [entry(1)], total: 1, next: null },
        'GET /api/audit/export': (call: { query: URLSearchParams }) => {
          const format = call.query.get('format');
          return new Response(format === 'csv' ? 'id,at\n1,2026\n' : '[]', {
            headers: {
              'Content-Type': format === 'csv' ? 'text/csv' : 'application/json',
              'Content-Disposition': `attachment; filename="shopguard-audit-20261203T080000Z.${format}"`,
            },
          });
        },
      }),
    );
    renderApp({ path: '/settings?tab=audit', user: users.admin });
    await screen.findByRole('table', { name: 'Audit entries' });
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(names).toEqual(['shopguard-audit-20261203T080000Z.csv']));
    await user.click(screen.getByRole('button', { name: 'Export JSON' }));
    await waitFor(() => expect(names).toHaveLength(2));
    expect(names[1]).toBe('shopguard-audit-20261203T080000Z.json');
    expect(find('GET', '/api/audit/export').map((c) => c.query.get('format'))).toEqual(['csv', 'json']);
  });

  it('viewers and reviewers have no audit trail', async () => {
    const { find } = mockFetch(baseRoutes());
    renderApp({ path: '/settings?tab=audit', user: users.reviewer });
    expect(await screen.findByRole('heading', { name: 'Live' })).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Audit entries' })).not.toBeInTheDocument();
    expect(find('GET', '/api/audit')).toHaveLength(0);
  });
});
