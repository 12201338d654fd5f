import { Duration, Testing } from 'cdk8s';
import { ExternalDependency, PortProtocol } from '../../../src/constructs/external-dependency';
import { CallTarget } from '../../../src/constructs/common';
import { ResilientBackend } from '../../../src/constructs/resilient-backend';
import { IstioValidationError, Violation } from '../../../src/core/errors';
import { buildCallGraph, pathTo } from '../../../src/engine/call-graph';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { RetryPolicy } from '../../../src/policies/retry';
import { CC_RULES } from '../../../src/rules/cc';
import { Rules } from '../../../src/synth/rules';

const host = (name: string) => `${name}.shop.svc.cluster.local`;
const retry2 = () => RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) });

/** Synthesizes a chart and returns the rule violations (errors thrown at synth, warnings collected). */
function synthViolations(build: (chart: ReturnType<typeof Testing.chart>) => void): { errors: Violation[]; warnings: Violation[] } {
  const chart = Testing.chart();
  build(chart);
  const warnings: Violation[] = [];
  Rules.of(chart).warningSink = { report: (w) => warnings.push(...w) };
  Rules.of(chart).trafficReport = false;
  try {
    Testing.synth(chart);
    return { errors: [], warnings };
  } catch (e) {
    if (!(e instanceof IstioValidationError)) throw e;
    return { errors: [...e.violations], warnings };
  }
}
const cc = (vs: Violation[]) => vs.filter((v) => v.code.startsWith('CC-'));

describe('CC-01 retry amplification', () => {
  test('a 3-hop chain with 2 retries per hop fails with the path and the factor 27 > 10', () => {
    const { errors } = synthViolations((chart) => {
      const c = new ResilientBackend(chart, 'c', { host: host('c'), retries: retry2(), timeout: Duration.seconds(3) });
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: retry2(), timeout: Duration.seconds(4) });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: retry2(), timeout: Duration.seconds(5), entryPoint: true, calls: [CallTarget.of(b)] });
      b.calls(CallTarget.of(c));
    });
    const amp = errors.filter((e) => e.code === 'CC-01');
    expect(amp).toHaveLength(1);
    expect(amp[0].path).toBe('test/c');
    expect(amp[0].message).toBe(`up to 27 requests reach ${host('c')} per request entering at ${host('a')} (path ${host('a')} → ${host('b')} → ${host('c')}: 3 × 3 × 3 = 27 > budget 10)`);
    expect(amp[0].value).toBe(27);
  });

  test('fixing it per the message (retries only at the outermost layer) passes', () => {
    const { errors, warnings } = synthViolations((chart) => {
      const c = new ResilientBackend(chart, 'c', { host: host('c'), retries: RetryPolicy.none(), timeout: Duration.seconds(1) });
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: RetryPolicy.none(), timeout: Duration.seconds(2), calls: [CallTarget.of(c)] });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: retry2(), timeout: Duration.seconds(3), entryPoint: true, calls: [CallTarget.of(b)] });
    });
    expect(cc(errors)).toEqual([]);
    expect(cc(warnings)).toEqual([]);
  });

  test("routes without retries count Istio's implicit 2 retries", () => {
    const { errors } = synthViolations((chart) => {
      const c = new ResilientBackend(chart, 'c', { host: host('c') });
      const b = new ResilientBackend(chart, 'b', { host: host('b'), calls: [CallTarget.of(c)] });
      new ResilientBackend(chart, 'a', { host: host('a'), entryPoint: true, calls: [CallTarget.of(b)] });
    });
    expect(errors.find((e) => e.code === 'CC-01')!.message).toMatch(/no retries set: Istio's default 2|3 × 3 × 3 = 27/);
  });

  test('the budget is configurable per App: 27 passes with maxAmplification 30, 9 fails with 8', () => {
    const chain = (chart: any) => {
      const c = new ResilientBackend(chart, 'c', { host: host('c'), retries: retry2(), timeout: Duration.seconds(3) });
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: retry2(), timeout: Duration.seconds(4), calls: [CallTarget.of(c)] });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: retry2(), timeout: Duration.seconds(5), entryPoint: true, calls: [CallTarget.of(b)] });
    };
    expect(synthViolations((chart) => { chain(chart); Rules.of(chart).callChain = { maxAmplification: 30 }; }).errors.filter((e) => e.code === 'CC-01')).toEqual([]);
    const tight = synthViolations((chart) => { chain(chart); Rules.of(chart).callChain = { maxAmplification: 8 }; }).errors.filter((e) => e.code === 'CC-01');
    expect(tight.map((e) => e.value)).toEqual([9]);
  });

  test('CC-01 can be suppressed with a reason on the construct', () => {
    const { errors } = synthViolations((chart) => {
      const c = new ResilientBackend(chart, 'c', { host: host('c'), retries: retry2(), timeout: Duration.seconds(3) });
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: retry2(), timeout: Duration.seconds(4), calls: [CallTarget.of(c)] });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: retry2(), timeout: Duration.seconds(5), entryPoint: true, calls: [CallTarget.of(b)] });
      Rules.suppress(c, 'CC-01', 'c sheds load with a token bucket');
    });
    expect(errors.filter((e) => e.code === 'CC-01')).toEqual([]);
  });
});

describe('CC-02 retries at more than one layer', () => {
  test('an inner layer that retries while an outer one does is a warning; a single layer is not', () => {
    const { warnings } = synthViolations((chart) => {
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: RetryPolicy.idempotent({ attempts: 1, perTryTimeout: Duration.seconds(1) }), timeout: Duration.seconds(2) });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: RetryPolicy.idempotent({ attempts: 1, perTryTimeout: Duration.seconds(3) }), timeout: Duration.seconds(6), entryPoint: true, calls: [CallTarget.of(b)] });
    });
    const layers = warnings.filter((w) => w.code === 'CC-02');
    expect(layers).toHaveLength(1);
    expect(layers[0].path).toBe('test/b');
    expect(layers[0].message).toMatch(new RegExp(`${host('b')} retries .* although ${host('a')} on the same path already retries`));
  });
});

describe('CC-03 nested timeouts', () => {
  test('a caller timeout shorter than the callee worst case + 10 % fails, naming both timeouts', () => {
    const { errors } = synthViolations((chart) => {
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: RetryPolicy.none(), timeout: Duration.seconds(3) });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: RetryPolicy.none(), timeout: Duration.seconds(1), entryPoint: true, calls: [CallTarget.of(b)] });
    });
    const nested = errors.filter((e) => e.code === 'CC-03');
    expect(nested).toHaveLength(1);
    expect(nested[0].path).toBe('test/a');
    expect(nested[0].message).toBe(`${host('a')} timeout 1s is shorter than ${host('b')}'s worst case 3s + 10% headroom (3300ms)`);
  });

  test('exactly worst case + 10 % passes; 1 ms less fails', () => {
    const make = (outer: number) => synthViolations((chart) => {
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: RetryPolicy.none(), timeout: Duration.seconds(3) });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: RetryPolicy.none(), timeout: Duration.millis(outer), entryPoint: true, calls: [CallTarget.of(b)] });
    }).errors.filter((e) => e.code === 'CC-03');
    expect(make(3300)).toEqual([]);
    expect(make(3299)).toHaveLength(1);
  });

  test("the callee's worst case without a timeout is perTryTimeout × (attempts + 1) + backoff × attempts", () => {
    const { errors } = synthViolations((chart) => {
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1), backoff: Duration.millis(100) }) });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: RetryPolicy.none(), timeout: Duration.seconds(3), entryPoint: true, calls: [CallTarget.of(b)] });
    });
    expect(errors.find((e) => e.code === 'CC-03')!.message).toMatch(/worst case 3200ms \+ 10% headroom \(3520ms\)/);
  });

  test('a caller without a timeout calling a callee that has one is a warning', () => {
    const { errors, warnings } = synthViolations((chart) => {
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: RetryPolicy.none(), timeout: Duration.seconds(3) });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: RetryPolicy.none(), entryPoint: true, calls: [CallTarget.of(b)] });
    });
    expect(cc(errors)).toEqual([]);
    expect(warnings.filter((w) => w.code === 'CC-03').map((w) => w.message)).toEqual([expect.stringMatching(new RegExp(`${host('a')} has no timeout on every route but calls ${host('b')}`))]);
  });

  test('an ExternalDependency callee counts with its own VirtualService policy', () => {
    const { errors } = synthViolations((chart) => {
      const api = new ExternalDependency(chart, 'api', { hosts: ['api.example.com'], ports: [{ number: 80, protocol: PortProtocol.HTTP }], timeout: Duration.seconds(5), retries: RetryPolicy.none() });
      new ResilientBackend(chart, 'a', { host: host('a'), retries: RetryPolicy.none(), timeout: Duration.seconds(2), entryPoint: true }).calls(CallTarget.of(api));
    });
    expect(errors.find((e) => e.code === 'CC-03')!.message).toMatch(/timeout 2s is shorter than api\.example\.com's worst case 5s/);
  });
});

describe('CC-04 cycles', () => {
  test('a cycle is reported with its path, not looped', () => {
    const { errors } = synthViolations((chart) => {
      const a = new ResilientBackend(chart, 'a', { host: host('a'), retries: RetryPolicy.none(), timeout: Duration.seconds(9) });
      const b = new ResilientBackend(chart, 'b', { host: host('b'), retries: RetryPolicy.none(), timeout: Duration.seconds(9) });
      const c = new ResilientBackend(chart, 'c', { host: host('c'), retries: RetryPolicy.none(), timeout: Duration.seconds(9) });
      a.calls(CallTarget.of(b)); b.calls(CallTarget.of(c)); c.calls(CallTarget.of(a));
    });
    expect(errors.filter((e) => e.code === 'CC-04').map((e) => e.message)).toEqual([`call cycle ${host('a')} → ${host('b')} → ${host('c')} → ${host('a')}`]);
  });

  test('a self-call is a cycle', () => {
    const { errors } = synthViolations((chart) => {
      const a = new ResilientBackend(chart, 'a', { host: host('a'), retries: RetryPolicy.none(), timeout: Duration.seconds(9) });
      a.calls(CallTarget.of(a));
    });
    expect(errors.filter((e) => e.code === 'CC-04').map((e) => e.value)).toEqual([`${host('a')} → ${host('a')}`]);
  });
});

describe('the graph from YAML annotations (lint)', () => {
  const vs = (name: string, annotations: Record<string, string>, route: Record<string, unknown>) => toIstioObject({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
    metadata: { name, namespace: 'shop', annotations },
    spec: { hosts: [name], http: [{ route: [{ destination: { host: name } }], ...route }] },
  }, `${name}.yaml:1`)!;

  test('calls and entry-point annotations build the same graph; short hosts resolve in the namespace', () => {
    const objects = [
      vs('a', { 'traffic.cdk8s-istio-traffic.io/entry-point': 'true', 'traffic.cdk8s-istio-traffic.io/calls': 'b' }, { timeout: '5s', retries: { attempts: 2, perTryTimeout: '1s' } }),
      vs('b', { 'traffic.cdk8s-istio-traffic.io/calls': 'c.shop.svc.cluster.local' }, { timeout: '4s', retries: { attempts: 2, perTryTimeout: '1s' } }),
      vs('c', {}, { timeout: '3s', retries: { attempts: 2, perTryTimeout: '1s' } }),
    ];
    const graph = buildCallGraph({ ofKind: (k) => objects.filter((o) => o.kind === k) });
    expect(graph.nodes.get(host('a'))!.calls).toEqual([host('b')]);
    expect(graph.figures.get(host('c'))!.factor).toBe(27);
    expect(pathTo(graph, host('c'))).toEqual([host('a'), host('b'), host('c')]);
    const report = runRules(objects, CC_RULES);
    expect(report.errors.map((e) => `${e.code} ${e.path}`)).toEqual(['CC-01 c.yaml:1']);
  });
});

describe('scale', () => {
  test('a 20,000-service chain is analyzed without recursion (no stack overflow) and stays linear', () => {
    const n = 20_000;
    const objects = Array.from({ length: n }, (_, i) => toIstioObject({
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
      metadata: { name: `s${i}`, namespace: 'ns', annotations: i + 1 < n ? { 'traffic.cdk8s-istio-traffic.io/calls': `s${i + 1}` } : {} },
      spec: { hosts: [`s${i}`], http: [{ route: [{ destination: { host: `s${i}` } }], retries: { attempts: 0 } }] },
    }, `s${i}`)!);
    const graph = buildCallGraph({ ofKind: (k) => objects.filter((o) => o.kind === k) });
    expect(graph.figures.size).toBe(n);
    expect(graph.cycles).toEqual([]);
    expect(runRules(objects, CC_RULES).errors).toEqual([]);
  });

  /** A chain s0 → s1 → … of `n` services in namespace ns (the last calling `last`), each route retrying `attempts` times. */
  const chain = (n: number, attempts: (i: number) => number, last?: string) => Array.from({ length: n }, (_, i) => toIstioObject({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
    metadata: { name: `s${i}`, namespace: 'ns', annotations: i + 1 < n || last ? { 'traffic.cdk8s-istio-traffic.io/calls': i + 1 < n ? `s${i + 1}` : last! } : {} },
    spec: { hosts: [`s${i}`], http: [{ route: [{ destination: { host: `s${i}` } }], retries: { attempts: attempts(i) }, timeout: '1s' }] },
  }, `s${i}`)!);
  const svc = (i: number) => `s${i}.ns.svc.cluster.local`;

  test('a 2,000-service retrying chain: a CC-02 warning per service from the second on, each naming a few layers and the ends of the path', () => {
    const n = 2000;
    const objects = chain(n, () => 1);
    const report = runRules(objects, CC_RULES);
    const warnings = report.warnings.filter((w) => w.code === 'CC-02');
    expect(warnings).toHaveLength(n - 1);
    expect(Math.max(...[...report.errors, ...report.warnings].map((v) => v.message.length))).toBeLessThan(2000);
    expect(warnings[n - 2].message).toBe(`${svc(n - 1)} retries (http[0] (retries 1)) although ${[0, 1, 2, 3, 4].map(svc).join(', ')} and ${n - 6} more on the same path already retry `
      + `(${svc(0)} → ${svc(1)} → ${svc(2)} → … → ${svc(n - 3)} → ${svc(n - 2)} → ${svc(n - 1)})`);
    expect(warnings[n - 2].value).toBe(n);
    // pathTo still gives the whole path.
    const graph = buildCallGraph({ ofKind: (k) => objects.filter((o) => o.kind === k) });
    expect(pathTo(graph, svc(n - 1), 'retryLayersVia')).toEqual(Array.from({ length: n }, (_, i) => svc(i)));
  });

  test('a long chain of hops without retries before the amplifying ones: CC-01 shows the ends of the path and their factors', () => {
    const objects = chain(12, (i) => (i < 9 ? 0 : 2));
    const error = runRules(objects, CC_RULES).errors.find((e) => e.code === 'CC-01')!;
    expect(error.message).toBe(`up to 27 requests reach ${svc(11)} per request entering at ${svc(0)} (path ${svc(0)} → ${svc(1)} → ${svc(2)} → … → ${svc(9)} → ${svc(10)} → ${svc(11)}: 1 × 1 × 1 × … × 3 × 3 × 3 = 27 > budget 10)`);
  });

  test('a long cycle is shown by its ends', () => {
    const error = runRules(chain(10, () => 0, 's0'), CC_RULES).errors.find((e) => e.code === 'CC-04')!;
    expect(error.message).toBe(`call cycle ${svc(0)} → ${svc(1)} → ${svc(2)} → … → ${svc(8)} → ${svc(9)} → ${svc(0)}`);
  });

  test('a chain of seven is shown whole', () => {
    const error = runRules(chain(7, (i) => (i < 4 ? 0 : 2)), CC_RULES).errors.find((e) => e.code === 'CC-01')!;
    expect(error.message).toContain(`(path ${Array.from({ length: 7 }, (_, i) => svc(i)).join(' → ')}: 1 × 1 × 1 × 1 × 3 × 3 × 3 = 27 > budget 10)`);
  });
});

test('an egress gateway\'s VirtualService (external host, mesh routes to the gateway) is not an ingress entry point', () => {
  const { buildCallGraph } = require('../../../src/engine/call-graph');
  const { toIstioObject } = require('../../../src/engine/istio-object');
  const egress = toIstioObject({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'pg', namespace: 'payments' },
    spec: {
      hosts: ['api.pgprovider.example'], gateways: ['payments/pg-egress', 'mesh'],
      tls: [
        { match: [{ gateways: ['mesh'], port: 443, sniHosts: ['api.pgprovider.example'] }], route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', port: { number: 443 } } }] },
        { match: [{ gateways: ['payments/pg-egress'], port: 443, sniHosts: ['api.pgprovider.example'] }], route: [{ destination: { host: 'api.pgprovider.example', port: { number: 443 } } }] },
      ],
    },
  }, 'pg');
  const ingress = toIstioObject({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: 'shop' },
    spec: { hosts: ['web.shop.svc.cluster.local', 'shop.example.com'], gateways: ['shop/public', 'mesh'], http: [{ route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }] },
  }, 'web', { calls: ['api.pgprovider.example'] });
  const graph = buildCallGraph({ ofKind: (k: string) => (k === 'VirtualService' ? [egress, ingress] : []) });
  expect(graph.nodes.get('api.pgprovider.example')?.entryReason).not.toBe('ingress');
  expect(graph.nodes.get('api.pgprovider.example')?.callers).toEqual(['web.shop.svc.cluster.local']);
  expect(graph.nodes.get('web.shop.svc.cluster.local')?.entryReason).toBe('ingress');
});
