import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STALE, useLatest } from '../hooks/useLatest';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('useLatest', () => {
  it('an older request that answers last is stale, whether it succeeds or fails', async () => {
    const { result } = renderHook(() => useLatest());
    const first = deferred<string>();
    const second = deferred<string>();
    const older = result.current(first.promise);
    const newer = result.current(second.promise);
    second.resolve('new');
    await expect(newer).resolves.toBe('new');
    first.resolve('old');
    await expect(older).resolves.toBe(STALE);

    const failing = deferred<string>();
    const stale = result.current(failing.promise);
    const latest = result.current(Promise.reject(new Error('down')));
    await expect(latest).rejects.toThrow('down'); // the latest failure is reported
    failing.reject(new Error('old failure'));
    await expect(stale).resolves.toBe(STALE); // an older one is not
  });
});
