import { invariant } from './check';
import { dnsLabelProblem } from './grammar';
import { show } from './text';
/** Where an object is visible by its `exportTo`, and the exportTo grammar. */

/** Namespaces that see an object: every namespace, or a (possibly empty) set. */
export interface Visibility {
  readonly all: boolean;
  readonly namespaces: ReadonlySet<string>;
}

/**
 * Who sees an object by its `exportTo`: unset or empty means everyone (Istio's default), `*` everyone, `.`
 * the own namespace (`default` when unset), `~` nobody (ServiceEntry only), anything else that namespace.
 */
export function visibilityOf(exportTo: unknown, namespace: string | undefined): Visibility {
  const entries = Array.isArray(exportTo) ? exportTo.filter((e): e is string => typeof e === 'string') : [];
  if (entries.length === 0 || entries.includes('*')) return { all: true, namespaces: new Set() };
  const namespaces = new Set<string>();
  for (const e of entries) {
    if (e === '~') continue;
    namespaces.add(e === '.' ? namespace ?? 'default' : e);
  }
  return { all: false, namespaces };
}

/** Whether some namespace sees both objects. */
export function visibilitiesOverlap(a: Visibility, b: Visibility): boolean {
  if (a.all) return b.all || b.namespaces.size > 0;
  if (b.all) return a.namespaces.size > 0;
  for (const ns of a.namespaces) if (b.namespaces.has(ns)) return true;
  return false;
}

/** One problem of an exportTo list: the entry index (or `undefined` for the whole list), what is wrong and how to fix it. */
export interface ExportToProblem {
  readonly index?: number;
  readonly problem: string;
  readonly fix?: string;
}

/** What an exportTo check needs to know about the object: its namespace (when known) and whether it is a ServiceEntry. */
export interface ExportToOptions {
  readonly namespace?: string;
  readonly serviceEntry: boolean;
}

/** one exportTo entry is ".", "*", "~" (ServiceEntry only) or a namespace name (a DNS label). Non-strings are the schema's. */
export const exportToEntryProblem = invariant('X-05', (entry: unknown, options: ExportToOptions): string | undefined => {
  if (typeof entry !== 'string' || entry === '.' || entry === '*') return undefined;
  if (entry === '~') return options.serviceEntry ? undefined : '"~" (hidden from every namespace) is only allowed on a ServiceEntry';
  const problem = dnsLabelProblem(entry);
  return problem ? `${JSON.stringify(entry)} ${problem}` : undefined;
});

/** An entry as Istio compares exportTo entries: "." is the object's own namespace when that is known. */
function entryKey(entry: string, namespace: string | undefined): string {
  return entry === '.' && namespace !== undefined ? namespace : entry;
}

/**
 * An exportTo list with the first position of each entry (as Istio compares them), read once so that checking
 * every entry for repeats ({@link exportToRepeatProblem}) stays linear in the length of the list.
 */
export interface ExportToEntries {
  readonly list: readonly unknown[];
  /** The object's namespace, when known. */
  readonly namespace?: string;
  readonly first: ReadonlyMap<string, number>;
}

/** {@link ExportToEntries} of `list` for an object in `namespace`. */
export function exportToEntries(list: readonly unknown[], namespace?: string): ExportToEntries {
  const first = new Map<string, number>();
  list.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const key = entryKey(entry, namespace);
    if (!first.has(key)) first.set(key, i);
  });
  return { list, namespace, first };
}

/**
 * entry `index` of the list does not repeat an earlier entry ("." counts as the object's own namespace
 * when it is known, as Istio compares them).
 */
export const exportToRepeatProblem = invariant('X-05', (entries: ExportToEntries, index: number): string | undefined => {
  const { list, namespace } = entries;
  const entry = list[index];
  if (typeof entry !== 'string') return undefined;
  const first = entries.first.get(entryKey(entry, namespace));
  if (first === undefined || first >= index) return undefined;
  return list[first] === entry
    ? `${JSON.stringify(entry)} repeats spec.exportTo[${first}]`
    : `${JSON.stringify(entry)} duplicates spec.exportTo[${first}] ${JSON.stringify(list[first])}: "." is the object's own namespace "${namespace}"`;
});

/** "*" (every namespace) stands alone. */
export const exportToListProblem = invariant('X-05', (list: readonly unknown[]): string | undefined =>
  (list.includes('*') && list.length > 1 ? `${show(list)} combines "*" with other entries` : undefined));

/** Fix of {@link exportToListProblem}. */
export const EXPORT_TO_STAR_FIX = 'Use ["*"] on its own, or list the namespaces without "*".';

/**
 * every problem of an exportTo list, in order: per entry its grammar and repeats, then the list as a whole.
 * (The three checks above, together.)
 */
export function exportToProblems(list: readonly unknown[], options: ExportToOptions): ExportToProblem[] {
  const out: ExportToProblem[] = [];
  const entries = exportToEntries(list, options.namespace);
  list.forEach((entry, i) => {
    const grammar = exportToEntryProblem(entry, options);
    if (grammar) out.push({ index: i, problem: grammar });
    const repeat = exportToRepeatProblem(entries, i);
    if (repeat) out.push({ index: i, problem: repeat });
  });
  const whole = exportToListProblem(list);
  if (whole) out.push({ problem: whole, fix: EXPORT_TO_STAR_FIX });
  return out;
}
