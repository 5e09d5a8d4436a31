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
