import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StreamProvider, useStreamEvent, useStreamState } from '../hooks/stream';
import { FakeEventSource, fakeEventSourceFactory } from '../test/utils';

function Probe({ onMessage }: { onMessage: (d: unknown) => void }) {
  useStreamEvent('camera.health', onMessage);
  return <span>state: {useStreamState()}</span>;
}

describe('stream provider', () => {
  afterEach(() => vi.useRealTimers());

  it('shares one connection, parses JSON and reconnects with backoff after the server closes it', () => {
    vi.useFakeTimers();
    FakeEventSource.reset();
    const a = vi.fn();
    const b = vi.fn();
    render(
      <StreamProvider factory={fakeEventSourceFactory}>
        <Probe onMessage={a} />
        <Probe onMessage={b} />
      </StreamProvider>,
    );
    expect(FakeEventSource.instances).toHaveLength(1);
    const first = FakeEventSource.latest();
    act(() => first.open());
    expect(screen.getAllByText('state: open')).toHaveLength(2);
    act(() => first.emit('camera.health', { camera_id: 'door', state: 'live' }));
    expect(a).toHaveBeenCalledWith({ camera_id: 'door', state: 'live' }, 'camera.health');
    expect(b).toHaveBeenCalledTimes(1);

    act(() => first.fail(true));
    expect(first.closed).toBe(true);
    expect(screen.getAllByText('state: closed')).toHaveLength(2);
    act(() => vi.advanceTimersByTime(999));
    expect(FakeEventSource.instances).toHaveLength(1);
    act(() => vi.advanceTimersByTime(1));
    expect(FakeEventSource.instances).toHaveLength(2);
    act(() => FakeEventSource.latest().emit('camera.health', { camera_id: 'door', state: 'failed' }));
    expect(a).toHaveBeenLastCalledWith({ camera_id: 'door', state: 'failed' }, 'camera.health');
    // messages on the old connection are no longer delivered
    act(() => first.emit('camera.health', { camera_id: 'old' }));
    expect(a).toHaveBeenCalledTimes(2);
  });
});

describe('feed after a reconnect', () => {
  it('reloads the list when the stream opens again', async () => {
    const { mockFetch, baseRoutes, renderApp, users, makeEvent } = await import('../test/utils');
    const { screen, waitFor } = await import('@testing-library/react');
    let round = 0;
    const first = makeEvent();
    const missed = makeEvent({ started_at: new Date(Date.parse(first.started_at) + 1000).toISOString() });
    const api = mockFetch(
      baseRoutes({
        'GET /api/events': (call) =>
          call.query.get('review_status') ? { items: [], total: 0, next: null } : (round++ === 0 ? { items: [first], total: 1, next: null } : { items: [missed, first], total: 2, next: null }),
      }),
    );
    renderApp({ path: '/alerts', user: users.viewer });
    await screen.findByText('1 total');
    const es = FakeEventSource.latest();
    act(() => es.open());
    act(() => es.fail(false)); // the browser reconnects by itself
    act(() => es.open());
    await screen.findByText('2 total');
    await waitFor(() => expect(api.find('GET', '/api/events').filter((c) => !c.query.get('review_status'))).toHaveLength(2));
  });
});
