import { describe, expect, it } from 'vitest';
import { formatAgo, formatBytes, formatScore, isoToLocalInput, localInputToIso, scoreLevel, topReasonText } from '../lib/format';

describe('format helpers', () => {
  it('ages from ISO text and from Unix seconds (worker health reports)', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(formatAgo('2026-11-25T09:59:48Z', now)).toBe('12 s ago');
    expect(formatAgo(now / 1000 - 180, now)).toBe('3 min ago');
    expect(formatAgo(null, now)).toBe('never');
  });

  it('scores, sizes, reasons', () => {
    expect(formatScore(0.834)).toBe('83%');
    expect(scoreLevel(0.85)).toBe('high');
    expect(scoreLevel(0.6)).toBe('medium');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(topReasonText([{ text: 'a', weight: 0.1 }, { text: 'b', weight: 0.5 }])).toBe('b');
    expect(topReasonText([])).toBe('Suspicious behaviour');
  });

  it('datetime-local values round-trip through ISO', () => {
    const iso = localInputToIso('2026-11-25T10:30')!;
    expect(isoToLocalInput(iso)).toBe('2026-11-25T10:30');
    expect(localInputToIso('')).toBeUndefined();
  });
});
