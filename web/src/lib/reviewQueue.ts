/**
 * The ordered list of event ids the reviewer came from (the alerts feed as filtered), so
 * j/k on the event screen move through the same list. Kept per tab in sessionStorage.
 */
const KEY = 'shopguard.reviewQueue';

export function setReviewQueue(ids: string[]): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(ids));
  } catch {
    /* ignore */
  }
}

export function getReviewQueue(): string[] {
  try {
    const raw = sessionStorage.getItem(KEY);
    const ids = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The ids before and after `id` in `queue` (newer is before, like the feed). */
export function neighbours(queue: string[], id: string): { prev: string | null; next: string | null } {
  const i = queue.indexOf(id);
  if (i < 0) return { prev: null, next: null };
  return { prev: i > 0 ? queue[i - 1] : null, next: i < queue.length - 1 ? queue[i + 1] : null };
}
