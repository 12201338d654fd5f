/**
 * HTTP match grammar (rule VS-08) shared by `HttpMatch` and the VS-08 rule: what an Istio `StringMatch` may not be.
 * Regex grammar is X-10 ({@link ./re2}), header names and values X-11 ({@link ./http}).
 */
import { invariant } from './check';

/** Which field a `StringMatch` sits in: a `uri` match may have an empty prefix (it matches every path). */
export type StringMatchField = 'uri' | 'scheme' | 'method' | 'authority' | 'header' | 'query parameter';

/**
 * VS-08: why `value`, the `kind` (`exact`, `prefix` or `regex`) of a StringMatch in `field`, is refused, or
 * `undefined`: Istio rejects an empty prefix everywhere except `uri` (Envoy cannot express it) and an empty regex.
 */
export const stringMatchProblem = invariant('VS-08', (kind: string, value: unknown, field: StringMatchField): string | undefined => {
  if (kind === 'prefix' && value === '' && field !== 'uri') return 'is empty';
  if (kind === 'regex' && value === '') return 'is empty';
  return undefined;
});
