import { Severity } from '../../core/errors';
import { hostsIntersect } from '../../core/hosts';
import { arr, hasText, isRecord } from '../../core/json';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { GATEWAY_API_GROUP } from '../../core/k8s';
import { namespaceOf, nsName } from '../../engine/view';
import { RouteParent, routeHostnames, routeParents } from '../../engine/view-route';
import { routeName, routeTargets } from './services';

/** The label every namespace carries with its own name (Kubernetes ≥ 1.21), the one a namespace selector can be decided by here. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Listeners named in a refusal message before "and N more". */
const SHOWN = 3;

/** One listener of a Gateway API Gateway. */
interface Listener {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly hostname?: string;
  readonly allowedRoutes: Record<string, any>;
}

function listenersOf(gw: IstioObject): Listener[] {
  return arr(gw.spec.listeners).filter(isRecord).map((l) => ({
    ...(hasText(l.name) ? { name: l.name } : {}),
    ...(typeof l.port === 'number' ? { port: l.port } : {}),
    ...(hasText(l.protocol) ? { protocol: l.protocol } : {}),
    ...(hasText(l.hostname) ? { hostname: l.hostname.toLowerCase() } : {}),
    allowedRoutes: isRecord(l.allowedRoutes) ? l.allowedRoutes : {},
  }));
}

/** `listener "https"` (or `listener on port 443`) for messages. */
function listenerLabel(l: Listener): string {
  return l.name ? `listener "${l.name}"` : `listener on port ${l.port ?? '?'}`;
}

/** Whether a label selector selects the namespace `ns`, decided by `kubernetes.io/metadata.name` only (undefined: other labels decide). */
export function selectsNamespace(selector: unknown, ns: string): boolean | undefined {
  if (!isRecord(selector)) return undefined;
  let open = false;
  for (const [key, value] of Object.entries(isRecord(selector.matchLabels) ? selector.matchLabels : {})) {
    if (key !== NAMESPACE_NAME_LABEL) open = true;
    else if (value !== ns) return false;
  }
  for (const e of arr(selector.matchExpressions)) {
    if (!isRecord(e) || e.key !== NAMESPACE_NAME_LABEL) {
      open = true;
      continue;
    }
    const values = arr(e.values);
    if (e.operator === 'In' && !values.includes(ns)) return false;
    if (e.operator === 'NotIn' && values.includes(ns)) return false;
    if (e.operator === 'DoesNotExist') return false;
    if (!['In', 'NotIn', 'Exists'].includes(e.operator)) open = true;
  }
  return open ? undefined : true;
}

/** Why a listener refuses a route, and how to make it accept. */
interface Refusal {
  readonly reason: string;
  readonly fix: string;
}

/** A listener's verdict on a route: accepts, refuses (why), or cannot be decided from the input (why). */
type Verdict = { readonly accepts: true } | { readonly accepts: false; readonly refusal: Refusal } | { readonly accepts: 'unknown'; readonly note: string };

function verdict(l: Listener, gw: IstioObject, route: IstioObject, hostnames: readonly string[]): Verdict {
  const where = `${listenerLabel(l)} of Gateway "${nsName(gw)}"`;
  let unknown: string | undefined;
  // Route kinds: listed kinds, else the protocol's (HTTP and HTTPS take HTTPRoutes; TLS, TCP and UDP do not).
  const kinds = arr(l.allowedRoutes.kinds).filter(isRecord);
  const kindOk = kinds.length > 0
    ? kinds.some((k) => (k.group === undefined ? GATEWAY_API_GROUP : k.group) === GATEWAY_API_GROUP && k.kind === 'HTTPRoute')
    : l.protocol === 'HTTP' || l.protocol === 'HTTPS' ? true : ['TLS', 'TCP', 'UDP'].includes(l.protocol ?? '') ? false : undefined;
  if (kindOk === false) {
    return {
      accepts: false,
      refusal: {
        reason: `${listenerLabel(l)} takes no HTTPRoute (${kinds.length > 0 ? `allowedRoutes.kinds ${kinds.map((k) => k.kind).join(', ')}` : `protocol ${l.protocol}`})`,
        fix: `Attach the route to an HTTP or HTTPS listener of Gateway "${nsName(gw)}" (sectionName), or add HTTPRoute to allowedRoutes.kinds of ${listenerLabel(l)}.`,
      },
    };
  }
  if (kindOk === undefined) unknown = `${where}: protocol ${l.protocol ?? '(none)'} is not one whose route kinds are known`;
  // Namespaces: From defaults to Same, at every level the field can be left out.
  const routeNs = namespaceOf(route);
  const gwNs = namespaceOf(gw);
  const namespaces = isRecord(l.allowedRoutes.namespaces) ? l.allowedRoutes.namespaces : {};
  const from = namespaces.from === undefined ? 'Same' : namespaces.from;
  const allowNs = `Allow namespace ${routeNs} on ${listenerLabel(l)} (allowedRoutes.namespaces.from: All, or Selector with matchLabels ${NAMESPACE_NAME_LABEL}: ${routeNs}), or move the HTTPRoute into namespace ${gwNs}.`;
  if (from === 'Same' && routeNs !== gwNs) {
    const how = namespaces.from === undefined ? 'allowedRoutes.namespaces.from is unset and defaults to Same' : 'allowedRoutes.namespaces.from Same';
    return { accepts: false, refusal: { reason: `${listenerLabel(l)} admits routes of its own namespace ${gwNs} only (${how}), and the route is in ${routeNs}`, fix: allowNs } };
  }
  if (from === 'Selector') {
    const selected = selectsNamespace(namespaces.selector, routeNs);
    if (selected === false) {
      return { accepts: false, refusal: { reason: `${listenerLabel(l)} admits routes of the namespaces its allowedRoutes.namespaces.selector selects, and that selector does not select ${routeNs} (by ${NAMESPACE_NAME_LABEL})`, fix: allowNs } };
    }
    if (selected === undefined) unknown ??= `${where}: whether its allowedRoutes.namespaces.selector selects namespace ${routeNs} depends on Namespace labels, which the input does not hold`;
  } else if (from !== 'All' && from !== 'Same') {
    unknown ??= `${where}: allowedRoutes.namespaces.from ${JSON.stringify(from)} is not All, Same or Selector`;
  }
  // Hostnames: a listener without hostname, or a route without hostnames, matches every host.
  if (l.hostname && hostnames.length > 0 && !hostnames.some((h) => hostsIntersect(l.hostname!, h))) {
    return {
      accepts: false,
      refusal: {
        reason: `${listenerLabel(l)} serves hostname ${l.hostname}, which none of the route's hostnames (${hostnames.join(', ')}) intersects`,
        fix: `Add a hostname ${listenerLabel(l)} serves (${l.hostname}) to spec.hostnames, or add a listener for the route's hostnames.`,
      },
    };
  }
  return unknown ? { accepts: 'unknown', note: unknown } : { accepts: true };
}

/** The problem of a Gateway parent, or undefined when the route attaches (or it cannot be told). */
function gatewayProblem(ctx: RuleContext, route: IstioObject, p: RouteParent, gw: IstioObject): Omit<AppFinding, 'object'> | undefined {
  const listeners = listenersOf(gw);
  const gateway = `Gateway "${nsName(gw)}"`;
  const names = listeners.map((l) => l.name).filter((n): n is string => n !== undefined);
  const detached = 'the route does not attach there: Istio programs none of its rules on that gateway, which answers its requests with 404';
  if (p.sectionName !== undefined && !names.includes(p.sectionName)) {
    return {
      value: p.sectionName, allowed: names.join(', ') || 'no listeners',
      message: `${p.path}.sectionName "${p.sectionName}" names no listener of ${gateway} (listeners: ${names.map((n) => `"${n}"`).join(', ') || 'none'}): ${detached}`,
      fix: `Set sectionName to a listener of ${gateway} (${names.join(', ') || 'none'}), or leave it out to attach to every listener that admits the route.`,
    };
  }
  const candidates = listeners.filter((l) => (p.sectionName === undefined || l.name === p.sectionName) && (p.port === undefined || l.port === p.port));
  if (p.port !== undefined && candidates.length === 0) {
    const ports = [...new Set(listeners.filter((l) => p.sectionName === undefined || l.name === p.sectionName).map((l) => l.port).filter((n): n is number => n !== undefined))];
    return {
      value: p.port, allowed: ports.join(', ') || 'no listener ports',
      message: `${p.path}.port ${p.port} is the port of no listener${p.sectionName !== undefined ? ` named "${p.sectionName}"` : ''} of ${gateway} (ports: ${ports.join(', ') || 'none'}): ${detached}`,
      fix: `Set the parentRef port to a listener port of ${gateway} (${ports.join(', ') || 'none'}), or leave it out.`,
    };
  }
  if (candidates.length === 0) return undefined; // a Gateway without listeners is refused by its CRD schema
  const hostnames = routeHostnames(route);
  const verdicts = candidates.map((l) => verdict(l, gw, route, hostnames));
  if (verdicts.some((v) => v.accepts === true)) return undefined;
  const unknown = verdicts.find((v): v is { accepts: 'unknown'; note: string } => v.accepts === 'unknown');
  if (unknown) {
    ctx.notChecked(`attachment of ${routeName(route)} (${route.path} ${p.path}) to ${unknown.note}`);
    return undefined;
  }
  const refusals = verdicts.map((v) => (v as { refusal: Refusal }).refusal);
  const shown = refusals.slice(0, SHOWN).map((r) => r.reason).join('; ') + (refusals.length > SHOWN ? `; and ${refusals.length - SHOWN} more` : '');
  return {
    value: nsName(gw), allowed: 'a listener that admits the route',
    message: `${p.path} ${gateway} has no listener that admits the route: ${shown}; ${detached}`,
    fix: refusals[0].fix,
  };
}

export const GA03: Rule = {
  code: 'GA-03', title: 'An HTTPRoute\'s parentRefs name listeners and Service ports that exist and admit the route', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['HTTPRoute'],
  why: 'A route attaches to a Gateway only through a listener that matches the parentRef (sectionName is the listener name, port its port) and '
    + 'admits it: route kind (listed allowedRoutes.kinds, else the protocol: HTTP and HTTPS take HTTPRoutes), namespace (allowedRoutes.namespaces.from '
    + 'All, Same — the default, so a Gateway without allowedRoutes admits only routes of its own namespace — or Selector, decided here by '
    + `${NAMESPACE_NAME_LABEL}), and hostnames (a listener hostname, exact or *.suffix, must intersect one of the route's hostnames; either side `
    + 'unset matches all). A route no listener admits is not attached (Accepted=False: NoMatchingParent, NotAllowedByListeners, '
    + 'NoMatchingListenerHostname): none of its rules is programmed and its requests get 404 at the gateway. A Service parent (mesh routing, GAMMA) '
    + 'must exist and expose the parentRef port, or the route applies to no traffic. An error, as the route is inert. Gateways are checked when they '
    + 'are in the input (in an incomplete input, one that is not is listed as not checked); Service parents resolve as backendRefs do (GA-02): '
    + 'the inventory hosts count, and one missing from an incomplete input that holds no Service of its namespace is listed as not checked. A namespace selector on other labels is listed as not checked.',
  fix: 'Point sectionName and port at a listener that exists, let that listener admit the route\'s namespace (allowedRoutes.namespaces) and kind, '
    + 'give the route a hostname the listener serves; for a Service parent, name a Service of the input and one of its ports.',
  upstream: 'Gateway API ParentReference, Listener.allowedRoutes and hostname matching (route status Accepted=False); istioctl route status',
  checkApp(ctx: RuleContext): AppFinding[] {
    const targets = routeTargets(ctx);
    const out: AppFinding[] = [];
    for (const o of ctx.ofKind('HTTPRoute')) {
      for (const p of routeParents(o)) {
        if (p.kind === 'Gateway') {
          const gw = targets.gateway(p.name, p.namespace);
          if (!gw) {
            if (!ctx.complete) ctx.notChecked(`parent Gateway "${p.namespace}/${p.name}" of ${routeName(o)} (${o.path} ${p.path}): not in the input`);
            continue;
          }
          const problem = gatewayProblem(ctx, o, p, gw);
          if (problem) out.push({ object: o, ...problem });
        } else if (p.kind === 'Service') {
          const found = targets.service(p.name, p.namespace);
          const service = `Service "${p.namespace}/${p.name}"`;
          if (found.status === 'notChecked') {
            ctx.notChecked(`parent ${service} of ${routeName(o)} (${o.path} ${p.path}): no Service of namespace ${p.namespace} in the input`);
          } else if (found.status === 'missing') {
            out.push({
              object: o, value: `${p.namespace}/${p.name}`, allowed: found.known,
              message: `${p.path} names parent ${service}, which is not in the input (${found.known}): the route attaches to no Service, so none of its rules applies to any traffic`,
              fix: `Fix the parentRef name or namespace, or add ${service} to the input (or its host ${p.host} to the inventory).`,
            });
          } else if (found.status === 'found' && p.port !== undefined && found.ports.length > 0 && !found.ports.includes(p.port)) {
            out.push({
              object: o, value: p.port, allowed: found.ports.join(', '),
              message: `${p.path}.port ${p.port} is not a port of ${service} (${found.ports.join(', ')}): the route attaches to no port of the Service, so none of its rules applies to its traffic`,
              fix: `Set the parentRef port to a port of ${service} (${found.ports.join(', ')}), or leave it out to route every port.`,
            });
          }
        }
      }
    }
    return out;
  },
};
