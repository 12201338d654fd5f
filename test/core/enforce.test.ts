import { types } from 'util';
import { Duration } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { checkHost, checkLabels, checkPort, isBuilt, propError, renderDuration } from '../../src/core/enforce';
import { buildValue, collect, raiseInvalid } from '../../src/core/problems';
import { IstioValidationError } from '../../src/core/errors';
import { show } from '../../src/core/text';

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

/** A value class built the way the library's are: a static factory and a deriving method in buildValue. */
class Sample {
  public static of(n: number): Sample {
    return buildValue(Sample, () => {
      if (n < 0) propError({ path: 'Sample.of', prop: 'n' }, { value: n, shown: n, expected: '0 or more', message: `n ${n} is negative`, fix: 'Use 0 or more.' });
      return new Sample(n);
    });
  }

  private constructor(public readonly n: number) {}

  public get double(): number {
    return this.n * 2;
  }

  public plus(m: number): Sample {
    return buildValue(Sample, () => {
      raiseInvalid(this);
      if (m > 100) propError({ path: 'Sample.plus', prop: 'm' }, { value: m, shown: m, expected: 'at most 100', message: `m ${m} is over 100`, fix: 'Add at most 100.' });
      return Sample.of(this.n + m);
    });
  }

  public render(): { n: number } {
    return { n: this.n };
  }
}

describe('buildValue and raiseInvalid: a factory that finds a problem returns an invalid value, not a throw', () => {
  const where = { path: 'app/web', prop: 'retries' };

  test('a valid value is the instance the factory built, no wrapper', () => {
    const v = Sample.of(2);
    expect(types.isProxy(v)).toBe(false);
    expect(v.n).toBe(2);
    expect(v.double).toBe(4);
    expect(v.render()).toEqual({ n: 2 });
    expect(() => raiseInvalid(v, where)).not.toThrow();
  });

  test('a problem makes an invalid instance of the class, which raiseInvalid throws with the factory\'s own path', () => {
    const v = Sample.of(-1);
    expect(v).toBeInstanceOf(Sample);
    expect(isBuilt(v, Sample)).toBe(true);
    const e = thrownBy(() => v);
    expect(e.path).toBe('Sample.of');
    expect(e.code).toBe('PROP');
    expect(e.message).toBe('[Sample.of] PROP: n -1 is negative. Use 0 or more. (see https://github.com/cdk8s-istio-traffic/cdk8s-istio-traffic/blob/main/docs/rules.md#prop)');
  });

  test('raiseInvalid with a consumer re-paths every violation there, the prop and the factory in front of the message', () => {
    const e = thrownBy(() => raiseInvalid(Sample.of(-1), where));
    expect(e.violations).toHaveLength(1);
    expect(e.violations[0]).toEqual({
      code: 'PROP', severity: 'error', path: 'app/web', message: 'retries (Sample.of): n -1 is negative', fix: 'Use 0 or more.', value: -1, allowed: '0 or more',
    });
    expect(e.message).toContain('[app/web] PROP: retries (Sample.of): n -1 is negative. Use 0 or more.');
  });

  test('every field, getter, method and rendering of an invalid value throws the factory\'s error: never partial output or a TypeError', () => {
    const v = Sample.of(-1);
    const original = thrownBy(() => v);
    for (const use of [() => v.n, () => v.double, () => v.render(), () => JSON.stringify(v), () => ({ ...v.render() })]) {
      let error: unknown;
      try {
        use();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(IstioValidationError);
      expect((error as IstioValidationError).message).toBe(original.message);
    }
  });

  test('an invalid value can still be shown, inspected and compared without a throw', () => {
    const v = Sample.of(-1);
    expect(show(v)).toBe('[unprintable]');
    expect(() => require('util').inspect(v)).not.toThrow();
    expect(v === v).toBe(true);
    expect(Object.keys(v)).toEqual([]);
  });

  test('a value derived from an invalid one stays invalid with the first problem; a new problem of the derivation has its own path', () => {
    const derived = Sample.of(-1).plus(1);
    expect(types.isProxy(derived)).toBe(true);
    expect(thrownBy(() => derived).path).toBe('Sample.of');
    expect(thrownBy(() => Sample.of(1).plus(500)).message).toContain('[Sample.plus] PROP: m 500 is over 100');
    expect(Sample.of(1).plus(2).n).toBe(3);
  });

  test('raiseInvalid ignores everything that is not an invalid value, a Proxy that throws included', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); } });
    for (const v of [undefined, null, 5, 'x', {}, [], Sample.of(1), hostile, Object.create(Sample.prototype)]) {
      expect(() => raiseInvalid(v, where)).not.toThrow();
    }
  });

  test('an error that is not an IstioValidationError still throws from the factory', () => {
    expect(() => buildValue(Sample, () => { throw new TypeError('bug'); })).toThrow(TypeError);
  });
});

describe('Problems: a constructor collects the problems of its independent checks and raises them once', () => {
  const where = { path: 'app/web', prop: 'props' };
  const bad = (prop: string, message: string) => () => propError({ path: 'app/web', prop }, { value: prop, shown: prop, expected: 'x', message, fix: 'Fix it.' });

  test('check returns the result, or undefined when the check failed; raise throws every problem in order', () => {
    const problems = collect(where);
    expect(problems.check(() => 42)).toBe(42);
    expect(problems.check(bad('port', 'port is bad'))).toBeUndefined();
    expect(problems.check(bad('timeout', 'timeout is bad'))).toBeUndefined();
    expect(problems.ok).toBe(false);
    const e = thrownBy(() => problems.raise());
    expect(e.violations.map((v) => v.message)).toEqual(['port is bad', 'timeout is bad']);
    expect(e.message.split('\n')[0]).toBe('2 Istio traffic rule violations:');
  });

  test('nothing found: ok, and raise does not throw', () => {
    const problems = collect(where);
    problems.check(() => 1);
    expect(problems.passes(() => undefined)).toBe(true);
    expect(problems.ok).toBe(true);
    expect(() => problems.raise()).not.toThrow();
  });

  test('passes tells a failed step from one that returns undefined; a violation found twice is listed once', () => {
    const problems = collect(where);
    expect(problems.passes(bad('port', 'port is bad'))).toBe(false);
    expect(problems.passes(bad('port', 'port is bad'))).toBe(false);
    expect(thrownBy(() => problems.raise()).violations).toHaveLength(1);
  });

  test('each checks every item on its own: the results when all pass, else undefined with every item\'s problem', () => {
    const problems = collect(where);
    expect(problems.each([1, 2], (n) => n * 10)).toEqual([10, 20]);
    expect(problems.each([1, -2, -3], (n, i) => (n < 0 ? bad(`list[${i}]`, `list[${i}] is negative`)() : n))).toBeUndefined();
    expect(thrownBy(() => problems.raise()).violations.map((v) => v.message)).toEqual(['list[1] is negative', 'list[2] is negative']);
  });

  test('an invalid value raised in a check is collected re-pathed; anything else thrown is PROP at the collector', () => {
    const problems = collect(where);
    problems.check(() => raiseInvalid(Sample.of(-1), { path: 'app/web', prop: 'sample' }));
    problems.check(() => {
      throw new TypeError('a getter threw');
    });
    const e = thrownBy(() => problems.raise());
    expect(e.violations.map((v) => [v.code, v.path, v.message])).toEqual([
      ['PROP', 'app/web', 'sample (Sample.of): n -1 is negative'],
      ['PROP', 'app/web', 'props could not be read (TypeError: a getter threw)'],
    ]);
  });
});
