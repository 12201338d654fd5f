/**
 * js-yaml's event parser, reading what go-yaml v2 (kubectl, Istio) reads where js-yaml alone refuses it, by repairing
 * the text and parsing the batch again (offsets into the repaired text map back to the original):
 * - indentation inside flow collections and quoted scalars, which go-yaml does not check and where it takes a tab for
 *   a space; js-yaml refuses a continuation line indented less than its block parent — `command: [` … `]` with the
 *   bracket under the key, a style kubectl and the JS yaml package accept — and a tab after a comma ("deficient
 *   indentation"). Such a line gets spaces at its start (leading whitespace of a flow or quoted continuation line
 *   carries no meaning), such a tab becomes a space;
 * - a plain scalar ending in a colon right before `,` `]` or `}` where js-yaml expects a comma (`{address: 2001:db8::}`):
 *   go-yaml ends a plain scalar at a colon only before a blank, so it reads the string "2001:db8::". The scalar is
 *   single-quoted (a plain scalar ending in a colon is a string to go-yaml whatever else it holds), and reported in
 *   `quoted` for a YAML warning: YAML 1.2 readers (js-yaml) refuse the text.
 */
import { parseEvents, YAMLException } from 'js-yaml';
import type { Event } from 'js-yaml';

/** The events of a batch, the text they index (repaired or the original) and the way back to the original offsets. */
export interface ParsedBatch {
  readonly events: Event[];
  readonly source: string;
  /** The offset in the original text of an offset in `source`. */
  readonly original: (offset: number) => number;
  /** `valueStart` (in `source`) of the scalars this parse quoted (see the module doc). */
  readonly quoted: ReadonlySet<number>;
}

/** Spaces added to an under-indented line at a time (more than needed is harmless: see the module doc). */
const PAD = 16;
/** Repairs tried on one batch before its error is reported as it is. */
const MAX_REPAIRS = 256;
/** Characters parsed again in all, at most, per batch (a large document with many such lines must not cost minutes). */
const MAX_REPARSED_CHARS = 32 * 1024 * 1024;

const same = (offset: number) => offset;

/** Parses `source` (see the module doc); a parse error that is not such an indentation problem is thrown as js-yaml threw it. */
export function parseEventsLikeGoYaml(source: string, maxDepth: number): ParsedBatch {
  try {
    return { events: parseEvents(source, { maxDepth }), source, original: same, quoted: new Set() };
  } catch (first) {
    if (!isRepairable(first)) throw first;
    return repaired(source, maxDepth, first);
  }
}

function isRepairable(e: unknown): e is YAMLException {
  return e instanceof YAMLException && (e.reason === 'deficient indentation' || e.reason === MISSED_COMMA) && typeof e.mark?.position === 'number';
}

const MISSED_COMMA = 'missed comma between flow collection entries';
/** The flow-collection ends after which go-yaml v2 keeps a colon in a plain scalar (only a blank after it ends one). */
export const FLOW_END: ReadonlySet<string> = new Set([',', ']', '}']);
/** What cannot be inside the plain scalar to quote (a comment, quotes, indicators that would have ended it). */
const NOT_IN_SCALAR = /[#'"[\]{},]|:\s/;

/** Where the plain scalar ending at the colon at `colon` starts, or -1 when this is not one to quote. */
function colonScalarStart(text: string, colon: number): number {
  if (text[colon] !== ':' || !FLOW_END.has(text[colon + 1]) || colon === 0 || /\s/.test(text[colon - 1])) return -1;
  let start = colon - 1;
  // Back to the indicator before the scalar: `[`, `{`, `,`, or a value indicator `: ` (a colon before a blank).
  while (start > 0 && !'[{,'.includes(text[start - 1]) && !(text[start - 1] === ' ' || text[start - 1] === '\n' || text[start - 1] === '\t' ? text[start - 2] === ':' : false)) start--;
  while (/\s/.test(text[start])) start++;
  const body = text.slice(start, colon);
  if (body.length === 0 || NOT_IN_SCALAR.test(body) || body.startsWith(':') || /^[-?&*!|>%@`]/.test(body)) return -1;
  return start;
}

function repaired(source: string, maxDepth: number, first: YAMLException): ParsedBatch {
  let text = source;
  // Characters inserted, in order: [offset in the text as it was then, how many].
  const inserted: Array<readonly [number, number]> = [];
  // Opening quotes added, as offsets in the text as it was then (mapped forward as later insertions come).
  let quotes: number[] = [];
  const insert = (at: number, what: string) => {
    text = `${text.slice(0, at)}${what}${text.slice(at)}`;
    inserted.push([at, what.length]);
    quotes = quotes.map((q) => (q >= at ? q + what.length : q));
  };
  let error: unknown = first;
  for (let tries = 0; tries < MAX_REPAIRS && (tries + 1) * source.length <= MAX_REPARSED_CHARS && isRepairable(error); tries++) {
    const at = error.mark!.position;
    if (error.reason === MISSED_COMMA) {
      const start = colonScalarStart(text, at);
      if (start < 0) break;
      insert(at + 1, "'");
      insert(start, "'");
      quotes.push(start);
      try {
        const events = parseEvents(text, { maxDepth });
        return { events, source: text, original: (offset) => originalOffset(offset, inserted), quoted: new Set(quotes.map((q) => q + 1)) };
      } catch (e) {
        error = e;
      }
      continue;
    }
    let start = at;
    while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    const blank = text.slice(start, at);
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    if (blank.includes('\t')) {
      text = `${text.slice(0, start)}${blank.replace(/\t/g, ' ')}${text.slice(at)}`; // same length
    } else if (start === lineStart) {
      insert(lineStart, ' '.repeat(PAD));
    } else {
      break; // not a problem of leading whitespace: report it
    }
    try {
      const events = parseEvents(text, { maxDepth });
      return { events, source: text, original: (offset) => originalOffset(offset, inserted), quoted: new Set(quotes.map((q) => q + 1)) };
    } catch (e) {
      error = e;
    }
  }
  // The first error, at the original text's position: what the repairs could not mend is reported as js-yaml saw it.
  throw first;
}

function originalOffset(offset: number, inserted: ReadonlyArray<readonly [number, number]>): number {
  let o = offset;
  for (let k = inserted.length - 1; k >= 0; k--) {
    const [at, n] = inserted[k];
    if (o >= at + n) o -= n;
    else if (o >= at) o = at;
  }
  return o;
}
