/**
 * Match semantics of the simulator against Istio's documented behaviour, one case each: route order, AND within a
 * match block, OR across blocks, exact/prefix/regex (RE2, whole value), header names case-insensitive, withoutHeaders,
 * ignoreUriCase, port and gateway scope, sourceLabels and sourceNamespace, query parameters, method/authority/scheme.
 */
import { SimulationOutcome, TrafficSource } from '../../src';
import { chosenIndex, route, simulate, vs } from './support';

const reviews = (http: unknown[], extra: Record<string, unknown> = {}) => vs('reviews', { hosts: ['reviews'], http, ...extra });
const pick = (http: unknown[], request: Parameters<typeof simulate>[1]) => chosenIndex(simulate([reviews(http)], request));

describe('order and boolean structure', () => {
  test('routes are tried in order: the first match wins, not the most specific', () => {
    const http = [route('a', [{ uri: { prefix: '/api' } }]), route('b', [{ uri: { prefix: '/api/v2' } }]), route('c')];
    const r = simulate([reviews(http)], { authority: 'reviews', path: '/api/v2/users' });
    expect(r.route).toEqual({ virtualService: 'default/reviews', index: 0, matchIndex: 0 });
    expect(r.destinations.map((d) => d.host)).toEqual(['a.default.svc.cluster.local']);
  });

  test('within a match block every condition must hold (AND)', () => {
    const http = [route('a', [{ uri: { prefix: '/api' }, headers: { 'x-team': { exact: 'blue' } } }]), route('b')];
    const miss = simulate([reviews(http)], { authority: 'reviews', path: '/api/x' });
    expect(chosenIndex(miss)).toBe(1);
    expect(miss.skipped).toEqual([{ route: { virtualService: 'default/reviews', index: 0, matchIndex: 0 }, failed: ['header "x-team" exact "blue": missing'] }]);
    expect(pick(http, { authority: 'reviews', path: '/api/x', headers: { 'x-team': 'blue' } })).toBe(0);
  });

  test('across match blocks any one suffices (OR), and the matching block is reported', () => {
    const http = [route('a', [{ name: 'one', uri: { exact: '/a' } }, { name: 'two', uri: { exact: '/b' } }])];
    const r = simulate([reviews(http)], { authority: 'reviews', path: '/b' });
    expect(r.route).toEqual({ virtualService: 'default/reviews', index: 0, matchIndex: 1, matchName: 'two' });
  });

  test('a route without match blocks matches everything', () => {
    expect(pick([route('a')], { authority: 'reviews', path: '/anything', method: 'DELETE' })).toBe(0);
  });
});

describe('string matches', () => {
  test('uri exact ignores the query string; prefix reads the path', () => {
    expect(pick([route('a', [{ uri: { exact: '/search' } }])], { authority: 'reviews', path: '/search?q=istio' })).toBe(0);
    expect(pick([route('a', [{ uri: { prefix: '/sea' } }])], { authority: 'reviews', path: '/search?q=istio' })).toBe(0);
  });

  test('regex matches the whole value with RE2 semantics', () => {
    const http = [route('a', [{ uri: { regex: '/api/v[0-9]+' } }]), route('b')];
    expect(pick(http, { authority: 'reviews', path: '/api/v2' })).toBe(0);
    expect(pick(http, { authority: 'reviews', path: '/api/v2/extra' })).toBe(1);
    expect(pick(http, { authority: 'reviews', path: '/x/api/v2' })).toBe(1);
  });

  test('RE2-only syntax works (Unicode classes), and what RE2 refuses (lookahead) never matches', () => {
    const http = [route('a', [{ headers: { 'x-name': { regex: '\\pL+' } } }]), route('b', [{ uri: { regex: '/(?=x).*' } }]), route('c')];
    expect(pick(http, { authority: 'reviews', headers: { 'x-name': 'Grüße' } })).toBe(0);
    const r = simulate([reviews(http)], { authority: 'reviews', path: '/x' });
    expect(chosenIndex(r)).toBe(2);
    expect(r.skipped[1].failed[0]).toMatch(/^uri regex "\/\(\?=x\)\.\*" is not RE2/);
  });

  test('an empty StringMatch or the regex "*" only asks for the header to be present', () => {
    const http = [route('a', [{ headers: { 'x-a': {}, 'x-b': { regex: '*' } } }]), route('b')];
    expect(pick(http, { authority: 'reviews', headers: { 'x-a': '', 'x-b': 'anything' } })).toBe(0);
    expect(pick(http, { authority: 'reviews', headers: { 'x-a': '1' } })).toBe(1);
  });

  test('header names are case-insensitive, header values are not', () => {
    const http = [route('a', [{ headers: { 'end-user': { exact: 'jason' } } }]), route('b')];
    expect(pick(http, { authority: 'reviews', headers: { 'End-User': 'jason' } })).toBe(0);
    expect(pick(http, { authority: 'reviews', headers: { 'end-user': 'Jason' } })).toBe(1);
  });

  test('withoutHeaders: a missing header counts as empty, so it satisfies a value match', () => {
    const http = [route('a', [{ withoutHeaders: { 'x-canary': { exact: 'true' } } }]), route('b')];
    expect(pick(http, { authority: 'reviews' })).toBe(0);
    expect(pick(http, { authority: 'reviews', headers: { 'x-canary': 'false' } })).toBe(0);
    const r = simulate([reviews(http)], { authority: 'reviews', headers: { 'X-Canary': 'true' } });
    expect(chosenIndex(r)).toBe(1);
    expect(r.skipped[0].failed).toEqual(['withoutHeaders "x-canary" exact "true": the header "true" matches']);
  });

  test('withoutHeaders with the presence form is satisfied only by a missing header', () => {
    const http = [route('a', [{ withoutHeaders: { 'x-debug': {} } }]), route('b')];
    expect(pick(http, { authority: 'reviews' })).toBe(0);
    expect(pick(http, { authority: 'reviews', headers: { 'x-debug': '' } })).toBe(1);
  });

  test('ignoreUriCase makes exact and prefix case-insensitive, not regex', () => {
    expect(pick([route('a', [{ uri: { prefix: '/API' }, ignoreUriCase: true }]), route('b')], { authority: 'reviews', path: '/api/x' })).toBe(0);
    expect(pick([route('a', [{ uri: { prefix: '/API' } }]), route('b')], { authority: 'reviews', path: '/api/x' })).toBe(1);
    expect(pick([route('a', [{ uri: { exact: '/Login' }, ignoreUriCase: true }]), route('b')], { authority: 'reviews', path: '/LOGIN' })).toBe(0);
    expect(pick([route('a', [{ uri: { regex: '/api' }, ignoreUriCase: true }]), route('b')], { authority: 'reviews', path: '/API' })).toBe(1);
  });

  test('query parameters from the path and from queryParams; values compare exactly', () => {
    const http = [route('a', [{ queryParams: { debug: { exact: 'on' }, v: { regex: '[0-9]+' } } }]), route('b')];
    expect(pick(http, { authority: 'reviews', path: '/x?debug=on&v=12' })).toBe(0);
    expect(pick(http, { authority: 'reviews', path: '/x?v=12', queryParams: { debug: 'on' } })).toBe(0);
    expect(pick(http, { authority: 'reviews', path: '/x?debug=ON&v=12' })).toBe(1);
  });

  test('method, authority and scheme are pseudo-header matches', () => {
    const http = [route('a', [{ method: { exact: 'POST' }, authority: { prefix: 'reviews' }, scheme: { exact: 'https' } }]), route('b')];
    expect(pick(http, { authority: 'reviews:9080', method: 'post', scheme: 'https' })).toBe(0);
    expect(pick(http, { authority: 'reviews:9080', method: 'POST' })).toBe(1);
  });
});

describe('scope: port, gateways, source', () => {
  test('match.port limits a block to the request port', () => {
    const http = [route('a', [{ port: 8080 }]), route('b')];
    expect(pick(http, { authority: 'reviews', port: 8080 })).toBe(0);
    const r = simulate([reviews(http)], { authority: 'reviews:9080' });
    expect(chosenIndex(r)).toBe(1);
    expect(r.skipped[0].failed).toEqual(['port 8080 is not the request port 9080']);
  });

  test('a sidecar whose port no route serves gets default routing: istiod builds no route of the VirtualService', () => {
    const r = simulate([reviews([route('a', [{ port: 8080 }])])], { authority: 'reviews', port: 9080 });
    expect(r.outcome).toBe(SimulationOutcome.DEFAULT_ROUTE);
    expect(r.destinations).toEqual([expect.objectContaining({ host: 'reviews.default.svc.cluster.local', port: 9080, percent: 100 })]);
    expect(r.notes.join('\n')).toMatch(/builds none of them for this sidecar on port 9080/);
  });

  test('match.gateways picks routes per gateway (short names resolve in the VirtualService namespace)', () => {
    const spec = { hosts: ['reviews.example.com'], gateways: ['edge', 'mesh'], http: [route('external', [{ gateways: ['edge'] }]), route('internal')] };
    const ms = [vs('reviews', spec, 'shop')];
    expect(chosenIndex(simulate(ms, { authority: 'reviews.example.com', source: TrafficSource.gateway('shop/edge') }))).toBe(0);
    const mesh = simulate(ms, { authority: 'reviews.example.com' });
    expect(chosenIndex(mesh)).toBe(1);
    expect(mesh.skipped[0].failed).toEqual(['gateways [shop/edge] do not include "mesh"']);
  });

  test('a VirtualService bound to a gateway is not read by sidecars, and one bound to the mesh not by gateways', () => {
    const ms = [vs('ext', { hosts: ['shop.example.com'], gateways: ['istio-system/edge'], http: [route('shop')] })];
    expect(simulate(ms, { authority: 'shop.example.com' }).outcome).toBe(SimulationOutcome.DEFAULT_ROUTE);
    const inMesh = [vs('int', { hosts: ['shop.example.com'], http: [route('shop')] })];
    const r = simulate(inMesh, { authority: 'shop.example.com', source: TrafficSource.gateway('istio-system/edge') });
    expect(r.outcome).toBe(SimulationOutcome.NO_ROUTE);
    expect(r.noRouteReason).toBe('no VirtualService bound to gateway istio-system/edge routes host "shop.example.com"');
  });

  test('sourceLabels select the calling workload', () => {
    const http = [route('a', [{ sourceLabels: { app: 'productpage', version: 'v2' } }]), route('b')];
    expect(pick(http, { authority: 'reviews', source: TrafficSource.mesh({ labels: { app: 'productpage', version: 'v2', extra: 'x' } }) })).toBe(0);
    const r = simulate([reviews(http)], { authority: 'reviews', source: TrafficSource.mesh({ labels: { app: 'productpage', version: 'v1' } }) });
    expect(r.skipped[0].failed).toEqual(['sourceLabels version=v2 not on the source']);
  });

  test('sourceNamespace selects the calling namespace', () => {
    const http = [route('a', [{ sourceNamespace: 'qa' }]), route('b')];
    const ms = [vs('reviews', { hosts: ['reviews.default.svc.cluster.local'], http })];
    expect(chosenIndex(simulate(ms, { authority: 'reviews.default', source: TrafficSource.mesh({ namespace: 'qa' }) }))).toBe(0);
    expect(chosenIndex(simulate(ms, { authority: 'reviews.default.svc.cluster.local', source: TrafficSource.mesh({ namespace: 'prod' }) }))).toBe(1);
  });

  test('with match.gateways set, istiod does not read sourceLabels of the block', () => {
    const spec = { hosts: ['reviews'], http: [route('a', [{ gateways: ['mesh'], sourceLabels: { app: 'nobody' } }]), route('b')] };
    expect(chosenIndex(simulate([vs('reviews', spec)], { authority: 'reviews' }))).toBe(0);
  });
});

describe('no route (NR)', () => {
  test('when nothing matches: NR, the closest route and every miss', () => {
    const http = [
      route('a', [{ uri: { prefix: '/admin' }, headers: { 'x-role': { exact: 'admin' } } }]),
      route('b', [{ uri: { prefix: '/shop' }, method: { exact: 'GET' } }]),
    ];
    const r = simulate([reviews(http)], { authority: 'reviews', path: '/shop/cart', method: 'POST' });
    expect(r.outcome).toBe(SimulationOutcome.NO_ROUTE);
    expect(r.responseFlag).toBe('NR');
    expect(r.destinations).toEqual([]);
    expect(r.closest).toEqual({ route: { virtualService: 'default/reviews', index: 1, matchIndex: 0 }, failed: ['method exact "GET" does not match "POST"'] });
    expect(r.skipped.map((m) => m.route.index)).toEqual([0, 1]);
  });

  test('a delegate VirtualService is followed; its routes must match too', () => {
    const parent = vs('root', { hosts: ['shop.example.com'], gateways: ['istio-system/edge'], http: [{ match: [{ uri: { prefix: '/cart' } }], delegate: { name: 'cart', namespace: 'cart' } }] }, 'edge');
    const child = vs('cart', { http: [route('cart-v2', [{ headers: { 'x-v2': { exact: '1' } } }]), route('cart')] }, 'cart');
    const source = TrafficSource.gateway('istio-system/edge');
    const r = simulate([parent, child], { authority: 'shop.example.com', path: '/cart/1', headers: { 'x-v2': '1' }, source });
    expect(r.route).toEqual({ virtualService: 'edge/root', index: 0, matchIndex: 0, delegatedTo: { virtualService: 'cart/cart', index: 0, matchIndex: 0 } });
    expect(r.destinations[0].host).toBe('cart-v2.cart.svc.cluster.local');
    expect(simulate([parent, child], { authority: 'shop.example.com', path: '/shop', source }).outcome).toBe(SimulationOutcome.NO_ROUTE);
  });
});
