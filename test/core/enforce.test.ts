import { Duration } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { checkHost, checkLabels, checkPort, renderDuration } from '../../src/core/enforce';
import { IstioValidationError } from '../../src/core/errors';

const where = { path: 'app/web', prop: 'timeout' };

describe('renderDuration', () => {
  test('renders 1ms, the minimum, as "1ms"', () => {
    expect(renderDuration(Duration.millis(1), where)).toBe('1ms');
  });

  test('renders whole seconds as "5s"', () => {
    expect(renderDuration(Duration.seconds(5), where)).toBe('5s');
  });

  test('renders fractional seconds in milliseconds', () => {
    expect(renderDuration(Duration.seconds(1.5), where)).toBe('1500ms');
  });

  test('renders minutes as seconds', () => {
    expect(renderDuration(Duration.minutes(2), where)).toBe('120s');
  });

  test('renders hours as seconds', () => {
    expect(renderDuration(Duration.hours(1), where)).toBe('3600s');
  });

  test('throws X-01 below 1ms, naming path and prop', () => {
    const e = thrownBy(() => renderDuration(Duration.millis(0.5), where));
    expect(e.code).toBe('X-01');
    expect(e.path).toBe('app/web');
    expect(e.value).toBe(0.5);
    expect(e.allowed).toBe('>= 1ms, whole milliseconds');
    expect(e.message).toContain('[app/web] X-01: timeout is shorter than 1ms (received 0.5ms)');
  });

  test('throws X-01 for zero', () => {
    expect(thrownBy(() => renderDuration(Duration.millis(0), where)).code).toBe('X-01');
  });

  test('throws X-01 for sub-millisecond precision', () => {
    const e = thrownBy(() => renderDuration(Duration.millis(1.5), where));
    expect(e.code).toBe('X-01');
    expect(e.value).toBe(1.5);
    expect(e.message).toContain('timeout is not a whole number of milliseconds');
  });

  test('suggests the nearest valid duration in the fix', () => {
    expect(thrownBy(() => renderDuration(Duration.millis(0.2), where)).fix).toContain('Duration.millis(1)');
  });
});

describe('checkPort', () => {
  const at = { path: 'p', prop: 'port' };

  test('accepts 1 and 65535', () => {
    expect(checkPort(1, at)).toBe(1);
    expect(checkPort(65535, at)).toBe(65535);
  });

  test.each([[0], [65536], [1.5]])('rejects %d with X-02', (port) => {
    const e = thrownBy(() => checkPort(port, at));
    expect(e.code).toBe('X-02');
    expect(e.value).toBe(port);
    expect(e.allowed).toBe('1-65535');
  });
});

describe('checkHost', () => {
  const at = { path: 'p', prop: 'host' };

  test('returns a valid host', () => {
    expect(checkHost('reviews.bookinfo.svc.cluster.local', at)).toBe('reviews.bookinfo.svc.cluster.local');
  });

  test('rejects a wildcard by default', () => {
    const e = thrownBy(() => checkHost('*.example.com', at));
    expect(e.code).toBe('X-03');
    expect(e.value).toBe('*.example.com');
    expect(e.allowed).toBe('DNS-1123 hostname');
  });

  test('accepts a wildcard when allowed', () => {
    expect(checkHost('*.example.com', at, { allowWildcard: true })).toBe('*.example.com');
  });

  test('describes the wildcard form when wildcards are allowed', () => {
    expect(thrownBy(() => checkHost('foo*.com', at, { allowWildcard: true })).allowed).toBe('DNS-1123 hostname, optional leading "*." label');
  });

  test('shortens very long hosts in the message but keeps the whole value', () => {
    const host = `x${Array(64).fill('abc').join('.')}`;
    const e = thrownBy(() => checkHost(host, at));
    expect(e.value).toBe(host);
    expect(e.message).toContain(`"${host.slice(0, 80)}…"`);
  });
});

describe('checkLabels', () => {
  const at = { path: 'app/canary', prop: 'canary.labels' };

  test('returns a key-sorted copy', () => {
    const input = { version: 'v2', app: 'reviews' };
    const out = checkLabels(input, at);
    expect(out).toEqual({ app: 'reviews', version: 'v2' });
    expect(Object.keys(out)).toEqual(['app', 'version']);
    expect(out).not.toBe(input);
  });

  test('accepts an empty value', () => {
    expect(checkLabels({ tier: '' }, at)).toEqual({ tier: '' });
  });

  test('rejects a bad key with X-08', () => {
    const e = thrownBy(() => checkLabels({ 'bad key': 'v1' }, at));
    expect(e.code).toBe('X-08');
    expect(e.path).toBe('app/canary');
    expect(e.value).toBe('bad key=v1');
    expect(e.allowed).toBe('Kubernetes label syntax');
  });

  test('rejects a bad value with X-08', () => {
    expect(thrownBy(() => checkLabels({ version: 'v 2' }, at)).value).toBe('version=v 2');
  });

  test('rejects a value of 64 characters', () => {
    expect(thrownBy(() => checkLabels({ version: 'v'.repeat(64) }, at)).code).toBe('X-08');
  });

  test('rejects a JSON "__proto__" key (invalid label name) without polluting Object.prototype', () => {
    const labels = JSON.parse('{"app": "x", "__proto__": {"polluted": "yes"}}');
    expect(Object.prototype.hasOwnProperty.call(labels, '__proto__')).toBe(true);
    expect(() => checkLabels(labels, at)).toThrow(IstioValidationError);
    expect(thrownBy(() => checkLabels(labels, at)).code).toBe('X-08');
    expect(({} as any).polluted).toBeUndefined();
  });

  test('keeps Object.prototype member names as own properties', () => {
    const out = checkLabels({ hasOwnProperty: 'h', toString: 't' }, at);
    expect(Object.prototype.hasOwnProperty.call(out, 'hasOwnProperty')).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(out, 'toString')).toBe(true);
    expect(out.toString).toBe('t');
    expect(({} as any).toString).toBe(Object.prototype.toString);
  });

  test('rejects the label key "constructor", which cdk8s cannot synthesize, with PROP (not a label-syntax problem)', () => {
    expect(thrownBy(() => checkLabels({ constructor: 'c' }, at)).code).toBe('PROP');
    expect(thrownBy(() => checkLabels({ constructor: 'c' }, at)).value).toBe('constructor=c');
    expect(({} as any).constructor).toBe(Object);
  });
});
