import { dest, ERROR, findings, HOST, single, vs } from '../../support/rules';
import { VS10, VS13, VS17 } from '../../../src/rules/vs/route';

/** A VirtualService whose single HTTP route "main" has the given fields. */
const main = (fields: Record<string, unknown>) => vs({ hosts: [HOST], http: [{ name: 'main', ...fields }] });

describe('VS-10 destinations', () => {
  test('a route entry without destination is an error', () => {
    const v = single(VS10, main({ route: [{ weight: 100 }] }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.http[0].route[0].destination (route "main") is missing');
  });

  test('a destination without host is an error', () => {
    expect(single(VS10, main({ route: [{ destination: { subset: 'v1' } }] })).message).toBe('spec.http[0].route[0].destination.host (route "main") is missing');
  });

  test('an empty host is an error', () => {
    expect(single(VS10, vs({ hosts: [HOST], tcp: [{ route: [{ destination: { host: '' } }] }] })).message).toContain('spec.tcp[0].route[0].destination.host is missing');
  });

  test('a subset that is not a DNS label is an error naming it', () => {
    const v = single(VS10, main({ route: [dest(HOST, { subset: 'V1_beta' })] }));
    expect(v.message).toContain('spec.http[0].route[0].destination.subset "V1_beta" (route "main")');
    expect(v.value).toBe('V1_beta');
  });

  test('a subset of 64 characters (max+1) is an error; 63 (max) passes', () => {
    expect(single(VS10, main({ route: [dest(HOST, { subset: 'a'.repeat(64) })] })).message).toContain('longer than 63');
    expect(findings(VS10, main({ route: [dest(HOST, { subset: 'a'.repeat(63) })] }))).toEqual([]);
  });

  test('a port selector without number is an error', () => {
    expect(single(VS10, main({ route: [{ destination: { host: HOST, port: {} } }] })).message).toContain('destination.port (route "main") has no number');
  });

  test('a mirror without host is an error', () => {
    expect(single(VS10, main({ route: [dest(HOST)], mirror: { subset: 'v2' } })).message).toContain('spec.http[0].mirror.host (route "main") is missing');
  });

  test('a mirrors entry without destination is an error', () => {
    expect(single(VS10, main({ route: [dest(HOST)], mirrors: [{ percentage: { value: 5 } }] })).message).toContain('spec.http[0].mirrors[0].destination (route "main") is missing');
  });

  test('complete destinations and mirrors pass', () => {
    expect(findings(VS10, main({ route: [dest(HOST, { subset: 'v1', port: 9080 })], mirrors: [{ destination: { host: HOST, subset: 'v2' } }] }))).toEqual([]);
  });
});

describe('VS-13 repeated destinations in one route', () => {
  test('the same host and subset twice is an error', () => {
    const v = single(VS13, main({ route: [dest(HOST, { subset: 'v1', weight: 50 }), dest(HOST, { subset: 'v1', weight: 50 })] }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe(`spec.http[0].route[1] (route "main") repeats the destination of route[0] (host ${HOST} subset "v1")`);
  });

  test('a short name and its FQDN are the same destination', () => {
    const v = single(VS13, vs({ hosts: [HOST], http: [{ route: [dest('reviews', { weight: 50 }), dest(HOST, { weight: 50 })] }] }, { namespace: 'shop' }));
    expect(v.message).toContain(`(host ${HOST})`);
  });

  test('the same host on the same port in a TCP route is an error', () => {
    expect(single(VS13, vs({ hosts: [HOST], tcp: [{ route: [dest(HOST, { port: 5432, weight: 50 }), dest(HOST, { port: 5432, weight: 50 })] }] })).message).toContain('port 5432');
  });

  test('different subsets pass', () => {
    expect(findings(VS13, main({ route: [dest(HOST, { subset: 'v1', weight: 90 }), dest(HOST, { subset: 'v2', weight: 10 })] }))).toEqual([]);
  });

  test('different ports pass', () => {
    expect(findings(VS13, main({ route: [dest(HOST, { port: 80, weight: 50 }), dest(HOST, { port: 81, weight: 50 })] }))).toEqual([]);
  });

  test('the same destination in two different routes passes', () => {
    expect(findings(VS13, vs({ hosts: [HOST], http: [{ match: [{ uri: { prefix: '/a' } }], route: [dest(HOST)] }, { route: [dest(HOST)] }] }))).toEqual([]);
  });
});

describe('VS-17 retry syntax', () => {
  const retries = (r: unknown) => main({ route: [dest(HOST)], retries: r });

  test('negative attempts is an error', () => {
    const v = single(VS17, retries({ attempts: -1 }));
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.http[0].retries.attempts -1 (route "main") is not a non-negative integer');
    expect(v.value).toBe(-1);
  });

  test('fractional attempts is an error', () => {
    expect(single(VS17, retries({ attempts: 1.5 })).allowed).toBe('integer >= 0');
  });

  test('attempts 0 alone (retries disabled) passes', () => {
    expect(findings(VS17, retries({ attempts: 0 }))).toEqual([]);
  });

  test('attempts 0 with perTryTimeout and retryOn is an error listing them', () => {
    const v = single(VS17, retries({ attempts: 0, perTryTimeout: '1s', retryOn: '5xx' }));
    expect(v.message).toBe('spec.http[0].retries (route "main") sets perTryTimeout, retryOn but attempts is 0, which disables retries');
  });

  test('unset attempts counts as 0', () => {
    expect(single(VS17, retries({ retryRemoteLocalities: true })).message).toContain('sets retryRemoteLocalities but attempts is unset (0)');
  });

  test('an unknown retryOn token is an error naming it', () => {
    const v = single(VS17, retries({ attempts: 2, retryOn: 'connect-failure,5xx-errors' }));
    expect(v.message).toBe('spec.http[0].retries.retryOn "connect-failure,5xx-errors" (route "main") contains "5xx-errors", which is not an Envoy retry condition or a known HTTP status code');
    expect(v.value).toBe('5xx-errors');
  });

  test('a token with a space is an error', () => {
    expect(single(VS17, retries({ attempts: 2, retryOn: '5xx, reset' })).message).toContain('tokens may not carry spaces');
  });

  test('an empty token (trailing comma) is an error', () => {
    expect(single(VS17, retries({ attempts: 2, retryOn: '5xx,' })).message).toContain('empty token');
  });

  test('an unknown numeric status (599) is an error; 503 passes', () => {
    expect(single(VS17, retries({ attempts: 2, retryOn: '599' })).value).toBe('599');
    expect(findings(VS17, retries({ attempts: 2, retryOn: '503' }))).toEqual([]);
  });

  test('every HTTP and gRPC condition passes', () => {
    const all = '5xx,gateway-error,reset,reset-before-request,connect-failure,retriable-4xx,refused-stream,retriable-status-codes,retriable-headers,envoy-ratelimited,http3-post-connect-failure,cancelled,deadline-exceeded,internal,resource-exhausted,unavailable';
    expect(findings(VS17, retries({ attempts: 3, perTryTimeout: '2s', retryOn: all, retryRemoteLocalities: true }))).toEqual([]);
  });
});
