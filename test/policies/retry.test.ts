import { Duration } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { RetryOn, RetryPolicy, SAFE_RETRY_ON_FOR_WRITES } from '../../src/policies/retry';

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
    expect(RetryPolicy.idempotent({ attempts: 2 }).nonIdempotent).toBe(false);
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

  test('rejects an empty retryOn with PROP (an empty list where conditions are required)', () => {
    const e = thrownBy(() => RetryPolicy.idempotent({ attempts: 2, retryOn: [] }));
    expect(e.code).toBe('PROP');
    expect(e.allowed).toBe('at least one RetryOn condition');
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
    expect(RetryPolicy.nonIdempotent({ attempts: 1 }).nonIdempotent).toBe(true);
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

describe('RetryPolicy.none', () => {
  test('renders attempts 0 only', () => {
    expect(RetryPolicy.none()._render()).toEqual({ attempts: 0 });
  });

  test('has no conditions and is not marked non-idempotent', () => {
    const p = RetryPolicy.none();
    expect(p.retryOn).toEqual([]);
    expect(p.nonIdempotent).toBe(false);
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
