import { Severity } from '../errors';
import { Finding, IstioObject, Rule } from './engine';
import { arr, isObject } from './manifest';

/** One traffic policy level of a DestinationRule with what it inherits (top → subset → port). */
interface PolicyLevel {
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
    if (!isObject(policy)) return;
    const level: PolicyLevel = {
      where, own: policy,
      loadBalancer: policy.loadBalancer ?? parent?.loadBalancer,
      outlierDetection: policy.outlierDetection ?? parent?.outlierDetection,
    };
    out.push(level);
    arr(policy.portLevelSettings).forEach((p, i) => {
      if (!isObject(p)) return;
      const port = isObject(p.port) ? p.port.number : undefined;
      visit(p, `${where}.portLevelSettings[${i}]${port !== undefined ? ` (port ${port})` : ''}`, level);
    });
  };
  const top = isObject(spec.trafficPolicy) ? spec.trafficPolicy : {};
  visit(top, 'trafficPolicy');
  const topLevel = out[0];
  arr(spec.subsets).forEach((s, i) => {
    const name = isObject(s) && typeof s.name === 'string' ? `subset "${s.name}"` : `subsets[${i}]`;
    if (isObject(s) && isObject(s.trafficPolicy)) visit(s.trafficPolicy, `${name} trafficPolicy`, topLevel);
  });
  return out;
}

export const DR03: Rule = {
  code: 'DR-03', title: 'Every subset has labels', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['DestinationRule'],
  why: 'A subset without labels selects every endpoint of the host, so routing to it is not routing to a version at all. Stricter than Istio (which accepts it) and Kiali (warning).',
  fix: "Give the subset the labels only its pods carry, e.g. labels: { version: 'v2' }.",
  upstream: 'KIA0209 (warning upstream, raised here); webhook D3 accepts it',
  checkObject(o: IstioObject): Finding[] {
    return arr(o.spec.subsets).flatMap((s, i): Finding[] => {
      const labels = isObject(s) ? s.labels : undefined;
      if (isObject(labels) && Object.keys(labels).length > 0) return [];
      const name = isObject(s) && typeof s.name === 'string' ? `subset "${s.name}"` : `subsets[${i}]`;
      return [{ message: `${name} has no labels, so it selects every pod of ${JSON.stringify(o.spec.host)}`, fix: this.fix, value: labels ?? null, allowed: 'at least one label' }];
    });
  },
};

export const DR08: Rule = {
  code: 'DR-08', title: 'maxEjectionPercent 100 needs minHealthPercent > 0', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['DestinationRule'],
  why: "With maxEjectionPercent 100 every endpoint can be ejected; with minHealthPercent 0 (Istio's default) Envoy's panic routing is off, so a partial failure becomes a full outage (503 UH).",
  fix: 'Keep maxEjectionPercent at 50 or lower, or set minHealthPercent (e.g. 30) as a safety net.',
  upstream: 'Derived: pilot applyOutlierDetection (minHealthPercent → healthy panic threshold)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const level of policyLevels(o.spec)) {
      const od = level.own.outlierDetection;
      if (!isObject(od) || od.maxEjectionPercent !== 100) continue;
      const min = typeof od.minHealthPercent === 'number' ? od.minHealthPercent : 0;
      if (min === 0) {
        out.push({ message: `${level.where}.outlierDetection has maxEjectionPercent 100 and minHealthPercent ${od.minHealthPercent ?? 'unset (0)'}: every endpoint can be ejected with no panic fallback`, fix: this.fix, value: 100, allowed: 'maxEjectionPercent < 100, or minHealthPercent > 0' });
      } else {
        out.push({ severity: Severity.WARNING, message: `${level.where}.outlierDetection may eject every endpoint (maxEjectionPercent 100); only panic routing below ${min}% healthy remains`, fix: this.fix, value: 100 });
      }
    }
    return out;
  },
};

function failoverKind(lb: any): 'failover' | 'plain' | undefined {
  const locality = isObject(lb) ? lb.localityLbSetting : undefined;
  if (!isObject(locality) || locality.enabled === false) return undefined;
  if (arr(locality.failover).length > 0 || arr(locality.failoverPriority).length > 0) return 'failover';
  return arr(locality.distribute).length > 0 ? undefined : 'plain';
}

export const DR09: Rule = {
  code: 'DR-09', title: 'Locality failover needs outlier detection in the same effective policy', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['DestinationRule'],
  why: 'Envoy fails over only when it sees endpoints as unhealthy, which outlier detection provides; pilot silently skips failover without it, so the setting is inert. Istio itself only warns.',
  fix: 'Add outlierDetection (e.g. consecutive5xxErrors 5, interval 10s, baseEjectionTime 30s) to the same traffic policy.',
  upstream: 'webhook D22 (warning upstream, raised here); Istio locality failover task; pilot loadbalancer.go',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const level of policyLevels(o.spec)) {
      const kind = failoverKind(level.loadBalancer);
      const definesHere = level.where === 'trafficPolicy' || level.own.loadBalancer !== undefined || level.own.outlierDetection !== undefined;
      if (!kind || isObject(level.outlierDetection) || !definesHere) continue;
      out.push(kind === 'failover'
        ? { message: `${level.where} sets locality failover without outlierDetection, so failover never happens`, fix: this.fix }
        : { severity: Severity.WARNING, message: `${level.where} enables localityLbSetting without outlierDetection or distribute, which has no effect`, fix: this.fix });
    }
    return out;
  },
};
