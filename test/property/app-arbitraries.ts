/**
 * Arbitraries for whole valid apps: several services calling each other (call-chain rules CC-01..CC-04).
 */
import * as fc from 'fast-check';
import {
  backendSpec, BackendSpec, backendWarnings, canarySpec, CanarySpec, canaryWarnings, durationOf, externalSpec, ExternalSpec, externalWarnings,
  HostSpec, namespaceName, ResilienceSpec, HTTP_FAMILY, TLS_FAMILY,
} from './arbitraries';
import { ExternalDependencyProps, ExternalPort, PortProtocol } from '../../src/constructs/external-dependency';
import { RetryPolicy, SAFE_RETRY_ON_FOR_WRITES } from '../../src/policies/retry';


/** One service of an app: a CanaryService, a ResilientBackend or an ExternalDependency (always a leaf). */
export type AppNode =
  | { readonly kind: 'canary'; readonly spec: CanarySpec; readonly host: string }
  | { readonly kind: 'backend'; readonly spec: BackendSpec; readonly host: string }
  | { readonly kind: 'external'; readonly spec: ExternalSpec; readonly host: string };

export interface AppSpec {
  readonly namespace: string;
  readonly inventory: boolean;
  readonly nodes: readonly AppNode[];
  /** `calls[i]`: indexes j > i that node i calls (a DAG: no cycles, CC-04). */
  readonly calls: readonly (readonly number[])[];
  /** Declare node i's calls with the `calls` prop (true) or the `.calls()` method (false); targets as constructs or hosts. */
  readonly viaProp: readonly boolean[];
  readonly asConstruct: readonly boolean[];
}

/** Worst-case time of a service's routes as the call-chain rules compute it (timeout, else the retry budget). */
function worstOf(r: ResilienceSpec): number | undefined {
  if (r.timeout) return r.timeout.toMilliseconds({ integral: false });
  return r.retries?.worstCaseMillis();
}

function withResilience(r: ResilienceSpec, retries: RetryPolicy | undefined, timeoutMs: number | undefined): ResilienceSpec {
  const timeout = timeoutMs === undefined ? undefined : durationOf(timeoutMs, 'ms');
  const onlyBeforeRequest = retries !== undefined && retries.retryOn.every((c) => SAFE_RETRY_ON_FOR_WRITES.includes(c));
  const warnsNoPerTry = timeout !== undefined && retries !== undefined && retries.attempts > 0 && !retries.perTryTimeout && !onlyBeforeRequest;
  return { ...r, retries, timeout, warnsNoPerTry };
}

/**
 * Valid apps of 2-5 services in one namespace: distinct hosts, calls forming a DAG, retries only at the services
 * nobody calls (one retry layer per path: CC-02; at most 9 retries: CC-01), and every caller's timeout covering
 * its callees' worst case plus 10 % (CC-03).
 */
export const appSpec: fc.Arbitrary<AppSpec> = fc.record({
  namespace: namespaceName,
  inventory: fc.boolean(),
  nodes: fc.array(fc.oneof(
    { weight: 2, arbitrary: canarySpec.map((spec) => ({ kind: 'canary' as const, spec })) },
    { weight: 2, arbitrary: backendSpec.map((spec) => ({ kind: 'backend' as const, spec })) },
    { weight: 1, arbitrary: externalSpec.map((spec) => ({ kind: 'external' as const, spec })) },
  ), { minLength: 2, maxLength: 5 }),
  edges: fc.array(fc.tuple(fc.nat(4), fc.nat(4)), { maxLength: 8 }),
  flags: fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 5, maxLength: 5 }),
}).map((r): AppSpec => {
  const n = r.nodes.length;
  // Externals are leaves: move them last, so every edge i -> j (i < j) can end at one.
  const ordered = [...r.nodes.filter((x) => x.kind !== 'external'), ...r.nodes.filter((x) => x.kind === 'external')];
  const calls: number[][] = ordered.map(() => []);
  for (const [a, b] of r.edges) {
    const i = Math.min(a % n, b % n);
    const j = Math.max(a % n, b % n);
    if (i === j || ordered[i].kind === 'external' || calls[i].includes(j)) continue;
    calls[i].push(j);
  }
  for (const c of calls) c.sort((x, y) => x - y);
  const called = new Set(calls.flat());
  const hosts = new Set<string>();
  // Resilience bottom-up (callees have higher indexes).
  const resilienceOf: ResilienceSpec[] = [];
  const nodes: AppNode[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const x = ordered[i];
    const own: ResilienceSpec = x.kind === 'external' ? { retries: x.spec.props.retries, timeout: x.spec.props.timeout, warnsNoPerTry: x.spec.warnsNoPerTry } : x.spec.resilience;
    // Only services nobody calls retry; the others say so explicitly (no retries set means Istio's 2).
    let retries = called.has(i) ? RetryPolicy.none() : own.retries;
    if (retries && retries.attempts > 9) {
      // 10 retries alone are 11 requests per entering request: over the CC-01 budget of 10.
      retries = retries.forWrites
        ? RetryPolicy.nonIdempotent({ attempts: 9, retryOn: [...retries.retryOn], backoff: retries.backoff })
        : RetryPolicy.idempotent({ attempts: 9, perTryTimeout: retries.perTryTimeout, retryOn: [...retries.retryOn], backoff: retries.backoff });
    }
    const ownWorst = retries?.worstCaseMillis() ?? 0;
    const calleeWorst = calls[i].map((j) => worstOf(resilienceOf[j])).filter((w): w is number => w !== undefined);
    const needed = Math.max(ownWorst, ...calleeWorst.map((w) => Math.ceil((w * 110) / 100 - 1e-9)));
    const ownTimeout = own.timeout?.toMilliseconds({ integral: false });
    const timeoutMs = ownTimeout === undefined && calleeWorst.length === 0 ? undefined : Math.max(1, needed, ownTimeout ?? 0);
    const resilience = withResilience(own, retries, timeoutMs);
    resilienceOf[i] = resilience;
    const service = `svc${i}`;
    if (x.kind === 'external') {
      const host = `${service}.partner.example`;
      const p = x.spec.props;
      let ports = p.ports;
      const isHttp = (port: ExternalPort) => HTTP_FAMILY.includes(port.protocol);
      const isTls = (port: ExternalPort) => TLS_FAMILY.includes(port.protocol);
      // A called dependency must not add a retry layer: without a VirtualService its HTTP traffic gets Istio's
      // implicit 2 retries (CC-01, CC-02). An HTTP port carries RetryPolicy.none(); TLS ports get SNI routes,
      // which never retry; a TCP-only dependency gets an HTTP port.
      if (called.has(i) && !ports.some(isHttp) && !ports.some(isTls)) ports = [{ ...ports[0], protocol: PortProtocol.HTTP }, ...ports.slice(1)];
      const http = ports.some(isHttp);
      const allowed = http && (called.has(i) || p.timeout !== undefined || p.retries !== undefined);
      const props: ExternalDependencyProps = {
        ...p, hosts: [host], ports, name: undefined, namespace: undefined, exportTo: undefined, resolution: undefined,
        tlsOrigination: http ? p.tlsOrigination : undefined,
        retries: allowed ? resilience.retries : undefined, timeout: allowed ? resilience.timeout : undefined,
      };
      const fixed = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as unknown as ExternalDependencyProps;
      resilienceOf[i] = allowed ? resilience : { warnsNoPerTry: false };
      nodes[i] = { kind: 'external', host, spec: { ...x.spec, chartNamespace: r.namespace, props: fixed, inventory: r.inventory, warnsNoPerTry: allowed && resilience.warnsNoPerTry } };
    } else {
      const hostSpec: HostSpec = { kind: 'fqdn', service, namespace: r.namespace };
      const host = `${service}.${r.namespace}.svc.cluster.local`;
      const common = { host: hostSpec, chartNamespace: r.namespace, namespace: undefined, name: undefined, inventory: r.inventory, resilience, entryPoint: undefined, port: undefined };
      nodes[i] = x.kind === 'canary'
        ? { kind: 'canary', host, spec: { ...x.spec, ...common, extraHosts: undefined, mirrorPercentage: resilience.retries?.forWrites ? undefined : x.spec.mirrorPercentage } }
        : { kind: 'backend', host, spec: { ...x.spec, ...common } };
    }
    hosts.add(nodes[i].host);
  }
  return { namespace: r.namespace, inventory: r.inventory, nodes, calls, viaProp: r.flags.map(([a]) => a), asConstruct: r.flags.map(([, b]) => b) };
});

/** Warnings a valid app deserves: those of its services. */
export function appWarnings(app: AppSpec): string[] {
  return app.nodes.flatMap((node) => (node.kind === 'canary' ? canaryWarnings(node.spec) : node.kind === 'backend' ? backendWarnings(node.spec) : externalWarnings(node.spec)));
}
