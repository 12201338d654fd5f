import { formatMillis } from '../core/grammar';
import { arr, isRecord } from '../core/json';
import { HostPolicy, routingPolicy, rulePolicy, ruleTimeouts } from '../engine/call-policy';
import { IstioObject } from '../engine/types';
import { meshHostsOf, RouteBackend, routeHostnames, routeParents, RouteRule, routeRules } from '../engine/view-route';
import { isMeshBound } from '../engine/view-vs';
import { cell, inline } from './markdown';
/**
 * The HTTPRoute part of a service section of the traffic report: the route's parents, one row per rule (match,
 * backends with their shares, retries and timeouts as Istio applies them, filters), and the policy callers get. The
 * route simulator behind the request tables reads VirtualServices only, so an HTTPRoute gets no request table: the
 * section says so.
 */

/** Said under every HTTPRoute, in place of a request table. */
export const HTTPROUTE_NOT_SIMULATED = 'Request tables are not simulated for HTTPRoutes (the route simulator reads VirtualServices only).';

/** The service host an HTTPRoute is listed under: its first Service parent, else its first host name, else `*` (every host of its Gateways). */
export function reportHostOf(route: IstioObject): string {
  return meshHostsOf(route)[0] ?? routeHostnames(route)[0] ?? '*';
}

function parentsText(route: IstioObject): string {
  const parents = routeParents(route).map((p) => {
    const where = p.kind === 'Service' ? `Service ${p.name}` : p.kind === 'Gateway' ? `Gateway ${p.namespace}/${p.name}` : `${p.name} (not a Gateway or Service)`;
    return `${where}${p.sectionName ? ` section ${p.sectionName}` : ''}${p.port !== undefined ? ` port ${p.port}` : ''}`;
  });
  return parents.length > 0 ? parents.join(', ') : 'no parents';
}

function matchText(rule: RouteRule): string {
  if (rule.catchAll) return 'everything else';
  return arr(rule.rule.matches).filter(isRecord).map((m) => {
    const parts: string[] = [];
    if (isRecord(m.path)) parts.push(`path ${m.path.type ?? 'PathPrefix'} ${m.path.value ?? '/'}`);
    if (typeof m.method === 'string') parts.push(`method ${m.method}`);
    for (const h of arr(m.headers).filter(isRecord)) parts.push(`header ${h.name} ${h.type ?? 'Exact'} ${h.value}`);
    for (const q of arr(m.queryParams).filter(isRecord)) parts.push(`query ${q.name} ${q.type ?? 'Exact'} ${q.value}`);
    return parts.join(' and ') || 'everything';
  }).join(' or ');
}

const target = (b: RouteBackend) => `${b.host ?? `${b.kind} ${b.namespace}/${b.name}`}${b.port !== undefined ? `:${b.port}` : ''}`;

/** Each backend with its share of the rule's traffic (weights are relative in the Gateway API). */
export function backendShares(rule: RouteRule): Array<{ backend: RouteBackend; percent: number }> {
  const total = rule.backends.reduce((n, b) => n + Math.max(0, b.weight), 0);
  return rule.backends.map((backend) => ({ backend, percent: total > 0 ? (Math.max(0, backend.weight) * 100) / total : 0 }));
}

function backendsText(rule: RouteRule): string {
  const shares = backendShares(rule);
  if (shares.every((s) => s.percent === 0)) return shares.length === 0 ? 'none (500)' : 'no backend with a weight (500)';
  return shares.map((s) => (shares.length > 1 ? `${target(s.backend)} ${Number(s.percent.toFixed(2))}%` : target(s.backend))).join(', ');
}

function retriesText(rule: RouteRule): string {
  const retry = rule.rule.retry;
  if (!isRecord(retry)) return "Istio's default (2 on connect-failure, refused-stream, unavailable, cancelled, 503; the standard channel has no retry field)";
  const { attempts } = rulePolicy(rule);
  return attempts === 0 ? 'none (retry, experimental channel)' : `${attempts} (retry, experimental channel)`;
}

function timeoutText(rule: RouteRule): string {
  const { requestMs, backendRequestMs } = ruleTimeouts(rule);
  const { timeoutMs } = rulePolicy(rule);
  if (timeoutMs === undefined) return backendRequestMs !== undefined ? `none (backendRequest ${formatMillis(backendRequestMs)} per try)` : 'none';
  if (timeoutMs === backendRequestMs && !isRecord(rule.rule.retry)) return `${formatMillis(timeoutMs)} (backendRequest${requestMs !== undefined ? `; request ${formatMillis(requestMs)}` : ''})`;
  return `${formatMillis(timeoutMs)}${backendRequestMs !== undefined ? ` (backendRequest ${formatMillis(backendRequestMs)} per try)` : ''}`;
}

function filtersText(rule: RouteRule): string {
  return arr(rule.rule.filters).filter(isRecord).map((f) => {
    if (f.type === 'RequestMirror' && isRecord(f.requestMirror)) {
      const m = f.requestMirror;
      const ref = isRecord(m.backendRef) ? m.backendRef : {};
      const share = typeof m.percent === 'number' ? m.percent
        : isRecord(m.fraction) && typeof m.fraction.numerator === 'number' ? (m.fraction.numerator * 100) / (typeof m.fraction.denominator === 'number' && m.fraction.denominator > 0 ? m.fraction.denominator : 100) : 100;
      return `mirror ${ref.name ?? '?'} ${Number(share.toFixed(2))}%`;
    }
    return String(f.type ?? 'filter');
  }).join('; ');
}

/** What the call-chain analysis makes of the policy (attempts, timeout, worst case) callers get. */
function policyText(p: HostPolicy): string {
  return `${p.attempts + 1} attempt(s) per request (${p.attemptsSource}), timeout ${p.timeoutMs !== undefined ? formatMillis(p.timeoutMs) : 'none (some rule has no timeout)'}, `
    + `worst case ${p.worstMs !== undefined ? formatMillis(p.worstMs) : 'unbounded'}`;
}

/** The lines of one service section for the HTTPRoutes listed under `host` (`vss`: the section's VirtualServices). */
export function httpRouteLines(host: string, routes: readonly IstioObject[], vss: readonly IstioObject[]): string[] {
  const lines: string[] = [];
  for (const route of routes) {
    lines.push(`HTTPRoute \`${inline(route.namespace ?? 'default')}/${inline(route.name)}\` (parents: ${inline(parentsText(route))}):`, '');
    const rules = routeRules(route);
    if (rules.length > 0) {
      lines.push('| Rule | Match | Backends | Retries | Timeout | Filters |', '|---|---|---|---|---|---|');
      for (const r of rules) {
        lines.push(`| ${cell(typeof r.rule.name === 'string' && r.rule.name ? r.rule.name : `rules[${r.index}]`)} | ${cell(matchText(r))} | ${cell(backendsText(r))} | ${cell(retriesText(r))} | ${cell(timeoutText(r))} | ${cell(filtersText(r))} |`);
      }
      lines.push('');
    }
    const meshVs = meshHostsOf(route).includes(host) ? vss.find((vs) => isMeshBound(vs.spec)) : undefined;
    lines.push(meshVs
      ? `VirtualService \`${inline(meshVs.namespace ?? 'default')}/${inline(meshVs.name)}\` also routes this host for the mesh; the call-chain analysis reads the VirtualService.`
      : `${meshHostsOf(route).length > 0 ? 'Callers get' : 'Requests through the gateway get'}: ${inline(policyText(routingPolicy(route)))}.`, '');
    lines.push(HTTPROUTE_NOT_SIMULATED, '');
  }
  return lines;
}
