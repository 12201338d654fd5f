/**
 * Property: for generated HTTP route lists and requests, the simulator chooses the first route whose match an
 * independent oracle (written here from Istio's documented semantics, exact and prefix matches only) says the request
 * satisfies, and reports NR exactly when the oracle finds none. PROPERTY_RUNS sets the number of runs (200 in
 * `npm test`), PROPERTY_SEED replays one.
 */
import * as fc from 'fast-check';
import { RouteSimulator, SimulationOutcome } from '../../src';
import { params, RUNS, timeoutFor } from '../property/harness';
import { vs } from './support';

type Sm = { exact: string } | { prefix: string };
interface Block {
  uri?: Sm;
  method?: { exact: string };
  headers?: Record<string, Sm>;
  queryParams?: Record<string, { exact: string }>;
}
interface Req {
  path: string;
  query: Record<string, string>;
  method: string;
  headers: Record<string, string>;
}

const SEGMENTS = ['/', '/a', '/a/', '/a/b', '/ab', '/b', '/b/c'];
const VALUES = ['', 'v', 'v1', 'v12', 'w'];
const HEADERS = ['x-a', 'x-b'];
const METHODS = ['GET', 'POST'];

const sm = (values: string[]): fc.Arbitrary<Sm> => fc.oneof(
  fc.constantFrom(...values).map((exact) => ({ exact })),
  fc.constantFrom(...values.filter((v) => v !== '')).map((prefix) => ({ prefix })),
);
const block: fc.Arbitrary<Block> = fc.record({
  uri: sm(SEGMENTS), method: fc.constantFrom(...METHODS).map((exact) => ({ exact })),
  headers: fc.dictionary(fc.constantFrom(...HEADERS), sm(VALUES), { minKeys: 1, maxKeys: 2 }),
  queryParams: fc.dictionary(fc.constantFrom('q', 'page'), fc.constantFrom(...VALUES).map((exact) => ({ exact })), { minKeys: 1, maxKeys: 1 }),
}, { requiredKeys: [] });
const routes = fc.array(fc.array(block, { maxLength: 3 }), { minLength: 1, maxLength: 8 });
const request: fc.Arbitrary<Req> = fc.record({
  path: fc.constantFrom(...SEGMENTS, '/a/b/c', '/c'),
  query: fc.dictionary(fc.constantFrom('q', 'page'), fc.constantFrom(...VALUES.filter((v) => v !== '')), { maxKeys: 2 }),
  method: fc.constantFrom(...METHODS),
  // header names in any case: Istio compares them case-insensitively
  headers: fc.dictionary(fc.constantFrom(...HEADERS, 'X-A', 'X-b'), fc.constantFrom(...VALUES), { maxKeys: 2 }),
});

/** The oracle's reading of one StringMatch. */
function holds(m: Sm, value: string | undefined): boolean {
  if (value === undefined) return false;
  return 'exact' in m ? value === m.exact : value.startsWith(m.prefix);
}

/** Whether the request satisfies every condition of the block. */
function satisfies(b: Block, r: Req): boolean {
  const headers = new Map(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (b.uri && !holds(b.uri, r.path)) return false;
  if (b.method && b.method.exact !== r.method) return false;
  for (const [name, m] of Object.entries(b.headers ?? {})) if (!holds(m, headers.get(name))) return false;
  for (const [name, m] of Object.entries(b.queryParams ?? {})) if (r.query[name] !== m.exact) return false;
  return true;
}

/** The first route (index) with no blocks or a block the request satisfies. */
function oracle(list: Block[][], r: Req): number | undefined {
  const i = list.findIndex((blocks) => blocks.length === 0 || blocks.some((b) => satisfies(b, r)));
  return i < 0 ? undefined : i;
}

test('the chosen route is the first one whose match the request satisfies (NR when none)', () => {
  fc.assert(fc.property(routes, fc.array(request, { minLength: 1, maxLength: 5 }), (list, requests) => {
    const http = list.map((blocks, i) => ({ ...(blocks.length > 0 ? { match: blocks } : {}), route: [{ destination: { host: `svc${i}` } }] }));
    const sim = RouteSimulator.fromManifests([vs('svc', { hosts: ['svc'], http })]);
    for (const r of requests) {
      // query parameters either in the path or given apart: both reach the matcher
      const split = Object.keys(r.query).length % 2 === 0;
      const qs = Object.entries(r.query).map(([k, v]) => `${k}=${v}`).join('&');
      const result = sim.simulate({
        authority: 'svc', method: r.method, headers: r.headers,
        path: split && qs ? `${r.path}?${qs}` : r.path, ...(!split ? { queryParams: r.query } : {}),
      });
      const expected = oracle(list, r);
      expect(result.route?.index).toBe(expected);
      expect(result.outcome).toBe(expected === undefined ? SimulationOutcome.NO_ROUTE : SimulationOutcome.ROUTED);
      if (expected !== undefined) expect(result.destinations.map((d) => d.host)).toEqual([`svc${expected}.default.svc.cluster.local`]);
      // every route before the chosen one is reported as skipped, with at least one failed condition
      expect(result.skipped.map((m) => m.route.index)).toEqual(list.slice(0, expected ?? list.length).map((_, i) => i));
      expect(result.skipped.every((m) => m.failed.length > 0)).toBe(true);
    }
  }), params());
}, timeoutFor(5, RUNS));
