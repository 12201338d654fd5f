import { Severity } from '../../core/errors';
import { arr, isRecord, isSet } from '../../core/json';
import {
  distributeTotalProblem, distributeWeightProblem, failoverPairProblem, failoverWildcardProblem, failoverZoneProblem, localityProblem,
} from '../../core/locality';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { policiesOf, policyLevels } from '../../engine/view-dr';

const TOPOLOGY_LABELS = new Set(['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']);

/**
 * Problems of a list of localities (`region[/zone[/subzone]]`, optionally ending in `*`), in the order Istio
 * reads them: each entry through {@link localityProblem}, the check `LocalityFailover.distribute` enforces.
 */
export function localityProblems(localities: readonly unknown[]): Array<{ locality: unknown; problem: string }> {
  const out: Array<{ locality: unknown; problem: string }> = [];
  localities.forEach((locality, i) => {
    const problem = localityProblem(locality, localities.slice(0, i));
    if (problem) out.push({ locality, problem });
  });
  return out;
}

export const DR10: Rule = {
  code: 'DR-10', title: 'Locality load-balancing settings are well formed', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['DestinationRule'],
  why: 'Istio rejects distribute together with failover, distribute weights outside 1-100 or not totalling 100 per "from", malformed or overlapping localities, failover between equal regions, with "/" or "*", region/zone/subzone labels in failoverPriority together with failover, and localityLbSetting together with zoneAwareLbSetting.',
  fix: 'Use either distribute (weights 1-100 totalling 100 per from) or failover (region to a different region); list localities as region[/zone[/subzone]] with "*" only at the end, most specific first.',
  upstream: 'webhook D18-D21',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { where, policy } of policiesOf(o.spec)) {
      const lb = isRecord(policy.loadBalancer) ? policy.loadBalancer : undefined;
      if (!lb) continue;
      const at = `${where}.loadBalancer.localityLbSetting`;
      if (isSet(lb.localityLbSetting) && isSet(lb.zoneAwareLbSetting)) {
        out.push({ message: `${where}.loadBalancer sets both localityLbSetting and zoneAwareLbSetting`, fix: this.fix, allowed: 'one of them' });
      }
      if (isRecord(lb.localityLbSetting)) out.push(...localitySettingProblems(lb.localityLbSetting, at, this.fix));
    }
    return out;
  },
};

function localitySettingProblems(setting: Record<string, any>, at: string, fix: string): Finding[] {
  const out: Finding[] = [];
  const distribute = arr(setting.distribute);
  const failover = arr(setting.failover);
  if (distribute.length > 0 && failover.length > 0) {
    out.push({ message: `${at} sets both distribute and failover`, fix, allowed: 'distribute or failover' });
  }
  if (failover.length > 0) {
    for (const label of arr(setting.failoverPriority)) {
      if (typeof label === 'string' && TOPOLOGY_LABELS.has(label)) {
        out.push({ message: `${at}.failoverPriority lists topology label "${label}" while failover is set`, fix: 'Drop the region/zone/subzone labels from failoverPriority, or drop failover.', value: label });
      }
    }
  }
  distribute.forEach((d, i) => {
    const to = isRecord(d) && isRecord(d.to) ? d.to : {};
    for (const k of Object.keys(to)) {
      const problem = distributeWeightProblem(to[k]);
      if (problem) out.push({ message: `${at}.distribute[${i}].to["${k}"] weight ${JSON.stringify(to[k])} ${problem}`, fix, value: to[k], allowed: 'integer 1-100' });
    }
    const weights = Object.keys(to).map((k) => to[k]);
    const total = distributeTotalProblem(weights);
    if (total) out.push({ message: `${at}.distribute[${i}].to weights ${total}`, fix, value: weights.reduce((a: number, w) => a + (typeof w === 'number' ? w : 0), 0), allowed: 'a total of 100' });
    for (const p of localityProblems(Object.keys(to))) {
      out.push({ message: `${at}.distribute[${i}].to locality ${JSON.stringify(p.locality)} ${p.problem}`, fix, value: p.locality });
    }
  });
  const sources = distribute.map((d) => (isRecord(d) ? d.from : undefined));
  for (const p of localityProblems(sources)) {
    out.push({ message: `${at}.distribute from locality ${JSON.stringify(p.locality ?? null)} ${p.problem}`, fix, value: p.locality ?? null });
  }
  failover.forEach((f, i) => {
    const from = isRecord(f) ? f.from : undefined;
    const to = isRecord(f) ? f.to : undefined;
    const where = `${at}.failover[${i}]`;
    const same = failoverPairProblem(from, to);
    if (same) out.push({ message: `${where} ${same}`, fix, value: from ?? null, allowed: 'two different regions' });
    for (const [field, v] of [['from', from], ['to', to]] as const) {
      if (typeof v !== 'string') continue;
      const zone = failoverZoneProblem(v);
      if (zone) out.push({ message: `${where}.${field} "${v}" ${zone}`, fix: 'Fail over between regions only (no zone or subzone).', value: v, allowed: 'a region' });
      const wildcard = failoverWildcardProblem(v);
      if (wildcard) out.push({ message: `${where}.${field} "${v}" ${wildcard}`, fix: 'Name the region explicitly.', value: v, allowed: 'a region without "*"' });
    }
  });
  return out;
}

function failoverKind(lb: any): 'failover' | 'plain' | undefined {
  const locality = isRecord(lb) ? lb.localityLbSetting : undefined;
  if (!isRecord(locality) || locality.enabled === false) return undefined;
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
      if (!kind || isRecord(level.outlierDetection) || !definesHere) continue;
      out.push(kind === 'failover'
        ? { message: `${level.where} sets locality failover without outlierDetection, so failover never happens`, fix: this.fix }
        : { severity: Severity.WARNING, message: `${level.where} enables localityLbSetting without outlierDetection or distribute, which has no effect`, fix: this.fix });
    }
    return out;
  },
};
