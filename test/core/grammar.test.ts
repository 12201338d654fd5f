import { dnsLabelProblem, dnsSubdomainProblem, durationProblem, formatMillis, labelKeyProblem, labelValueProblem, parseDuration, portProblem, toDnsLabel } from '../../src/core/grammar';
import { hostProblem } from '../../src/core/hosts';

describe('parseDuration', () => {
  test.each([
    ['1h2m', 3_720_000],
    ['1.5s', 1500],
    ['100ms', 100],
    ['500us', 0.5],
    ['500µs', 0.5],
    ['2000000ns', 2],
    ['.5s', 500],
    ['1m30s', 90_000],
  ])('parses %s to %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  test.each([
    ['abc'], ['5'], ['5 s'], ['-1s'], ['1s garbage'], ['s'], [''], ['1d'],
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  test('rejects non-strings', () => {
    expect(parseDuration(5)).toBeUndefined();
    expect(parseDuration(undefined)).toBeUndefined();
  });

  test('accepts 64 characters and rejects 65', () => {
    const sixtyFour = `${'0'.repeat(62)}1s`;
    expect(sixtyFour).toHaveLength(64);
    expect(parseDuration(sixtyFour)).toBe(1000);
    expect(parseDuration(`0${sixtyFour}`)).toBeUndefined();
  });
});

describe('durationProblem (X-01)', () => {
  test('accepts 1ms, the minimum', () => {
    expect(durationProblem(1)).toBeUndefined();
  });

  test('rejects just below 1ms', () => {
    expect(durationProblem(0.999)).toBe('is shorter than 1ms');
  });

  test('rejects zero', () => {
    expect(durationProblem(0)).toBe('is shorter than 1ms');
  });

  test('accepts zero only for the fields where 0s has a meaning (tcp.idleTimeout, httpCookie.ttl)', () => {
    expect(durationProblem(0, 'httpCookie.ttl')).toBeUndefined();
    expect(durationProblem(0, 'tcp.idleTimeout')).toBeUndefined();
    expect(durationProblem(0, 'http.idleTimeout')).toBe('is shorter than 1ms');
    expect(durationProblem(0.5, 'httpCookie.ttl')).toBe('is shorter than 1ms');
    expect(durationProblem(1, 'httpCookie.ttl')).toBeUndefined();
  });

  test('rejects sub-millisecond precision', () => {
    expect(durationProblem(1.5)).toBe('is not a whole number of milliseconds');
  });

  test('tolerates floating-point noise in whole milliseconds', () => {
    expect(durationProblem(1.1 * 1000)).toBeUndefined();
  });

  test('rejects NaN and Infinity', () => {
    expect(durationProblem(Number.NaN)).toBe('is not a finite duration');
    expect(durationProblem(Number.POSITIVE_INFINITY)).toBe('is not a finite duration');
  });
});

describe('formatMillis', () => {
  test.each([
    [1, '1ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1500ms'],
    [5000, '5s'],
    [120_000, '120s'],
    [1100.0000000000002, '1100ms'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatMillis(ms)).toBe(text);
  });
});

describe('portProblem (X-02)', () => {
  test('accepts 1, the minimum', () => {
    expect(portProblem(1)).toBeUndefined();
  });

  test('accepts 65535, the maximum', () => {
    expect(portProblem(65535)).toBeUndefined();
  });

  test('rejects 0', () => {
    expect(portProblem(0)).toBe('is outside 1-65535');
  });

  test('rejects 65536', () => {
    expect(portProblem(65536)).toBe('is outside 1-65535');
  });

  test('rejects a fraction', () => {
    expect(portProblem(1.5)).toBe('is not an integer');
  });

  test('rejects a numeric string', () => {
    expect(portProblem('80')).toBe('is not an integer');
  });
});

describe('hostProblem (X-03)', () => {
  test('accepts a cluster FQDN', () => {
    expect(hostProblem('reviews.bookinfo.svc.cluster.local')).toBeUndefined();
  });

  test('accepts a short name', () => {
    expect(hostProblem('reviews')).toBeUndefined();
  });

  test('accepts one trailing dot', () => {
    expect(hostProblem('api.example.com.')).toBeUndefined();
  });

  test('accepts upper-case letters', () => {
    expect(hostProblem('API.Example.com')).toBeUndefined();
  });

  test('rejects a leading wildcard label unless allowed', () => {
    expect(hostProblem('*.example.com')).toBe('contains a wildcard, which is not allowed here');
  });

  test('accepts a leading wildcard label when allowed', () => {
    expect(hostProblem('*.example.com', { allowWildcard: true })).toBeUndefined();
  });

  test('rejects a partial wildcard even when wildcards are allowed', () => {
    expect(hostProblem('foo*.com', { allowWildcard: true })).toMatch(/partial or misplaced wildcard in label "foo\*"/);
  });

  test('rejects a wildcard in a later label', () => {
    expect(hostProblem('api.*.com', { allowWildcard: true })).toMatch(/misplaced wildcard in label "\*"/);
  });

  test('rejects the bare wildcard even when wildcards are allowed', () => {
    expect(hostProblem('*', { allowWildcard: true })).toBe('is the bare wildcard "*"');
  });

  test('accepts 255 characters', () => {
    const host = Array(64).fill('abc').join('.');
    expect(host).toHaveLength(255);
    expect(hostProblem(host)).toBeUndefined();
  });

  test('rejects 256 characters', () => {
    const host = `x${Array(64).fill('abc').join('.')}`;
    expect(host).toHaveLength(256);
    expect(hostProblem(host)).toBe('is longer than 255 characters');
  });

  test('rejects an empty label', () => {
    expect(hostProblem('api..example.com')).toBe('has an empty label');
  });

  test('rejects a leading dot', () => {
    expect(hostProblem('.example.com')).toBe('has an empty label');
  });

  test('accepts a 63-character label', () => {
    expect(hostProblem(`${'a'.repeat(63)}.example.com`)).toBeUndefined();
  });

  test('rejects a 64-character label', () => {
    expect(hostProblem(`${'a'.repeat(64)}.example.com`)).toMatch(/longer than 63 characters/);
  });

  test('rejects an all-numeric top-level label', () => {
    expect(hostProblem('example.123')).toBe('has an all-numeric top-level label');
  });

  test('accepts a numeric single-label host', () => {
    expect(hostProblem('123')).toBeUndefined();
  });

  test('rejects a label starting with "-"', () => {
    expect(hostProblem('-api.example.com')).toMatch(/not a DNS-1123 label/);
  });

  test('rejects an underscore', () => {
    expect(hostProblem('my_api.example.com')).toMatch(/not a DNS-1123 label/);
  });

  test('rejects empty and non-string hosts', () => {
    expect(hostProblem('')).toBe('is empty');
    expect(hostProblem(42)).toBe('is empty');
  });
});

describe('dnsLabelProblem', () => {
  test('accepts a lower-case label', () => {
    expect(dnsLabelProblem('canary-v2')).toBeUndefined();
  });

  test('accepts 63 characters and rejects 64', () => {
    expect(dnsLabelProblem('a'.repeat(63))).toBeUndefined();
    expect(dnsLabelProblem('a'.repeat(64))).toBe('is longer than 63 characters');
  });

  test('rejects upper case, dots and edge dashes', () => {
    for (const bad of ['Canary', 'a.b', '-a', 'a-']) expect(dnsLabelProblem(bad)).toMatch(/not a DNS-1123 label/);
  });

  test('rejects the empty string', () => {
    expect(dnsLabelProblem('')).toBe('is empty');
  });
});

describe('dnsSubdomainProblem', () => {
  test('accepts dotted lower-case names', () => {
    expect(dnsSubdomainProblem('reviews.v2')).toBeUndefined();
  });

  test('accepts 253 characters and rejects 254', () => {
    const name = Array(64).fill('abc').join('.').slice(0, 253);
    expect(dnsSubdomainProblem(name)).toBeUndefined();
    expect(dnsSubdomainProblem(`${name}a`)).toBe('is longer than 253 characters');
  });

  test('rejects upper case', () => {
    expect(dnsSubdomainProblem('Reviews')).toMatch(/not a DNS-1123 subdomain/);
  });
});

describe('labelKeyProblem (X-08)', () => {
  test('accepts a plain name', () => {
    expect(labelKeyProblem('version')).toBeUndefined();
  });

  test('accepts a prefixed name', () => {
    expect(labelKeyProblem('app.kubernetes.io/name')).toBeUndefined();
  });

  test('accepts a 63-character name and rejects 64', () => {
    expect(labelKeyProblem('a'.repeat(63))).toBeUndefined();
    expect(labelKeyProblem('a'.repeat(64))).toMatch(/not a valid label name/);
  });

  test('rejects an upper-case prefix', () => {
    expect(labelKeyProblem('Example.com/name')).toMatch(/prefix "Example.com" that is not a DNS subdomain/);
  });

  test('rejects an empty prefix', () => {
    expect(labelKeyProblem('/name')).toMatch(/prefix "" that is not a DNS subdomain/);
  });

  test('rejects an empty name', () => {
    expect(labelKeyProblem('')).toMatch(/not a valid label name/);
  });

  test('rejects spaces', () => {
    expect(labelKeyProblem('my key')).toMatch(/not a valid label name/);
  });

  test('rejects __proto__, which starts and ends with "_"', () => {
    expect(labelKeyProblem('__proto__')).toMatch(/not a valid label name/);
  });

  test('accepts names of Object.prototype members', () => {
    expect(labelKeyProblem('constructor')).toBeUndefined();
    expect(labelKeyProblem('hasOwnProperty')).toBeUndefined();
  });
});

describe('labelValueProblem (X-08)', () => {
  test('accepts the empty value', () => {
    expect(labelValueProblem('')).toBeUndefined();
  });

  test('accepts 63 characters and rejects 64', () => {
    expect(labelValueProblem('v'.repeat(63))).toBeUndefined();
    expect(labelValueProblem('v'.repeat(64))).toMatch(/not a valid label value/);
  });

  test('accepts dots, dashes and underscores inside', () => {
    expect(labelValueProblem('v1.2_rc-1')).toBeUndefined();
  });

  test('rejects a value ending in "-"', () => {
    expect(labelValueProblem('v1-')).toMatch(/not a valid label value/);
  });

  test('rejects non-strings', () => {
    expect(labelValueProblem(2)).toBe('is not a string');
  });
});

describe('toDnsLabel', () => {
  test('lower-cases and replaces dots', () => {
    expect(toDnsLabel('API.Example.com')).toBe('api-example-com');
  });

  test('truncates to 63 characters without a trailing dash', () => {
    const out = toDnsLabel(`${'a'.repeat(62)}.bcd`);
    expect(out).toBe('a'.repeat(62));
  });
});
