/**
 * RE2 grammar check used by X-10. Istio compiles regexes with Go's RE2 engine and Envoy with Google RE2; neither
 * is available here, so the pattern is translated to an equivalent JavaScript pattern (RE2-only syntax such as
 * `(?i)`, `(?P<name>…)`, `\z`, `\Q…\E`, `[[:alpha:]]` and `\pL` is rewritten) and compiled with `RegExp`.
 * Constructs that JavaScript accepts but RE2 does not (lookarounds, backreferences, unknown escapes, repeat
 * counts above 1000, unknown `[[:name:]]` classes, and `\C`, which C++ RE2 has but Go's regexp used by Istio's
 * webhook refuses) are rejected explicitly. This is an approximation: it errs towards accepting.
 */
import { invariant } from './check';

/** Longest regex Istio accepts (it approximates Envoy's RE2 program-size limit by length). */
export const MAX_REGEX_LENGTH = 1024;

const RE2_LETTER_ESCAPES = new Set(['a', 'f', 't', 'n', 'r', 'v', 'd', 'D', 's', 'S', 'w', 'W', 'b', 'B', 'A', 'z', 'p', 'P', 'x', 'Q', 'E']);
/** The ASCII classes Go's regexp/syntax knows (`[[:alpha:]]`); any other name is "invalid character class range". */
const POSIX_CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);
const RE2_FLAGS = /^[imsU]*(-[imsU]+)?$/;

/** Verdicts of earlier patterns: large Apps repeat the same few regexes across many objects. */
const verdicts = new Map<string, string | undefined>();

/** X-10: why `pattern` is not an RE2 regex Istio accepts, or `undefined`. (An empty regex is VS-08's.) */
export const re2Problem = invariant('X-10', (pattern: string): string | undefined => {
  if (pattern.length > MAX_REGEX_LENGTH) return `is ${pattern.length} characters long (at most ${MAX_REGEX_LENGTH})`;
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  const verdict = compileProblem(pattern);
  if (verdicts.size >= 10_000) verdicts.clear();
  verdicts.set(pattern, verdict);
  return verdict;
});

function compileProblem(pattern: string): string | undefined {
  const translated = translate(pattern);
  if (translated.problem) return translated.problem;
  try {
    new RegExp(translated.js);
  } catch (e) {
    return `does not compile: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}`;
  }
  return undefined;
}

function translate(p: string): { js: string; problem?: string } {
  let js = '';
  let inClass = false;
  let i = 0;
  const fail = (problem: string) => ({ js, problem });
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return fail('ends with a lone "\\"');
      if (/[1-9]/.test(n) && !(/[1-7]/.test(n) && /[0-7]/.test(p[i + 2] ?? ''))) {
        return fail(`uses the backreference "\\${n}", which RE2 does not support`);
      }
      if (/[A-Za-z]/.test(n) && !RE2_LETTER_ESCAPES.has(n)) return fail(`uses the escape "\\${n}", which RE2 does not support`);
      if (n === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const literal = p.slice(i + 2, end < 0 ? p.length : end);
        js += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? p.length : end + 2;
        continue;
      }
      if (n === 'E') { i += 2; continue; }
      if ((n === 'p' || n === 'P') && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        if (end < 0) return fail('has an unterminated "\\p{" class');
        js += 'a';
        i = end + 1;
        continue;
      }
      if (n === 'p' || n === 'P') {
        if (!/[A-Za-z]/.test(p[i + 2] ?? '')) return fail(`has an incomplete "\\${n}" class`);
        js += 'a';
        i += 3;
        continue;
      }
      if (n === 'x' && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        if (end < 0 || !/^[0-9A-Fa-f]{1,6}$/.test(p.slice(i + 3, end))) return fail('has an invalid "\\x{…}" escape');
        js += 'a';
        i = end + 1;
        continue;
      }
      if (n === 'A' && !inClass) { js += '^'; i += 2; continue; }
      if (n === 'z' && !inClass) { js += '$'; i += 2; continue; }
      js += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        const name = end >= 0 ? /^\^?([a-z]+)$/.exec(p.slice(i + 2, end)) : null;
        if (name && !POSIX_CLASSES.has(name[1])) return fail(`uses the unknown character class "[:${name[1]}:]", which RE2 does not support`);
        if (name) { js += 'a'; i = end + 2; continue; }
      }
      if (c === '[') { js += '\\['; i++; continue; }
      if (c === ']') inClass = false;
      js += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      js += '[';
      i++;
      if (p[i] === '^') { js += '^'; i++; }
      if (p[i] === ']') { js += '\\]'; i++; }
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2);
      if (/^(=|!|<=|<!)/.test(rest)) return fail(`uses the lookaround "(?${rest.match(/^(=|!|<=|<!)/)![0]}", which RE2 does not support`);
      if (rest.startsWith('P=') || rest.startsWith('P>')) return fail('uses a named backreference, which RE2 does not support');
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) { js += `(?<${named[1]}>`; i += 2 + named[0].length; continue; }
      if (rest.startsWith(':')) { js += '(?:'; i += 3; continue; }
      const flags = /^([^):]*)([):])/.exec(rest);
      if (flags && flags[1].length > 0 && RE2_FLAGS.test(flags[1])) {
        js += flags[2] === ':' ? '(?:' : '';
        i += 2 + flags[0].length;
        continue;
      }
      return fail(`uses the group syntax "(?${flags ? flags[0] : rest.slice(0, 2)}", which RE2 does not support`);
    }
    if (c === '{') {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (rep && (Number(rep[1]) > 1000 || (rep[3] !== undefined && rep[3] !== '' && Number(rep[3]) > 1000))) {
        return fail(`repeats "${rep[0]}" more than 1000 times, which RE2 rejects`);
      }
    }
    js += c;
    i++;
  }
  return { js };
}
