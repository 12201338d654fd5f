/**
 * Guards for reading JSON-shaped values that may be malformed (hand-written YAML, props passed through `as any`).
 * Nothing here throws.
 */

/** Whether `value` is a plain object (not null, not an array): a map or a message. */
export function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` if it is an array, else `[]`. */
export function arr(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** Whether `value` is a non-empty array. */
export function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/**
 * Whether a field is set in the protobuf sense Istio validates with: present, not null, and not an empty list
 * (an empty repeated field is indistinguishable from an unset one). An empty message (`{}`) is set.
 */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/** Whether a string field is set to a non-empty string. */
export function hasText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Appends `value` to the list of `key` (creating it), in O(1). */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Key-order independent serialization, to compare values structurally. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Sets `key` on `target` as an own data property, also for keys such as `__proto__` that assignment would not create. */
export function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
