/**
 * Where a field of a document read by ./yaml-read is in its file: line and column of a field path such as
 * `spec.http[0].timeout` (the key's position for a map entry, the item's for a list entry), found by parsing the
 * document's batch again on the first question — only findings ask — and line numbers of offsets.
 */
import { EVENT_DOCUMENT, EVENT_MAPPING, EVENT_POP, EVENT_SCALAR, EVENT_SEQUENCE, getScalarValue, parseEvents } from 'js-yaml';
import type { Event } from 'js-yaml';
import { parseEventsLikeGoYaml, ParsedBatch } from './yaml-indent';

/**
 * A field locator for document `index` of the batch at `start`: on first use the batch is parsed again and the
 * document's field paths mapped to their offsets (a key's position for a map entry, the item's for a list entry).
 * `repaired`: the batch as ./yaml-indent repaired it, when it had to (parsed as it is, not repaired again).
 */
export function locator(
  text: string, start: number, end: number, index: number, lineStarts: number[], maxDepth: number,
  repaired?: Pick<ParsedBatch, 'source' | 'original'>,
): (field: string) => { line: number; column: number } | undefined {
  let positions: Map<string, number> | undefined;
  return (field: string) => {
    if (!positions) {
      positions = new Map();
      let parsed: Pick<ParsedBatch, 'events' | 'source' | 'original'>;
      try {
        parsed = repaired
          ? { events: parseEvents(repaired.source, { maxDepth }), source: repaired.source, original: repaired.original }
          : parseEventsLikeGoYaml(text.slice(start, end), maxDepth);
      } catch {
        return undefined;
      }
      const doc = splitEvents(parsed.events)[index];
      if (doc) mapPositions(doc, parsed.source, start, positions, parsed.original);
    }
    for (let f = field; f; f = parentPath(f)) {
      const offset = positions.get(f);
      if (offset !== undefined) {
        const line = lineAt(lineStarts, offset);
        return { line, column: offset - lineStarts[line - 1] + 1 };
      }
    }
    return undefined;
  };
}

/** `spec.http[0]` for `spec.http[0].timeout`, `spec` for `spec.http`, '' at the top. */
function parentPath(path: string): string {
  const m = /(\.[^.[\]]+|\[[^\]]*\])$/.exec(path);
  return m ? path.slice(0, m.index) : '';
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Maps every field path of `doc` to its offset in the file (`doc` indexes `source`, the batch at `base`, maybe repaired: `original`). */
function mapPositions(doc: Event[], source: string, base: number, out: Map<string, number>, original: (offset: number) => number): void {
  const stack: Array<{ map: boolean; n: number; path: string; key?: string }> = [];
  for (const e of doc) {
    if (e.type === EVENT_DOCUMENT) continue;
    if (e.type === EVENT_POP) {
      stack.pop();
      continue;
    }
    const top = stack[stack.length - 1];
    let path = '';
    if (top) {
      if (top.map) {
        if (top.n % 2 === 0) {
          // A key: the entry's position is the key's.
          top.n++;
          if (e.type === EVENT_SCALAR) {
            top.key = getScalarValue(source, e);
            out.set(childPath(top.path, top.key), base + original(e.valueStart));
          } else {
            top.key = undefined;
          }
          if (e.type === EVENT_MAPPING || e.type === EVENT_SEQUENCE) stack.push({ map: e.type === EVENT_MAPPING, n: 0, path: '\u0000' });
          continue;
        }
        top.n++;
        path = top.key === undefined ? '\u0000' : childPath(top.path, top.key);
      } else {
        path = childPath(top.path, top.n++);
        const offset = e.type === EVENT_SCALAR ? e.valueStart : e.type === EVENT_MAPPING || e.type === EVENT_SEQUENCE ? e.start : undefined;
        if (offset !== undefined) out.set(path, base + original(offset));
      }
    }
    if (e.type === EVENT_MAPPING || e.type === EVENT_SEQUENCE) stack.push({ map: e.type === EVENT_MAPPING, n: 0, path });
  }
}

/** The events of each document (DOCUMENT … its POP). */
function splitEvents(events: Event[]): Event[][] {
  const out: Event[][] = [];
  let depth = 0;
  let current: Event[] = [];
  for (const e of events) {
    if (e.type === EVENT_DOCUMENT && depth === 0) current = [];
    current.push(e);
    if (e.type === EVENT_DOCUMENT || e.type === EVENT_MAPPING || e.type === EVENT_SEQUENCE) depth++;
    else if (e.type === EVENT_POP && --depth === 0) out.push(current);
  }
  return out;
}

/** Offsets at which the lines of `text` start. */
export function lineStartsOf(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** 1-based line of `offset`. */
export function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
