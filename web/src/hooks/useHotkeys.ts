import { useEffect, useRef } from 'react';

/** True when a key press belongs to a text field (shortcuts must not fire while typing). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'range', 'reset'].includes(type);
  }
  return false;
}

/**
 * Single-key shortcuts (`{c: confirm, '?': help}`), on the document. Ignored while typing
 * in a field, with Ctrl/Alt/Meta held, or while a modal dialog is open (unless listed in
 * `allowInDialog`).
 */
export function useHotkeys(
  bindings: Record<string, (e: KeyboardEvent) => void>,
  { enabled = true, allowInDialog = [] as string[] } = {},
): void {
  const ref = useRef(bindings);
  ref.current = bindings;
  const allowKey = allowInDialog.join(',');
  useEffect(() => {
    if (!enabled) return;
    const allowed = new Set(allowKey ? allowKey.split(',') : []);
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      if (isTyping(e.target)) return;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const handler = ref.current[e.key] ?? ref.current[key];
      if (!handler) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]') && !allowed.has(e.key)) return;
      e.preventDefault();
      handler(e);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled, allowKey]);
}
