/**
 * The public API is a contract: the names each entry point exports are listed here (a change to the surface is
 * a deliberate edit of this file), every type a public signature uses is exported by the same entry (no
 * "forgotten exports"), and internal helpers stay internal.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** `cdk8s-istio-traffic` (package.json `exports["."]`). */
const INDEX_EXPORTS = [
  'CallChainOptions', 'CallerProps', 'CallTarget', 'CanaryService', 'CanaryServiceProps', 'ConnectionPool', 'ExternalDependency',
  'ExternalDependencyProps', 'ExternalPort', 'FaultAbort', 'FaultDelay', 'FaultInjection', 'HttpConnectionPool', 'HttpMatch',
  'HttpMethod', 'IdempotentRetryOptions', 'IstioDefaultRetryOptions', 'IntentFacts', 'Inventory', 'OmittedFindings', 'IstioTrafficValidation', 'IstioTrafficValidationProps', 'IstioValidationError',
  'LoadBalancer', 'LoadBalancerAlgorithm', 'LocalityDistribution', 'LocalityFailover', 'NonIdempotentRetryOptions', 'OutlierDetection',
  'PortProtocol', 'RegionFailover', 'Resolution', 'ResilientBackend', 'ResilientBackendProps', 'RetryOn', 'RetryPolicy', 'RouteProps',
  'RuleReport', 'Rules', 'Severity', 'SimpleTlsOptions', 'Subset', 'SuppressedViolation', 'SYSTEM_CA_BUNDLE', 'TcpConnectionPool',
  'TlsOrigination', 'TrafficPolicyProps', 'ValueMatch', 'Violation',
  // jsii shape: warning sinks, named plugin contract types, TLS/traffic-policy option structs, the L1 namespace
  'InsecureTlsOptions', 'IPluginLogger', 'IPluginValidationContext', 'IPluginValidationReport', 'istio', 'IWarningSink', 'PluginViolatingResource',
  'PluginViolation', 'TrafficPolicyBaseProps', 'WarningCollector', 'WarningSink',
  // the traffic model: HostTraffic, its routes and destinations, route actions, TLS modes, ServiceEntry fields
  'CorsPolicy', 'Destination', 'DestinationOptions', 'ExternalEndpoint', 'H2UpgradePolicy', 'HeaderChanges', 'HeaderOperations',
  'HostDestinationOptions', 'HostTraffic', 'HostTrafficProps', 'HttpDirectResponse', 'HttpFault', 'HttpRedirect', 'HttpRewrite', 'HttpRouteProps',
  'L4MatchProps', 'Location', 'MutualTlsOptions', 'PortTrafficPolicy', 'RegexRewrite', 'StringMatch', 'SubsetProps', 'TcpRouteProps', 'TlsRouteProps',
  // the route simulator: RouteSimulator, the request and its source, the result's structs
  'AppliedTrafficPolicy', 'GatewaySourceOptions', 'MeshSourceOptions', 'RetrySource', 'RouteMiss', 'RouteRef', 'RouteSimulator', 'RouteSimulatorOptions',
  'SimulatedDestination', 'SimulatedMirror', 'SimulatedRetry', 'SimulationOutcome', 'SimulationRequest', 'SimulationResult', 'SimulationRisk', 'TrafficSource',
  'HttpMirror', 'WarmupOptions', 'GatewayServer', 'IngressGateway', 'IngressGatewayProps', 'ServerTls', 'Routing', 'RoutingApi', 'RoutingApiProps', 'EgressGateway', 'CanaryStage', 'MetricGate', 'EgressLockdown', 'EgressLockdownProps', 'ArgoRollout', 'ArgoRolloutProps', 'IgnoreDifference', 'ReleaseController', 'FlaggerCanary', 'FlaggerCanaryProps',
];

/** `cdk8s-istio-traffic/engine` (package.json `exports["./engine"]`). */
const ENGINE_EXPORTS = [
  'Analysis', 'analyze', 'AnalyzeOptions', 'AppFinding', 'ARGO_ROLLOUTS_MANAGED_ROUTES_ANNOTATION', 'ARGO_ROLLOUTS_ROUTES_ANNOTATION',
  'CALLS_ANNOTATION', 'CallChainOptions', 'EgressPolicy', 'ENTRY_POINT_ANNOTATION', 'Finding', 'FLAGGER_CANARY_ANNOTATION', 'IntentFacts', 'Inventory',
  'IstioKind', 'IstioObject', 'ManifestInput', 'NON_IDEMPOTENT_ROUTES_ANNOTATION', 'OmittedFindings', 'RolloutInfo', 'PROP_CODE', 'Rule', 'RuleContext', 'RuleDoc',
  'RuleReport', 'RULES', 'runRules', 'RunOptions', 'SCHEMA_CODE', 'SchemaIssue', 'ServiceInfo', 'Severity', 'SUPPRESS_ANNOTATION_PREFIX',
  'SUPPRESSION_CODE', 'SuppressedViolation', 'toIstioObject', 'validateManifest', 'Violation', 'Workload',
];

/** Helpers that the library uses everywhere and must never become API of the main entry by accident, and where they live. */
const INTERNAL_HELPERS: Record<string, string> = {
  fail: 'core/errors.ts', formatViolation: 'core/errors.ts', RULES_DOC: 'core/errors.ts', runRules: 'engine/run.ts',
  toIstioObject: 'engine/istio-object.ts', renderFault: 'policies/fault.ts', checkHost: 'core/enforce.ts', show: 'core/text.ts',
};

// ---------------------------------------------------------------------------------------------------------------
// The checker

/** A type used in a public signature that resolves to a declaration in src/ which the entry does not export. */
interface ForgottenExport {
  /** The type's name. */
  readonly type: string;
  /** Where it is declared, relative to the root. */
  readonly declaredIn: string;
  /** The public declaration (and member) whose signature uses it, e.g. `CanaryService.constructor(props)`. */
  readonly referencedBy: string;
}

interface ApiSurface {
  /** Every name the entry exports, sorted. */
  readonly names: string[];
  readonly forgotten: ForgottenExport[];
}

function compilerOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(file, ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, file);
  return { ...parsed.options, noEmit: true };
}

const isUnder = (file: string, dir: string) => {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);

/** `private`, `#private`, `@internal` or `_`-prefixed: not part of the public surface (stripInternal drops `@internal`). */
function isHidden(node: ts.Node): boolean {
  if (hasModifier(node, ts.SyntaxKind.PrivateKeyword)) return true;
  const name = (node as { name?: ts.Node }).name;
  if (name && ts.isPrivateIdentifier(name)) return true;
  if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text.startsWith('_')) return true;
  return ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal');
}

function memberLabel(member: ts.Node): string {
  if (ts.isConstructorDeclaration(member)) return 'constructor';
  if (ts.isIndexSignatureDeclaration(member)) return '[index]';
  if (ts.isCallSignatureDeclaration(member)) return '()';
  if (ts.isConstructSignatureDeclaration(member)) return 'new()';
  const name = (member as { name?: ts.PropertyName }).name;
  return name ? name.getText() : '?';
}

/**
 * Lists what `entryFile` exports and the types its public signatures use that resolve to a declaration under
 * `srcDir` not exported by the entry. Declarations outside `srcDir` (node_modules, TS lib types, imports/) pass.
 * Non-exported types found are followed too, so one run lists every forgotten export.
 */
function apiSurface(program: ts.Program, entryFile: string, srcDir: string): ApiSurface {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entryFile);
  if (!source) throw new Error(`${entryFile} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${entryFile} is not a module`);
  const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exports = checker.getExportsOfModule(moduleSymbol);
  const exported = new Set(exports.map(resolve));

  const forgotten = new Map<string, ForgottenExport>();
  const queue: Array<{ symbol: ts.Symbol; label: string }> = exports.map((s) => ({ symbol: resolve(s), label: s.name }));
  const walked = new Set<ts.Symbol>();
  const seenTypes = new Set<ts.Type>();

  /** A symbol a signature refers to: fine if exported or declared outside src/; else a forgotten export. */
  const use = (raw: ts.Symbol | undefined, where: string) => {
    if (!raw) return;
    const symbol = resolve(raw);
    if (symbol.flags & ts.SymbolFlags.TypeParameter) return;
    const decls = symbol.declarations ?? [];
    if (!decls.length || exported.has(symbol)) return;
    if (decls.some((d) => !isUnder(d.getSourceFile().fileName, srcDir))) return;
    const declaredIn = path.relative(ROOT, decls[0].getSourceFile().fileName).split(path.sep).join('/');
    const key = `${symbol.name}|${declaredIn}|${where}`;
    if (!forgotten.has(key)) forgotten.set(key, { type: symbol.name, declaredIn, referencedBy: where });
    queue.push({ symbol, label: symbol.name });
  };

  /** Every type name in a written type (references, heritage, `typeof X`, `import('…').X`). */
  const walkTypeNode = (node: ts.Node | undefined, where: string): void => {
    if (!node) return;
    if (ts.isTypeReferenceNode(node)) use(checker.getSymbolAtLocation(node.typeName), where);
    else if (ts.isExpressionWithTypeArguments(node)) use(checker.getSymbolAtLocation(node.expression), where);
    else if (ts.isTypeQueryNode(node)) use(checker.getSymbolAtLocation(node.exprName), where);
    else if (ts.isImportTypeNode(node) && node.qualifier) use(checker.getSymbolAtLocation(node.qualifier), where);
    ts.forEachChild(node, (child) => walkTypeNode(child, where));
  };

  /** An inferred type (no annotation): what the emitted .d.ts would spell out. */
  const walkType = (type: ts.Type, where: string): void => {
    if (seenTypes.has(type)) return;
    seenTypes.add(type);
    if (type.aliasSymbol) {
      use(type.aliasSymbol, where);
      for (const arg of type.aliasTypeArguments ?? []) walkType(arg, where);
      return;
    }
    if (type.isUnionOrIntersection()) return type.types.forEach((t) => walkType(t, where));
    const symbol = type.getSymbol();
    if (symbol && !(symbol.flags & (ts.SymbolFlags.TypeLiteral | ts.SymbolFlags.ObjectLiteral))) use(symbol, where);
    if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
      for (const arg of checker.getTypeArguments(type as ts.TypeReference)) walkType(arg, where);
    }
    if (symbol && symbol.flags & (ts.SymbolFlags.TypeLiteral | ts.SymbolFlags.ObjectLiteral)) {
      for (const p of type.getProperties()) {
        const decl = p.valueDeclaration ?? p.declarations?.[0];
        if (decl) walkType(checker.getTypeOfSymbolAtLocation(p, decl), where);
      }
      for (const sig of [...type.getCallSignatures(), ...type.getConstructSignatures()]) walkSignature(sig, where);
    }
  };

  const walkSignature = (sig: ts.Signature, where: string) => {
    for (const p of sig.getParameters()) {
      const decl = p.valueDeclaration;
      if (decl) walkType(checker.getTypeOfSymbolAtLocation(p, decl), where);
    }
    walkType(sig.getReturnType(), where);
  };

  /** Parameters, return type and type parameters of a function-like declaration. */
  const walkFunctionLike = (decl: ts.SignatureDeclaration, where: string) => {
    for (const tp of decl.typeParameters ?? []) {
      walkTypeNode(tp.constraint, where);
      walkTypeNode(tp.default, where);
    }
    for (const p of decl.parameters) {
      const at = `${where}(${p.name.getText()})`;
      if (p.type) walkTypeNode(p.type, at);
      else walkType(checker.getTypeAtLocation(p), at);
    }
    if (ts.isConstructorDeclaration(decl) || ts.isSetAccessorDeclaration(decl)) return;
    if (decl.type) walkTypeNode(decl.type, `${where}: return`);
    else {
      const sig = checker.getSignatureFromDeclaration(decl);
      if (sig) walkType(sig.getReturnType(), `${where}: return`);
    }
  };

  /** A property, method, accessor, constructor or signature of a class, interface or type literal. */
  const walkMember = (member: ts.Node, owner: string) => {
    if (isHidden(member) || ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member)) return;
    const where = `${owner}.${memberLabel(member)}`;
    if (ts.isPropertyDeclaration(member) || ts.isPropertySignature(member)) {
      if (member.type) walkTypeNode(member.type, where);
      else walkType(checker.getTypeAtLocation(member), where);
    } else if (ts.isIndexSignatureDeclaration(member)) {
      walkTypeNode(member.type, where);
      member.parameters.forEach((p) => walkTypeNode(p.type, where));
    } else if (ts.isFunctionLike(member)) {
      walkFunctionLike(member, where);
    }
  };

  const walkDeclaration = (decl: ts.Declaration, label: string) => {
    if (isHidden(decl)) return;
    if (ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl)) {
      for (const tp of decl.typeParameters ?? []) walkTypeNode(tp.constraint, label);
      for (const clause of decl.heritageClauses ?? []) clause.types.forEach((t) => walkTypeNode(t, `${label} (heritage)`));
      for (const m of decl.members) walkMember(m, label);
    } else if (ts.isTypeAliasDeclaration(decl)) {
      walkTypeNode(decl.type, label);
    } else if (ts.isFunctionDeclaration(decl)) {
      walkFunctionLike(decl, label);
    } else if (ts.isVariableDeclaration(decl)) {
      if (decl.type) walkTypeNode(decl.type, label);
      else walkType(checker.getTypeAtLocation(decl), label);
    } else if (ts.isEnumDeclaration(decl) || ts.isEnumMember(decl)) {
      // enum members are literals: nothing to follow
    } else if (ts.isModuleDeclaration(decl)) {
      const s = checker.getSymbolAtLocation(decl.name);
      if (s) checker.getExportsOfModule(s).forEach((e) => queue.push({ symbol: resolve(e), label: `${label}.${e.name}` }));
    }
    // type-literal members reached through a type alias are walked by walkTypeNode (their nodes are children)
  };

  while (queue.length) {
    const { symbol, label } = queue.shift()!;
    if (walked.has(symbol)) continue;
    walked.add(symbol);
    for (const decl of symbol.declarations ?? []) {
      if (isUnder(decl.getSourceFile().fileName, srcDir)) walkDeclaration(decl, label);
    }
  }

  const names = exports.map((s) => s.name).sort((a, b) => a.localeCompare(b));
  const list = [...forgotten.values()].sort((a, b) => `${a.type}|${a.referencedBy}`.localeCompare(`${b.type}|${b.referencedBy}`));
  return { names, forgotten: list };
}

const describeForgotten = (list: readonly ForgottenExport[]) =>
  list.map((f) => `  ${f.type} (${f.declaredIn}) — used by ${f.referencedBy}`).join('\n');

// ---------------------------------------------------------------------------------------------------------------
// The entries

const SRC = path.join(ROOT, 'src');
const ENTRIES = { index: path.join(SRC, 'index.ts'), engine: path.join(SRC, 'engine-api.ts') };
let surfaces: Record<keyof typeof ENTRIES, ApiSurface>;

beforeAll(() => {
  const program = ts.createProgram(Object.values(ENTRIES), compilerOptions());
  surfaces = { index: apiSurface(program, ENTRIES.index, SRC), engine: apiSurface(program, ENTRIES.engine, SRC) };
});

const sorted = (names: string[]) => [...names].sort((a, b) => a.localeCompare(b));

test('src/index.ts exports exactly the listed names', () => {
  expect(surfaces.index.names).toEqual(sorted(INDEX_EXPORTS));
});

test('src/engine-api.ts exports exactly the listed names', () => {
  expect(surfaces.engine.names).toEqual(sorted(ENGINE_EXPORTS));
});

test.each(Object.keys(ENTRIES) as Array<keyof typeof ENTRIES>)('every type in a public signature of %s is exported by it', (entry) => {
  const { forgotten } = surfaces[entry];
  if (forgotten.length) throw new Error(`${forgotten.length} forgotten export(s) in ${path.relative(ROOT, ENTRIES[entry])}:\n${describeForgotten(forgotten)}`);
  expect(forgotten).toEqual([]);
});

test('internal helpers are not exported from src/index.ts', () => {
  for (const [helper, file] of Object.entries(INTERNAL_HELPERS)) {
    // the helper is real, so the check means something
    expect(fs.readFileSync(path.join(SRC, file), 'utf8')).toMatch(new RegExp(`export (function|const|class) ${helper}\\b`));
  }
  expect(surfaces.index.names.filter((n) => n in INTERNAL_HELPERS)).toEqual([]);
});

test('the engine entry exports runRules and toIstioObject, and none of the other helpers', () => {
  expect(surfaces.engine.names).toEqual(expect.arrayContaining(['runRules', 'toIstioObject']));
  expect(surfaces.engine.names.filter((n) => n in INTERNAL_HELPERS && n !== 'runRules' && n !== 'toIstioObject')).toEqual([]);
});

test('package.json maps both entries to the built files', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.exports['.']).toEqual({ types: './lib/src/index.d.ts', default: './lib/src/index.js' });
  expect(pkg.exports['./engine']).toEqual({ types: './lib/src/engine-api.d.ts', default: './lib/src/engine-api.js' });
  expect(pkg.main).toBe('lib/src/index.js');
  expect(pkg.types).toBe('lib/src/index.d.ts');
  expect(pkg.typesVersions['*'].engine).toEqual(['lib/src/engine-api.d.ts']);
});

// ---------------------------------------------------------------------------------------------------------------
// The checker can fail

describe('the forgotten-export check (in-memory fixture)', () => {
  // Virtual files under the repo root, so `cdk8s` resolves from its node_modules; nothing is written to disk.
  const dir = path.join(ROOT, 'test', '__virtual_public_api__');
  const fixtureSrc = path.join(dir, 'src');
  const files: Record<string, string> = {
    'src/index.ts': [
      "export { configure, Policy, Kind, Shape, LIMITS, Base } from './api';",
      "export { Exported } from './types';",
    ].join('\n'),
    'src/api.ts': `
      import { Duration } from 'cdk8s';
      import { Exported, Hidden, HiddenReturn, Deep, PrivateOnly, InternalOnly, UnderscoreOnly, HiddenBase, Limits } from './types';
      /** An exported function whose parameter type is not exported. */
      export function configure(options: Hidden, also: Exported): HiddenReturn { return {} as any; }
      export class Base extends HiddenBase {}
      export class Policy {
        public static of(timeout: Duration): Policy { return new Policy(timeout); }
        /** @internal */
        public static _internal(x: InternalOnly): void { void x; }
        private constructor(private readonly timeout: Duration) {}
        public readonly deep?: Array<Map<string, Deep>>;
        private readonly secret?: PrivateOnly;
        /** @internal */
        public readonly internal?: InternalOnly;
        public readonly _underscore?: UnderscoreOnly;
        public get date(): Date { return new Date(); }
      }
      export enum Kind { A = 'a' }
      export type Shape = { readonly exported: Exported; readonly kind: Kind; readonly nested: { readonly h: Hidden } };
      export const LIMITS = new Limits();
    `,
    'src/types.ts': `
      export interface Exported { readonly n: number }
      export interface Hidden { readonly next: Transitive }
      export interface Transitive { readonly n: number }
      export interface HiddenReturn { readonly n: number }
      export interface Deep { readonly n: number }
      export interface PrivateOnly { readonly n: number }
      export interface InternalOnly { readonly n: number }
      export interface UnderscoreOnly { readonly n: number }
      export class HiddenBase {}
      export class Limits { readonly max = 1; }
    `,
  };
  let surface: ApiSurface;

  beforeAll(() => {
    const virtual = new Map(Object.entries(files).map(([f, text]) => [path.join(dir, f), text]));
    const options = { ...compilerOptions(), noUnusedLocals: false, noUnusedParameters: false };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile, directoryExists } = host;
    host.getSourceFile = (name, lang, ...rest) =>
      virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!, lang, true) : getSourceFile.call(host, name, lang, ...rest);
    host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
    host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
    host.directoryExists = (name) => isUnder(path.join(dir, 'x'), name) || isUnder(path.join(fixtureSrc, 'x'), name) || (directoryExists?.call(host, name) ?? true);
    const entry = path.join(fixtureSrc, 'index.ts');
    const program = ts.createProgram([entry], options, host);
    const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file && virtual.has(d.file.fileName));
    expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    surface = apiSurface(program, entry, fixtureSrc);
  });

  test('lists the names the fixture exports', () => {
    expect(surface.names).toEqual(['Base', 'configure', 'Exported', 'Kind', 'LIMITS', 'Policy', 'Shape']);
  });

  test('finds every non-exported type in a public signature, with where it is used', () => {
    expect(surface.forgotten.map((f) => `${f.type} ← ${f.referencedBy}`)).toEqual([
      'Deep ← Policy.deep',
      'Hidden ← configure(options)',
      'Hidden ← Shape',
      'HiddenBase ← Base (heritage)',
      'HiddenReturn ← configure: return',
      'Limits ← LIMITS',
      'Transitive ← Hidden.next',
    ]);
    expect(surface.forgotten[0].declaredIn).toBe('test/__virtual_public_api__/src/types.ts');
  });

  test('passes private, @internal and _-prefixed members, exported types, node_modules and lib types', () => {
    const types = surface.forgotten.map((f) => f.type);
    for (const fine of ['PrivateOnly', 'InternalOnly', 'UnderscoreOnly', 'Exported', 'Kind', 'Duration', 'Date', 'Map', 'Array']) {
      expect(types).not.toContain(fine);
    }
  });
});
