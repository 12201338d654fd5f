import { IstioValidationError } from '../core/errors';
import { dnsLabelProblem } from '../core/grammar';
import {
  AppliedTrafficPolicy, RetrySource, RouteRef, RouteSimulator, SimulatedDestination, SimulationOutcome, SimulationRequest, SimulationResult, TrafficSource,
} from '../simulate';
import { expandPaths, InputError, InputReader } from './inputs';
import { DEFAULT_LIMITS, InputLimits, ReadChunk } from './limits';
/**
 * `explain`: one request simulated against manifests read as `lint` reads them (files, directories, `-` for stdin,
 * the same limits and `--namespace`), printed for a person or as the simulator's JSON. Also the reading and the
 * request-building helpers that `test` (./simulate-cases.ts) shares.
 */

/** What `explain` and `test` read, as `lint` reads it. */
export interface SimulateInputOptions {
  /**
   * Namespace of objects without `metadata.namespace` (as `kubectl apply -n`), and of the calling workload when no
   * source namespace is given. A DNS-1123 label.
   * @default "default"
   */
  readonly namespace?: string;
  /** Input bounds. @default - each unset bound is its {@link DEFAULT_LIMITS} value */
  readonly limits?: Partial<InputLimits>;
  /** Reads stdin for `-` (replaced in tests). @default - fd 0 */
  readonly readStdin?: ReadChunk;
}

/** Options of the `explain` command. */
export interface ExplainOptions extends SimulateInputOptions {
  readonly host: string;
  readonly port?: number;
  readonly method?: string;
  readonly path?: string;
  /** `name: value` entries. */
  readonly header?: readonly string[];
  /** `name=value` entries. */
  readonly query?: readonly string[];
  /** `namespace/name` of the Gateway the request arrives at. @default - from the mesh */
  readonly gateway?: string;
  readonly sourceNamespace?: string;
  /** `key=value` entries. */
  readonly sourceLabel?: readonly string[];
  readonly format?: 'text' | 'json';
}

/** What to print and the exit code. */
export interface CommandResult {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/** Simulates one request: exit 0 routed (or default-routed, redirected, answered directly), 1 no route (NR), 2 bad input. */
export function explain(paths: readonly string[], options: ExplainOptions): CommandResult {
  try {
    const reader = newReader(options);
    const request = buildRequest({
      host: options.host, port: options.port, method: options.method, path: options.path, headers: pairs(options.header, ':', '--header', 'name: value'),
      query: pairs(options.query, '=', '--query', 'name=value'), gateway: options.gateway, sourceNamespace: options.sourceNamespace,
      sourceLabels: pairs(options.sourceLabel, '=', '--source-label', 'key=value'),
    }, options.namespace);
    const result = simulateOrThrow(loadSimulator(paths, options, reader), request);
    const stdout = options.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatExplain(request, result);
    return { exitCode: result.outcome === SimulationOutcome.NO_ROUTE ? 1 : 0, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof InputError) return { exitCode: 2, stdout: '', stderr: `cdk8s-istio-traffic explain: ${e.message}\n` };
    throw e;
  }
}

/** A reader with the limits of `options`, after checking `--namespace`. */
export function newReader(options: SimulateInputOptions): InputReader {
  if (options.namespace !== undefined) checkNamespace(options.namespace, '--namespace');
  const limits: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(options.limits ?? {})) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) throw new InputError(`limit ${key}: expected a positive integer (received ${JSON.stringify(value)})`);
    limits[key] = value;
  }
  return new InputReader(limits as unknown as InputLimits, options.readStdin);
}

/** Reads the manifests of `paths` as `lint` does (later files replace earlier objects) into a simulator. */
export function loadSimulator(paths: readonly string[], options: SimulateInputOptions, reader: InputReader): RouteSimulator {
  if (paths.length === 0) throw new InputError('no input: pass files, directories or - for stdin');
  const files = expandPaths(paths);
  if (files.length === 0) throw new InputError(`no files matched: ${paths.join(' ')} holds no *.yaml, *.yml or *.json file`);
  if (files.filter((f) => f === '-').length > 1) throw new InputError('- (stdin) given more than once');
  const inputs = files.flatMap((f) => reader.parse(reader.read(f), f));
  return RouteSimulator._fromInputs(inputs, { namespace: options.namespace ?? 'default', laterFileWins: true });
}

function checkNamespace(namespace: string, option: string): void {
  const problem = dnsLabelProblem(namespace);
  if (problem) throw new InputError(`${option} ${JSON.stringify(namespace)} ${problem}`);
}

/** A request as the CLI and the cases file give it. */
export interface RequestSpec {
  readonly host: string;
  readonly port?: number;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly gateway?: string;
  readonly sourceNamespace?: string;
  readonly sourceLabels?: Record<string, string>;
}

/** The simulator's request for `spec`; from the mesh the source namespace defaults to `namespace` (else "default"). */
export function buildRequest(spec: RequestSpec, namespace: string | undefined): SimulationRequest {
  if (spec.gateway !== undefined && spec.sourceNamespace !== undefined) {
    throw new InputError('a gateway and a source namespace exclude each other: a gateway request comes from the gateway\'s namespace');
  }
  if (spec.sourceNamespace !== undefined) checkNamespace(spec.sourceNamespace, 'source namespace');
  if (spec.method !== undefined && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(spec.method)) throw new InputError(`method ${JSON.stringify(spec.method)} is not an HTTP method token`);
  const labels = spec.sourceLabels ?? {};
  let source: TrafficSource;
  if (spec.gateway !== undefined) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(spec.gateway)) throw new InputError(`gateway ${JSON.stringify(spec.gateway)}: expected namespace/name, e.g. istio-system/bookinfo-gateway`);
    source = TrafficSource.gateway(spec.gateway, { labels });
  } else {
    source = TrafficSource.mesh({ namespace: spec.sourceNamespace ?? namespace ?? 'default', labels });
  }
  for (const name of Object.keys(spec.headers ?? {})) {
    if (name.startsWith(':')) throw new InputError(`header ${JSON.stringify(name)}: pseudo-headers come from the host, method and path`);
  }
  return {
    source, authority: spec.host, ...(spec.port !== undefined ? { port: spec.port } : {}), method: (spec.method ?? 'GET').toUpperCase(), path: spec.path ?? '/',
    ...(spec.headers && Object.keys(spec.headers).length > 0 ? { headers: spec.headers } : {}),
    ...(spec.query && Object.keys(spec.query).length > 0 ? { queryParams: spec.query } : {}),
  };
}

/** Simulates `request`; a request the simulator refuses (a path without "/", a port out of range) is an {@link InputError}. */
export function simulateOrThrow(simulator: RouteSimulator, request: SimulationRequest): SimulationResult {
  try {
    return simulator.simulate(request);
  } catch (e) {
    if (!(e instanceof IstioValidationError)) throw e;
    const v = e.violations[0];
    throw new InputError(`request ${v.message.replace(/\.$/, '')}. ${v.fix}`);
  }
}

/** `name: value` (or `key=value`) entries as a map; names are not repeated (headers compared case-insensitively). */
function pairs(entries: readonly string[] | undefined, sep: string, option: string, shape: string): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const entry of entries ?? []) {
    const at = entry.indexOf(sep);
    const name = at < 0 ? '' : entry.slice(0, at).trim();
    if (name === '') throw new InputError(`${option} ${JSON.stringify(entry)}: expected ${shape}`);
    const key = sep === ':' ? name.toLowerCase() : name;
    if (seen.has(key)) throw new InputError(`${option} ${JSON.stringify(name)} given twice`);
    seen.add(key);
    // A header value loses its optional whitespace (RFC 9110 OWS); query and label values are taken as written.
    out[name] = sep === ':' ? entry.slice(at + 1).trim() : entry.slice(at + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Text output

const json = (v: unknown) => JSON.stringify(v);
const pct = (n: number) => `${Number.isInteger(n) ? n : Number(n.toFixed(2))}%`;

/** A route as `namespace/name http[1] "primary" match[0]`, with its delegate. */
export function routeLabel(ref: RouteRef): string {
  const name = ref.name ? ` "${ref.name}"` : '';
  const match = ref.matchIndex !== undefined ? ` match[${ref.matchIndex}]${ref.matchName ? ` "${ref.matchName}"` : ''}` : '';
  const delegate = ref.delegatedTo ? ` → delegate ${routeLabel(ref.delegatedTo)}` : '';
  return `${ref.virtualService} http[${ref.index}]${name}${match}${delegate}`;
}

/** A destination as `host subset v2 port 9080`. */
export function destinationLabel(d: { host: string; subset?: string; port: number }): string {
  return `${d.host}${d.subset ? ` subset ${d.subset}` : ''} port ${d.port}`;
}

function describeRequest(request: SimulationRequest): string[] {
  const s = request.source!;
  const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  const from = s.gatewayName ? `gateway ${s.gatewayName}` : `the mesh (namespace ${s.namespace})`;
  const lines = [`Request:  ${request.method} ${request.path} to ${request.authority}${request.port ? ` port ${request.port}` : ''}, from ${from}${labels ? `, labels ${labels}` : ''}`];
  for (const [k, v] of Object.entries(request.headers ?? {})) lines.push(`          header ${k}: ${v}`);
  for (const [k, v] of Object.entries(request.queryParams ?? {})) lines.push(`          query ${k}=${v}`);
  return lines;
}

function outcomeLine(r: SimulationResult): string {
  switch (r.outcome) {
    case SimulationOutcome.ROUTED: return `ROUTED by VirtualService ${r.virtualService}`;
    case SimulationOutcome.DEFAULT_ROUTE: return 'DEFAULT_ROUTE: no VirtualService route applies; the proxy sends the request to the host itself';
    case SimulationOutcome.REDIRECT: return `REDIRECT by VirtualService ${r.virtualService}`;
    case SimulationOutcome.DIRECT_RESPONSE: return `DIRECT_RESPONSE by VirtualService ${r.virtualService}`;
    default: return `NO_ROUTE: 404 with response flag ${r.responseFlag ?? 'NR'}`;
  }
}

function policyLines(policy: AppliedTrafficPolicy | undefined): string[] {
  if (!policy) return ['policy: no DestinationRule applies (Istio defaults)'];
  const fields = Object.keys(policy.sources);
  if (fields.length === 0) return [`policy: DestinationRule ${policy.destinationRule}, no traffic policy for this destination (Istio defaults)`];
  return [`policy: DestinationRule ${policy.destinationRule}`, ...fields.map((f) => `  ${f}: ${json((policy as any)[f])} (from ${policy.sources[f]})`)];
}

function destinationLines(d: SimulatedDestination): string[] {
  const pad = '          ';
  const lines = [`  ${pct(d.percent).padEnd(7)} ${destinationLabel(d)}`];
  if (d.workloads) lines.push(`${pad}workloads: ${d.workloads.length > 0 ? d.workloads.join(', ') : 'none in the input'}`);
  lines.push(...policyLines(d.policy).map((l) => `${pad}${l}`));
  return lines;
}

function retryLine(r: SimulationResult): string {
  const retry = r.retry!;
  const source = retry.source === RetrySource.ROUTE ? 'the route\'s retries'
    : retry.source === RetrySource.ISTIO_DEFAULT ? `Istio default, ${r.route ? 'the route sets no retries' : 'default routing'}`
      : 'fault injection, Istio enables no retries on a route with a fault';
  if (retry.attempts === 0) return `Retries:  none — source: ${source}`;
  const codes = retry.retriableStatusCodes.length > 0 ? `, status ${retry.retriableStatusCodes.join(', ')}` : '';
  const perTry = retry.perTryTimeout ? `, ${retry.perTryTimeout} per try` : '';
  const backoff = retry.backoff ? `, backoff ${retry.backoff}` : '';
  return `Retries:  ${retry.attempts} on ${retry.retryOn ?? '(nothing)'}${codes}${perTry}${backoff} — source: ${source}`;
}

/** The human-readable explanation of one simulated request. */
export function formatExplain(request: SimulationRequest, r: SimulationResult): string {
  const out = [...describeRequest(request), `Host:     ${r.host} port ${r.port}`, `Outcome:  ${outcomeLine(r)}`];
  if (r.route) out.push(`Route:    ${routeLabel(r.route)}`);
  if (r.noRouteReason) out.push(`Why:      ${r.noRouteReason}`);
  if (r.closest) out.push(`Closest:  ${routeLabel(r.closest.route)}: ${r.closest.failed.join('; ')}`);
  if (r.destinations.length > 0) out.push('Destinations:', ...r.destinations.flatMap(destinationLines));
  if (r.retry) {
    const none = r.retry.source === RetrySource.FAULT_INJECTION ? 'none — the route injects a fault, and Istio enables no timeout then'
      : `none — ${r.route ? 'the route sets none' : 'default routing'}; Istio disables Envoy's 15s default route timeout`;
    out.push(`Timeout:  ${r.timeout ? `${r.timeout} — source: the route's timeout` : none}`, retryLine(r));
  }
  if (r.fault) out.push(`Fault:    ${json(r.fault)}`);
  for (const m of r.mirrors) out.push(`Mirror:   ${pct(m.percent)} to ${destinationLabel(m)}`);
  if (r.rewrite) out.push(`Rewrite:  ${json(r.rewrite)}`);
  if (r.redirect) out.push(`Redirect: ${json(r.redirect)}`);
  if (r.directResponse) out.push(`Direct response: ${json(r.directResponse)}`);
  if (r.headers) out.push(`Headers:  ${json(r.headers)}`);
  if (r.skipped.length > 0) out.push('Skipped routes:', ...r.skipped.map((m) => `  ${routeLabel(m.route)}: ${m.failed.join('; ')}`));
  out.push(r.risks.length === 0 ? 'Risks:    none found' : 'Risks:');
  for (const risk of r.risks) out.push(`  ${risk.code} ${risk.destination}: ${risk.message}`);
  if (r.notes.length > 0) out.push('Notes:', ...r.notes.map((n) => `  - ${n}`));
  return `${out.join('\n')}\n`;
}
