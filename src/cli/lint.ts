import { dnsLabelProblem } from '../core/grammar';
import { isRecord } from '../core/json';
import { isClusterScoped } from '../core/k8s';
import { CONTEXT_KINDS, ManifestInput } from '../engine/analyze';
import { SuppressedViolation } from '../engine/types';
import { Violation } from '../core/errors';
import { Rule } from '../engine/types';
import { analyze, RULES } from '../rules';
import { isBundledApiVersion } from '../schema/crd-validator';
import { Inventory } from '../engine/types';
import { counts, formatReport, LintFormat } from './format';
import { expandPaths, InputError, InputReader } from './inputs';
import { DEFAULT_LIMITS, DEFAULT_MAX_LISTED, InputLimits, ReadChunk } from './limits';

/** Options of the `lint` command. */
export interface LintOptions {
  readonly format: LintFormat;
  readonly strict: boolean;
  /** `CODE=reason` entries. */
  readonly suppress: readonly string[];
  /** Opt-in rule codes to run. */
  readonly enable: readonly string[];
  /**
   * YAML/JSON file declaring `hosts`, `gateways` and `namespaces` outside the linted files.
   * @default - no inventory: Ext-scope rules are skipped
   */
  readonly inventory?: string;
  /**
   * Namespace of the objects without `metadata.namespace`, as `kubectl apply -n` sets it (short hosts then resolve
   * there, X-04). A DNS-1123 label.
   * @default - unknown: such objects are checked as namespace-less
   */
  readonly namespace?: string;
  /**
   * The input is everything that is applied: a subset of a host whose DestinationRule is not in it is an error
   * (VS-16), not a reference noted as not checked.
   * @default false
   */
  readonly complete?: boolean;
  /**
   * Lower (or raise) the input bounds.
   * @default - each unset bound is its {@link DEFAULT_LIMITS} value
   */
  readonly limits?: Partial<InputLimits>;
  /**
   * Findings listed at most, of errors and of warnings each; the rest are counted in the summary (the exit code counts them all).
   * @default 10000
   */
  readonly maxFindings?: number;
  /**
   * Reads stdin for `-` in chunks (replaced in tests).
   * @default - fd 0
   */
  readonly readStdin?: ReadChunk;
}

/** The outcome of a lint run: what to print and the exit code (0 clean, 1 violations, 2 bad input). */
export interface LintResult {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/** Lints YAML files, directories or stdin with the bundled Istio CRD schema and the rule catalogue. */
export function lint(paths: readonly string[], options: LintOptions): LintResult {
  try {
    if (paths.length === 0) throw new InputError('no input: pass files, directories or - for stdin');
    const suppress = parseSuppressions(options.suppress);
    checkCodes(Object.keys(suppress), '--suppress', () => true);
    checkCodes(options.enable, '--enable', (r) => r.optIn === true);
    const reader = new InputReader(limitsOf(options.limits), options.readStdin);
    const inventory = options.inventory ? readInventory(options.inventory, reader) : undefined;
    const files = expandPaths(paths);
    if (files.length === 0) throw new InputError(`no files matched: ${paths.join(' ')} holds no *.yaml, *.yml or *.json file`);
    if (files.filter((f) => f === '-').length > 1) throw new InputError('- (stdin) given more than once');
    if (options.namespace !== undefined && dnsLabelProblem(options.namespace)) {
      throw new InputError(`--namespace ${JSON.stringify(options.namespace)} ${dnsLabelProblem(options.namespace)}`);
    }
    const parsed = files.flatMap((f) => reader.parse(reader.read(f), f));
    const inputs = options.namespace === undefined ? parsed : parsed.map((i) => inNamespace(i, options.namespace!));
    const report = atFields(analyze(inputs, {
      strict: options.strict, suppress, enable: options.enable, inventory, laterFileWins: true, complete: options.complete === true,
      maxFindings: options.maxFindings ?? DEFAULT_MAX_LISTED,
    }), inputs);
    const stdout = formatReport(report, { files: files.length, objects: report.objects, unchecked: uncheckedKinds(inputs) }, options.format);
    return { exitCode: counts(report).errors > 0 ? 1 : 0, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof InputError) return { exitCode: 2, stdout: '', stderr: `cdk8s-istio-traffic lint: ${e.message}\n` };
    throw e;
  }
}

/** A field path in a finding's message: `spec.http[0].retries` (SCHEMA and most rules), or a route `http[2]`. */
const FIELD = /(?:^|[\s(,'"])((?:spec|metadata)(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])+)/;
/** A route named by index (`http[2]`) or by name (`route "primary"`), then optionally its destination or mirror. */
const ROUTE = /^(?:(http|tcp|tls)\[(\d+)\]|route "((?:[^"\\]|\\.)*)")(?: (?:destination (\d+)|(mirror)\b|mirrors\[(\d+)\]))?/;

/** The field a message that starts with a route reference points at: `spec.http[0].route[1]` for `route "a" destination 1`. */
function routeField(message: string, manifest: unknown): string | undefined {
  const m = ROUTE.exec(message);
  if (!m) return undefined;
  let at: string | undefined;
  if (m[1] !== undefined) {
    at = `spec.${m[1]}[${m[2]}]`;
  } else {
    const name = JSON.parse(`"${m[3]}"`) as string;
    const spec = isRecord(manifest) && isRecord(manifest.spec) ? manifest.spec : {};
    for (const section of ['http', 'tcp', 'tls']) {
      const i = (Array.isArray(spec[section]) ? spec[section] : []).findIndex((r: unknown) => isRecord(r) && r.name === name);
      if (i >= 0) {
        at = `spec.${section}[${i}]`;
        break;
      }
    }
  }
  if (at === undefined) return undefined;
  if (m[4] !== undefined) return `${at}.route[${m[4]}]`;
  if (m[5] !== undefined) return `${at}.mirror`;
  if (m[6] !== undefined) return `${at}.mirrors[${m[6]}]`;
  return at;
}

/**
 * Findings pointed at the field they name: `file:line:column` of the field (the longest prefix of its path in the
 * document) instead of the document's first line, where the message names a field and the input can locate it.
 */
function atFields<R extends { errors: Violation[]; warnings: Violation[]; suppressed: SuppressedViolation[] }>(report: R, inputs: readonly ManifestInput[]): R {
  const byPath = new Map<string, ManifestInput>();
  for (const i of inputs) if (i.locate && !byPath.has(i.path)) byPath.set(i.path, i);
  const place = <V extends Violation>(v: V): V => {
    const input = byPath.get(v.path);
    if (!input?.locate) return v;
    const field = FIELD.exec(v.message)?.[1] ?? routeField(v.message, input.manifest);
    const at = field === undefined ? undefined : input.locate(field);
    if (!at) return v;
    const file = v.path.slice(0, v.path.lastIndexOf(':'));
    return { ...v, path: `${file}:${at.line}:${at.column}` };
  };
  return { ...report, errors: report.errors.map(place), warnings: report.warnings.map(place), suppressed: report.suppressed.map(place) };
}

/** The input as `kubectl apply -n namespace` applies it: a namespaced object without a namespace gets it. */
function inNamespace(input: ManifestInput, namespace: string): ManifestInput {
  const m = input.manifest;
  if (!isRecord(m) || typeof m.kind !== 'string' || typeof m.apiVersion !== 'string' || isClusterScoped(m.apiVersion, m.kind)) return input;
  const metadata = isRecord(m.metadata) ? m.metadata : {};
  if (metadata.namespace !== undefined) return input;
  return { ...input, manifest: { ...m, metadata: { ...metadata, namespace } } };
}

/** Refuses codes that are not catalogue rules (or, for --enable, not opt-in rules): a typo would silently do nothing. */
function checkCodes(codes: readonly string[], option: string, fits: (rule: Rule) => boolean): void {
  for (const code of codes) {
    const rule = RULES.find((r) => r.code === code);
    if (!rule) throw new InputError(`${option} ${JSON.stringify(code)}: not a rule code (see docs/rules.md)`);
    if (!fits(rule)) throw new InputError(`${option} ${code}: not an opt-in rule; it always runs (opt-in rules: ${RULES.filter((r) => r.optIn).map((r) => r.code).join(', ')})`);
  }
}

/** Kinds of the input that neither the schema check nor the rules read (counted and named in the summary). */
function uncheckedKinds(inputs: readonly ManifestInput[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { manifest } of inputs) {
    if (!isRecord(manifest) || typeof manifest.kind !== 'string' || isBundledApiVersion(manifest.apiVersion) || CONTEXT_KINDS.has(manifest.kind)) continue;
    const key = `${typeof manifest.apiVersion === 'string' ? `${manifest.apiVersion} ` : ''}${manifest.kind}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function parseSuppressions(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new InputError(`--suppress ${JSON.stringify(entry)}: expected CODE=reason, e.g. --suppress "VS-25=orders v2 runs in shadow mode"`);
    out[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
  }
  return out;
}

/** Every limit given is a positive integer (the CLI parses them); unset ones take the defaults. */
function limitsOf(given: Partial<InputLimits> = {}): InputLimits {
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) throw new InputError(`limit ${key}: expected a positive integer (received ${JSON.stringify(value)})`);
    out[key] = value;
  }
  return out as unknown as InputLimits;
}

function readInventory(file: string, reader: InputReader): Inventory {
  // Read and parsed with the same bounds as the manifests (one document).
  const docs = reader.parse(reader.read(file), file);
  if (docs.length > 1) throw new InputError(`${file}: the inventory must be one YAML document`);
  const data: any = docs[0]?.manifest;
  const list = (key: string): string[] | undefined => {
    const v = data?.[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InputError(`${file}: "${key}" must be a list of strings`);
    return v;
  };
  if (typeof data !== 'object' || data === null) throw new InputError(`${file}: the inventory must be a mapping with hosts, gateways, namespaces and/or subsets`);
  const unknown = Object.keys(data).filter((k) => !['hosts', 'gateways', 'namespaces', 'subsets'].includes(k));
  if (unknown.length > 0) throw new InputError(`${file}: unknown inventory key(s) ${unknown.join(', ')}; expected hosts, gateways, namespaces, subsets`);
  const subsets = data.subsets;
  if (subsets !== undefined && (!isRecord(subsets) || Object.values(subsets).some((v) => !Array.isArray(v) || v.some((x) => typeof x !== 'string')))) {
    throw new InputError(`${file}: "subsets" must map hosts to lists of subset names, e.g. details.bookinfo.svc.cluster.local: [v1, v2]`);
  }
  return { hosts: list('hosts'), gateways: list('gateways'), namespaces: list('namespaces'), ...(subsets ? { subsets } : {}) };
}
