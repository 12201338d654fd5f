import { Duration } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { raiseInvalid } from '../../src/core/problems';
import { codes, HOST, one, run, vs } from '../support/rules';
import { ISTIO_DEFAULT_RETRY_ON, RetryOn, RetryPolicy, SAFE_RETRY_ON_FOR_WRITES } from '../../src/policies/retry';
import { validateManifest } from '../../src/schema/crd-validator';

/** A VirtualService whose catch-all route carries `retries` (and `timeout`, when given). */
const routeWith = (retries: unknown, extra: Record<string, unknown> = {}) => vs({
  hosts: [HOST], http: [{ name: 'default', route: [{ destination: { host: HOST } }], retries, ...extra }],
});

describe('RetryPolicy.idempotent', () => {
  test('renders attempts, perTryTimeout and the default conditions', () => {
    expect(RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1) })._render()).toEqual({
      attempts: 2, perTryTimeout: '1s', retryOn: '5xx,reset,connect-failure,refused-stream',
    });
  });

  test('omits perTryTimeout when not given', () => {
    expect(RetryPolicy.idempotent({ attempts: 3 })._render()).toEqual({ attempts: 3, retryOn: '5xx,reset,connect-failure,refused-stream' });
  });

  test('renders backoff and fractional per-try timeouts in milliseconds', () => {
    expect(RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1.5), backoff: Duration.millis(50) })._render()).toEqual({
      attempts: 2, perTryTimeout: '1500ms', retryOn: '5xx,reset,connect-failure,refused-stream', backoff: '50ms',
    });
  });

  test('renders custom conditions once each, in order', () => {
    const p = RetryPolicy.idempotent({ attempts: 1, retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE, RetryOn.GATEWAY_ERROR] });
    expect(p._render()).toEqual({ attempts: 1, retryOn: 'gateway-error,connect-failure' });
    expect(p.retryOn).toEqual([RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE]);
  });

  test('is not marked non-idempotent', () => {
    expect(RetryPolicy.idempotent({ attempts: 2 }).forWrites).toBe(false);
  });

  test('accepts 1 attempt, the minimum', () => {
    expect(RetryPolicy.idempotent({ attempts: 1 }).attempts).toBe(1);
  });

  test('accepts 10 attempts, the maximum', () => {
    expect(RetryPolicy.idempotent({ attempts: 10 }).attempts).toBe(10);
  });

  test('rejects 0 attempts with PROP (the API contract: RetryPolicy.none() is the zero policy)', () => {
    const e = thrownBy(() => RetryPolicy.idempotent({ attempts: 0 }));
    expect(e.code).toBe('PROP');
    expect(e.path).toBe('RetryPolicy.idempotent');
    expect(e.value).toBe(0);
    expect(e.allowed).toBe('integer 1-10');
  });

  test('rejects 11 attempts with PROP (Istio has no maximum; the API stops at 10)', () => {
    expect(thrownBy(() => RetryPolicy.idempotent({ attempts: 11 })).value).toBe(11);
    expect(thrownBy(() => RetryPolicy.idempotent({ attempts: 11 })).code).toBe('PROP');
  });

  test('rejects negative attempts with VS-17, the check of rule VS-17', () => {
    const e = thrownBy(() => RetryPolicy.idempotent({ attempts: -1 }));
    expect(e.code).toBe('VS-17');
    expect(e.value).toBe(-1);
    expect(e.allowed).toBe('integer 1-10');
  });

  test('rejects attempts that are not a number with PROP', () => {
    expect(thrownBy(() => RetryPolicy.idempotent({ attempts: '2' as any })).code).toBe('PROP');
  });

  test('rejects fractional attempts with VS-17', () => {
    expect(thrownBy(() => RetryPolicy.idempotent({ attempts: 1.5 })).code).toBe('VS-17');
  });

  test('rejects an empty retryOn with PROP (an empty list where conditions are required), pointing at istioDefaultConditions', () => {
    const e = thrownBy(() => RetryPolicy.idempotent({ attempts: 2, retryOn: [] }));
    expect(e.code).toBe('PROP');
    expect(e.allowed).toBe('at least one RetryOn condition');
    expect(e.fix).toContain('RetryPolicy.istioDefaultConditions');
  });

  test('rejects a per-try timeout below 1ms with X-01', () => {
    const e = thrownBy(() => RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.millis(0.5) }));
    expect(e.code).toBe('X-01');
    expect(e.path).toBe('RetryPolicy.idempotent');
    expect(e.message).toContain('perTryTimeout');
  });

  test('rejects a condition Envoy does not know (through `as any`) with VS-17, the token check of rule VS-17', () => {
    const e = thrownBy(() => RetryPolicy.idempotent({ attempts: 2, retryOn: ['5xx ' as RetryOn] }));
    expect(e.code).toBe('VS-17');
    expect(e.value).toBe('5xx ');
    expect(e.message).toContain('tokens may not carry spaces');
    expect(thrownBy(() => RetryPolicy.idempotent({ attempts: 2, retryOn: ['bogus' as RetryOn] })).code).toBe('VS-17');
  });

  test('rejects retryOn that is not a list, or a non-string condition, with PROP', () => {
    expect(thrownBy(() => RetryPolicy.idempotent({ attempts: 2, retryOn: '5xx' as any })).code).toBe('PROP');
    expect(thrownBy(() => RetryPolicy.idempotent({ attempts: 2, retryOn: [5 as any] })).code).toBe('PROP');
  });

  test('rejects a sub-millisecond backoff with X-01', () => {
    const e = thrownBy(() => RetryPolicy.idempotent({ attempts: 2, backoff: Duration.millis(10.5) }));
    expect(e.code).toBe('X-01');
    expect(e.message).toContain('backoff');
  });
});

describe('RetryPolicy.nonIdempotent', () => {
  test('renders only the conditions safe for writes, without perTryTimeout', () => {
    expect(RetryPolicy.nonIdempotent({ attempts: 2 })._render()).toEqual({
      attempts: 2, retryOn: 'connect-failure,refused-stream,reset-before-request',
    });
  });

  test('is marked non-idempotent', () => {
    expect(RetryPolicy.nonIdempotent({ attempts: 1 }).forWrites).toBe(true);
  });

  test('accepts a subset of the safe conditions and a backoff', () => {
    expect(RetryPolicy.nonIdempotent({ attempts: 1, retryOn: [RetryOn.CONNECT_FAILURE], backoff: Duration.millis(100) })._render()).toEqual({
      attempts: 1, retryOn: 'connect-failure', backoff: '100ms',
    });
  });

  test('rejects 5xx with VS-18', () => {
    const e = thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 2, retryOn: [RetryOn.CONNECT_FAILURE, RetryOn.FIVE_XX] }));
    expect(e.code).toBe('VS-18');
    expect(e.path).toBe('RetryPolicy.nonIdempotent');
    expect(e.value).toBe('5xx');
    expect(e.allowed).toBe('connect-failure,refused-stream,reset-before-request');
  });

  test('names every unsafe condition', () => {
    expect(thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 2, retryOn: [RetryOn.RESET, RetryOn.GATEWAY_ERROR] })).value).toBe('reset,gateway-error');
  });

  test.each(Object.values(RetryOn).filter((c) => !SAFE_RETRY_ON_FOR_WRITES.includes(c)))('rejects %s with VS-18', (condition) => {
    expect(thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 1, retryOn: [condition] })).code).toBe('VS-18');
  });

  test('rejects 0 attempts with PROP', () => {
    expect(thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 0 })).code).toBe('PROP');
  });

  test('rejects 11 attempts with PROP', () => {
    expect(thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 11 })).code).toBe('PROP');
  });

  test('rejects fractional attempts with VS-17', () => {
    expect(thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 2.5 })).code).toBe('VS-17');
  });

  test('accepts 10 attempts', () => {
    expect(RetryPolicy.nonIdempotent({ attempts: 10 })._render().attempts).toBe(10);
  });
});

describe('RetryPolicy.istioDefaultConditions', () => {
  test('renders attempts and perTryTimeout but no retryOn, so Istio keeps its default conditions', () => {
    expect(RetryPolicy.istioDefaultConditions({ attempts: 3, perTryTimeout: Duration.seconds(2) })._render()).toEqual({ attempts: 3, perTryTimeout: '2s' });
  });

  test('renders backoff, and attempts alone', () => {
    expect(RetryPolicy.istioDefaultConditions({ attempts: 2, backoff: Duration.millis(50) })._render()).toEqual({ attempts: 2, backoff: '50ms' });
    expect(RetryPolicy.istioDefaultConditions({ attempts: 2 })._render()).toEqual({ attempts: 2 });
  });

  test("lists Istio's default conditions, is marked as using them, and is not for writes", () => {
    const p = RetryPolicy.istioDefaultConditions({ attempts: 2 });
    expect(p.retryOn).toEqual([RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM, RetryOn.UNAVAILABLE, RetryOn.CANCELLED, RetryOn.RETRIABLE_STATUS_CODES]);
    expect(ISTIO_DEFAULT_RETRY_ON).toEqual(p.retryOn);
    expect(p.usesIstioDefaultConditions).toBe(true);
    expect(p.forWrites).toBe(false);
    expect(RetryPolicy.idempotent({ attempts: 2 }).usesIstioDefaultConditions).toBe(false);
  });

  test('accepts 1 and 10 attempts (min, max)', () => {
    expect(RetryPolicy.istioDefaultConditions({ attempts: 1 })._render()).toEqual({ attempts: 1 });
    expect(RetryPolicy.istioDefaultConditions({ attempts: 10 })._render()).toEqual({ attempts: 10 });
  });

  test('rejects 0 and 11 attempts (min-1, max+1) with PROP, and negative attempts with VS-17', () => {
    const zero = thrownBy(() => RetryPolicy.istioDefaultConditions({ attempts: 0 }));
    expect(zero.code).toBe('PROP');
    expect(zero.path).toBe('RetryPolicy.istioDefaultConditions');
    expect(thrownBy(() => RetryPolicy.istioDefaultConditions({ attempts: 11 })).code).toBe('PROP');
    expect(thrownBy(() => RetryPolicy.istioDefaultConditions({ attempts: -1 })).code).toBe('VS-17');
  });

  test('rejects a per-try timeout below 1ms with X-01', () => {
    expect(thrownBy(() => RetryPolicy.istioDefaultConditions({ attempts: 2, perTryTimeout: Duration.millis(0.5) })).code).toBe('X-01');
  });

  test('its retries pass the CRD schema + CEL and the rules on an idempotent route', () => {
    const manifest = routeWith(RetryPolicy.istioDefaultConditions({ attempts: 2, perTryTimeout: Duration.seconds(1) })._render(), { timeout: '3s' });
    expect(validateManifest(manifest)).toEqual([]);
    expect(codes(run(manifest))).toEqual([]);
  });

  test('VS-19 holds it to the same timeout budget: 2s per try × 3 attempts needs a 6s timeout', () => {
    const retries = RetryPolicy.istioDefaultConditions({ attempts: 2, perTryTimeout: Duration.seconds(2) })._render();
    expect(one(run(routeWith(retries, { timeout: '5999ms' })), 'VS-19').message).toContain('= 6000ms');
    expect(codes(run(routeWith(retries, { timeout: '6s' })))).not.toContain('VS-19');
  });

  test("VS-18 refuses it on a route that carries writes: Istio's default includes unavailable, cancelled and 503", () => {
    const retries = RetryPolicy.istioDefaultConditions({ attempts: 2 })._render();
    const v = one(run(vs({ hosts: [HOST], http: [{ name: 'writes', match: [{ method: { exact: 'POST' } }], route: [{ destination: { host: HOST } }], retries }, { name: 'default', route: [{ destination: { host: HOST } }] }] })), 'VS-18');
    expect(v.message).toContain("(Istio's default retryOn)");
    expect(v.value).toBe('unavailable,cancelled,retriable-status-codes');
  });
});

describe("RetryPolicy.nonIdempotent may not keep Istio's default conditions", () => {
  test('an empty retryOn is VS-18, naming the unsafe default conditions', () => {
    const e = thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 2, retryOn: [] }));
    expect(e.code).toBe('VS-18');
    expect(e.path).toBe('RetryPolicy.nonIdempotent');
    expect(e.value).toBe('unavailable,cancelled,retriable-status-codes');
    expect(e.message).toContain("a non-idempotent policy may not keep Istio's default");
    expect(e.allowed).toBe('connect-failure,refused-stream,reset-before-request');
  });

  test('its default conditions pass the CRD schema + CEL and VS-18 on a POST route', () => {
    const retries = RetryPolicy.nonIdempotent({ attempts: 2 })._render();
    const manifest = vs({ hosts: [HOST], http: [{ name: 'writes', match: [{ method: { exact: 'POST' } }], route: [{ destination: { host: HOST } }], retries }, { name: 'default', route: [{ destination: { host: HOST } }] }] });
    expect(validateManifest(manifest)).toEqual([]);
    expect(codes(run(manifest))).not.toContain('VS-18');
  });
});

describe('RetryPolicy.none', () => {
  test('renders attempts 0 only', () => {
    expect(RetryPolicy.none()._render()).toEqual({ attempts: 0 });
  });

  test('has no conditions and is not marked non-idempotent', () => {
    const p = RetryPolicy.none();
    expect(p.retryOn).toEqual([]);
    expect(p.forWrites).toBe(false);
  });
});

describe('worstCaseMillis', () => {
  test('is perTryTimeout × (attempts + 1) + backoff × attempts', () => {
    expect(RetryPolicy.idempotent({ attempts: 2, perTryTimeout: Duration.seconds(1), backoff: Duration.millis(100) }).worstCaseMillis()).toBe(3200);
  });

  test('ignores backoff when none is set', () => {
    expect(RetryPolicy.idempotent({ attempts: 3, perTryTimeout: Duration.millis(250) }).worstCaseMillis()).toBe(1000);
  });

  test('is undefined without a per-try timeout', () => {
    expect(RetryPolicy.idempotent({ attempts: 2 }).worstCaseMillis()).toBeUndefined();
  });
});

test('render returns a copy', () => {
  const p = RetryPolicy.idempotent({ attempts: 2 });
  (p._render() as any).attempts = 9;
  expect(p._render().attempts).toBe(2);
});

describe('invalid options make an invalid policy, raised by whoever takes it', () => {
  test('the factory does not throw; every problem of the options is listed at once, with the factory as path', () => {
    const policy = RetryPolicy.idempotent({ attempts: 50, perTryTimeout: Duration.millis(0), backoff: Duration.millis(0.5), retryIgnorePreviousHosts: 'yes' as any });
    const e = thrownBy(() => policy);
    expect(e.violations.map((v) => [v.code, v.path, v.message])).toEqual([
      ['PROP', 'RetryPolicy.idempotent', 'attempts must be an integer 1-10 (received 50)'],
      ['PROP', 'RetryPolicy.idempotent', 'retryIgnorePreviousHosts "yes" is not a boolean'],
      ['X-01', 'RetryPolicy.idempotent', 'perTryTimeout is shorter than 1ms (received 0ms)'],
      ['X-01', 'RetryPolicy.idempotent', 'backoff is shorter than 1ms (received 0.5ms)'],
    ]);
  });

  test('a check whose input failed is skipped: bad attempts do not also make an empty retryOn a problem', () => {
    expect(thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 0, retryOn: [] })).violations.map((v) => v.message)).toEqual(['attempts must be an integer 1-10 (received 0)']);
    expect(thrownBy(() => RetryPolicy.nonIdempotent({ attempts: 11, retryOn: [RetryOn.FIVE_XX] })).violations.map((v) => v.code)).toEqual(['PROP', 'VS-18']);
  });

  test('its fields and methods throw the factory\'s error instead of answering', () => {
    const policy = RetryPolicy.nonIdempotent({ attempts: 2, retryOn: [RetryOn.FIVE_XX] });
    for (const use of [() => policy.attempts, () => policy.forWrites, () => policy.retryOn, () => policy.worstCaseMillis(), () => policy._render()]) {
      expect(use).toThrow(/^\[RetryPolicy\.nonIdempotent\] VS-18: retryOn contains "5xx"/);
    }
  });

  test('a valid policy is unchanged: its fields answer and it renders', () => {
    const policy = RetryPolicy.idempotent({ attempts: 10, perTryTimeout: Duration.seconds(1), backoff: Duration.millis(25) });
    expect(() => raiseInvalid(policy)).not.toThrow();
    expect([policy.attempts, policy.forWrites, policy.worstCaseMillis()]).toEqual([10, false, 11_250]);
    expect(policy._render()).toEqual({ attempts: 10, perTryTimeout: '1s', retryOn: '5xx,reset,connect-failure,refused-stream', backoff: '25ms' });
  });
});
