import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { MissedReport } from '../api/types';
import { spanProblems, toLocalInput } from '../components/MissedTheft';
import { baseRoutes, mockFetch, renderApp, reply, users } from '../test/utils';

const earlier: MissedReport = {
  id: 1,
  camera_id: 'door',
  since: '2026-11-30T14:00:00+00:00',
  until: '2026-11-30T14:02:00+00:00',
  track_id: 12,
  note: 'bottle in the sleeve',
  username: 'rita',
  created_at: '2026-11-30T15:00:00+00:00',
  poses_logged: false,
};

describe('report a missed theft (Live screen)', () => {
  it('spans: local times, end after start, at most 10 minutes, not in the future', () => {
    const now = new Date(2026, 11, 3, 10, 0, 0).getTime();
    expect(spanProblems('2026-12-03T09:50:00', '2026-12-03T09:55:30', now)).toEqual({});
    expect(spanProblems('2026-12-03T09:55:00', '2026-12-03T09:55:00', now)).toEqual({ until: 'The end must be after the start.' });
    expect(spanProblems('2026-12-03T09:40:00', '2026-12-03T09:50:01', now)).toEqual({ until: 'At most 10 minutes after the start.' });
    expect(spanProblems('2026-12-03T10:05:00', '2026-12-03T10:06:00', now)).toEqual({ since: 'The start is in the future.' });
    expect(spanProblems('', '', now)).toEqual({ since: 'When did it start?', until: 'When did it end?' });
    expect(toLocalInput(new Date(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02T03:04:05');
  });

  it('a reviewer reports a span in local time with a note, and sees the camera’s reports', async () => {
    const user = userEvent.setup();
    const stored: MissedReport[] = [earlier];
    const { find } = mockFetch(
      baseRoutes({
        'GET /api/cameras/door/missed': () => ({ items: stored, total: stored.length, next: null }),
        'POST /api/cameras/door/missed': (call: { body: { since: string; until: string; note: string; track_id: number | null } }) => {
          const r: MissedReport = { ...earlier, id: 2, ...call.body, username: 'rita', poses_logged: true };
          stored.unshift(r);
          return reply(201, r);
        },
      }),
    );
    renderApp({ path: '/live', user: users.reviewer });
    await user.click(await screen.findByRole('button', { name: 'Report a missed theft on Front door' }));
    const dialog = screen.getByRole('dialog', { name: 'Report a missed theft · Front door' });
    const list = within(dialog).getByRole('region', { name: 'Missed-theft reports of Front door' });
    expect(await within(list).findByText('bottle in the sleeve')).toBeInTheDocument();
    expect(within(list).getByText('none')).toBeInTheDocument(); // no poses logged

    fireEvent.change(within(dialog).getByLabelText('Start'), { target: { value: '2026-12-01T13:58:10' } });
    fireEvent.change(within(dialog).getByLabelText('End'), { target: { value: '2026-12-01T14:01:00' } });
    await user.type(within(dialog).getByLabelText('Track number (optional)'), '7');
    await user.type(within(dialog).getByLabelText('Note'), 'left without paying');
    await user.click(within(dialog).getByRole('button', { name: 'Report' }));

    await waitFor(() => expect(find('POST', '/api/cameras/door/missed')).toHaveLength(1));
    const post = find('POST', '/api/cameras/door/missed')[0];
    expect(post.body).toEqual({
      since: new Date(2026, 11, 1, 13, 58, 10).toISOString(),
      until: new Date(2026, 11, 1, 14, 1, 0).toISOString(),
      track_id: 7,
      note: 'left without paying',
    });
    expect(post.headers['X-CSRF-Token']).toBe('csrf-test-token');
    expect(await within(list).findByText('left without paying')).toBeInTheDocument();
    expect(await screen.findByText('Missed theft reported')).toBeInTheDocument();
  });

  it('a slow first answer of the list does not hide a report made meanwhile', async () => {
    const user = userEvent.setup();
    const stored: MissedReport[] = [];
    let releaseFirst = () => {};
    const firstAnswered = new Promise<void>((resolve) => (releaseFirst = resolve));
    let lists = 0;
    mockFetch(
      baseRoutes({
        'GET /api/cameras/door/missed': async () => {
          const snapshot = { items: [...stored], total: stored.length, next: null };
          if (++lists === 1) await firstAnswered; // the dialog's first request answers last
          return snapshot;
        },
        'POST /api/cameras/door/missed': (call: { body: Partial<MissedReport> }) => {
          const r: MissedReport = { ...earlier, id: 3, ...call.body, note: 'stale list' };
          stored.unshift(r);
          return reply(201, r);
        },
      }),
    );
    renderApp({ path: '/live', user: users.reviewer });
    await user.click(await screen.findByRole('button', { name: 'Report a missed theft on Front door' }));
    const dialog = screen.getByRole('dialog');
    const list = within(dialog).getByRole('region', { name: 'Missed-theft reports of Front door' });
    await user.click(within(dialog).getByRole('button', { name: 'Report' }));
    expect(await within(list).findByText('stale list')).toBeInTheDocument();
    releaseFirst();
    await waitFor(() => expect(lists).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(within(list).getByText('stale list')).toBeInTheDocument();
    expect(within(list).queryByText('No missed thefts reported')).not.toBeInTheDocument();
  });

  it('a span longer than 10 minutes is not sent', async () => {
    const user = userEvent.setup();
    const { find } = mockFetch(baseRoutes({ 'GET /api/cameras/door/missed': { items: [], total: 0, next: null } }));
    renderApp({ path: '/live', user: users.admin });
    await user.click(await screen.findByRole('button', { name: 'Report a missed theft on Front door' }));
    const dialog = screen.getByRole('dialog');
    expect(await within(dialog).findByText('No missed thefts reported')).toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText('Start'), { target: { value: '2026-12-01T13:00:00' } });
    fireEvent.change(within(dialog).getByLabelText('End'), { target: { value: '2026-12-01T13:30:00' } });
    await user.click(within(dialog).getByRole('button', { name: 'Report' }));
    expect(within(dialog).getByText('At most 10 minutes after the start.')).toBeInTheDocument();
    expect(find('POST', '/api/cameras/door/missed')).toHaveLength(0);
  });

  it('a viewer has no report buttons', async () => {
    mockFetch(baseRoutes());
    renderApp({ path: '/live', user: users.viewer });
    expect(await screen.findByRole('button', { name: 'Enlarge Front door' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Report a missed theft/ })).not.toBeInTheDocument();
  });
});
