/** How values and lists appear in messages. Nothing here throws. */

/**
 * A value as error messages show it, for any input a caller can pass through `as any`: strings quoted (as
 * JSON), numbers as written (`NaN`, `Infinity`), and never a throw (symbols, BigInt, cycles, objects without
 * a prototype, throwing getters). Long output is cut at 200 characters.
 */
export function show(value: unknown): string {
  let out: string;
  try {
    if (typeof value === 'string') out = JSON.stringify(value);
    else if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) out = String(value);
    else if (typeof value === 'bigint') out = `${value.toString()}n`;
    else if (typeof value === 'symbol') out = value.toString();
    else if (typeof value === 'function') out = '[function]';
    else {
      const seen = new WeakSet<object>();
      out = JSON.stringify(value, (_key, v) => {
        if (typeof v === 'bigint') return `${v.toString()}n`;
        if (typeof v === 'symbol' || typeof v === 'function') return typeof v === 'symbol' ? v.toString() : '[function]';
        if (v !== null && typeof v === 'object') {
          if (seen.has(v)) return '[cycle]';
          seen.add(v);
        }
        return v;
      }) ?? '[unprintable]';
    }
  } catch {
    out = '[unprintable]';
  }
  return out.length > 200 ? `${out.slice(0, 200)}…` : out;
}

/** A string as it is, anything else as {@link show} renders it (for `value` fields and unquoted messages). */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : show(value);
}

/** At most `max` items joined with ", ", then "and N more". */
export function listSome(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** `shown` joined with ", ", then "and N more" when `total` is larger. */
export function listCounted(shown: readonly string[], total: number): string {
  return total > shown.length ? `${shown.join(', ')} and ${total - shown.length} more` : shown.join(', ');
}

/**
 * How many items of a list a finding's message, value or allowed shows before "and N more": findings stay
 * bounded in length however long the lists of the input are.
 */
export const SHOWN_IN_FINDINGS = 5;

