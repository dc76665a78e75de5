import { visibleText } from '../shared/visible-text.js';

/** What stands for the cut end of a text. */
const ELLIPSIS = '…';

/**
 * Pure: `text` as every status column on both databases can hold it, and as a terminal can show it. Controls become
 * visible escapes (`\u0000`, `\n`: PostgreSQL rejects NUL, a terminal obeys ESC), lone surrogates and characters
 * outside the BMP become U+FFFD (MySQL's utf8mb3 tables reject 4-byte characters), and the result is cut to `limit`
 * characters (what varchar(n) counts on both databases) without splitting an escape.
 */
export function storableText(text: string, limit: number): string {
  const safe = visibleText(text).replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
  if (safe.length <= limit) return safe; // every character is one UTF-16 unit now
  // An escape cut in half (`\u00`) would read as something else: the cut goes before it.
  return `${safe.slice(0, limit - ELLIPSIS.length).replace(/\\(u[0-9a-f]{0,3})?$/, '')}${ELLIPSIS}`;
}

/** How far a summary is shrunk, step by step, until its JSON fits. */
const SHRINK_STEPS: readonly ShrinkStep[] = [
  { text: 1000, items: 1000 },
  { text: 200, items: 50 },
];
const LAST_STEP: ShrinkStep = { text: 60, items: 10 };

interface ShrinkStep {
  readonly text: number;
  readonly items: number;
}

/**
 * Pure: the run summary as JSON of at most `limit` characters that always parses. Its strings are made storable;
 * a summary too long (thousands of failed scopes, a long error) has its lists and strings shortened, the dropped part
 * counted (`"… 840 more"`); as a last resort only its numbers and flags are kept, with `"truncated": true`.
 */
export function storableSummary(summary: Readonly<Record<string, unknown>>, limit: number): string {
  for (const step of [...SHRINK_STEPS, LAST_STEP]) {
    const json = JSON.stringify(shrink(summary, step));
    if (json.length <= limit) return json;
  }
  const flat = Object.fromEntries(Object.entries(summary).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean'));
  return JSON.stringify({ ...flat, truncated: true });
}

function shrink(value: unknown, step: ShrinkStep): unknown {
  if (typeof value === 'string') return storableText(value, step.text);
  if (Array.isArray(value)) {
    const kept = value.slice(0, step.items).map((v) => shrink(v, step));
    return value.length > step.items ? [...kept, `${ELLIPSIS} ${value.length - step.items} more`] : kept;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    const kept = entries.slice(0, step.items).map(([k, v]) => [storableText(k, step.text), shrink(v, step)]);
    if (entries.length > step.items) kept.push([ELLIPSIS, `${entries.length - step.items} more`]);
    return Object.fromEntries(kept);
  }
  return value;
}
