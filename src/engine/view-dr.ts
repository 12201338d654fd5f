import { fqdn, isWildcardHost } from '../core/hosts';
import { arr, isRecord } from '../core/json';
import { IstioObject } from './types';
/** Reading DestinationRules the way every DR rule needs: the traffic policy levels Istio merges, subsets, hosts. */

/** One traffic policy level of a DestinationRule with what it inherits (top → subset → port). */
export interface PolicyLevel {
  readonly where: string;
  readonly own: any;
  /** Effective loadBalancer and outlierDetection after inheritance. */
  readonly loadBalancer: any;
  readonly outlierDetection: any;
}

/** Every traffic policy level of a DestinationRule, with the inheritance Istio applies per field. */
export function policyLevels(spec: any): PolicyLevel[] {
  const out: PolicyLevel[] = [];
  const visit = (policy: any, where: string, parent?: PolicyLevel) => {
    if (!isRecord(policy)) return;
    const level: PolicyLevel = {
      where, own: policy,
      loadBalancer: policy.loadBalancer ?? parent?.loadBalancer,
      outlierDetection: policy.outlierDetection ?? parent?.outlierDetection,
    };
    out.push(level);
    arr(policy.portLevelSettings).forEach((p, i) => {
      if (!isRecord(p)) return;
      const port = isRecord(p.port) ? p.port.number : undefined;
      visit(p, `${where}.portLevelSettings[${i}]${port !== undefined ? ` (port ${port})` : ''}`, level);
    });
  };
  const top = isRecord(spec.trafficPolicy) ? spec.trafficPolicy : {};
  visit(top, 'trafficPolicy');
  const topLevel = out[0];
  arr(spec.subsets).forEach((s, i) => {
    const name = isRecord(s) && typeof s.name === 'string' ? `subset "${s.name}"` : `subsets[${i}]`;
    if (isRecord(s) && isRecord(s.trafficPolicy)) visit(s.trafficPolicy, `${name} trafficPolicy`, topLevel);
  });
  return out;
}


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
    .filter((l) => l.where !== 'trafficPolicy' || isRecord(spec.trafficPolicy))
    .map((l) => ({ where: l.where, policy: l.own, port: l.where.includes('.portLevelSettings[') }));
}

/** The top-level and subset-level traffic policies (not port levels). */
export function rootPoliciesOf(spec: any): PolicyAt[] {
  return policiesOf(spec).filter((p) => !p.port);
}

/** `subset "v2"` or `subsets[3]` for messages. */
export function subsetLabel(subset: any, index: number): string {
  return isRecord(subset) && typeof subset.name === 'string' && subset.name ? `subset "${subset.name}"` : `subsets[${index}]`;
}

/** A DestinationRule's host, resolved as Istio does (short names in the DR's namespace), or `undefined`. */
export function drHost(o: IstioObject): string | undefined {
  const host = o.spec.host;
  return typeof host === 'string' && host.length > 0 ? fqdn(host, o.namespace) : undefined;
}

/** The top-level `trafficPolicy.tls.mode` of a DestinationRule. */
export function topTlsMode(spec: any): string | undefined {
  const mode = isRecord(spec.trafficPolicy) && isRecord(spec.trafficPolicy.tls) ? spec.trafficPolicy.tls.mode : undefined;
  return typeof mode === 'string' ? mode : undefined;
}

/** Whether a DestinationRule enables mTLS for a wildcard host (a mesh- or namespace-wide mTLS rule, exempt from DR-19). */
export function isWideMtlsRule(o: IstioObject): boolean {
  return typeof o.spec.host === 'string' && isWildcardHost(o.spec.host) && topTlsMode(o.spec) === 'ISTIO_MUTUAL';
}

/**
 * The connection pool Istio applies to a destination: the top-level policy (replaced wholesale by a matching
 * port-level entry), overridden field by field by the subset policy, then by the subset's port-level entry.
 */
export function effectiveConnectionPool(dr: IstioObject, subset: string | undefined, port: number | undefined): any {
  const portLevel = (policy: any) => (port === undefined ? undefined
    : arr(policy?.portLevelSettings).find((p) => isRecord(p) && isRecord(p.port) && p.port.number === port));
  const top = isRecord(dr.spec.trafficPolicy) ? dr.spec.trafficPolicy : undefined;
  const topPort = portLevel(top);
  let pool = topPort ? topPort.connectionPool : top?.connectionPool;
  const sub = subset === undefined ? undefined : arr(dr.spec.subsets).find((s) => isRecord(s) && s.name === subset);
  const subPolicy = isRecord(sub) && isRecord(sub.trafficPolicy) ? sub.trafficPolicy : undefined;
  if (subPolicy?.connectionPool !== undefined) pool = subPolicy.connectionPool;
  const subPort = portLevel(subPolicy);
  if (subPort) pool = subPort.connectionPool;
  return pool;
}

