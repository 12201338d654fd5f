import { invariant } from './check';
import { Severity } from './errors';
import { dnsLabelProblem } from './grammar';
/** VirtualService gateway references (`mesh`, `name`, `namespace/name`, legacy `name.namespace`): grammar (VS-04) and resolution. */

/** The gateway name Istio reserves for sidecars. */
export const MESH_GATEWAY = 'mesh';

/** What is wrong with a gateway reference: an error, a legacy-form warning, or nothing. */
export interface GatewayRefProblem {
  readonly severity: Severity;
  readonly problem: string;
  readonly fix: string;
}

/**
 * VS-04: a gateway reference is `mesh`, a short name (the gateway in the VirtualService's namespace),
 * `namespace/name` with both parts DNS-1123 labels, or the deprecated `name.namespace` form (a warning, as in Istio).
 */
export function gatewayRefProblem(ref: unknown): GatewayRefProblem | undefined {
  const fix = 'Reference the gateway as "<namespace>/<name>", both DNS-1123 labels (or "mesh" for sidecars).';
  if (typeof ref !== 'string' || ref === '') return { severity: Severity.ERROR, problem: 'is empty', fix };
  if (ref === MESH_GATEWAY) return undefined;
  const slash = ref.indexOf('/');
  if (slash >= 0) {
    const ns = ref.slice(0, slash);
    const name = ref.slice(slash + 1);
    if (ns === '' || name === '') return { severity: Severity.ERROR, problem: 'has an empty namespace or name', fix };
    const nsProblem = dnsLabelProblem(ns);
    if (nsProblem) return { severity: Severity.ERROR, problem: `has namespace "${ns}" that ${nsProblem}`, fix };
    const nameProblem = dnsLabelProblem(name);
    if (nameProblem) return { severity: Severity.ERROR, problem: `has gateway name "${name}" that ${nameProblem}`, fix };
    return undefined;
  }
  const labels = ref.split('.');
  const bad = labels.find((l) => dnsLabelProblem(l) !== undefined);
  if (bad !== undefined || ref.length > 255) {
    return { severity: Severity.ERROR, problem: bad !== undefined ? `has "${bad}", which ${dnsLabelProblem(bad)}` : 'is longer than 255 characters', fix };
  }
  if (labels.length > 1) {
    return { severity: Severity.WARNING, problem: 'uses the legacy dotted "name.namespace" form', fix: `Write it as "${labels[1]}/${labels[0]}" (<namespace>/<name>).` };
  }
  return undefined;
}

/**
 * VS-04, the part Istio rejects: what is wrong with a gateway reference, or `undefined` when Istio accepts it
 * (the legacy `name.namespace` form included: it is only warned about, see {@link gatewayRefProblem}).
 */
export const gatewayRefError = invariant('VS-04', (ref: unknown): string | undefined => {
  const p = gatewayRefProblem(ref);
  return p?.severity === Severity.ERROR ? p.problem : undefined;
});

/**
 * Istio's resolution of a VirtualService gateway reference to `namespace/name`: `ns/name` as written
 * (`./name` is the VirtualService's namespace), a bare `name` in the VirtualService's namespace, and the
 * legacy `name.ns[.svc…]` form. `undefined` for `mesh` and for references that cannot be read.
 */
export function resolveGatewayRef(ref: unknown, vsNamespace: string): string | undefined {
  if (typeof ref !== 'string' || ref === '' || ref === MESH_GATEWAY) return undefined;
  const slash = ref.indexOf('/');
  if (slash >= 0) {
    const ns = ref.slice(0, slash);
    const name = ref.slice(slash + 1);
    if (!ns || !name) return undefined;
    return `${ns === '.' ? vsNamespace : ns}/${name}`;
  }
  const dot = ref.indexOf('.');
  if (dot < 0) return `${vsNamespace}/${ref}`;
  const rest = ref.slice(dot + 1).split('.')[0];
  return rest ? `${rest}/${ref.slice(0, dot)}` : undefined;
}

/**
 * GW-02: why a Gateway server host (`host`, `*`, `<namespace>/host` with namespace `*`, `.` or a name) is not one
 * Istio accepts, or `undefined`: an empty part, a bad namespace, or a short (dot-less) name a gateway cannot resolve.
 * Host grammar itself is X-03's.
 */
export const serverHostProblem = invariant('GW-02', (entry: string): string | undefined => {
  const slash = entry.indexOf('/');
  const ns = slash >= 0 ? entry.slice(0, slash) : undefined;
  const name = slash >= 0 ? entry.slice(slash + 1) : entry;
  if (ns !== undefined && (ns === '' || name === '')) return `has an empty ${ns === '' ? 'namespace' : 'host'} part`;
  if (ns !== undefined && ns !== '*' && ns !== '.' && dnsLabelProblem(ns)) return `namespace part "${ns}" ${dnsLabelProblem(ns)}`;
  if (name !== '*' && name !== '' && !name.includes('.')) return 'is a short name; gateway hosts must be fully qualified';
  return undefined;
});
