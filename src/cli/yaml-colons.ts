/**
 * A plain scalar ending in a colon right before `,` `]` or `}`, in a flow collection: go-yaml v2 (kubectl, Istio) keeps
 * the colon in the scalar, YAML 1.2 readers (js-yaml, the JS yaml package) end the scalar before it. The events of
 * ./yaml-read are rewritten to go-yaml's reading, with a YAML warning for each such scalar.
 */
import { COLLECTION_STYLE, EVENT_DOCUMENT, EVENT_MAPPING, EVENT_POP, EVENT_SCALAR, EVENT_SEQUENCE, getScalarValue, SCALAR_STYLE_PLAIN } from 'js-yaml';
import type { Event, MappingEvent, ScalarEvent } from 'js-yaml';
import { Severity, Violation, YAML_CODE } from '../core/errors';
import { FLOW_END } from './yaml-indent';

const TRAILING_COLON = /:[,\]}]/;

/**
 * go-yaml v2 (kubectl, Istio) ends a plain scalar at a colon only when a blank follows it; js-yaml (YAML 1.2) ends it
 * at a colon followed by `,` `]` or `}` as well. So in the flow sequence `[1.2.3.4, 001:db8::]` the IPv6 address is a
 * string to kubectl and the one-pair map `{ "001:db8:": null }` to js-yaml; in `{a:, b: 1}` the first key is "a:" to
 * kubectl and "a" to js-yaml. The events are rewritten to what go-yaml reads — a flow sequence's item that is an
 * implicit one-pair map of such a key and no value becomes the scalar (the key and its colon), such a key of any other
 * flow mapping gets its colon — each with a YAML warning for the readers that disagree. `events` is returned as is
 * when there is none. (Where js-yaml fails instead — such a scalar as a value, `{x: a:}` — lint reports the YAML error.)
 */
export function trailingColonScalars(events: Event[], source: string, where: (offset: number) => string): { events: Event[]; findings: Map<Event, Violation> } {
  const findings = new Map<Event, Violation>();
  if (!TRAILING_COLON.test(source)) return { events, findings }; // nearly every batch: no colon before a flow end
  let out: Event[] | undefined;
  const note = (e: ScalarEvent, what: string, js: string, fix: string) => {
    const text = getScalarValue(source, e);
    findings.set(e, {
      code: YAML_CODE, severity: Severity.WARNING, path: where(e.valueStart), value: text, allowed: 'a scalar every YAML reader reads alike',
      message: `the unquoted ${what} ${text} is a string to kubectl and Istio (go-yaml v2) but ${js} to YAML 1.2 readers that end it at its last colon (js-yaml, the JS yaml package); lint checks what kubectl reads`,
      fix: `Quote it ("${text}")${fix}.`,
    });
  };
  // Per open collection: a flow sequence? a flow mapping? how many nodes so far (a mapping's even ones are keys).
  const open: Array<{ flowSequence: boolean; flowMapping: boolean; n: number }> = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const top = open[open.length - 1];
    if (e.type === EVENT_POP) {
      open.pop();
    } else if (e.type === EVENT_DOCUMENT) {
      open.push({ flowSequence: false, flowMapping: false, n: 0 });
    } else if (e.type === EVENT_MAPPING && top?.flowSequence && implicitColonPair(events, i, source)) {
      const item = implicitColonPair(events, i, source)!;
      out ??= events.slice(0, i);
      out.push(item);
      note(item, 'item of a flow sequence', 'a one-pair map', ', or write the list as a block sequence');
      top.n++;
      i += 3; // the mapping, its key, its empty value and its POP
      continue;
    } else if (e.type === EVENT_SEQUENCE || e.type === EVENT_MAPPING) {
      if (top) top.n++;
      open.push({ flowSequence: e.type === EVENT_SEQUENCE && e.style === COLLECTION_STYLE.FLOW, flowMapping: e.type === EVENT_MAPPING && e.style === COLLECTION_STYLE.FLOW, n: 0 });
    } else {
      const key = e.type === EVENT_SCALAR && top?.flowMapping && top.n % 2 === 0 ? colonKey(e, events[i + 1], source) : undefined;
      if (top) top.n++;
      if (key) {
        out ??= events.slice(0, i);
        out.push(key);
        note(key, 'key of a flow mapping', `"${source.slice(key.valueStart, key.valueEnd - 1)}"`, '');
        continue;
      }
    }
    out?.push(e);
  }
  return { events: out ?? events, findings };
}

/** YAML warnings for the scalars ./yaml-indent quoted (`{address: 2001:db8::}`), into `findings`. */
export function quotedColonScalars(events: Event[], source: string, quoted: ReadonlySet<number>, where: (offset: number) => string, findings: Map<Event, Violation>): void {
  for (const e of events) {
    if (e.type !== EVENT_SCALAR || !quoted.has(e.valueStart)) continue;
    const text = getScalarValue(source, e);
    findings.set(e, {
      code: YAML_CODE, severity: Severity.WARNING, path: where(e.valueStart), value: text, allowed: 'a scalar every YAML reader reads alike',
      message: `the unquoted value ${text} is a string to kubectl and Istio (go-yaml v2), but YAML 1.2 readers (js-yaml) end it at its last colon and refuse the text; lint checks what kubectl reads`,
      fix: `Quote it ("${text}").`,
    });
  }
}

/** `key` with its colon, when it is a plain key written right before `:` and `,` `]` or `}`, and `value` is empty. */
function colonKey(key: ScalarEvent, value: Event | undefined, source: string): ScalarEvent | undefined {
  // Plain, not starting with a colon (go-yaml cannot read `[::]` at all); the value empty, without anchor or tag.
  if (key.style !== SCALAR_STYLE_PLAIN || key.valueEnd <= key.valueStart || source.charCodeAt(key.valueStart) === 58) return undefined;
  if (value?.type !== EVENT_SCALAR || value.valueStart !== -1 || value.anchorStart !== -1 || value.tagStart !== -1) return undefined;
  if (source.charCodeAt(key.valueEnd) !== 58 /* : */ || !FLOW_END.has(source[key.valueEnd + 1])) return undefined;
  return { ...key, valueEnd: key.valueEnd + 1 };
}

/** The scalar go-yaml v2 reads where events[i] opens an implicit one-pair map (see {@link colonKey}) in a flow sequence. */
function implicitColonPair(events: Event[], i: number, source: string): ScalarEvent | undefined {
  const map = events[i] as MappingEvent;
  const key = events[i + 1];
  if (key?.type !== EVENT_SCALAR || events[i + 3]?.type !== EVENT_POP) return undefined;
  // Implicit: no `{`, the map starts where its key does (at the key's anchor or tag, which go-yaml gives the scalar).
  const keyStart = Math.min(key.valueStart, key.tagStart >= 0 ? key.tagStart : Infinity, key.anchorStart >= 0 ? key.anchorStart - 1 : Infinity);
  if (map.start !== keyStart || map.anchorStart !== -1 || map.tagStart !== -1) return undefined;
  // Not an explicit key (`[? a:]`, a map to go-yaml too, whose key gets the colon): `[` or `,` before the item, not `?`.
  let before = keyStart - 1;
  while (before >= 0 && /\s/.test(source[before])) before--;
  if (source[before] === '?') return undefined;
  return colonKey(key, events[i + 2], source);
}
