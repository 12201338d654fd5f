import { ApiObjectMetadata, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { checkHost, checkList, enforce, isBuilt, propError, readingProps, renderDuration } from '../core/enforce';
import { collect, raiseInvalid } from '../core/problems';
import { gatewayRefError } from '../core/gateway-ref';
import { exportToEntries, exportToEntryProblem, exportToListProblem, exportToRepeatProblem } from '../core/visibility';
import { dnsLabelProblem, dnsSubdomainProblem } from '../core/grammar';
import { isRecord } from '../core/json';
import { show } from '../core/text';
import { RenderedRetries, RetryPolicy } from '../policies/retry';
import { describeRef, serviceHostOf } from './refs';

/** Naming and route resilience props shared by the constructs. */
export interface RouteProps {
  /**
   * `metadata.name` of the emitted objects (Argo Rollouts and humans reference them by it).
   * @default - derived from the host, e.g. `reviews` for `reviews.bookinfo.svc.cluster.local`
   */
  readonly name?: string;
  /**
   * `metadata.namespace` of the emitted objects.
   * @default - the Chart's namespace
   */
  readonly namespace?: string;
  /**
   * Overall deadline of a request, retries included (Istio `HTTPRoute.timeout`); at least 1ms and at
   * least perTryTimeout × (attempts + 1) (VS-19).
   * @default - no route timeout (Istio's default)
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
   */
  readonly timeout?: Duration;
  /**
   * Retry policy of the generated routes (Istio `HTTPRoute.retries`).
   * @default - Istio's implicit policy (2 retries on connect-failure, refused-stream, unavailable, cancelled, 503)
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
   */
  readonly retries?: RetryPolicy;
}

/** The `timeout`/`retries` fields every generated HTTP route carries. */
export interface RenderedResilience {
  readonly timeout?: string;
  readonly retries?: RenderedRetries;
}

/** Renders timeout and retries once, validated. */
export function renderResilience(props: Pick<RouteProps, 'timeout' | 'retries'>, path: string,
  names: { readonly timeout: string; readonly retries: string } = { timeout: 'timeout', retries: 'retries' }): RenderedResilience {
  const problems = collect({ path, prop: 'props' });
  const timeout = props.timeout ? problems.check(() => renderDuration(props.timeout!, { path, prop: names.timeout })) : undefined;
  const retries = props.retries ? problems.check(() => checkRetryPolicy(props.retries, path, names.retries)._render()) : undefined;
  problems.raise();
  return { ...(timeout ? { timeout } : {}), ...(retries ? { retries } : {}) };
}

function checkRetryPolicy(retries: unknown, path: string, prop: string): RetryPolicy {
  raiseInvalid(retries, { path, prop });
  if (!isBuilt(retries, RetryPolicy)) {
    propError({ path, prop }, { value: retries, expected: 'a RetryPolicy', fix: 'Use RetryPolicy.idempotent(…), RetryPolicy.nonIdempotent(…) or RetryPolicy.none().' });
  }
  return retries;
}

/**
 * Validates an HTTP route name: a string (PROP otherwise; the CRD types it as a string), or unset for the
 * default. Falsy values (`''`) mean the default.
 */
export function routeName(name: unknown, fallback: string, prop: string, path: string): string {
  if (!name) return fallback;
  if (typeof name !== 'string') propError({ path, prop }, { value: name, expected: 'a string', fix: `Name the route with a string, e.g. "${fallback}".` });
  return name;
}

/**
 * Validates and returns object metadata: the name a DNS-1123 subdomain, the namespace a DNS-1123 label. The API
 * server checks ObjectMeta (code SCHEMA at synth, from the CRD schema); no catalogue rule does, so a bad name is a
 * PROP error at once rather than an unreadable SCHEMA finding later.
 */
export function metadataFor(scope: Construct, name: string, namespace: string | undefined): ApiObjectMetadata {
  const path = scope.node.path;
  const nameProblem = dnsSubdomainProblem(name);
  if (nameProblem) {
    propError({ path, prop: 'name' }, { value: name, shown: name, expected: 'a DNS-1123 subdomain', message: `name ${show(name)} ${nameProblem}`, fix: 'Use a lower-case name such as "reviews" or "payments-api".' });
  }
  if (namespace !== undefined) {
    const nsProblem = dnsLabelProblem(namespace);
    if (nsProblem) {
      propError({ path, prop: 'namespace' }, { value: namespace, shown: namespace, expected: 'a DNS-1123 label', message: `namespace ${show(namespace)} ${nsProblem}`, fix: 'Use a namespace name such as "bookinfo".' });
    }
  }
  return { name, ...(namespace !== undefined ? { namespace } : {}) };
}

/**
 * Validates VirtualService `gateways` entries with VS-04's check: `mesh`, a short name, `namespace/name`, or the
 * legacy `name.namespace` form (accepted; rule VS-04 warns about it at synth, as Istio does). A list that is not
 * a non-empty list of distinct strings is PROP.
 */
export function checkGateways(gateways: string[] | undefined, path: string, at = 'gateways'): string[] | undefined {
  if (gateways === undefined) return undefined;
  const fix = 'Reference gateways as "istio-system/public-gateway" (or "mesh" for sidecars).';
  checkList(gateways, at, path);
  if (gateways.length === 0) {
    propError({ path, prop: at }, { value: gateways, shown: '[]', expected: 'at least one gateway', message: `${at} is empty`, fix: 'Leave gateways out to bind to the mesh only, or list gateway names.' });
  }
  gateways.forEach((g, i) => {
    const prop = `${at}[${i}]`;
    if (typeof g !== 'string') propError({ path, prop }, { value: g, expected: 'a gateway reference string', fix });
    enforce(gatewayRefError, [g], { path, prop, allowed: "'mesh', 'name', 'namespace/name'", message: (problem) => `${prop} ${show(g)} ${problem}`, fix });
  });
  // Istio accepts a repeated gateway; the construct refuses it as a slip in the props (the list would name it twice).
  const repeated = gateways.find((g, i) => gateways.indexOf(g) !== i);
  if (repeated !== undefined) {
    propError({ path, prop: at }, { value: gateways, shown: gateways.join(','), expected: 'distinct gateways', message: `${at} lists ${show(repeated)} twice`, fix: 'List each gateway once.' });
  }
  return [...gateways];
}

/**
 * Something a service calls, for the call-chain rules and the traffic report: a host, or a construct whose hosts
 * are taken (a `CanaryService` or `ResilientBackend`, every host of an `ExternalDependency`, or the FQDN of a
 * Kubernetes Service construct).
 */
export class CallTarget {
  /** A called host, e.g. `CallTarget.host('orders.shop.svc.cluster.local')`; checked with X-03's grammar. */
  public static host(host: string): CallTarget {
    return new CallTarget(true, host);
  }

  /**
   * The hosts of a construct: a construct of this library (its `host`, or every host of an `ExternalDependency`),
   * or a Kubernetes Service (a cdk8s-plus `Service` of any version, or an `ApiObject` of kind Service), whose
   * `name.namespace.svc.cluster.local` is taken.
   */
  public static of(construct: IConstruct): CallTarget {
    return new CallTarget(false, construct);
  }

  private constructor(private readonly isHost: boolean, private readonly target: unknown) {}

  /**
   * The called hosts, checked: X-03 for a malformed host, PROP for a construct without hosts.
   * @internal
   */
  public _hosts(path: string, prop: string): string[] {
    const fix = 'Use CallTarget.host("orders.shop.svc.cluster.local") or CallTarget.of(construct) with a CanaryService, ResilientBackend, ExternalDependency or Service.';
    if (this.isHost) return [checkHost(this.target as string, { path, prop })];
    // Hosts of constructs are checked too: a look-alike may come through `as any`.
    const t = this.target;
    if (isRecord(t) && Array.isArray(t.hosts)) return t.hosts.map((h, j) => checkHost(h, { path, prop: `${prop}.hosts[${j}]` }, { allowWildcard: true }));
    if (isRecord(t) && typeof t.host === 'string') return [checkHost(t.host, { path, prop: `${prop}.host` })];
    const service = serviceHostOf(t);
    if (service !== undefined) return [service];
    return propError({ path, prop }, { value: t, shown: describeRef(t), expected: 'a host or a construct with a host', message: `${prop} ${describeRef(t)} is neither a host nor a construct with a host`, fix });
  }
}

/** Resolves call targets to hosts: X-03 for a malformed host, PROP for anything that is not a list of `CallTarget`s. */
export function callHosts(targets: CallTarget[], path: string): string[] {
  const fix = 'Pass CallTarget.host("orders.shop.svc.cluster.local") or CallTarget.of(construct) with a CanaryService, ResilientBackend, ExternalDependency or Service.';
  if (!Array.isArray(targets)) propError({ path, prop: 'calls' }, { value: targets, expected: 'a list of CallTargets', message: `calls ${show(targets)} is not a list`, fix });
  // Every entry on its own: one error lists each bad call.
  const problems = collect({ path, prop: 'calls' });
  const hosts = problems.each(targets, (t, i) => {
    const prop = `calls[${i}]`;
    if (isBuilt(t, CallTarget)) return t._hosts(path, prop);
    return propError({ path, prop }, { value: t, expected: 'a CallTarget', shown: describeRef(t), message: `${prop} ${describeRef(t)} is not a CallTarget`, fix });
  });
  problems.raise();
  return hosts!.flat();
}

/** Call-graph props shared by the constructs that represent a service. */
export interface CallerProps {
  /**
   * Services this service calls (call-chain rules CC-01..CC-04 and the traffic report):
   * `CallTarget.host('orders.shop.svc.cluster.local')` or `CallTarget.of(construct)`.
   * @default - none declared
   */
  readonly calls?: CallTarget[];
  /**
   * Requests enter the mesh at this service (starts call-chain paths). Services bound to an ingress gateway
   * and services nobody calls are entry points anyway.
   * @default false
   */
  readonly entryPoint?: boolean;
}

/**
 * exportTo of emitted objects: X-05's checks (`serviceEntry` allows "~"). An empty list would mean every
 * namespace; the constructs ask for ['*'] to say so (PROP).
 */
export function checkExportTo(exportTo: string[], namespace: string | undefined, path: string, serviceEntry: boolean): string[] {
  const allowed = "'.', '*' (alone) or namespace names, no duplicates";
  const fix = "Use ['.'] (this namespace), ['*'] (everyone) or a list of namespaces.";
  checkList(exportTo, 'exportTo', path);
  if (exportTo.length === 0) propError({ path, prop: 'exportTo' }, { value: exportTo, expected: 'at least one entry', message: 'exportTo is empty', fix });
  const shown = show(exportTo);
  const entries = exportToEntries(exportTo, namespace);
  exportTo.forEach((entry, i) => {
    const prop = `exportTo[${i}]`;
    if (typeof entry !== 'string') propError({ path, prop }, { value: entry, expected: 'a namespace name, "." or "*"', fix });
    const options = { namespace, serviceEntry };
    enforce(exportToEntryProblem, [entry, options], { path, prop, value: shown, allowed, message: (problem) => `${prop} ${problem}`, fix });
    enforce(exportToRepeatProblem, [entries, i], { path, prop, value: shown, allowed, message: (problem) => `${prop} ${problem}`, fix });
  });
  enforce(exportToListProblem, [exportTo], { path, prop: 'exportTo', value: shown, allowed, message: (problem) => `exportTo ${problem}`, fix });
  return [...exportTo];
}

/**
 * The path a construct `id` under `scope` will have, for errors found before it exists (`shop/api`; `api` directly
 * under the App, whose path is empty). A scope that is not a construct gives the id alone.
 */
export function pathUnder(scope: unknown, id: string): string {
  const parent = (scope as { node?: { path?: unknown } } | null | undefined)?.node?.path;
  return typeof parent === 'string' && parent !== '' ? `${parent}/${id}` : String(id);
}

/**
 * Removes a construct whose constructor failed from its scope, and returns the error to rethrow: a refused
 * construct leaves nothing behind (no half-built objects in the next synth).
 */
export function withdrawn(construct: IConstruct, error: unknown): unknown {
  construct.node.scope?.node.tryRemoveChild(construct.node.id);
  return error;
}

/**
 * An error thrown while a constructor read its props, as an IstioValidationError: one already is; anything else
 * (a Proxy or getter that throws) becomes PROP at `path`.
 */
export function asValidationError(e: unknown, path: string): unknown {
  try {
    return readingProps({ path, prop: 'props' }, () => {
      throw e;
    });
  } catch (converted) {
    return converted;
  }
}
