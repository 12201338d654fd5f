import Ajv, { ErrorObject } from 'ajv';
import { isDeepStrictEqual } from 'util';
import { LineCounter, parseDocument } from 'yaml';
import { parseDuration } from '../core/grammar';
import { SimulationOutcome, SimulationRequest, SimulationResult } from '../simulate';
import {
  buildRequest, CommandResult, destinationLabel, loadSimulator, newReader, RequestSpec, routeLabel, SimulateInputOptions, simulateOrThrow,
} from './explain';
import { InputError } from './inputs';
/**
 * `test`: a YAML file of request → expected route cases, run against manifests read as `lint` reads them. Only the
 * fields a case's `expect` gives are compared; each mismatch is printed as expected vs actual; exit 1 on any.
 * The cases file is YAML 1.2 (the `yaml` package, duplicate keys refused), checked against {@link CASES_SCHEMA}.
 */

/** Options of the `test` command. */
export interface TestOptions extends SimulateInputOptions {
  /** The cases file (`-` for stdin). */
  readonly cases: string;
  readonly format?: 'text' | 'json';
}

/** What a case expects; every field is optional and only those given are compared. */
interface Expectation {
  readonly virtualService?: string;
  /** The route's `name`, or its index in `spec.http`. */
  readonly route?: string | number;
  readonly destinations?: ReadonlyArray<{ host?: string; subset?: string | null; percent?: number }>;
  /** `null`: no route timeout. */
  readonly timeout?: string | null;
  readonly retries?: { attempts?: number; perTryTimeout?: string };
  readonly noRoute?: boolean;
  readonly redirect?: Record<string, unknown>;
  readonly directResponse?: { status: number };
}

interface Case {
  readonly name: string;
  readonly line: number;
  readonly request: SimulationRequest;
  readonly expect: Expectation;
}

/** One field that differs from the expectation. */
export interface Mismatch {
  readonly field: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

const DURATION = { type: 'string', pattern: '^((\\d+(\\.\\d+)?|\\.\\d+)(h|ms|m|s|us|µs|ns))+$', description: 'a duration such as "3s" or "500ms"' };
const STRINGS = { type: 'object', additionalProperties: { type: 'string', description: 'a string (quote values such as true, 1 or 1.10)' } };
const LABEL = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', description: 'a namespace (DNS-1123 label)' };
const PORT = { type: 'integer', minimum: 1, maximum: 65535, description: 'a port 1-65535' };

/** The JSON schema of a cases file (unknown fields are errors). */
export const CASES_SCHEMA = {
  type: 'array', minItems: 1, description: 'a list of cases { name, request, expect }',
  items: {
    type: 'object', additionalProperties: false, required: ['name', 'request', 'expect'],
    properties: {
      name: { type: 'string', minLength: 1 },
      request: {
        type: 'object', additionalProperties: false, required: ['host'],
        properties: {
          host: { type: 'string', minLength: 1 }, port: PORT, method: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", description: 'an HTTP method' },
          path: { type: 'string', pattern: '^/', description: 'a path starting with "/"' }, headers: STRINGS, query: STRINGS,
          gateway: { type: 'string', pattern: '^[^/\\s]+/[^/\\s]+$', description: 'a gateway as "namespace/name"' }, sourceNamespace: LABEL, sourceLabels: STRINGS,
        },
      },
      expect: {
        type: 'object', additionalProperties: false, minProperties: 1, description: 'at least one expected field',
        properties: {
          virtualService: { type: 'string', minLength: 1 },
          route: { type: ['string', 'integer'], minimum: 0, minLength: 1, description: 'a route name or index' },
          destinations: {
            type: 'array',
            items: {
              type: 'object', additionalProperties: false,
              properties: { host: { type: 'string', minLength: 1 }, subset: { type: ['string', 'null'] }, percent: { type: 'number', minimum: 0, maximum: 100 } },
            },
          },
          timeout: { ...DURATION, type: ['string', 'null'], description: 'a duration such as "3s", or null for no timeout' },
          retries: { type: 'object', additionalProperties: false, minProperties: 1, properties: { attempts: { type: 'integer', minimum: 0 }, perTryTimeout: DURATION } },
          noRoute: { type: 'boolean' },
          redirect: {
            type: 'object', additionalProperties: false, minProperties: 1,
            properties: {
              uri: { type: 'string' }, authority: { type: 'string' }, port: PORT, derivePort: { type: 'string' }, scheme: { type: 'string' },
              redirectCode: { type: 'integer', minimum: 300, maximum: 399 },
            },
          },
          directResponse: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'integer', minimum: 200, maximum: 599 } } },
        },
      },
    },
  },
};

const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true }).compile(CASES_SCHEMA);

/** Runs the cases of `options.cases` against the manifests of `paths`: exit 0 all pass, 1 a mismatch, 2 bad input. */
export function runCases(paths: readonly string[], options: TestOptions): CommandResult {
  try {
    const reader = newReader(options);
    if (options.cases === '-' && paths.includes('-')) throw new InputError('- (stdin) given for both --cases and the manifests');
    const cases = readCases(options.cases, reader.read(options.cases), options.namespace);
    const simulator = loadSimulator(paths, options, reader);
    const runs = cases.map((c) => {
      let result: SimulationResult;
      try {
        result = simulateOrThrow(simulator, c.request);
      } catch (e) {
        throw e instanceof InputError ? new InputError(`${display(options.cases)}:${c.line}: case "${c.name}": ${e.message}`) : e;
      }
      return { case: c, result, mismatches: compare(c.expect, result) };
    });
    const failed = runs.filter((r) => r.mismatches.length > 0).length;
    const summary = { cases: runs.length, passed: runs.length - failed, failed };
    const stdout = options.format === 'json'
      ? `${JSON.stringify({
        cases: runs.map((r) => ({
          name: r.case.name, line: r.case.line, passed: r.mismatches.length === 0, mismatches: r.mismatches, ...(r.mismatches.length > 0 ? { result: r.result } : {}),
        })),
        summary,
      }, null, 2)}\n`
      : `${[...runs.flatMap((r) => caseText(r.case, r.result, r.mismatches, options.cases)), `${summary.cases} case(s): ${summary.passed} passed, ${failed} failed`].join('\n')}\n`;
    return { exitCode: failed > 0 ? 1 : 0, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof InputError) return { exitCode: 2, stdout: '', stderr: `cdk8s-istio-traffic test: ${e.message}\n` };
    throw e;
  }
}

const display = (file: string) => (file === '-' ? '<stdin>' : file);

/** Parses and checks the cases file; every problem is an {@link InputError} naming `file:line:column` and the field. */
function readCases(file: string, text: string, namespace: string | undefined): Case[] {
  const name = display(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return `${name}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) throw new InputError(doc.errors.slice(0, 10).map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]}`).join('\n'));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new InputError(`${name}: ${(e as Error).message}`);
  }
  const nodeAt = (path: readonly string[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return node.range[0];
    }
    return 0;
  };
  if (!validate(data)) {
    const lines = [...new Set((validate.errors ?? []).map((e) => {
      const { path, message } = schemaMessage(e);
      return `${at(nodeAt(path))}: ${fieldPath(path)}: ${message}`;
    }))];
    throw new InputError(`${name} is not a valid cases file:\n  ${lines.slice(0, 20).join('\n  ')}${lines.length > 20 ? `\n  … and ${lines.length - 20} more` : ''}`);
  }
  const raw = data as Array<{ name: string; request: RequestSpec; expect: Expectation }>;
  const seen = new Set<string>();
  return raw.map((c, i) => {
    const where = `${at(nodeAt([String(i)]))}: [${i}] "${c.name}"`;
    if (seen.has(c.name)) throw new InputError(`${where}: the case name is used twice; name each case once, so that failures name one case`);
    seen.add(c.name);
    try {
      return { name: c.name, line: lineCounter.linePos(nodeAt([String(i)])).line, request: buildRequest(c.request, namespace), expect: c.expect };
    } catch (e) {
      throw e instanceof InputError ? new InputError(`${where}: ${e.message}`) : e;
    }
  });
}

/** An ajv error as the field it concerns and a sentence. */
function schemaMessage(e: ErrorObject): { path: string[]; message: string } {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const schema = (e.parentSchema ?? {}) as { description?: string; properties?: Record<string, unknown> };
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(e.params.additionalProperty)], message: `unknown field (expected one of: ${Object.keys(schema.properties ?? {}).join(', ')})` };
    case 'required':
      return { path, message: `missing field "${e.params.missingProperty}"` };
    case 'minProperties':
      return { path, message: `is empty: give ${schema.description ?? 'at least one field'}` };
    case 'minItems':
      return { path, message: 'holds no case' };
    default:
      return { path, message: schema.description ? `must be ${schema.description} (received ${JSON.stringify(e.data)})` : `${e.message} (received ${JSON.stringify(e.data)})` };
  }
}

/** `[0].request.headers["x-user"]`; the top level is `(top level)`. */
function fieldPath(path: readonly string[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_][\w]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/** A short host in an expectation stands for the FQDN the simulator reports: `reviews` ~ `reviews.<ns>.svc.cluster.local`. */
function sameHost(expected: string, actual: string): boolean {
  const e = expected.toLowerCase().replace(/\.$/, '');
  if (e === actual || `${e}.svc.cluster.local` === actual || `${e}.cluster.local` === actual) return true;
  return !e.includes('.') && new RegExp(`^${e.replace(/[^a-z0-9-]/g, '\\$&')}\\.[^.]+\\.svc\\.cluster\\.local$`).test(actual);
}

const sameDuration = (expected: string, actual: string | undefined) => actual !== undefined && parseDuration(expected) === parseDuration(actual);

/** The fields of `expect` that `result` does not satisfy. */
export function compare(expect: Expectation, result: SimulationResult): Mismatch[] {
  const out: Mismatch[] = [];
  const check = (field: string, expected: unknown, actual: unknown, same: boolean) => {
    if (!same) out.push({ field, expected, actual: actual === undefined ? null : actual });
  };
  const noRoute = result.outcome === SimulationOutcome.NO_ROUTE;
  if (expect.noRoute !== undefined) check('noRoute', expect.noRoute, noRoute, expect.noRoute === noRoute);
  const vs = expect.virtualService;
  if (vs !== undefined) check('virtualService', vs, result.virtualService, result.virtualService === vs || (!vs.includes('/') && result.virtualService?.split('/')[1] === vs));
  if (typeof expect.route === 'number') check('route', expect.route, result.route?.index, result.route?.index === expect.route);
  else if (expect.route !== undefined) check('route', expect.route, result.route?.name, result.route?.name === expect.route);
  if (expect.destinations) compareDestinations(expect.destinations, result, out);
  if (expect.timeout === null) check('timeout', null, result.timeout, result.timeout === undefined);
  else if (expect.timeout !== undefined) check('timeout', expect.timeout, result.timeout, sameDuration(expect.timeout, result.timeout));
  const retries = expect.retries;
  if (retries?.attempts !== undefined) check('retries.attempts', retries.attempts, result.retry?.attempts, result.retry?.attempts === retries.attempts);
  if (retries?.perTryTimeout !== undefined) {
    check('retries.perTryTimeout', retries.perTryTimeout, result.retry?.perTryTimeout, sameDuration(retries.perTryTimeout, result.retry?.perTryTimeout));
  }
  if (expect.redirect && !result.redirect) check('redirect', expect.redirect, null, false);
  for (const [key, value] of result.redirect ? Object.entries(expect.redirect ?? {}) : []) {
    const actual = key === 'redirectCode' ? result.redirect.redirectCode ?? 301 : result.redirect[key];
    check(`redirect.${key}`, value, actual, isDeepStrictEqual(value, actual));
  }
  if (expect.directResponse) {
    const status = result.directResponse?.status;
    check('directResponse.status', expect.directResponse.status, status, status === expect.directResponse.status);
  }
  return out;
}

function compareDestinations(expected: NonNullable<Expectation['destinations']>, result: SimulationResult, out: Mismatch[]): void {
  const actual = result.destinations;
  if (expected.length !== actual.length) {
    const keys = new Set(expected.flatMap((d) => Object.keys(d)));
    const shown = keys.size > 0 ? [...keys] : ['host', 'subset', 'percent'];
    out.push({ field: 'destinations', expected, actual: actual.map((d) => Object.fromEntries(shown.map((k) => [k, (d as any)[k] ?? null]))) });
    return;
  }
  expected.forEach((e, i) => {
    const a = actual[i];
    if (e.host !== undefined && !sameHost(e.host, a.host)) out.push({ field: `destinations[${i}].host`, expected: e.host, actual: a.host });
    if (e.subset !== undefined && (a.subset ?? null) !== e.subset) out.push({ field: `destinations[${i}].subset`, expected: e.subset, actual: a.subset ?? null });
    if (e.percent !== undefined && Math.abs(a.percent - e.percent) > 1e-6) out.push({ field: `destinations[${i}].percent`, expected: e.percent, actual: a.percent });
  });
}

/** What the request got, on one line: outcome, route, destinations, timeout. */
function gotLine(r: SimulationResult): string {
  const route = r.route ? ` ${routeLabel(r.route)}` : '';
  const to = r.destinations.map((d) => `${destinationLabel(d)} ${Number(d.percent.toFixed(2))}%`).join(', ');
  const why = r.noRouteReason ? `: ${r.noRouteReason}` : '';
  return `${r.outcome}${route}${why}${to ? ` → ${to}` : ''}${r.timeout ? `, timeout ${r.timeout}` : ''}`;
}

const shown = (v: unknown) => (v === null || v === undefined ? 'none' : JSON.stringify(v));

function caseText(c: Case, r: SimulationResult, mismatches: readonly Mismatch[], file: string): string[] {
  if (mismatches.length === 0) return [`PASS ${c.name}`];
  return [
    `FAIL ${c.name} (${display(file)}:${c.line})`,
    `  got: ${gotLine(r)}`,
    ...mismatches.flatMap((m) => [`  ${m.field}`, `    - expected: ${shown(m.expected)}`, `    + actual:   ${shown(m.actual)}`]),
  ];
}
