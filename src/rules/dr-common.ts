import { policyLevels } from './destination-rule';
import { IstioObject } from './engine';
import { arr, fqdn, isObject } from './manifest';

/** One traffic policy of a DestinationRule (top, subset or port level) that is really present in the manifest. */
export interface PolicyAt {
  /** Where it sits, for messages: `trafficPolicy`, `subset "v2" trafficPolicy.portLevelSettings[0] (port 80)`. */
  readonly where: string;
  readonly policy: Record<string, any>;
  /** A `portLevelSettings` entry (which has fewer fields than a top or subset policy). */
  readonly port: boolean;
}

/** Every traffic policy present in a DestinationRule spec (built on {@link policyLevels}). */
export function policiesOf(spec: any): PolicyAt[] {
  return policyLevels(spec)
    .filter((l) => l.where !== 'trafficPolicy' || isObject(spec.trafficPolicy))
    .map((l) => ({ where: l.where, policy: l.own, port: l.where.includes('.portLevelSettings[') }));
}

/** The top-level and subset-level traffic policies (not port levels). */
export function rootPoliciesOf(spec: any): PolicyAt[] {
  return policiesOf(spec).filter((p) => !p.port);
}

/** `subset "v2"` or `subsets[3]` for messages. */
export function subsetLabel(subset: any, index: number): string {
  return isObject(subset) && typeof subset.name === 'string' && subset.name ? `subset "${subset.name}"` : `subsets[${index}]`;
}

/** `DestinationRule "reviews" (namespace shop)` for messages that name another object. */
export function describe(o: IstioObject): string {
  return `${o.kind} "${o.name}"${o.namespace ? ` (namespace ${o.namespace})` : ''}`;
}

/** The namespace an object lands in (`default` when unset, as Istio's short-name resolution assumes). */
export function namespaceOf(o: { readonly namespace?: string }): string {
  return o.namespace ?? 'default';
}

/** A DestinationRule's host, resolved as Istio does (short names in the DR's namespace), or `undefined`. */
export function drHost(o: IstioObject): string | undefined {
  const host = o.spec.host;
  return typeof host === 'string' && host.length > 0 ? fqdn(host, o.namespace) : undefined;
}

/** `{ name, namespace }` of a cluster-local service host `name.ns.svc.cluster.local`, else `undefined`. */
export function clusterLocal(host: string): { name: string; namespace: string } | undefined {
  const m = /^([^.*]+)\.([^.*]+)\.svc\.cluster\.local$/.exec(host);
  return m ? { name: m[1], namespace: m[2] } : undefined;
}

/** A label map whose values are all strings, or `undefined` (missing, empty or malformed). */
export function stringLabels(labels: unknown): Record<string, string> | undefined {
  if (!isObject(labels)) return undefined;
  const keys = Object.keys(labels);
  if (keys.length === 0 || keys.some((k) => typeof labels[k] !== 'string')) return undefined;
  return labels as Record<string, string>;
}

/** Canonical text of a label map (key order does not matter). */
export function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** `k=v,k2=v2` for messages. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/** Whether `podLabels` carry every label of `selector`. */
export function selects(selector: Readonly<Record<string, string>>, podLabels: Readonly<Record<string, string>>): boolean {
  return Object.keys(selector).every((k) => Object.prototype.hasOwnProperty.call(podLabels, k) && podLabels[k] === selector[k]);
}

/** Where an object is visible: every namespace (`all`), or a set of namespaces (`exportTo`, default `*`). */
export interface Visibility {
  readonly all: boolean;
  readonly namespaces: ReadonlySet<string>;
}

/** The namespaces an object's `exportTo` makes it visible in. */
export function visibilityOf(o: IstioObject): Visibility {
  const entries = arr(o.spec.exportTo).filter((e): e is string => typeof e === 'string');
  if (entries.length === 0 || entries.includes('*')) return { all: true, namespaces: new Set() };
  const namespaces = new Set<string>();
  for (const e of entries) {
    if (e === '.') namespaces.add(namespaceOf(o));
    else if (e !== '~') namespaces.add(e);
  }
  return { all: false, namespaces };
}

/** Whether two visibilities share at least one namespace. */
export function visibilitiesOverlap(a: Visibility, b: Visibility): boolean {
  if (a.all) return b.all || b.namespaces.size > 0;
  if (b.all) return a.namespaces.size > 0;
  for (const ns of a.namespaces) if (b.namespaces.has(ns)) return true;
  return false;
}

/** The top-level `trafficPolicy.tls.mode` of a DestinationRule. */
export function topTlsMode(spec: any): string | undefined {
  const mode = isObject(spec.trafficPolicy) && isObject(spec.trafficPolicy.tls) ? spec.trafficPolicy.tls.mode : undefined;
  return typeof mode === 'string' ? mode : undefined;
}

/** Whether a DestinationRule enables mTLS for a wildcard host (a mesh- or namespace-wide mTLS rule, exempt from DR-19). */
export function isWideMtlsRule(o: IstioObject): boolean {
  return typeof o.spec.host === 'string' && o.spec.host.startsWith('*') && topTlsMode(o.spec) === 'ISTIO_MUTUAL';
}

/** Hosts that mean "every service of the mesh" in a DestinationRule. */
export const MESH_WIDE_HOSTS: ReadonlySet<string> = new Set(['*.local', '*.cluster.local', '*.svc.cluster.local']);

/** The namespace of a namespace-wide host `*.ns.svc.cluster.local`, else `undefined`. */
export function namespaceWide(host: string): string | undefined {
  const m = /^\*\.([^.*]+)\.svc\.cluster\.local$/.exec(host);
  return m ? m[1] : undefined;
}

/** Whether a value is set in the protobuf sense (not null/undefined, not an empty list). */
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
