import * as fs from 'fs';
import * as path from 'path';
import { Document, isMap, LineCounter, parseAllDocuments, visit, YAMLMap } from 'yaml';
import { GATEWAY_API_GROUP, groupOf, isClusterScoped, objectIdentity, scopesFromCrds } from '../core/k8s';
import { yamlReadBackProblem } from '../core/yaml';
import { isRecord } from '../core/json';
import { ISTIO_GROUP } from '../engine/istio-object';
import { SYNTH_RECORD } from '../synth/synth-record';
import { GenerateError } from './generate-run';

/** One synthesized object: its YAML document (edited in place, printed as written) and its JSON value. */
export interface Manifest {
  readonly doc: Document;
  value: any;
  /** `file:line` relative to the output directory. */
  readonly path: string;
}

/** The annotation ArgoCD orders sync waves by. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export { isClusterScoped };

/** Default bound on the total size of the manifest files read back: generous (ArgoCD's own default for a directory app is 10 MB). */
export const DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/** Bounds of {@link readOutput}. */
export interface OutputLimits {
  /** Total bytes of .yaml/.yml/.json files. @default DEFAULT_MAX_OUTPUT_BYTES */
  readonly maxBytes?: number;
  /** Date.now() after which reading stops with a timeout. */
  readonly deadline?: number;
}

const OUTPUT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/**
 * JSON files cdk8s and this library write next to the manifests that are not manifests: cdk8s' construct metadata
 * (`App.recordConstructMetadata`, CDK8S_RECORD_CONSTRUCT_METADATA) and the synth record for the validation plugin.
 */
const NOT_MANIFESTS = new Set(['construct-metadata.json', SYNTH_RECORD]);

/** Every file under `outdir`, relative (POSIX separators), sorted by name: manifests and others (reports). */
function outputFiles(outdir: string): { manifests: string[]; others: string[] } {
  const manifests: string[] = [];
  const others: string[] = [];
  if (!fs.existsSync(outdir)) return { manifests, others };
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(outdir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) visit(child);
      else if (entry.isFile() && OUTPUT_EXTENSIONS.has(path.extname(entry.name)) && !(rel === '' && NOT_MANIFESTS.has(entry.name))) manifests.push(child);
      else others.push(child);
    }
  };
  visit('');
  return { manifests: manifests.sort(), others: others.sort() };
}

/**
 * Reads every manifest the app wrote, in synth order (files sorted by name, documents in file order;
 * `kind: List` flattened). Fails on unparsable YAML and on any document that is not a Kubernetes object
 * (apiVersion, kind and metadata.name), and when there are no manifests at all. Files that are not .yaml,
 * .yml or .json (e.g. traffic-report.md), and the JSON records cdk8s and this library write at the top of the output
 * directory (construct-metadata.json, cdk8s-istio-traffic.synth-record), are not manifests: they are returned in `ignored`.
 */
export function readOutput(outdir: string, limits: OutputLimits = {}): { manifests: Manifest[]; files: number; ignored: string[] } {
  const { manifests: files, others: ignored } = outputFiles(outdir);
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  let total = 0;
  for (const file of files) {
    total += fs.statSync(path.join(outdir, file)).size;
    if (total > maxBytes) {
      throw new GenerateError(`the app wrote more than ${maxBytes} bytes of manifests (${files.length} file(s)); `
        + 'the limit is CDK8S_MAX_OUTPUT_BYTES (default 32 MiB)');
    }
  }
  const manifests: Manifest[] = [];
  for (const file of files) {
    if (limits.deadline !== undefined && Date.now() > limits.deadline) throw new GenerateError('timed out while reading the manifests (--timeout)');
    const text = fs.readFileSync(path.join(outdir, file), 'utf8');
    const lineCounter = new LineCounter();
    // YAML 1.1, as cdk8s writes it and as Kubernetes' YAML decoder reads it.
    for (const doc of parseAllDocuments(text, { version: '1.1', lineCounter, prettyErrors: false })) {
      const error = doc.errors[0];
      if (error) throw new GenerateError(`${file}:${lineCounter.linePos(error.pos[0]).line}: invalid YAML: ${error.message.split('\n')[0]}`);
      const line = lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
      const where = `${file}:${line}`;
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        throw new GenerateError(`${where}: cannot load document: ${(e as Error).message}`);
      }
      if (value === null || value === undefined) continue;
      if (isRecord(value) && value.kind === 'List' && Array.isArray(value.items)) {
        const items = (doc.get('items') as any).items as unknown[];
        items.forEach((node, i) => {
          const item = new Document(undefined, { version: '1.1' });
          item.contents = node as any;
          manifests.push(checked({ doc: item, value: item.toJS(), path: `${where} items[${i}]` }));
        });
      } else {
        manifests.push(checked({ doc, value, path: where }));
      }
    }
  }
  if (manifests.length === 0) {
    throw new GenerateError(files.length === 0
      ? 'the app exited successfully but wrote no manifests to CDK8S_OUTDIR (does it pass its own outdir to new App()? '
        + 'Leave outdir unset, or use process.env.CDK8S_OUTDIR)'
      : `the app wrote ${files.length} file(s) but no manifests`);
  }
  return { manifests, files: files.length, ignored };
}

function checked(m: Manifest): Manifest {
  const v = m.value;
  const missing = !isRecord(v) ? 'is not a mapping'
    : typeof v.apiVersion !== 'string' || v.apiVersion === '' ? 'has no apiVersion'
      : typeof v.kind !== 'string' || v.kind === '' ? 'has no kind'
        : !isRecord(v.metadata) || typeof v.metadata.name !== 'string' || v.metadata.name === '' ? 'has no metadata.name'
          : v.metadata.namespace !== undefined && typeof v.metadata.namespace !== 'string' ? 'has a metadata.namespace that is not a string'
            : undefined;
  if (missing) throw new GenerateError(`${m.path}: the document ${missing}: not a Kubernetes object`);
  return m;
}

/**
 * Sets `metadata.namespace` on namespaced objects that have none; cluster-scoped kinds stay as they are. A kind is
 * cluster-scoped when a CustomResourceDefinition in the same output says so (`spec.scope: Cluster`), else when it is
 * in the known list ({@link isClusterScoped}); a custom kind that is neither is taken as namespaced.
 */
export function applyDefaultNamespace(manifests: readonly Manifest[], namespace: string): void {
  const scopes = scopesFromCrds(manifests.map((m) => m.value));
  for (const m of manifests) {
    if (m.value.metadata.namespace || isClusterScoped(m.value.apiVersion, m.value.kind, scopes)) continue;
    m.doc.setIn(['metadata', 'namespace'], namespace);
    m.value = m.doc.toJS({ maxAliasCount: 100 });
  }
}

/** Fails when two manifests are the same object (group, kind, namespace, name): one would silently win. */
export function checkDuplicates(manifests: readonly Manifest[]): void {
  const seen = new Map<string, string>();
  const scopes = scopesFromCrds(manifests.map((m) => m.value));
  for (const m of manifests) {
    const { apiVersion, kind, metadata } = m.value;
    const key = objectIdentity(apiVersion, kind, metadata.namespace, metadata.name, scopes);
    const first = seen.get(key);
    if (first) throw new GenerateError(`${m.path}: ${key} is also defined at ${first}; every object must be emitted once`);
    seen.set(key, m.path);
  }
}

/** Route objects: Istio VirtualServices and the Gateway API's routes. */
function isRoute(m: Manifest): boolean {
  const group = groupOf(m.value.apiVersion);
  return group === ISTIO_GROUP ? m.value.kind === 'VirtualService' : group === GATEWAY_API_GROUP && ROUTE_KINDS.has(m.value.kind);
}

const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

/** What routes refer to: ServiceEntries, Gateways (Istio's and the Gateway API's) and DestinationRules. */
function isRouteTarget(m: Manifest): boolean {
  const group = groupOf(m.value.apiVersion);
  return group === ISTIO_GROUP ? ['ServiceEntry', 'Gateway', 'DestinationRule'].includes(m.value.kind) : group === GATEWAY_API_GROUP && m.value.kind === 'Gateway';
}

/**
 * The output order: synth order, with every route — Istio VirtualService, Gateway API HTTPRoute, TLSRoute, … —
 * moved (stably) after everything else, so ServiceEntries, Gateways, DestinationRules and Services (and the
 * workloads behind their subsets) come before the routes that use them. Deterministic: same input, same order.
 */
export function orderManifests(manifests: readonly Manifest[]): Manifest[] {
  const routes = manifests.filter(isRoute);
  return [...manifests.filter((m) => !routes.includes(m)), ...routes];
}

function waveOf(m: Manifest): number | undefined {
  const raw = m.value.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^[-+]?\d+$/.test(raw.trim())) {
    throw new GenerateError(`${m.path}: annotation ${SYNC_WAVE_ANNOTATION} must be an integer in quotes, e.g. "1"`);
  }
  return Number(raw.trim());
}

/**
 * Annotates every route (VirtualService, HTTPRoute, …) without a sync wave with the wave after the last ServiceEntry,
 * Gateway (Istio's or the Gateway API's) and DestinationRule (default wave 0), so ArgoCD applies the routes only once
 * the subsets and version Services they use are synced and healthy. Returns the wave given, or undefined when no
 * route needed one.
 */
export function addSyncWaves(manifests: readonly Manifest[]): number | undefined {
  const before = manifests.filter(isRouteTarget).map((m) => waveOf(m) ?? 0);
  const wave = Math.max(0, ...before) + 1;
  let used = false;
  for (const m of manifests) {
    if (!isRoute(m) || waveOf(m) !== undefined) continue;
    const annotations = m.doc.getIn(['metadata', 'annotations']);
    if (annotations !== undefined && annotations !== null && !isMap(annotations)) {
      throw new GenerateError(`${m.path}: metadata.annotations is not a mapping`);
    }
    if (isMap(annotations)) (annotations as YAMLMap).set(SYNC_WAVE_ANNOTATION, String(wave));
    else m.doc.setIn(['metadata', 'annotations'], m.doc.createNode({ [SYNC_WAVE_ANNOTATION]: String(wave) }));
    m.value = m.doc.toJS({ maxAliasCount: 100 });
    used = true;
  }
  return used ? wave : undefined;
}

/**
 * One YAML stream: every document as written (edits applied), separated by `---`. Strings that kubectl or a
 * YAML 1.2 reader would read back as another type (`0o17`, written unquoted by cdk8s) are double-quoted, and the
 * line separators U+2028, U+2029 and U+0085 are written as the escapes `\L`, `\P`, `\N`, not raw.
 */
export function renderStream(manifests: readonly Manifest[]): string {
  return manifests.map((m) => {
    const directives = m.doc.directives;
    if (directives) {
      directives.docStart = null;
      directives.docEnd = false;
      directives.yaml.explicit = false;
    }
    visit(m.doc, {
      Scalar(_key, node) {
        if (typeof node.value === 'string' && yamlReadBackProblem(node.value)) node.type = 'QUOTE_DOUBLE';
      },
    });
    // Every scalar holding a line separator is double-quoted now, where the YAML escapes are valid.
    const text = m.doc.toString({ lineWidth: 0 }).replace(/\u2028/g, '\\L').replace(/\u2029/g, '\\P').replace(/\u0085/g, '\\N');
    return text.endsWith('\n') ? text : `${text}\n`;
  }).join('---\n');
}
