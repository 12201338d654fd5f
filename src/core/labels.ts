import { defineEntry, isRecord } from './json';
/** Kubernetes label maps as selectors and subsets use them: containment, canonical keys, message text. */

/** A label map: key → value. */
export type Labels = Readonly<Record<string, string>>;

/** Whether every entry of `small` is in `big` with the same value (`{}` is within everything): `big`'s pods are selected by `small`. */
export function labelsWithin(small: Labels, big: Labels): boolean {
  return Object.keys(small).every((k) => Object.prototype.hasOwnProperty.call(big, k) && big[k] === small[k]);
}

/** Canonical text of a label map, equal for equal maps whatever the key order (for map keys and comparisons). */
export function labelKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** `{app=reviews,version=v1}` for messages (keys sorted). */
export function formatLabels(labels: Labels): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')}}`;
}

/** The string entries of a label map (others dropped), or `undefined` when `value` is not a map. */
export function labelMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') defineEntry(out, k, v);
  return out;
}

/** A non-empty label map whose values are all strings, or `undefined` (missing, empty or malformed). */
export function stringLabels(labels: unknown): Record<string, string> | undefined {
  if (!isRecord(labels)) return undefined;
  const keys = Object.keys(labels);
  if (keys.length === 0 || keys.some((k) => typeof labels[k] !== 'string')) return undefined;
  return labels as Record<string, string>;
}
