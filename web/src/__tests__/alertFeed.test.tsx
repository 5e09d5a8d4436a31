import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { beep } from '../lib/beep';
import { baseRoutes, FakeEventSource, makeEvent, mockFetch, renderApp, users } from '../test/utils';

vi.mock('../lib/beep', () => ({ beep: vi.fn(), unlockAudio: vi.fn() }));

describe('alerts feed', () => {
  beforeEach(() => vi.mocked(beep).mockClear());

  it('shows a new alert from the stream at the top, with a beep', async () => {
    const old = makeEvent({ camera_id: 'aisle-3', peak_score: 0.61 });
    mockFetch(baseRoutes({ 'GET /api/events': { items: [old], total: 1, next: null } }));
    renderApp({ path: '/alerts', user: users.reviewer });

    const list = await screen.findByRole('list', { name: /alerts, newest first/i });
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    const es = FakeEventSource.latest();
    expect(es.url).toBe('/api/stream');
    act(() => es.open());
    expect(await screen.findByText('Live updates')).toBeInTheDocument();

    const fresh = makeEvent({
      status: 'open',
      peak_score: 0.93,
      started_at: new Date(Date.parse(old.started_at) + 60_000).toISOString(),
      ended_at: null,
      reasons: [{ code: 'exit', text: 'Left through the exit without paying', t_start: 1, t_end: 2, weight: 0.5 }],
    });
    act(() => es.emit('event.opened', fresh));

    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(2));
    const rows = within(list).getAllByRole('listitem');
    expect(rows[0]).toHaveAttribute('data-event-id', fresh.id);
    expect(rows[0]).toHaveTextContent('Left through the exit without paying');
    expect(rows[0]).toHaveTextContent('Front door');
    expect(rows[0]).toHaveTextContent('93%');
    expect(rows[0].querySelector('img')).toHaveAttribute('src', `/api/events/${fresh.id}/snapshot`);
    expect(screen.getByText('2 total')).toBeInTheDocument();
    expect(beep).toHaveBeenCalledTimes(1);
    // and a toast, whatever the screen
    expect(await screen.findByText('New alert — Front door')).toBeInTheDocument();
  });

  it('updates an alert in place when it is reviewed elsewhere', async () => {
    const ev = makeEvent();
    mockFetch(baseRoutes({ 'GET /api/events': { items: [ev], total: 1, next: null } }));
    renderApp({ path: '/alerts', user: users.viewer });
    const row = await screen.findByText(ev.reasons[0].text);
    act(() => FakeEventSource.latest().emit('event.reviewed', { ...ev, review_status: 'confirmed' }));
    await waitFor(() => expect(row.closest('li')).toHaveTextContent('Confirmed'));
    expect(beep).not.toHaveBeenCalled();
  });

  it('does not add a stream alert that the filters exclude, and passes the filters to the API', async () => {
    const api = mockFetch(baseRoutes());
    renderApp({ path: '/alerts?camera=aisle-3&min_score=0.8', user: users.viewer });
    await screen.findByText('No alerts match these filters');
    const call = api.find('GET', '/api/events').find((c) => c.query.get('camera') === 'aisle-3');
    expect(call?.query.get('min_score')).toBe('0.8');
    act(() => FakeEventSource.latest().emit('event.opened', makeEvent({ camera_id: 'door', peak_score: 0.95 })));
    act(() => FakeEventSource.latest().emit('event.opened', makeEvent({ camera_id: 'aisle-3', peak_score: 0.5 })));
    expect(screen.getByText('No alerts match these filters')).toBeInTheDocument();
    act(() => FakeEventSource.latest().emit('event.opened', makeEvent({ camera_id: 'aisle-3', peak_score: 0.9 })));
    expect(await screen.findByRole('list', { name: /alerts, newest first/i })).toBeInTheDocument();
  });

  it('stays quiet when the sound is turned off', async () => {
    localStorage.setItem('shopguard.sound', 'false');
    mockFetch(baseRoutes());
    renderApp({ path: '/alerts', user: users.viewer });
    await screen.findByText('No alerts yet');
    act(() => FakeEventSource.latest().emit('event.opened', makeEvent()));
    await screen.findByRole('list', { name: /alerts, newest first/i });
    expect(beep).not.toHaveBeenCalled();
  });
});
