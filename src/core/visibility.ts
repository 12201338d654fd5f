import { dnsLabelProblem } from './grammar';
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

/**
 * the exportTo grammar Istio enforces: entries are ".", "*", "~" (ServiceEntry only) or namespace names
 * (DNS labels); no duplicates ("." counts as the object's own namespace when it is known); "*" alone.
 */
export function exportToProblems(list: readonly unknown[], options: { readonly namespace?: string; readonly serviceEntry: boolean }): ExportToProblem[] {
  const out: ExportToProblem[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    if (entry === '~') {
      if (!options.serviceEntry) out.push({ index: i, problem: '"~" (hidden from every namespace) is only allowed on a ServiceEntry' });
    } else if (entry !== '.' && entry !== '*') {
      const problem = dnsLabelProblem(entry);
      if (problem) out.push({ index: i, problem: `${JSON.stringify(entry)} ${problem}` });
    }
    const key = entry === '.' && options.namespace !== undefined ? options.namespace : entry;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
    } else {
      out.push({
        index: i,
        problem: list[first] === entry
          ? `${JSON.stringify(entry)} repeats spec.exportTo[${first}]`
          : `${JSON.stringify(entry)} duplicates spec.exportTo[${first}] ${JSON.stringify(list[first])}: "." is the object's own namespace "${options.namespace}"`,
      });
    }
  });
  if (list.includes('*') && list.length > 1) {
    out.push({ problem: `${JSON.stringify(list)} combines "*" with other entries`, fix: 'Use ["*"] on its own, or list the namespaces without "*".' });
  }
  return out;
}
