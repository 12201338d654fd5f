import { Severity } from '../../core/errors';
import { fqdn, HostIndex } from '../../core/hosts';
import { arr, isRecord } from '../../core/json';
import { routeWeightProblem } from '../../core/split';
import { AppFinding, Finding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { label } from '../../engine/view';
import { destinationsOf, isMeshBound, routeLabel } from '../../engine/view-vs';

function hasMatch(route: any): boolean {
  return arr(route?.match).length > 0;
}

export const VS06: Rule = {
  code: 'VS-06', title: 'Exactly one catch-all HTTP route, and it is last', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Routes are evaluated top to bottom; routes after a match-less route are unreachable, and requests matching no route get 404 (NR). A list whose every route selects a port splits the host by port (Istio\'s egress TLS-origination task) and only warns: whether a port is left over depends on the host\'s ports. A route whose match names only gateways is the catch-all of those gateways (the egress-gateway pattern); one per bound gateway is enough.',
  fix: 'End the http list with exactly one route without `match`; put specific routes above it.',
  upstream: 'IST0130 (webhook V39), Istio best practices, Flagger pattern',
  checkObject(o: IstioObject): Finding[] {
    const http = arr(o.spec.http);
    if (http.length === 0 || o.spec.hosts === undefined) return [];
    const catchAll = http.map((r, i) => (hasMatch(r) ? -1 : i)).filter((i) => i >= 0);
    const out: Finding[] = [];
    const first = catchAll[0];
    if (first !== undefined && first < http.length - 1) {
      const unreachable = http.slice(first + 1).map((r, j) => routeLabel(r, first + 1 + j)).join(', ');
      out.push({
        message: `${routeLabel(http[first], first)} has no match, so ${unreachable} after it can never be reached`,
        fix: 'Move the route without `match` to the end of the http list (exactly one catch-all).', value: first,
      });
    }
    if (catchAll.length === 0 && !everyScopeCaught(o.spec, http)) {
      const mesh = isMeshBound(o.spec);
      // Routes that all select a port split the host by port (Istio's egress TLS-origination task matches port 80
      // only, the host's one HTTP port): whether a port is left over depends on the host's ports, so a warning.
      const byPort = http.every((r) => arr(r?.match).every((m) => typeof m?.port === 'number'));
      out.push({
        severity: mesh && !byPort ? Severity.ERROR : Severity.WARNING,
        message: `${label(o)} has no catch-all route: requests matching none of its ${http.length} routes get 404 (NR)`
          + (byPort ? ' (every route selects a port: requests on other HTTP ports of the host)' : mesh ? '' : ' unless another VirtualService on the same gateway supplies a default'),
        fix: 'Add a final route without `match` that sends the remaining traffic to the default destination.',
      });
    }
    return out;
  },
};

/**
 * Whether every gateway the VirtualService binds (`mesh` when none) has a catch-all of its own: a route whose
 * match names that gateway and nothing else (Istio's egress-gateway pattern: `{ gateways: [mesh] }` to the egress
 * gateway, `{ gateways: [istio-egressgateway] }` to the external host).
 */
function everyScopeCaught(spec: any, http: any[]): boolean {
  const scopes = arr(spec.gateways).length > 0 ? arr(spec.gateways) : ['mesh'];
  const caught = new Set<unknown>();
  for (const r of http) {
    for (const m of arr(r?.match)) {
      if (!isRecord(m) || !Array.isArray(m.gateways) || Object.keys(m).some((k) => k !== 'gateways' && k !== 'name')) continue;
      for (const g of m.gateways) caught.add(g);
    }
  }
  return scopes.every((g) => caught.has(g));
}

function routeSections(spec: any): Array<{ section: string; routes: any[] }> {
  return ['http', 'tcp', 'tls'].map((section) => ({ section, routes: arr(spec[section]) }));
}

export const VS11: Rule = {
  code: 'VS-11', title: 'Weights of a multi-destination route are non-negative integers summing to 100', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio normalises other totals silently, so a split that does not add up to 100 is not the split you read. Stricter than Istio ≥ 1.15, as Flagger and Argo Rollouts emit.',
  fix: 'Give every destination an integer weight so that they add up to exactly 100.',
  upstream: 'webhook V31, Kiali weightsum (retired), Istio PR #39544',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { section, routes } of routeSections(o.spec)) {
      routes.forEach((rule, i) => {
        const dests = arr(rule?.route);
        const weights = dests.map((d) => (isRecord(d) && d.weight !== undefined ? d.weight : 0));
        const bad = weights.find((w) => routeWeightProblem(w) !== undefined);
        if (bad !== undefined) {
          out.push({ message: `${routeLabel(rule, i, section)} has weight ${JSON.stringify(bad)}`, fix: this.fix, value: bad, allowed: 'integer >= 0' });
          return;
        }
        if (dests.length < 2) return;
        const sum = weights.reduce((a, b) => a + b, 0);
        if (sum !== 100) {
          out.push({
            message: `${routeLabel(rule, i, section)} weights ${weights.join(' + ')} = ${sum}${sum === 0 ? ' (no traffic can be routed)' : ''}`,
            fix: this.fix, value: sum, allowed: 'sum of 100',
          });
        }
      });
    }
    return out;
  },
};

export const VS12: Rule = {
  code: 'VS-12', title: 'A single destination has no partial weight', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService'],
  why: 'Istio sends 100% to a lone destination whatever its weight, so a weight of 1-99 states a split that does not happen.',
  fix: 'Remove the weight, set it to 100, or add the other destination of the split.',
  upstream: 'KIA1104',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { section, routes } of routeSections(o.spec)) {
      routes.forEach((rule, i) => {
        const dests = arr(rule?.route);
        const w = dests.length === 1 && isRecord(dests[0]) ? dests[0].weight : undefined;
        if (typeof w === 'number' && w >= 1 && w <= 99) {
          out.push({ message: `${routeLabel(rule, i, section)} has a single destination with weight ${w}; it receives 100%`, fix: this.fix, value: w, allowed: 'none or 100' });
        }
      });
    }
    return out;
  },
};

export const VS16: Rule = {
  code: 'VS-16', title: 'Every referenced subset is defined by a DestinationRule for that host', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['VirtualService'],
  why: 'A route to an undefined subset has no endpoints: requests fail with 503 (NR/UH) until the subset exists. Subsets may come from DestinationRules in the App or the inventory (`subsets` by host); lint without --complete notes, rather than reports, a host with no DestinationRule in its input.',
  fix: 'Define the subset (name and labels) in a DestinationRule for the same host, applied before the VirtualService.',
  upstream: 'IST0101 (host+subset), KIA1107, Argo Rollouts',
  checkApp(ctx: RuleContext): AppFinding[] {
    const index = new HostIndex<Set<string>>();
    for (const dr of ctx.ofKind('DestinationRule')) {
      if (typeof dr.spec.host !== 'string') continue;
      const subsets = arr(dr.spec.subsets).map((s) => s?.name).filter((n): n is string => typeof n === 'string');
      index.add(fqdn(dr.spec.host, dr.namespace), new Set(subsets));
    }
    const out: AppFinding[] = [];
    for (const vs of ctx.ofKind('VirtualService')) {
      for (const d of destinationsOf(vs.spec)) {
        if (!d.subset) continue;
        const host = fqdn(d.host, vs.namespace);
        const declared = ctx.inventory?.subsets?.[host];
        const defined = index.lookup(host);
        // The common case first, without building anything: a DestinationRule (or the inventory) defines the subset.
        if (defined.some((r) => r.has(d.subset!)) || (Array.isArray(declared) && declared.includes(d.subset))) continue;
        const rules = [...defined, ...(Array.isArray(declared) ? [new Set(declared)] : [])];
        if (rules.length === 0 && !ctx.complete) {
          ctx.notChecked(`subset "${d.subset}" of ${host} (${vs.path}): no DestinationRule for the host in the input or the inventory`);
          continue;
        }
        const known = [...new Set(rules.flatMap((r) => [...r]))];
        out.push({
          object: vs, value: d.subset, allowed: known.length ? known.join(', ') : 'no subsets defined',
          message: `${d.where} routes to subset "${d.subset}" of ${host}, which ${rules.length === 0 ? 'no DestinationRule in the App defines' : `is not among the defined subsets (${known.join(', ') || 'none'})`}`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};
