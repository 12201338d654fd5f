/**
 * The semantic compare of the sample reproductions: two Istio objects are equal when Istio reads them the same.
 * Differences that carry no meaning are normalised away: the apiVersion's version (the 1.30 CRDs serve one schema
 * for v1alpha3, v1beta1 and v1), short vs FQDN hosts in the object's namespace, duration spellings (`7s` = `7000ms`),
 * protocol case, the order of subsets and of hosts (Istio ignores both), Istio's defaults written out or left out
 * (exportTo `*`, ServiceEntry location MESH_EXTERNAL and resolution NONE), and the annotations this library adds
 * (suppressions with their reasons). Route order, weights and every other field are compared as they are.
 */
import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const HOST_KEYS = new Set(['host', 'hosts', 'sniHosts']);

/** The objects of a YAML file (empty documents and comments skipped). */
export function readObjects(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((o) => o && typeof o === 'object');
}

/** `kind/namespace/name` of an object (namespace `default` when unset). */
export function keyOf(o: any): string {
  return `${o.kind}/${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`;
}

/** The object as Istio reads it (see the module comment). */
export function normalize(o: any): any {
  const namespace = o.metadata?.namespace ?? 'default';
  const spec = walk(o.spec ?? {}, namespace, '');
  if (o.kind === 'ServiceEntry') {
    spec.location ??= 'MESH_EXTERNAL';
    spec.resolution ??= 'NONE';
  }
  if (['VirtualService', 'DestinationRule', 'ServiceEntry'].includes(o.kind)) spec.exportTo ??= ['*'];
  if (Array.isArray(spec.subsets)) spec.subsets.sort((a: any, b: any) => String(a.name).localeCompare(String(b.name)));
  return { group: String(o.apiVersion).split('/')[0], kind: o.kind, name: o.metadata?.name, namespace, spec };
}

function walk(value: any, namespace: string, key: string): any {
  if (Array.isArray(value)) {
    const items = value.map((v) => walk(v, namespace, key));
    return HOST_KEYS.has(key) ? items.sort() : items;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = walk(value[k], namespace, k);
    return out;
  }
  if (typeof value === 'string') {
    if (HOST_KEYS.has(key)) return shortHost(value, namespace);
    if (key === 'protocol') return value.toUpperCase();
    const d = DURATION.exec(value);
    if (d) return `${Number(d[1]) * UNIT_MS[d[2]]}ms`;
  }
  return value;
}

function shortHost(host: string, namespace: string): string {
  const suffix = `.${namespace}.svc.cluster.local`;
  return host.endsWith(suffix) ? host.slice(0, -suffix.length) : host;
}

/**
 * The objects keyed by identity, normalised, for one `toEqual`: the whole upstream file against what the constructs
 * emit. `tlsFields` are left out of every `tls` block (fields the library adds on purpose).
 */
export function comparable(objects: any[], tlsFields: string[] = []): Record<string, any> {
  const strip = (v: any): any => {
    if (Array.isArray(v)) return v.map(strip);
    if (!v || typeof v !== 'object') return v;
    const out: any = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'tls' && x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as object).filter(([f]) => !tlsFields.includes(f))) : strip(x);
    return out;
  };
  return Object.fromEntries(objects.map((o) => [keyOf(o), strip(normalize(o))]));
}
