import * as fc from 'fast-check';
import { BackendSpec, backendSpec, backendWarnings } from './arbitraries';
import { backendProps, hostOf } from './builders';
import { check, expectDeterministic, harness, Harness, params, RUNS, same, schemaIssues, synthIstio, timeoutFor, warningMismatch, yamlSample } from './harness';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { fqdn } from '../../src/core/hosts';
import { Inventory } from '../../src/engine/types';

function inventoryFor(spec: BackendSpec, h: Harness): Inventory | undefined {
  if (!spec.inventory) return undefined;
  const ns = spec.namespace ?? spec.chartNamespace;
  return { hosts: [fqdn(hostOf(spec.host, h.chart), ns)], namespaces: [ns ?? 'default'] };
}

function build(spec: BackendSpec) {
  const h = harness(spec.chartNamespace);
  const inventory = inventoryFor(spec, h);
  if (inventory) h.rules.inventory = inventory;
  const construct = new ResilientBackend(h.chart, 'backend', backendProps(spec, h.chart));
  return { h, construct };
}

describe(`ResilientBackend: valid props (${RUNS} runs)`, () => {
  test('passes the CRD schema and our rules, scopes faults to test traffic, synthesizes deterministically', async () => {
    await fc.assert(fc.asyncProperty(backendSpec, yamlSample, async (spec, compareYaml) => {
      const { h, construct } = build(spec);
      const manifests = synthIstio(h);

      same(schemaIssues(manifests), [], 'CRD schema issues');
      const mismatch = warningMismatch(h.warnings, backendWarnings(spec));
      if (mismatch) throw new Error(mismatch);

      const istio = manifests.filter((m) => m.apiVersion === 'networking.istio.io/v1');
      const hasPolicy = Object.keys(spec.policy).length > 0;
      // With a traffic policy and no route setting the backend is DestinationRule-only.
      const hasRoutes = !hasPolicy || spec.resilience.timeout !== undefined || spec.resilience.retries !== undefined || spec.fault !== undefined
        || Boolean(spec.routeName) || spec.entryPoint === true;
      same(istio.map((m) => m.kind), [...(hasPolicy ? ['DestinationRule'] : []), ...(hasRoutes ? ['VirtualService'] : [])], 'kinds in apply order');
      check((construct.destinationRule !== undefined) === hasPolicy, 'a DestinationRule exactly when a traffic policy is set');
      if (!hasRoutes) return;
      const routes = istio[istio.length - 1].spec.http;
      // The normal route is the last one, has no match and carries timeout and retries.
      const normal = routes[routes.length - 1];
      same(normal.name, spec.routeName ?? 'default', 'route name');
      check(normal.match === undefined, 'the normal route is the catch-all');
      same(normal.timeout !== undefined, spec.resilience.timeout !== undefined, 'timeout on the normal route');
      same(normal.retries !== undefined, spec.resilience.retries !== undefined, 'retries on the normal route');
      // A fault only ever applies to requests matching its header-scoped match, on a route without timeout/retries.
      same(routes.length, spec.fault ? 2 : 1, 'number of routes');
      if (spec.fault) {
        const faulted = routes[0];
        same(faulted.match, [spec.fault.match._render()], 'fault route match');
        check(Object.keys(faulted.match[0].headers ?? {}).length > 0, 'the fault is scoped by a header');
        check(faulted.timeout === undefined && faulted.retries === undefined, 'no timeout or retries on the fault route');
      }
      const destination = { host: construct.host, ...(spec.port ? { port: { number: spec.port } } : {}) };
      for (const r of routes) same(r.route, [{ destination }], 'route destination');

      expectDeterministic(h, manifests, build(spec).h, compareYaml);
    }), params());
  }, timeoutFor(15));
});
