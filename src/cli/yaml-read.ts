/**
 * Reads manifest YAML as kubectl reads it, fast: js-yaml's event parser and constructor, with a schema whose plain
 * scalars resolve as go-yaml v2 (kubectl, the API server, Istio) resolves them (core/go-yaml), and a pass over the
 * events that warns (YAML) where YAML 1.2 readers read an unquoted scalar differently. The text is split into its
 * documents first (a `---` or `...` line at column 0 ends any scalar, YAML's c-forbidden rule), so each document
 * is bounded and parsed on its own.
 */
import {
  constructFromEvents, defineScalarTag, EVENT_ALIAS, EVENT_DOCUMENT, EVENT_MAPPING, EVENT_POP, EVENT_SCALAR, EVENT_SEQUENCE, FAILSAFE_SCHEMA,
  getScalarValue, mergeTag, NOT_RESOLVED, SCALAR_STYLE_PLAIN, YAMLException,
} from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import { Severity, Violation, YAML_CODE } from '../core/errors';
import { describeYamlValue, goYamlV2Key, goYamlV2Plain, sameYamlValue, yaml12Plain } from '../core/go-yaml';
import { quotedColonScalars, trailingColonScalars } from './yaml-colons';
import { parseEventsLikeGoYaml, ParsedBatch, repairBudget } from './yaml-indent';
import { lineAt, lineStartsOf, locator } from './yaml-positions';

/** One more memo: the four implicit resolvers of a scalar ask for the same reading in turn. */
let lastSource: string | undefined;
let lastValue: unknown;
function goValue(source: string): unknown {
  if (source !== lastSource) {
    lastValue = goYamlV2Plain(source);
    lastSource = source;
  }
  return lastValue;
}

const FIRST_NUMERIC = [..."+-.0123456789"];

function goTag(name: string, is: (v: unknown) => boolean, firstChars: readonly string[] | null) {
  return defineScalarTag(`tag:yaml.org,2002:${name}`, {
    implicit: true,
    implicitFirstChars: firstChars,
    resolve: (source: string) => {
      const value = goValue(source);
      return is(value) ? value : NOT_RESOLVED;
    },
    identify: () => false,
  });
}

/** go-yaml v2's resolution: null, YAML 1.1 booleans, Go integers and floats; timestamps stay strings; `<<` merges. */
const KUBECTL_SCHEMA = FAILSAFE_SCHEMA.withTags(
  goTag('null', (v) => v === null, ['', '~', 'n', 'N']),
  goTag('bool', (v) => typeof v === 'boolean', [...'yYnNtTfFoO']),
  goTag('int', (v) => typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0), FIRST_NUMERIC),
  goTag('float', (v) => typeof v === 'number' && (!Number.isInteger(v) || Object.is(v, -0)), FIRST_NUMERIC),
  mergeTag,
  // A local tag (`!Ref`, `!!binary` aside) leaves the scalar a string, as go-yaml v2 does.
  defineScalarTag('!', { matchByTagPrefix: true, resolve: (source: string) => source, identify: () => false }),
);

/** Limits of one read (see InputLimits). */
export interface ReadLimits {
  readonly maxDocuments: number;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly maxTotalTokens: number;
}

/** One document read: its value, the line it starts on, the YAML warnings of its scalars, and a field locator. */
export interface ReadDocument {
  readonly value: unknown;
  readonly line: number;
  readonly findings: Violation[];
  /**
   * Line and column (1-based) of a field of the document, given as a path such as `spec.http[0].timeout` (the
   * longest prefix of it that exists), or `undefined`. The document is parsed again on the first call.
   */
  readonly locate: (field: string) => { line: number; column: number } | undefined;
}

/** A problem with the input itself: the message, with `file:line:` first. */
export class ReadError extends Error {}

/** Documents of `text` in order (empty documents skipped). `tokens.used` counts against `maxTotalTokens`. */
export function readDocuments(text: string, name: string, limits: ReadLimits, tokens: { used: number }): ReadDocument[] {
  const lineStarts = lineStartsOf(text);
  const lineOf = (offset: number) => lineAt(lineStarts, offset);
  const out: ReadDocument[] = [];
  let documents = 0;
  const budget = repairBudget(text.length);
  for (const batch of batches(text, limits, tokens, lineOf, name)) {
    const startLine = lineOf(batch.start);
    let parsed: ParsedBatch;
    let values: unknown[];
    try {
      parsed = parseEventsLikeGoYaml(text.slice(batch.start, batch.end), limits.maxDepth, budget);
    } catch (e) {
      throw readError(e, name, startLine, limits);
    }
    // The text the events index: the batch, or the batch with under-indented flow lines repaired (./yaml-indent).
    const { source, original } = parsed;
    let events = parsed.events;
    const where = (offset: number) => `${name}:${lineOf(batch.start + original(offset))}`;
    const colons = trailingColonScalars(events, source, where);
    events = colons.events;
    if (parsed.quoted.size > 0) quotedColonScalars(events, source, parsed.quoted, where, colons.findings);
    try {
      values = constructFromEvents(events, { source, schema: KUBECTL_SCHEMA, maxAliases: limits.maxAliases });
    } catch (e) {
      const repeat = e instanceof YAMLException && /duplicated mapping key/.test(e.reason) ? repeatedKey(events, source) : undefined;
      if (repeat) {
        throw new ReadError(`${name}:${lineOf(batch.start + original(repeat.offset))}: duplicate key ${JSON.stringify(repeat.key)} in a mapping (the last value would silently win; kubectl's strict field validation refuses it)`);
      }
      throw readError(e, name, startLine, limits);
    }
    const docs = documentsOf(events, source, where, colons.findings);
    const batchStart = batch.start;
    const batchEnd = batch.end;
    // A repaired batch's locators parse the repaired text, not the original again (with its repairs).
    const repaired = parsed.repaired ? { source, original } : undefined;
    values.forEach((value, i) => {
      const doc = docs[i];
      const line = doc?.first === undefined ? startLine : lineOf(batch.start + original(doc.first));
      if (++documents > limits.maxDocuments) throw new ReadError(`${name}:${line}: more than ${limits.maxDocuments} YAML documents in one file (--max-documents)`);
      if (doc?.alias) checkExpansion(value, limits, `${name}:${line}`);
      if (value === null || value === undefined) return;
      out.push({ value, line, findings: doc?.findings ?? [], locate: locator(text, batchStart, batchEnd, i, lineStarts, limits.maxDepth, repaired) });
    });
  }
  return out;
}

/**
 * Parsing runs of documents of up to this many characters at once: few parser calls, and a batch's parser events
 * die young (16 KiB, a few dozen documents: the 1 MiB batches of before kept events alive across scavenges, and
 * garbage collection took twice as long on a 20,000-object file).
 */
const BATCH_CHARS = 1 << 14;

/**
 * The document chunks of `text` grouped into batches (consecutive documents of up to {@link BATCH_CHARS}), each
 * document's tokens checked against the limits before anything is parsed.
 */
function batches(text: string, limits: ReadLimits, tokens: { used: number }, lineOf: (offset: number) => number, name: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const chunk of documentChunks(text)) {
    const estimate = roughTokens(text, chunk.start, chunk.end);
    if (estimate > limits.maxTokens) throw new ReadError(`${name}:${lineOf(chunk.start)}: a YAML document of more than ${limits.maxTokens} tokens (--max-tokens)`);
    tokens.used += estimate;
    if (tokens.used > limits.maxTotalTokens) throw new ReadError(`${name}:${lineOf(chunk.start)}: the input holds more than ${limits.maxTotalTokens} YAML tokens in all (--max-total-tokens)`);
    const last = out[out.length - 1];
    if (last && last.end === chunk.start && chunk.end - last.start <= BATCH_CHARS) last.end = chunk.end;
    else out.push({ ...chunk });
  }
  return out;
}

/** Offsets of the documents of `text`: split before each `---` line and after each `...` line at column 0. */
function documentChunks(text: string): Array<{ start: number; end: number }> {
  // Directives (`%YAML`, `%TAG`) bind to the next document; such (rare) files are parsed in one piece.
  if (/^%/m.test(text)) return [{ start: 0, end: text.length }];
  const out: Array<{ start: number; end: number }> = [];
  const marker = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  let start = 0;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    if (m[1] === '---') {
      if (m.index > start) out.push({ start, end: m.index });
      start = m.index;
    } else {
      const lineEnd = text.indexOf('\n', m.index);
      const end = lineEnd < 0 ? text.length : lineEnd + 1;
      out.push({ start, end });
      start = end;
    }
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}

/**
 * An upper bound of the YAML tokens of `source` (each run of non-space characters, each flow indicator): checked
 * before parsing, so no document is parsed whose events would not fit the limit.
 */
function roughTokens(source: string, start: number, end: number): number {
  let n = 0;
  let inToken = false;
  for (let i = start; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      inToken = false;
    } else if (c === 44 || c === 91 || c === 93 || c === 123 || c === 125) { // , [ ] { }
      n++;
      inToken = false;
    } else if (!inToken) {
      n++;
      inToken = true;
    }
  }
  return n;
}

/** What one pass over a document's events finds: where its content starts, whether it has aliases, its YAML warnings. */
interface DocumentFacts {
  /** Offset of the first node (the document's line). */
  first?: number;
  alias: boolean;
  findings: Violation[];
}

/**
 * The facts of each document of `events`, in one pass (a 20,000-object file has over a million events): the first
 * node's offset, aliases, and the plain scalars that kubectl and YAML 1.2 readers read as different values.
 */
function documentsOf(events: Event[], source: string, where: (offset: number) => string, noted: ReadonlyMap<Event, Violation>): DocumentFacts[] {
  const out: DocumentFacts[] = [];
  let doc: DocumentFacts = { alias: false, findings: [] };
  /** Per open collection: a mapping counts its nodes (even = key). */
  const stack: Array<{ map: boolean; n: number }> = [];
  for (const e of events) {
    const type = e.type;
    if (type === EVENT_DOCUMENT) {
      if (stack.length === 0) doc = { alias: false, findings: [] };
      stack.push({ map: false, n: 0 });
      continue;
    }
    if (type === EVENT_POP) {
      stack.pop();
      if (stack.length === 0) out.push(doc);
      continue;
    }
    const top = stack[stack.length - 1];
    const isKey = top.map && top.n % 2 === 0;
    top.n++;
    if (type === EVENT_MAPPING || type === EVENT_SEQUENCE) {
      doc.first ??= e.start;
      stack.push({ map: type === EVENT_MAPPING, n: 0 });
    } else if (type === EVENT_SCALAR) {
      doc.first ??= e.valueStart;
      const note = noted.get(e) ?? (e.style === SCALAR_STYLE_PLAIN && e.tagStart === -1 ? ambiguity(e, source, isKey, where) : undefined);
      if (note) doc.findings.push(note);
    } else if (type === EVENT_ALIAS) {
      doc.alias = true;
    }
  }
  return out;
}

/**
 * Aliases share one object in the result; anything that walks it (the rules, the schema check) sees it expanded.
 * The expanded size (memoised per shared object) and depth must stay within the per-document bounds.
 */
function checkExpansion(value: unknown, limits: ReadLimits, where: string): void {
  const size = new Map<object, number>();
  const depthOf = new Map<object, number>();
  const measure = (v: unknown): [number, number] => {
    if (typeof v !== 'object' || v === null) return [1, 0];
    const known = size.get(v);
    if (known !== undefined) return [known, depthOf.get(v)!];
    size.set(v, Infinity); // a cycle (a merge of itself) counts as too large
    let total = 1;
    let depth = 0;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      const [s, d] = measure(child);
      total += s;
      depth = Math.max(depth, d + 1);
      if (total > limits.maxTokens || depth > limits.maxDepth) break;
    }
    size.set(v, total);
    depthOf.set(v, depth);
    return [total, depth];
  };
  const [total, depth] = measure(value);
  if (total > limits.maxTokens) throw new ReadError(`${where}: aliases expand beyond the limit of ${limits.maxTokens} YAML nodes (--max-tokens); a YAML "billion laughs" document?`);
  if (depth > limits.maxDepth) throw new ReadError(`${where}: nesting deeper than ${limits.maxDepth} levels once aliases are expanded (--max-depth)`);
}

/** First characters that can start a plain scalar read as something other than a string (by either reader). */
const MAYBE_TYPED = new Set([...'-+.0123456789~nNyYtTfFoO'].map((c) => c.charCodeAt(0)));

function ambiguity(e: ScalarEvent, source: string, isKey: boolean, where: (offset: number) => string): Violation | undefined {
  // Most scalars are words: nothing to resolve unless the first character can start a non-string reading.
  if (e.valueEnd > e.valueStart && !MAYBE_TYPED.has(source.charCodeAt(e.valueStart))) return undefined;
  const raw = source.slice(e.valueStart, e.valueEnd);
  const text = raw.includes('\n') ? getScalarValue(source, e) : raw;
  const kubectl = isKey ? goYamlV2Key(text) : goYamlV2Plain(text);
  const other = yaml12Plain(text);
  const yaml12 = isKey ? (other === null ? 'null' : String(other)) : other;
  if (sameYamlValue(kubectl, yaml12)) return undefined;
  return {
    code: YAML_CODE, severity: Severity.WARNING, path: where(e.valueStart), value: text, allowed: 'a scalar every YAML reader reads alike',
    message: `the unquoted ${isKey ? 'key' : 'value'} ${text} is ${describeYamlValue(kubectl)} to kubectl and Istio (go-yaml v2) but ${describeYamlValue(yaml12)} to YAML 1.2 readers (kustomize, the JS yaml package); lint checks what kubectl reads`,
    fix: `Quote it ("${text}") if it is a string (a label value, a header), or write the ${typeof kubectl === 'boolean' || typeof yaml12 === 'boolean' ? 'boolean as true/false' : 'number in decimal'}.`,
  };
}

function readError(e: unknown, name: string, startLine: number, limits: ReadLimits): ReadError {
  if (!(e instanceof YAMLException)) return new ReadError(`${name}:${startLine}: cannot load document: ${e instanceof Error ? e.message : String(e)}`);
  const line = startLine + (e.mark?.line ?? 0);
  const reason = e.reason ?? e.message;
  if (/nesting|depth/i.test(reason)) return new ReadError(`${name}:${line}: nesting deeper than ${limits.maxDepth} levels (--max-depth)`);
  if (/alias/i.test(reason) && /max|limit|exceed|too many/i.test(reason)) {
    return new ReadError(`${name}:${line}: more than ${limits.maxAliases} aliases in one document (--max-aliases); a YAML "billion laughs" document?`);
  }
  return new ReadError(`${name}:${line}: invalid YAML: ${reason.split('\n')[0]}`);
}

/** The first key repeated in a mapping of `events` (keys compared as kubectl reads them), with its offset. */
function repeatedKey(events: Event[], source: string): { key: string; offset: number } | undefined {
  const stack: Array<{ keys?: Set<string>; n: number }> = [];
  for (const e of events) {
    const top = stack[stack.length - 1];
    const isKey = top?.keys !== undefined && top.n % 2 === 0;
    if (e.type === EVENT_SCALAR || e.type === EVENT_ALIAS || e.type === EVENT_MAPPING || e.type === EVENT_SEQUENCE) {
      if (top) top.n++;
    }
    if (isKey && e.type === EVENT_SCALAR) {
      const text = getScalarValue(source, e);
      const key = e.style === SCALAR_STYLE_PLAIN && e.tagStart === -1 ? goYamlV2Key(text) : text;
      if (top.keys!.has(key)) return { key, offset: e.valueStart };
      top.keys!.add(key);
    }
    if (e.type === EVENT_MAPPING) stack.push({ keys: new Set(), n: 0 });
    else if (e.type === EVENT_SEQUENCE || e.type === EVENT_DOCUMENT) stack.push({ n: 0 });
    else if (e.type === EVENT_POP) stack.pop();
  }
  return undefined;
}
