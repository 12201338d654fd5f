import { CATCH_ALL, codes, dest, ERROR, HOST, one, only, run, vs, WARNING } from '../../support/rules';
import { NON_IDEMPOTENT_ROUTES_ANNOTATION } from '../../../src/engine/intent';

/** A VS with `route` above the catch-all. */
const withRoute = (route: Record<string, unknown>, meta = {}) => vs({ hosts: [HOST], http: [{ route: [dest(HOST)], ...route }, CATCH_ALL] }, meta);
const method = (m: Record<string, string>) => [{ method: m }];
const SAFE = 'connect-failure,refused-stream,reset-before-request';

/** A catch-all route with a timeout and retries. */
const budget = (timeout: string, retries: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ ...CATCH_ALL, timeout, retries }] });

const TEST_HEADER = { headers: { 'x-chaos-test': { exact: 'true' } } };
const FAULT = { abort: { httpStatus: 503, percentage: { value: 100 } } };

const MIRROR = { mirror: { host: 'reviews-shadow.shop.svc.cluster.local' }, mirrorPercentage: { value: 10 } };

describe('VS-18 unsafe retries on write routes', () => {
  test('POST exact with retries on 5xx is an error naming the route, method and token', () => {
    const v = one(run(withRoute({ name: 'create', match: method({ exact: 'POST' }), retries: { attempts: 2, retryOn: '5xx,connect-failure' } })), 'VS-18');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "create" carries POST requests');
    expect(v.message).toContain('retries on "5xx"');
    expect(v.value).toBe('5xx');
    expect(v.allowed).toBe(SAFE);
  });

  test('a method regex ^(GET|POST)$ admits POST: error', () => {
    const v = one(run(withRoute({ name: 'mixed', match: method({ regex: '^(GET|POST)$' }), retries: { attempts: 2, retryOn: 'gateway-error' } })), 'VS-18');
    expect(v.message).toContain('route "mixed" carries POST requests');
    expect(v.message).toContain('"gateway-error"');
  });

  test('a method prefix "P" admits POST, PUT and PATCH', () => {
    const v = one(run(withRoute({ name: 'p', match: method({ prefix: 'P' }), retries: { attempts: 1, retryOn: 'reset' } })), 'VS-18');
    expect(v.message).toContain('carries POST/PUT/PATCH requests');
  });

  test('retries omitted on a write route is an error (Istio applies its implicit default)', () => {
    const v = one(run(withRoute({ name: 'create', match: method({ exact: 'POST' }) })), 'VS-18');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "create" carries POST requests but sets no retries');
    expect(v.message).toContain('retriable-status-codes');
    expect(v.value).toBe('retries unset');
  });

  test('attempts 0 on a write route passes', () => {
    expect(codes(run(withRoute({ name: 'create', match: method({ exact: 'POST' }), retries: { attempts: 0 } })))).not.toContain('VS-18');
  });

  test('retryOn with only pre-request tokens on a write route passes', () => {
    expect(codes(run(withRoute({ name: 'create', match: method({ exact: 'PUT' }), retries: { attempts: 2, retryOn: SAFE } })))).not.toContain('VS-18');
  });

  test('perTryTimeout on a write route is an error naming the value, even with safe tokens', () => {
    const v = one(run(withRoute({ name: 'create', match: method({ exact: 'DELETE' }), retries: { attempts: 2, retryOn: 'connect-failure', perTryTimeout: '1s' } })), 'VS-18');
    expect(v.message).toContain('route "create" carries DELETE requests but retries after perTryTimeout "1s"');
    expect(v.value).toBe('1s');
  });

  test('retryOn unset on a write route is an error: Istio\'s default retryOn is unsafe', () => {
    const v = one(run(withRoute({ name: 'create', match: method({ exact: 'PATCH' }), retries: { attempts: 2 } })), 'VS-18');
    expect(v.message).toContain("(Istio's default retryOn)");
    expect(v.message).toContain('unavailable');
    expect(v.message).not.toContain('"connect-failure');
  });

  test('unsafe tokens and perTryTimeout on one route give two findings', () => {
    const report = run(withRoute({ name: 'create', match: method({ exact: 'POST' }), retries: { attempts: 2, retryOn: '5xx', perTryTimeout: '1s' } }));
    expect(only(report, 'VS-18')).toHaveLength(2);
  });

  test('a GET-only route may retry on 5xx', () => {
    expect(codes(run(withRoute({ name: 'read', match: method({ exact: 'GET' }), retries: { attempts: 3, retryOn: '5xx', perTryTimeout: '1s' }, timeout: '5s' })))).not.toContain('VS-18');
  });

  test('a route without a method constraint is not treated as a write route', () => {
    expect(codes(run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, retries: { attempts: 2, retryOn: '5xx' } }] })))).not.toContain('VS-18');
  });

  test('a route marked non-idempotent by annotation is a write route', () => {
    const report = run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, retries: { attempts: 2, retryOn: '5xx' } }] }, { annotations: { [NON_IDEMPOTENT_ROUTES_ANNOTATION]: 'checkout, default' } }));
    const v = one(report, 'VS-18');
    expect(v.message).toContain('route "default" carries (marked non-idempotent) requests');
  });
});

describe('VS-19 timeout budget', () => {
  test('perTryTimeout unset with attempts > 0 and a route timeout is a warning', () => {
    const v = one(run(budget('5s', { attempts: 2, retryOn: '5xx' })), 'VS-19');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('route "default" retries 2 times without perTryTimeout');
    expect(v.message).toContain('5s');
  });

  test('perTryTimeout unset is fine when retrying only on pre-request failures', () => {
    expect(codes(run(budget('5s', { attempts: 2, retryOn: 'connect-failure,refused-stream' })))).not.toContain('VS-19');
  });

  test('perTryTimeout equal to the timeout is an error', () => {
    const v = one(run(budget('2s', { attempts: 2, retryOn: '5xx', perTryTimeout: '2s' })), 'VS-19');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "default" perTryTimeout 2s is not shorter than timeout 2s');
    expect(v.value).toBe('2s');
  });

  test('perTryTimeout longer than the timeout is an error', () => {
    expect(one(run(budget('1s', { attempts: 1, retryOn: '5xx', perTryTimeout: '1500ms' })), 'VS-19').allowed).toBe('< 1s');
  });

  test('timeout shorter than perTryTimeout × (attempts + 1) is an error naming the budget', () => {
    const v = one(run(budget('2999ms', { attempts: 2, retryOn: '5xx', perTryTimeout: '1s' })), 'VS-19');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('timeout 2999ms is shorter than perTryTimeout 1s × 3 attempts = 3000ms');
    expect(v.allowed).toBe('>= 3000ms');
  });

  test('timeout exactly perTryTimeout × (attempts + 1) passes', () => {
    expect(codes(run(budget('3s', { attempts: 2, retryOn: '5xx', perTryTimeout: '1s' })))).not.toContain('VS-19');
  });

  test('backoff × attempts is counted in the budget', () => {
    const v = one(run(budget('3s', { attempts: 2, retryOn: '5xx', perTryTimeout: '1s', backoff: '100ms' })), 'VS-19');
    expect(v.message).toContain('+ backoff 100ms × 2 = 3200ms');
  });

  test('a timeout covering tries and backoff exactly passes', () => {
    expect(codes(run(budget('3200ms', { attempts: 2, retryOn: '5xx', perTryTimeout: '1s', backoff: '100ms' })))).not.toContain('VS-19');
  });

  test('no route timeout: not checked', () => {
    expect(codes(run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, retries: { attempts: 2, retryOn: '5xx', perTryTimeout: '10s' } }] })))).not.toContain('VS-19');
  });

  test('attempts 0: not checked', () => {
    expect(codes(run(budget('1s', { attempts: 0 })))).not.toContain('VS-19');
  });
});

describe('VS-23 fault only on test traffic', () => {
  test('a fault on the catch-all is an error naming the route', () => {
    const v = one(run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, fault: FAULT }] })), 'VS-23');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "default" injects a fault but it has no match (catch-all)');
  });

  test('a fault on a route matching a test header passes', () => {
    expect(codes(run(withRoute({ name: 'chaos', match: [TEST_HEADER], fault: FAULT })))).not.toContain('VS-23');
  });

  test('a fault where one of two matches lacks a header is an error', () => {
    const v = one(run(withRoute({ name: 'chaos', match: [TEST_HEADER, { uri: { prefix: '/api' } }], fault: FAULT })), 'VS-23');
    expect(v.message).toContain('route "chaos" injects a fault but one of its matches selects no test header');
  });

  test('a fault on a uri-only match is an error', () => {
    expect(only(run(withRoute({ name: 'chaos', match: [{ uri: { prefix: '/api' } }], fault: FAULT })), 'VS-23')).toHaveLength(1);
  });

  test('an empty headers map does not count as a test-traffic match', () => {
    expect(only(run(withRoute({ name: 'chaos', match: [{ headers: {} }], fault: FAULT })), 'VS-23')).toHaveLength(1);
  });

  test('a fault on a sourceLabels match passes', () => {
    expect(codes(run(withRoute({ name: 'chaos', match: [{ sourceLabels: { app: 'chaos-runner' } }], fault: FAULT })))).not.toContain('VS-23');
  });
});

describe('VS-25 no mirroring of write paths', () => {
  test('mirroring a POST route is an error naming the route and method', () => {
    const v = one(run(withRoute({ name: 'create', match: method({ exact: 'POST' }), retries: { attempts: 0 }, ...MIRROR })), 'VS-25');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "create" mirrors POST requests');
    expect(v.value).toBe('POST');
  });

  test('mirrors[] on a write route is an error', () => {
    const route = { name: 'create', match: method({ regex: 'PUT|DELETE' }), retries: { attempts: 0 }, mirrors: [{ destination: { host: 'shadow.shop.svc.cluster.local' }, percentage: { value: 5 } }] };
    expect(one(run(withRoute(route)), 'VS-25').message).toContain('mirrors PUT/DELETE requests');
  });

  test('mirroring a route without a method constraint is a warning', () => {
    const v = one(run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, ...MIRROR }] })), 'VS-25');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('route "default" mirrors requests of every method');
  });

  test('mirroring a route where one match has no method constraint is a warning', () => {
    const report = run(withRoute({ name: 'reads', match: [{ method: { exact: 'GET' } }, { uri: { prefix: '/api' } }], ...MIRROR }));
    expect(one(report, 'VS-25').severity).toBe(WARNING);
  });

  test('mirroring a GET-only route passes', () => {
    expect(codes(run(withRoute({ name: 'reads', match: method({ regex: '^(GET|HEAD)$' }), ...MIRROR })))).not.toContain('VS-25');
  });

  test('mirroring a route marked non-idempotent by annotation is an error', () => {
    const report = run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, retries: { attempts: 0 }, ...MIRROR }] }, { annotations: { [NON_IDEMPOTENT_ROUTES_ANNOTATION]: 'default' } }));
    const v = one(report, 'VS-25');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "default" mirrors (marked non-idempotent) requests');
  });

  test('the annotation only marks the routes it names', () => {
    const report = run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, ...MIRROR }] }, { annotations: { [NON_IDEMPOTENT_ROUTES_ANNOTATION]: 'checkout' } }));
    expect(one(report, 'VS-25').severity).toBe(WARNING);
  });
});
