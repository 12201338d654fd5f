/**
 * The three CRD rules answered without the CEL library (src/schema/cel.ts SHORTCUTS) give CEL's own verdict: each is
 * compared with the same rule text planned by @bufbuild/cel (a trailing space keeps it out of the shortcut table).
 */
import * as fc from 'fast-check';
import { compileRule } from '../../src/schema/cel';
import { params } from '../property/harness';

const DURATION = "duration(self) >= duration('1ms')";
const PORT = '0 < self && self <= 65535';
const NO_WILDCARD = '!self.contains("*")';

/** The verdict of `rule` for `self` through the shortcut and through CEL. */
function both(rule: string, self: unknown) {
  return { shortcut: compileRule(rule).evaluate(self), cel: compileRule(`${rule} `).evaluate(self) };
}

const unit = fc.constantFrom('h', 'm', 's', 'ms', 'us', 'ns', 'µs', 'd', '');
const durationText = fc.oneof(
  fc.array(fc.tuple(fc.nat({ max: 5000 }), unit), { minLength: 1, maxLength: 4 }).map((parts) => parts.map(([n, u]) => `${n}${u}`).join('')),
  fc.constantFrom('0s', '0ms', '1ms', '0.5ms', '1.5s', '-1s', '+1s', '.5s', '1e3s', ' 1s', '1s ', '', 's', '999999999h', '2562047h', '2562048h'),
  fc.string({ maxLength: 8 }),
);

test('duration floors: the shortcut answers plain durations as CEL does, and leaves the rest to CEL', () => {
  fc.assert(fc.property(fc.oneof(durationText, fc.integer(), fc.boolean()), (self) => {
    const { shortcut, cel } = both(DURATION, self);
    expect(shortcut).toEqual(cel);
  }), params());
  expect(both(DURATION, '0s')).toEqual({ shortcut: 'fail', cel: 'fail' });
  expect(both(DURATION, '1h30m')).toEqual({ shortcut: 'pass', cel: 'pass' });
  expect(typeof both(DURATION, 'soon').cel).toBe('object'); // an evaluation error, CEL's own
});

test('port ranges and wildcards: the shortcut gives CEL\'s verdict', () => {
  fc.assert(fc.property(fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.double(), fc.string({ maxLength: 4 })), (self) => {
    const { shortcut, cel } = both(PORT, self);
    expect(shortcut).toEqual(cel);
  }), params());
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), (self) => {
    const { shortcut, cel } = both(NO_WILDCARD, self);
    expect(shortcut).toEqual(cel);
  }), params());
  expect(both(PORT, 0)).toEqual({ shortcut: 'fail', cel: 'fail' });
  expect(both(NO_WILDCARD, '*.example.com')).toEqual({ shortcut: 'fail', cel: 'fail' });
});
