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
  /** Whether `source` is a repaired copy of the text. */
  readonly repaired: boolean;
}

/** Spaces added to an under-indented line at a time (more than needed is harmless: see the module doc). */
const PAD = 16;

/** How many characters may still be parsed again to repair a file's batches (shared by its batches). */
export interface RepairBudget {
  chars: number;
}

/** The repair budget of a file of `length` characters: eight times its length, at least 32 MiB. */
export function repairBudget(length: number): RepairBudget {
  return { chars: Math.max(32 * 1024 * 1024, 8 * length) };
}

const same = (offset: number) => offset;

/**
 * Parses `source` (see the module doc); a parse error that is not such a problem, or that repairs within `budget`
 * could not mend, is thrown as js-yaml threw it (the last one: an error past a repaired line keeps its own line).
 */
export function parseEventsLikeGoYaml(source: string, maxDepth: number, budget: RepairBudget = repairBudget(source.length)): ParsedBatch {
  try {
    return { events: parseEvents(source, { maxDepth }), source, original: same, quoted: new Set(), repaired: false };
  } catch (first) {
    if (!isRepairable(first)) throw first;
    return repaired(source, maxDepth, first, budget);
  }
}

function isRepairable(e: unknown): e is YAMLException {
  return e instanceof YAMLException && (e.reason === 'deficient indentation' || e.reason === MISSED_COMMA) && typeof e.mark?.position === 'number';
}

const MISSED_COMMA = 'missed comma between flow collection entries';
/** The flow-collection ends after which go-yaml v2 keeps a colon in a plain scalar (only a blank after it ends one). */
export const FLOW_END: ReadonlySet<string> = new Set([',', ']', '}']);
/** What cannot be inside the plain scalar to quote: a comment, indicators that would have ended it. */
const NOT_IN_SCALAR = /\s#|[[\]{},]|:\s/;
const BLANK = /[ \t\r\n]/;

/**
 * How to quote the plain scalar ending at the colon at `colon`: where its text starts (after its anchor or tag) and
 * the quote that needs no escape; or undefined when this is not such a scalar.
 */
function colonScalar(text: string, colon: number): { start: number; quote: string } | undefined {
  if (text[colon] !== ':' || !FLOW_END.has(text[colon + 1]) || colon === 0 || BLANK.test(text[colon - 1])) return undefined;
  let start = colon - 1;
  // Back to what is before the scalar: `[`, `{`, `,`, a value indicator (a colon before a blank), or a colon right
  // after a quoted key (`{"x":a:}`).
  while (start > 0) {
    const prev = text[start - 1];
    if ('[{,'.includes(prev)) break;
    if (BLANK.test(prev) && text[start - 2] === ':') break;
    if (prev === ':' && (text[start - 2] === '"' || text[start - 2] === "'")) break;
    start--;
  }
  while (BLANK.test(text[start])) start++;
  // Past its anchor and tag: they stay outside the quotes.
  while (text[start] === '&' || text[start] === '!') {
    while (start < colon && !BLANK.test(text[start])) start++;
    while (start < colon && BLANK.test(text[start])) start++;
  }
  const body = text.slice(start, colon);
  if (body.length === 0 || NOT_IN_SCALAR.test(body) || /^[:?#&*!|>%@`'"]/.test(body) || /^-\s/.test(body)) return undefined;
  if (!body.includes("'")) return { start, quote: "'" };
  if (!body.includes('"') && !body.includes('\\')) return { start, quote: '"' };
  return undefined;
}

/**
 * Whether the line at `lineStart` continues a plain scalar: the last character before it is not a flow indicator, and
 * the line is not inside a quoted scalar (a tab there is folded whitespace to go-yaml too).
 */
function continuesScalar(text: string, lineStart: number): boolean {
  let i = lineStart - 1;
  while (i >= 0 && BLANK.test(text[i])) i--;
  return i >= 0 && !'[{,:'.includes(text[i]) && !insideQuotes(text, lineStart);
}

/**
 * Reads `text` from `from` to `to`, calling `visit` with each character outside quoted scalars and comments; whether
 * `to` is inside a quoted scalar. A quote opens one at a token's start only (inside a plain scalar, `it's`, it is a
 * character).
 */
function readUnquoted(text: string, from: number, to: number, visit?: (i: number) => void): boolean {
  let quote = '';
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = '';
    } else if (quote === "'") {
      if (c === "'" && text[i + 1] === "'") i++;
      else if (c === "'") quote = '';
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) {
      quote = c;
    } else if (c === '#' && (i === 0 || BLANK.test(text[i - 1]))) {
      while (i < to && text[i] !== '\n') i++;
    } else {
      visit?.(i);
    }
  }
  return quote !== '';
}

/** Whether `at` is inside a quoted scalar, reading `text` from its start. */
function insideQuotes(text: string, at: number): boolean {
  return readUnquoted(text, 0, at);
}

/** Offsets of the tabs in `text` from `from` to `to` (one line) that separate tokens: not inside quotes or a comment. */
function separatingTabs(text: string, from: number, to: number): number[] {
  const out: number[] = [];
  readUnquoted(text, from, to, (i) => {
    if (text[i] === '\t') out.push(i);
  });
  return out;
}

/** Whether the line at `lineStart` is a document marker (`---` or `...` and a blank): never indented by a repair. */
function isDocumentMarker(text: string, lineStart: number): boolean {
  const three = text.slice(lineStart, lineStart + 3);
  return (three === '---' || three === '...') && (lineStart + 3 >= text.length || BLANK.test(text[lineStart + 3]));
}

function repaired(source: string, maxDepth: number, first: YAMLException, budget: RepairBudget): ParsedBatch {
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
  while (isRepairable(error) && budget.chars >= text.length) {
    const at = error.mark!.position;
    if (error.reason === MISSED_COMMA) {
      const scalar = colonScalar(text, at);
      if (!scalar) break;
      insert(at + 1, scalar.quote);
      insert(scalar.start, scalar.quote);
      quotes.push(scalar.start);
    } else {
      let start = at;
      while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
      const blank = text.slice(start, at);
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const tabs = blank.includes('\t') ? [] : separatingTabs(text, lineStart, at);
      if (blank.includes('\t') && start === lineStart && continuesScalar(text, lineStart)) {
        break; // a tab indenting a scalar's continuation line: go-yaml refuses it too ("violates indentation")
      } else if (blank.includes('\t')) {
        text = `${text.slice(0, start)}${blank.replace(/\t/g, ' ')}${text.slice(at)}`; // same length
      } else if (tabs.length > 0) {
        // A tab earlier on the line (`v:\t[x, y]`): js-yaml remembers it and fails inside the collection.
        for (const t of tabs) text = `${text.slice(0, t)} ${text.slice(t + 1)}`;
      } else if (start === lineStart && !isDocumentMarker(text, lineStart)) {
        insert(lineStart, ' '.repeat(PAD));
      } else {
        break; // not a problem of leading whitespace (or a document marker, which ends any flow): report it
      }
    }
    budget.chars -= text.length;
    try {
      const events = parseEvents(text, { maxDepth });
      return { events, source: text, original: (offset) => originalOffset(offset, inserted), quoted: new Set(quotes.map((q) => q + 1)), repaired: true };
    } catch (e) {
      error = e;
    }
  }
  // What the repairs did not mend, as js-yaml saw it: its line is the file's (repairs add no line breaks).
  throw error;
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
