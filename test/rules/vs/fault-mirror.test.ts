
import { CATCH_ALL, codes, dest, ERROR, HOST, one, only, run, vs, WARNING } from '../../support/rules';

/** Every match of the test route selects test traffic (so VS-23 stays quiet). */
const TEST_MATCH = [{ headers: { 'x-chaos': { exact: 'true' } } }];
/** A VS with a header-matched route "test" (to HOST, plus `extra`) above the catch-all. */
const withRoute = (extra: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ name: 'test', match: TEST_MATCH, route: [dest(HOST)], ...extra }, CATCH_ALL] });
const abort = (a: Record<string, unknown>) => withRoute({ fault: { abort: a } });
const delay = (d: Record<string, unknown>) => withRoute({ fault: { delay: d } });
const SHADOW = 'reviews-shadow.shop.svc.cluster.local';

describe('VS-20 retries or timeout on a faulted route', () => {
  test('retries on a faulted route are a warning naming the route and attempts', () => {
    const v = one(run(withRoute({ fault: { abort: { httpStatus: 503, percentage: { value: 10 } } }, retries: { attempts: 3 } })), 'VS-20');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('route "test" injects a fault and sets retries.attempts 3');
    expect(v.value).toBe('retries.attempts 3');
  });

  test('a timeout on a faulted route is a warning naming the timeout', () => {
    const v = one(run(withRoute({ fault: { delay: { fixedDelay: '1s' } }, timeout: '2s' })), 'VS-20');
    expect(v.message).toContain('timeout "2s"');
  });

  test('a fault with retries.attempts 0 passes', () => {
    expect(codes(run(withRoute({ fault: { delay: { fixedDelay: '1s' } }, retries: { attempts: 0 } })))).not.toContain('VS-20');
  });

  test('retries without a fault pass', () => {
    expect(codes(run(withRoute({ retries: { attempts: 3, perTryTimeout: '1s' }, timeout: '5s' })))).not.toContain('VS-20');
  });
});

describe('VS-22 fault grammar', () => {
  test('a fault with neither abort nor delay is an error', () => {
    const v = one(run(withRoute({ fault: {} })), 'VS-22');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "test" fault has neither abort nor delay');
  });

  test.each([[150, 'is outside 0-100'], [-1, 'is outside 0-100'], [0.00001, 'is below the smallest non-zero percentage']])('percentage %p is an error', (value, text) => {
    const v = one(run(abort({ httpStatus: 503, percentage: { value } })), 'VS-22');
    expect(v.message).toContain(`fault.abort.percentage.value ${value} ${text}`);
    expect(v.value).toBe(value);
  });

  test.each([0, 0.0001, 100])('percentage %p passes', (value) => {
    expect(codes(run(abort({ httpStatus: 503, percentage: { value } })))).not.toContain('VS-22');
  });

  test('a delay percentage is checked too', () => {
    expect(one(run(delay({ fixedDelay: '1s', percentage: { value: 101 } })), 'VS-22').message).toContain('fault.delay.percentage.value 101');
  });

  test.each([199, 600, 503.5])('abort httpStatus %p is an error', (status) => {
    const v = one(run(abort({ httpStatus: status })), 'VS-22');
    expect(v.message).toContain(`fault.abort.httpStatus ${status} is not an HTTP status 200-599`);
    expect(v.allowed).toBe('200-599');
  });

  test.each([200, 599])('abort httpStatus %p passes', (status) => {
    expect(codes(run(abort({ httpStatus: status })))).not.toContain('VS-22');
  });

  test('an unknown grpcStatus is an error; UNAVAILABLE passes', () => {
    expect(one(run(abort({ grpcStatus: 'unavailable' })), 'VS-22').message).toContain('fault.abort.grpcStatus "unavailable" is not a gRPC status name');
    expect(codes(run(abort({ grpcStatus: 'UNAVAILABLE' })))).not.toContain('VS-22');
  });

  test('http2Error is an error (not supported)', () => {
    expect(one(run(abort({ http2Error: 'CANCEL' })), 'VS-22').message).toContain('fault.abort.http2Error "CANCEL" is not supported');
  });

  test('an abort without an error type is a warning', () => {
    const v = one(run(abort({ percentage: { value: 5 } })), 'VS-22');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('fault.abort sets no httpStatus or grpcStatus');
  });

  test('exponentialDelay is an error', () => {
    expect(one(run(delay({ exponentialDelay: '1s' })), 'VS-22').message).toContain('fault.delay.exponentialDelay "1s" is not supported');
  });

  test('a delay without fixedDelay is an error (nothing is injected)', () => {
    const v = one(run(delay({ percentage: { value: 10 } })), 'VS-22');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('fault.delay sets no fixedDelay');
  });

  test('the deprecated delay.percent is a warning', () => {
    const v = one(run(delay({ fixedDelay: '1s', percent: 10 })), 'VS-22');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('fault.delay.percent 10 is deprecated');
  });

  test('a well-formed abort and delay pass', () => {
    expect(codes(run(withRoute({ fault: { abort: { httpStatus: 503, percentage: { value: 10 } }, delay: { fixedDelay: '2s', percentage: { value: 50 } } } })))).not.toContain('VS-22');
  });
});

describe('VS-24 mirror grammar', () => {
  test('a null mirrors entry is an error', () => {
    const v = one(run(withRoute({ mirrors: [null] })), 'VS-24');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('route "test" mirrors[0] is null, not a mirror policy');
  });

  test('mirror with mirrors, or a mirror without host, are left to VS-05 and VS-10', () => {
    const report = run(withRoute({ mirror: { subset: 'v2' }, mirrorPercentage: { value: 5 }, mirrors: [{ destination: { host: SHADOW }, percentage: { value: 5 } }] }));
    expect(codes(report)).not.toContain('VS-24');
  });

  test('mirror percentages outside 0-100 are errors', () => {
    expect(one(run(withRoute({ mirrors: [{ destination: { host: SHADOW }, percentage: { value: 101 } }] })), 'VS-24').message).toContain('mirrors[0].percentage.value 101 is outside 0-100');
    const v = one(run(withRoute({ mirror: { host: SHADOW }, mirrorPercentage: { value: -1 } })), 'VS-24');
    expect(v.message).toContain('mirrorPercentage.value -1 is outside 0-100');
    expect(v.value).toBe(-1);
  });

  test('the deprecated mirrorPercent is a warning, and an error above 100', () => {
    const w = one(run(withRoute({ mirror: { host: SHADOW }, mirrorPercent: 50 })), 'VS-24');
    expect(w.severity).toBe(WARNING);
    expect(w.message).toContain('mirrorPercent 50 is deprecated');
    const e = one(run(withRoute({ mirror: { host: SHADOW }, mirrorPercent: 150 })), 'VS-24');
    expect(e.severity).toBe(ERROR);
    expect(e.message).toContain('mirrorPercent 150 is above 100');
  });

  test('mirror with mirrorPercentage 0-100, and mirrors with percentages, pass', () => {
    expect(codes(run(withRoute({ mirror: { host: SHADOW }, mirrorPercentage: { value: 100 } })))).not.toContain('VS-24');
    expect(codes(run(withRoute({ mirrors: [{ destination: { host: SHADOW }, percentage: { value: 0 } }] })))).not.toContain('VS-24');
  });
});

describe('VS-26 mirror percentage and target', () => {
  test('a mirror without percentage is a warning (100% mirrored)', () => {
    const v = one(run(withRoute({ mirror: { host: SHADOW } })), 'VS-26');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain(`route "test" mirror to "${SHADOW}" sets no percentage, so 100% of the requests are mirrored`);
  });

  test('a mirrors entry without percentage is a warning', () => {
    expect(one(run(withRoute({ mirrors: [{ destination: { host: SHADOW } }] })), 'VS-26').message).toContain('route "test" mirrors[0] to');
  });

  test('mirroring to the route destination itself is a warning (short name resolved)', () => {
    const v = one(run(vs({ hosts: [HOST], http: [{ ...CATCH_ALL, mirror: { host: 'reviews' }, mirrorPercentage: { value: 10 } }] }, { namespace: 'shop' })), 'VS-26');
    expect(v.message).toContain('route "default" mirror targets "reviews", which also receives live traffic from the route');
  });

  test('the same subset is a duplicate; another subset of the same host passes', () => {
    const routeTo = (subset: string) => withRoute({ route: [dest(HOST, { subset: 'v1' })], mirror: { host: HOST, subset }, mirrorPercentage: { value: 10 } });
    expect(one(run(routeTo('v1')), 'VS-26').message).toContain('subset "v1"');
    expect(only(run(routeTo('v2')), 'VS-26')).toEqual([]);
  });

  test('mirroring to a weighted destination of a split is a warning; to the weight-0 canary it passes', () => {
    const split = (canaryWeight: number) => withRoute({
      route: [dest(HOST, { subset: 'stable', weight: 100 - canaryWeight }), dest(HOST, { subset: 'canary', weight: canaryWeight })],
      mirror: { host: HOST, subset: 'canary' }, mirrorPercentage: { value: 100 },
    });
    expect(one(run(split(10)), 'VS-26').message).toContain('subset "canary", which also receives live traffic');
    expect(only(run(split(0)), 'VS-26')).toEqual([]);
  });

  test('an explicit percentage to another host passes', () => {
    expect(codes(run(withRoute({ mirror: { host: SHADOW }, mirrorPercentage: { value: 10 } })))).not.toContain('VS-26');
  });
});
