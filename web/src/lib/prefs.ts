import { useCallback, useEffect, useState } from 'react';

type Widen<T> = T extends boolean ? boolean : T extends number ? number : T extends string ? string : T;

/** A boolean/number/string preference kept in localStorage (per browser). */
export function usePref<I extends string | number | boolean>(key: string, initial: I): [Widen<I>, (v: Widen<I>) => void] {
  type T = Widen<I>;
  const storageKey = `shopguard.${key}`;
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = localStorage.getItem(storageKey);
      return raw === null ? (initial as T) : (JSON.parse(raw) as T);
    } catch {
      return initial as T;
    }
  });
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === storageKey && e.newValue !== null) setValue(JSON.parse(e.newValue) as T);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [storageKey]);
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        localStorage.setItem(storageKey, JSON.stringify(v));
      } catch {
        /* private mode */
      }
    },
    [storageKey],
  );
  return [value, set];
}
