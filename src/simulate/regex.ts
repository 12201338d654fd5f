import type { RE2JS } from 're2js';
/**
 * Regex matching with RE2 semantics, as Envoy's `safe_regex` matches: the whole value must match (RE2::FullMatch),
 * with RE2's syntax (no lookaround, no backreferences). re2js is a pure-JavaScript port of RE2/J, the Java port of
 * RE2 that follows Go's `regexp/syntax`, which Istio validates regexes with.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/type/matcher/v3/regex.proto
 * @see https://github.com/google/re2/wiki/Syntax
 */

/** The outcome of one full match: matched or not, or why the pattern cannot be compiled. */
export interface RegexVerdict {
  readonly matches: boolean;
  /** Why the pattern does not compile as RE2, if it does not (then `matches` is false). */
  readonly error?: string;
}

/**
 * Compiled patterns of one simulator (a simulator's routes use the same few regexes for every request). Owned by
 * the simulator, so it goes when the simulator goes; bounded all the same.
 */
export class RegexCache {
  private readonly compiled = new Map<string, RE2JS | string>();

  /** Whether `value` matches `pattern` as a whole, with RE2 semantics. */
  public fullMatch(pattern: string, value: string): RegexVerdict {
    const re = this.compile(pattern);
    if (typeof re === 'string') return { matches: false, error: re };
    return { matches: re.matches(value) };
  }

  private compile(pattern: string): RE2JS | string {
    const known = this.compiled.get(pattern);
    if (known !== undefined) return known;
    let out: RE2JS | string;
    try {
      // Loaded at the first regex a simulation meets (synth without a traffic report simulates none).
      out = (require('re2js') as typeof import('re2js')).RE2JS.compile(pattern);
    } catch (e) {
      out = (e as Error).message;
    }
    if (this.compiled.size >= 1000) this.compiled.clear();
    this.compiled.set(pattern, out);
    return out;
  }
}
