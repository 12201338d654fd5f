import { Duration } from 'cdk8s';
import { thrownBy } from '../support/errors';
import { renderFault } from '../../src/policies/fault';
import { HttpMatch } from '../../src/policies/match';

const PATH = 'test/backend';
const match = HttpMatch.header('x-chaos-test').exact('true');

describe('renderFault', () => {
  test('renders a delay', () => {
    expect(renderFault({ match, delay: { fixedDelay: Duration.seconds(5), percentage: 10 } }, PATH)).toEqual({
      delay: { fixedDelay: '5s', percentage: { value: 10 } },
    });
  });

  test('renders an abort', () => {
    expect(renderFault({ match, abort: { httpStatus: 503, percentage: 100 } }, PATH)).toEqual({
      abort: { httpStatus: 503, percentage: { value: 100 } },
    });
  });

  test('renders delay and abort together', () => {
    expect(renderFault({ match, delay: { fixedDelay: Duration.millis(1500), percentage: 50 }, abort: { httpStatus: 500, percentage: 0.5 } }, PATH)).toEqual({
      delay: { fixedDelay: '1500ms', percentage: { value: 50 } },
      abort: { httpStatus: 500, percentage: { value: 0.5 } },
    });
  });

  test('accepts a header match combined with a path', () => {
    expect(renderFault({ match: HttpMatch.pathPrefix('/api/').and(match), abort: { httpStatus: 503, percentage: 1 } }, PATH)).toEqual({
      abort: { httpStatus: 503, percentage: { value: 1 } },
    });
  });

  test('rejects a match without a header with VS-23', () => {
    const e = thrownBy(() => renderFault({ match: HttpMatch.pathPrefix('/api/'), abort: { httpStatus: 503, percentage: 10 } }, PATH));
    expect(e.code).toBe('VS-23');
    expect(e.path).toBe(PATH);
    expect(e.value).toBe('{"uri":{"prefix":"/api/"}}');
    expect(e.allowed).toBe('a match with a header or query parameter condition');
  });

  test('accepts a query parameter match, which selects test traffic for rule VS-23 too', () => {
    expect(renderFault({ match: HttpMatch.queryParam('chaos').exact('1'), abort: { httpStatus: 503, percentage: 10 } }, PATH)).toEqual({
      abort: { httpStatus: 503, percentage: { value: 10 } },
    });
  });

  test('rejects a missing match with PROP', () => {
    expect(thrownBy(() => renderFault({ match: undefined as any, abort: { httpStatus: 503, percentage: 10 } }, PATH)).value).toBe('null');
    expect(thrownBy(() => renderFault({ match: undefined as any, abort: { httpStatus: 503, percentage: 10 } }, PATH)).code).toBe('PROP');
  });

  test('rejects a fault that is not an object, and a delay or abort that is not an object, with PROP', () => {
    expect(thrownBy(() => renderFault('x' as any, PATH)).code).toBe('PROP');
    expect(thrownBy(() => renderFault({ match, delay: 'slow' as any }, PATH)).code).toBe('PROP');
    expect(thrownBy(() => renderFault({ match, abort: 5 as any }, PATH)).code).toBe('PROP');
  });

  test('rejects neither delay nor abort with VS-22', () => {
    const e = thrownBy(() => renderFault({ match }, PATH));
    expect(e.code).toBe('VS-22');
    expect(e.value).toBe('{}');
  });

  describe('percentages: 0, or 0.0001-100', () => {
    test.each([[0], [0.0001], [100]])('accepts %d', (percentage) => {
      expect(renderFault({ match, abort: { httpStatus: 503, percentage } }, PATH)).toEqual({ abort: { httpStatus: 503, percentage: { value: percentage } } });
    });

    test.each([[-1], [0.00005], [100.0001], [Number.NaN]])('rejects %d with VS-22', (percentage) => {
      const e = thrownBy(() => renderFault({ match, delay: { fixedDelay: Duration.seconds(1), percentage } }, PATH));
      expect(e.code).toBe('VS-22');
      expect(e.allowed).toBe('0 or 0.0001-100');
      expect(e.message).toContain('faultInjection.delay.percentage');
    });

    test('checks the abort percentage', () => {
      expect(thrownBy(() => renderFault({ match, abort: { httpStatus: 503, percentage: 101 } }, PATH)).message).toContain('faultInjection.abort.percentage');
    });
  });

  describe('httpStatus: 200-599', () => {
    test.each([[200], [599]])('accepts %d', (httpStatus) => {
      expect(renderFault({ match, abort: { httpStatus, percentage: 1 } }, PATH)).toEqual({ abort: { httpStatus, percentage: { value: 1 } } });
    });

    test.each([[199], [600], [503.5]])('rejects %d with VS-22', (httpStatus) => {
      const e = thrownBy(() => renderFault({ match, abort: { httpStatus, percentage: 1 } }, PATH));
      expect(e.code).toBe('VS-22');
      expect(e.value).toBe(httpStatus);
      expect(e.allowed).toBe('integer 200-599');
    });
  });

  test('rejects a delay below 1ms with X-01', () => {
    const e = thrownBy(() => renderFault({ match, delay: { fixedDelay: Duration.millis(0.5), percentage: 1 } }, PATH));
    expect(e.code).toBe('X-01');
    expect(e.path).toBe(PATH);
    expect(e.message).toContain('faultInjection.delay.fixedDelay');
  });
});
