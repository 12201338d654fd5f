import { invariant } from './check';
import { pushTo } from './json';
/**
 * Hostnames as Istio reads them: grammar, resolution of short names, wildcard matching, and one index
 * for host lookups that keeps App-scope rules linear.
 */


const HOST_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/;

/** Options of {@link hostProblem}. */
export interface HostGrammarOptions {
  /** Allow a leading `*` / `*.` label (VirtualService, DestinationRule and ServiceEntry hosts). */
  readonly allowWildcard?: boolean;
}

/**
 * hostname grammar (DNS-1123 labels, ≤ 255 characters, wildcard only as the whole first label,
 * never a bare `*`, top-level label not all-numeric, one trailing dot allowed).
 */
export const hostProblem = invariant('X-03', (host: unknown, options: HostGrammarOptions = {}): string | undefined => {
  if (typeof host !== 'string' || host.length === 0) return 'is empty';
  // Hosts repeat across routes and objects: remember recent answers (bounded), one map per option.
  const cache = options.allowWildcard ? wildcardHostCache : hostCache;
  const known = cache.get(host);
  if (known !== undefined || cache.has(host)) return known;
  const problem = computeHostProblem(host, options);
  if (cache.size > 10_000) cache.clear();
  cache.set(host, problem);
  return problem;
});

/** Memoised verdicts (a pure function of its input, bounded): hosts repeat across routes and objects. */
const hostCache = new Map<string, string | undefined>();
/** The same with a leading wildcard label allowed. */
const wildcardHostCache = new Map<string, string | undefined>();

function computeHostProblem(host: string, options: HostGrammarOptions): string | undefined {
  if (host.length > 255) return 'is longer than 255 characters';
  if (host === '*') return 'is the bare wildcard "*"';
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = name.split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === '*' && i === 0) {
      if (!options.allowWildcard) return 'contains a wildcard, which is not allowed here';
      continue;
    }
    if (label.includes('*')) return `has a partial or misplaced wildcard in label "${label}"; a wildcard may only be the whole first label ("*.example.com")`;
    if (label.length === 0) return 'has an empty label';
    if (label.length > 63) return `has label "${label.slice(0, 20)}…" longer than 63 characters`;
    if (!HOST_LABEL.test(label)) return `has label "${label}" that is not a DNS-1123 label (letters, digits and "-", not starting or ending with "-")`;
  }
  if (labels.length > 1 && /^[0-9]+$/.test(labels[labels.length - 1])) return 'has an all-numeric top-level label';
  return undefined;
}

/** Whether a host is a wildcard (`*`, `*.example.com`; a partial `*foo.com` too): it names no single host. */
export function isWildcardHost(host: string): boolean {
  return host.startsWith('*');
}

/** A host as Istio compares it: lower-case, without a trailing dot. */
export function normalizeHost(host: string): string {
  return (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
}

/**
 * Istio's host resolution: a host without dots is a short name resolved in the object's namespace
 * (`reviews` → `reviews.<ns>.svc.cluster.local`); anything else is taken as written (lower-cased, trailing dot dropped).
 */
export function fqdn(host: string, namespace: string | undefined): string {
  const h = normalizeHost(host);
  if (h.includes('.') || isWildcardHost(h)) return h;
  return `${h}.${(namespace ?? 'default').toLowerCase()}.svc.cluster.local`;
}

/** Whether `pattern` (an FQDN, `*.suffix` or `*`) covers `host`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (isWildcardHost(pattern)) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** Whether two host patterns share at least one host (Istio's bidirectional `host.Name.Matches`). */
export function hostsIntersect(a: string, b: string): boolean {
  const aw = isWildcardHost(a);
  const bw = isWildcardHost(b);
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** `{ name, namespace }` of a cluster-local service host `name.ns.svc.cluster.local`, else `undefined`. */
export function clusterLocal(host: string): { name: string; namespace: string } | undefined {
  const m = /^([^.*]+)\.([^.*]+)\.svc\.cluster\.local$/.exec(host);
  return m ? { name: m[1], namespace: m[2] } : undefined;
}

/**
 * `{ name, namespace }` of a host that names a Kubernetes Service — a short name (namespace undefined: the objects'
 * own), `name.ns.svc` or `name.ns.svc.cluster.local` — else `undefined`. Istio reads other dotted hosts (`api.example`)
 * as written, not as `name.namespace`.
 */
export function kubernetesService(host: string): { name: string; namespace?: string } | undefined {
  if (/^[^.*]+$/.test(host)) return { name: host };
  const m = /^([^.*]+)\.([^.*]+)\.svc$/.exec(host);
  return m ? { name: m[1], namespace: m[2] } : clusterLocal(host);
}

/** Hosts that mean "every service of the mesh" in a DestinationRule. */
export const MESH_WIDE_HOSTS: ReadonlySet<string> = new Set(['*.local', '*.cluster.local', '*.svc.cluster.local']);

/** The namespace of a namespace-wide host `*.ns.svc.cluster.local`, else `undefined`. */
export function namespaceWide(host: string): string | undefined {
  const m = /^\*\.([^.*]+)\.svc\.cluster\.local$/.exec(host);
  return m ? m[1] : undefined;
}

/** Every suffix of a host starting at a dot: `a.b.c` → `.b.c`, `.c`. */
export function dotSuffixes(host: string): string[] {
  const out: string[] = [];
  for (let i = host.indexOf('.'); i >= 0; i = host.indexOf('.', i + 1)) out.push(host.slice(i));
  return out;
}

/** The suffix a wildcard covers: `*.example.com` → `.example.com`, `*` → `''`; `undefined` for an exact host. */
function wildcardSuffix(pattern: string): string | undefined {
  if (pattern === '*') return '';
  return pattern.startsWith('*.') ? pattern.slice(1) : undefined;
}

/** The wildcard suffixes strictly broader than `suffix`: `.a.example.com` → `.example.com`, `.com`, `''`; none for `''`. */
function broaderSuffixes(suffix: string): string[] {
  return suffix === '' ? [] : [...dotSuffixes(suffix.slice(1)), ''];
}

/**
 * Whether a (normalized) host pattern names hosts: an FQDN without `*`, `*`, or `*.suffix` with no other `*`.
 * Partial and misplaced wildcards (`*foo.com`, `a.*.com`) name none; X-03 reports them.
 */
export function isHostPattern(host: string): boolean {
  const star = host.lastIndexOf('*');
  return star < 0 || (star === 0 && (host === '*' || host.startsWith('*.')));
}

/**
 * Values keyed by host pattern (an FQDN, `*.suffix` or `*`; normalized on the way in), looked up by host in
 * O(labels of the host): the one host index of the rules, so App-scope rules stay linear in the number of objects.
 */
export class HostIndex<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly wild = new Map<string, T[]>();
  /** Exact hosts under each of their dot-suffixes, for wildcard queries (`*.example.com` meets `a.example.com`). */
  private readonly under = new Map<string, T[]>();
  /** Wildcards under each strictly broader wildcard suffix (`*.example.com` meets `*.a.example.com`). */
  private readonly wildUnder = new Map<string, T[]>();

  /** Adds `value` under `pattern`. Partial wildcards (`*foo.com`) name no host and are ignored. */
  public add(pattern: string, value: T): void {
    const host = normalizeHost(pattern);
    const suffix = wildcardSuffix(host);
    if (suffix !== undefined) {
      pushTo(this.wild, suffix, value);
      for (const s of broaderSuffixes(suffix)) pushTo(this.wildUnder, s, value);
    } else if (!host.includes('*')) {
      pushTo(this.exact, host, value);
      for (const s of [...dotSuffixes(host), '']) pushTo(this.under, s, value);
    }
  }

  /** Values added under exactly `host`. */
  public exactly(host: string): T[] {
    return this.exact.get(normalizeHost(host)) ?? [];
  }

  /** Values whose wildcard pattern covers `host` (an FQDN, or a wildcard covered by a broader one), broadest last. */
  public covering(host: string): T[] {
    const h = normalizeHost(host);
    const own = wildcardSuffix(h);
    const keys = own === undefined ? [...dotSuffixes(h), ''] : [own, ...broaderSuffixes(own)];
    return keys.flatMap((k) => this.wild.get(k) ?? []);
  }

  /** Every value whose pattern covers `host`: exact entries first, then covering wildcards. */
  public lookup(host: string): T[] {
    const exact = this.exactly(host);
    const wild = this.covering(host);
    return wild.length === 0 ? exact : [...exact, ...wild];
  }

  /** The value Istio picks for `host`: an exact entry, else the most specific covering wildcard. */
  public mostSpecific(host: string): T | undefined {
    return this.exactly(host)[0] ?? this.covering(host)[0];
  }

  /**
   * The values whose pattern shares a host with `pattern` (Istio's bidirectional match, as {@link hostsIntersect}):
   * as lists, each in the order added and left uncopied, so that a caller can stop early on lists of any length.
   * A value added once is in one list at most. Partial wildcards (`*foo.com`) name no host and meet nothing.
   */
  public intersecting(pattern: string): ReadonlyArray<readonly T[]> {
    const h = normalizeHost(pattern);
    if (!isHostPattern(h)) return [];
    const own = wildcardSuffix(h);
    const lists = own === undefined
      ? [this.exact.get(h), ...[...dotSuffixes(h), ''].map((k) => this.wild.get(k))]
      : [own, ...broaderSuffixes(own)].map((k) => this.wild.get(k)).concat([this.under.get(own), this.wildUnder.get(own)]);
    return lists.filter((l): l is T[] => l !== undefined && l.length > 0);
  }

  /** Whether any pattern shares a host with `pattern` (a wildcard query also meets the exact hosts under it). */
  public overlaps(pattern: string): boolean {
    const h = normalizeHost(pattern);
    const suffix = wildcardSuffix(h);
    if (suffix !== undefined && (this.under.get(suffix)?.length ?? 0) > 0) return true;
    return this.lookup(h).length > 0;
  }
}
