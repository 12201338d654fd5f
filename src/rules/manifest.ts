import { IstioKind, IstioObject, ISTIO_KINDS } from './engine';
import { IntentFacts, intentOf, mergeFacts } from './intent';

/** The API group every object this library reads and emits belongs to. */
export const ISTIO_GROUP = 'networking.istio.io';

/** Prefix of the per-object suppression annotations: `suppress.traffic.cdk8s-istio-traffic.io/VS-11: "<reason>"`. */
export const SUPPRESS_ANNOTATION_PREFIX = 'suppress.traffic.cdk8s-istio-traffic.io/';

/** Rule code → reason from an object's suppression annotations (reasons may be empty: the engine reports that). */
export function suppressionsOf(manifest: any): Map<string, string> {
  const out = new Map<string, string>();
  const annotations = isObject(manifest?.metadata?.annotations) ? manifest.metadata.annotations : {};
  for (const key of Object.keys(annotations)) {
    if (key.startsWith(SUPPRESS_ANNOTATION_PREFIX)) {
      const value = annotations[key];
      out.set(key.slice(SUPPRESS_ANNOTATION_PREFIX.length), typeof value === 'string' ? value.trim() : '');
    }
  }
  return out;
}

/** Wraps a manifest as an {@link IstioObject}, or returns `undefined` when it is not a networking.istio.io kind. */
export function toIstioObject(manifest: unknown, path: string, facts: IntentFacts = {}): IstioObject | undefined {
  if (!isObject(manifest)) return undefined;
  const apiVersion = manifest.apiVersion;
  const kind = manifest.kind;
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${ISTIO_GROUP}/`)) return undefined;
  if (typeof kind !== 'string' || !(ISTIO_KINDS as readonly string[]).includes(kind)) return undefined;
  const metadata = isObject(manifest.metadata) ? manifest.metadata : {};
  // Facts the manifest declares by annotation (hand-written YAML, lint) count as much as recorded ones.
  const merged = mergeFacts(facts, intentOf(undefined, manifest));
  return {
    kind: kind as IstioKind,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    spec: isObject(manifest.spec) ? manifest.spec : {},
    manifest,
    path,
    facts: merged,
    suppressions: suppressionsOf(manifest),
  };
}

/** `value` if it is a plain object, else `undefined`. */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` if it is an array, else `[]` (rules never crash on malformed input). */
export function arr(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** Human label of an object for messages: `VirtualService "reviews"`. */
export function label(o: IstioObject): string {
  return `${o.kind} "${o.name}"`;
}

/** Name of the i-th HTTP route for messages: its `name`, or `http[i]`. */
export function routeLabel(route: any, index: number, section = 'http'): string {
  return isObject(route) && typeof route.name === 'string' && route.name ? `route "${route.name}"` : `${section}[${index}]`;
}

/**
 * Istio's host resolution: a host without dots is a short name resolved in the object's namespace
 * (`reviews` → `reviews.<ns>.svc.cluster.local`); anything else is taken as written (trailing dot dropped).
 */
export function fqdn(host: string, namespace: string | undefined): string {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  if (h.includes('.') || h.startsWith('*')) return h.toLowerCase();
  return `${h}.${namespace ?? 'default'}.svc.cluster.local`.toLowerCase();
}

/** Whether `pattern` (possibly `*.suffix` or `*`) covers `host`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/**
 * Values keyed by host pattern, looked up by concrete host in O(1) for exact patterns (wildcard patterns,
 * which are few, are scanned). Keeps App-scope rules linear in the number of objects.
 */
export class HostIndex<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly wildcards: Array<{ pattern: string; value: T }> = [];

  /** Adds `value` under `pattern` (an FQDN, `*.suffix` or `*`). */
  public add(pattern: string, value: T): void {
    if (pattern.startsWith('*')) {
      this.wildcards.push({ pattern, value });
    } else {
      const list = this.exact.get(pattern);
      if (list) list.push(value);
      else this.exact.set(pattern, [value]);
    }
  }

  /** Every value whose pattern covers `host`. */
  public lookup(host: string): T[] {
    const found = this.exact.get(host) ?? [];
    const wild = this.wildcards.filter((w) => hostMatches(w.pattern, host)).map((w) => w.value);
    return wild.length === 0 ? found : [...found, ...wild];
  }
}

/** Every destination of an object's routes, with where it was found (http/tcp/tls routes and mirrors). */
export interface DestinationRef {
  readonly host: string;
  readonly subset?: string;
  readonly where: string;
}

const destinationCache = new WeakMap<object, DestinationRef[]>();

/** Lists route and mirror destinations of a VirtualService spec (computed once per spec; several rules ask). */
export function destinationsOf(spec: any): DestinationRef[] {
  const cached = isObject(spec) ? destinationCache.get(spec) : undefined;
  if (cached) return cached;
  const out: DestinationRef[] = [];
  const push = (d: any, where: string) => {
    if (isObject(d) && typeof d.host === 'string') {
      out.push({ host: d.host, subset: typeof d.subset === 'string' && d.subset ? d.subset : undefined, where });
    }
  };
  for (const section of ['http', 'tcp', 'tls'] as const) {
    arr(spec[section]).forEach((rule, i) => {
      const name = routeLabel(rule, i, section);
      arr(rule?.route).forEach((r, j) => push(r?.destination, `${name} destination ${j}`));
      if (section === 'http') {
        push(rule?.mirror, `${name} mirror`);
        arr(rule?.mirrors).forEach((m, j) => push(m?.destination, `${name} mirrors[${j}]`));
      }
    });
  }
  if (isObject(spec)) destinationCache.set(spec, out);
  return out;
}
