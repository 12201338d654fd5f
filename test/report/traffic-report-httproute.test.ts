import { CALLS_ANNOTATION } from '../../src/engine/intent';
import { toIstioObject } from '../../src/engine/istio-object';
import { RuleReport } from '../../src/engine/types';
import { HTTPROUTE_NOT_SIMULATED } from '../../src/report/http-routes';
import { renderTrafficReport } from '../../src/report/traffic-report';

/** The traffic report lists HTTPRoute-routed hosts with their policy, names the kind, and simulates no request table for them. */

const NO_FINDINGS: RuleReport = { errors: [], warnings: [], suppressed: [] };
const host = (name: string) => `${name}.shop.svc.cluster.local`;

const publicRoute = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop-route', namespace: 'shop' },
  spec: {
    parentRefs: [{ name: 'public-gateway', sectionName: 'https' }], hostnames: ['shop.example.com'],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/api/' } }], backendRefs: [{ name: 'shop-api', port: 8080, weight: 90 }, { name: 'shop-api-canary', port: 8080, weight: 10 }], timeouts: { request: '10s' } },
      { backendRefs: [{ name: 'frontend', port: 80 }] },
    ],
  },
};
const apiRoute = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
  metadata: { name: 'shop-api', namespace: 'shop', annotations: { [CALLS_ANNOTATION]: 'orders' } },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'shop-api', port: 8080 }],
    rules: [{
      backendRefs: [{ name: 'shop-api-v1', port: 8080, weight: 3 }, { name: 'shop-api-v2', port: 8080, weight: 1 }],
      timeouts: { request: '5s', backendRequest: '2s' },
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 80 }, percent: 5 } }],
    }],
  },
};
const ordersVs = {
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'orders', namespace: 'shop' },
  spec: { hosts: ['orders'], http: [{ route: [{ destination: { host: 'orders' } }], timeout: '1s' }] },
};

function render(...manifests: any[]): string {
  return renderTrafficReport(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), NO_FINDINGS);
}

/** The service section of `h` (up to the next one). */
function section(report: string, h: string): string {
  const start = report.indexOf(`### ${h}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = report.slice(start + 4);
  const end = rest.search(/^(###|## ) /m);
  return end < 0 ? rest : rest.slice(0, end);
}

const report = render(publicRoute, apiRoute, ordersVs);

test('an HTTPRoute-routed host is listed as a service, its object named an HTTPRoute', () => {
  const api = section(report, host('shop-api'));
  expect(api).toContain('HTTPRoute `shop/shop-api` (parents: Service shop-api port 8080):');
  expect(api).not.toMatch(/VirtualService `/);
  expect(api).toContain('| Rule | Match | Backends | Retries | Timeout | Filters |');
  expect(api).toContain("| rules[0] | everything else | shop-api-v1.shop.svc.cluster.local:8080 75%, shop-api-v2.shop.svc.cluster.local:8080 25% | Istio's default (2 on connect-failure, refused-stream, unavailable, cancelled, 503; the standard channel has no retry field) | 2s (backendRequest; request 5s) | mirror shadow 5% |");
});

test('the policy callers get from the HTTPRoute, as the call-chain analysis reads it', () => {
  expect(section(report, host('shop-api'))).toContain("Callers get: 3 attempt(s) per request (rules[0] (no retry field in the standard channel: Istio's default 2 for HTTPRoute)), timeout 2s, worst case 2s.");
});

test('request tables: not simulated for an HTTPRoute (said so), still simulated for the VirtualService beside it', () => {
  const api = section(report, host('shop-api'));
  expect(api).toContain(HTTPROUTE_NOT_SIMULATED);
  expect(api).not.toContain('Requests, as the route simulator answers them');
  const orders = section(report, host('orders'));
  expect(orders).toContain('| http[0] | everything else: GET / | orders.shop.svc.cluster.local 100% | 1s | 2 (Istio\'s default) | — |');
  expect(orders).not.toContain(HTTPROUTE_NOT_SIMULATED);
});

test('the gateway HTTPRoute is listed under its host name, with the policy requests through the gateway get', () => {
  const pub = section(report, 'shop.example.com');
  expect(pub).toContain('HTTPRoute `shop/shop-route` (parents: Gateway shop/public-gateway section https):');
  expect(pub).toContain('| rules[0] | path PathPrefix /api/ | shop-api.shop.svc.cluster.local:8080 90%, shop-api-canary.shop.svc.cluster.local:8080 10% |');
  expect(pub).toContain('| rules[1] | everything else | frontend.shop.svc.cluster.local:80 |');
  expect(pub).toContain('Requests through the gateway get: 3 attempt(s) per request');
  expect(pub).toContain('timeout none (some rule has no timeout), worst case unbounded.');
});

test('entry points: the gateway HTTPRoute\'s backend is an ingress entry point, with the HTTPRoute\'s timeout and worst case', () => {
  expect(report).toContain(`### ${host('shop-api')} (ingress)`);
  expect(report).toContain(`| ${host('shop-api')} | ${host('shop-api')} | 3 | 2s | 2s |`);
  expect(report).toContain(`| ${host('orders')} | ${host('shop-api')} → ${host('orders')} | 9 | 1s | 1s |`);
});

test('the Mermaid flowchart labels HTTPRoute hosts with their policy and draws their weighted backends', () => {
  const mermaid = /```mermaid\n([\s\S]*?)```/.exec(report)![1].trim().split('\n');
  const ids = new Map(mermaid.filter((l) => /^\s+s\d+\[/.test(l)).map((l) => [/"([^"<]+)/.exec(l)![1], /^\s+(s\d+)/.exec(l)![1]]));
  const api = ids.get(host('shop-api'))!;
  expect(mermaid).toContain(`  ${api}["${host('shop-api')}<br/>3 attempt(s), timeout 2s"]`);
  expect(mermaid).toContain(`  ${api} -->|"x3"| ${ids.get(host('orders'))}`);
  expect(mermaid.filter((l) => l.startsWith(`  ${api} -.->`)).map((l) => /\|"([^"]+)"\|/.exec(l)![1])).toEqual(['75%', '25%']);
  // A backend that is a service of the report points at its node.
  expect(mermaid).toContain(`  ${ids.get('shop.example.com')} -.->|"90%"| ${api}`);
  expect(mermaid.some((l) => /^\s+e\d+\(\["ingress"\]\) --> /.test(l) && l.endsWith(` --> ${api}`))).toBe(true);
});

test('a host with both a VirtualService and an HTTPRoute: both listed, the report says which one the analysis reads', () => {
  const meshVs = { ...ordersVs, metadata: { name: 'shop-api-vs', namespace: 'shop' }, spec: { hosts: ['shop-api'], http: [{ route: [{ destination: { host: 'shop-api' } }] }] } };
  const api = section(render(apiRoute, meshVs), host('shop-api'));
  expect(api).toContain('VirtualService `shop/shop-api-vs` (mesh):');
  expect(api).toContain('HTTPRoute `shop/shop-api` (parents: Service shop-api port 8080):');
  expect(api).toContain('VirtualService `shop/shop-api-vs` also routes this host for the mesh; the call-chain analysis reads the VirtualService.');
  expect(api).toContain('Requests, as the route simulator answers them');
  expect(api).toContain(HTTPROUTE_NOT_SIMULATED);
});

test('a gateway HTTPRoute without host names is listed under * (every host of its Gateways)', () => {
  const any = { ...publicRoute, spec: { ...publicRoute.spec, hostnames: undefined } };
  expect(section(render(any), '*')).toContain('HTTPRoute `shop/shop-route` (parents: Gateway shop/public-gateway section https):');
});

test('malformed HTTPRoutes do not crash the report', () => {
  const odd = [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'empty', namespace: 'shop' } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'odd', namespace: 'shop' }, spec: { parentRefs: 'x', rules: [null, 3, { backendRefs: [{ name: 'a', weight: 0 }], timeouts: { request: 'soon' }, filters: [{ type: 'RequestMirror' }], matches: [{ path: 'x' }] }] } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'zero', namespace: 'shop' }, spec: { parentRefs: [{ kind: 'Service', group: '', name: 'z' }], rules: [{ backendRefs: [{ name: 'z-v1', weight: 0 }] }] } },
  ];
  const out = render(...odd);
  expect(out).toContain('HTTPRoute `shop/empty` (parents: no parents):');
  expect(out).toContain('| rules[2] | everything | no backend with a weight (500) | ');
  expect(section(out, host('z'))).toContain('| rules[0] | everything else | no backend with a weight (500) |');
});
