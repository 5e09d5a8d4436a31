import { useCallback, useRef } from 'react';

/** What `useLatest`'s wrapper resolves to when a newer request was made meanwhile. */
export const STALE: unique symbol = Symbol('stale');

/**
 * Keeps a reload from being overwritten by an older one: the returned function awaits a
 * request and gives its answer only if no later request went through it meanwhile, else
 * `STALE` (a stale failure is `STALE` too, not thrown). A list loaded when a dialog opens
 * can otherwise answer after the list reloaded after a change, and hide the change.
 *
 *   const latest = useLatest();
 *   const page = await latest(api.things.list());
 *   if (page !== STALE) setThings(page.items);
 */
export function useLatest(): <T>(request: Promise<T>) => Promise<T | typeof STALE> {
  const counter = useRef(0);
  return useCallback(async <T,>(request: Promise<T>): Promise<T | typeof STALE> => {
    const mine = ++counter.current;
    try {
      const value = await request;
      return mine === counter.current ? value : STALE;
    } catch (err) {
      if (mine !== counter.current) return STALE;
      throw err;
    }
  }, []);
}
