/**
 * The bundled CRD schemas as JSON Schema: reads `crds/istio-crd-all.gen.yaml` (Istio 1.30.3's crd-all.gen.yaml)
 * and `crds/gateway-api/*.yaml` (Gateway API v1.6.1, standard channel), both shipped in the package, once — every
 * kind and every served version — and turns each structural
 * `openAPIV3Schema` into a plain JSON Schema for ajv (unknown fields rejected, `nullable` and
 * `x-kubernetes-int-or-string` honoured, ObjectMeta checked like the API server). Versions of a kind that share
 * one schema (networking v1, v1beta1 and v1alpha3 do) share one compiled validator.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type * as Yaml from 'yaml';
import { isRecord as isObject } from '../core/json';
import { packageRoot } from '../core/package-info';

/** A JSON object. */
export type Json = Record<string, unknown>;


/** The bundled CRD schemas: distinct schemas by content id, and `group/version/Kind` → schema id. */
export interface SchemaSet {
  readonly schemas: ReadonlyMap<string, Json>;
  readonly index: ReadonlyMap<string, string>;
  /** The API groups the CRDs define (`networking.istio.io`, `security.istio.io`, …). */
  readonly groups: ReadonlySet<string>;
}

let rawSchemas: SchemaSet | undefined;

const CRD_FILE = path.join('crds', 'istio-crd-all.gen.yaml');
const GATEWAY_API_DIR = path.join('crds', 'gateway-api');

/** The bundled CRD files: Istio's crd-all.gen.yaml, then the Gateway API standard channel's CRDs. */
function crdFiles(): string[] {
  const dir = path.join(packageRoot(), GATEWAY_API_DIR);
  const gatewayApi = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f)) : [];
  return [path.join(packageRoot(), CRD_FILE), ...gatewayApi];
}

/** The key of a kind at a version: `networking.istio.io/v1beta1/VirtualService`. */
export function schemaKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}



const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** Label/annotation key: optional DNS-subdomain prefix + '/' + name of at most 63 characters. */
const QUALIFIED_NAME =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

/** Friendlier messages for the ObjectMeta patterns above (keyed by pattern). */
export const PATTERN_MESSAGES: Record<string, string> = {
  [DNS1123_SUBDOMAIN]:
    "must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character",
  [DNS1123_LABEL]:
    "must be a lowercase RFC 1123 label: lower case alphanumeric characters or '-', starting and ending with an alphanumeric character",
  [LABEL_VALUE]:
    "a valid label value must be empty or consist of alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character",
};

const stringMap = (valueSchema: Json): Json => ({
  type: 'object',
  propertyNames: { maxLength: 317, pattern: QUALIFIED_NAME },
  additionalProperties: valueSchema,
});

/** The implicit top-level fields the API server adds to every CRD schema (ObjectMeta, loosely typed). */
export const TOP_LEVEL_PROPERTIES: Json = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', maxLength: 253, pattern: DNS1123_SUBDOMAIN },
      generateName: { type: 'string' },
      namespace: { type: 'string', maxLength: 63, pattern: DNS1123_LABEL },
      labels: stringMap({ type: 'string', maxLength: 63, pattern: LABEL_VALUE }),
      annotations: stringMap({ type: 'string' }),
      finalizers: { type: 'array', items: { type: 'string' } },
      ...Object.fromEntries(['ownerReferences', 'managedFields'].map((k) => [k, { type: 'array', items: { type: 'object' } }])),
      ...Object.fromEntries(['uid', 'resourceVersion', 'selfLink'].map((k) => [k, { type: 'string' }])),
      ...Object.fromEntries(['generation', 'deletionGracePeriodSeconds'].map((k) => [k, { type: 'integer' }])),
      ...Object.fromEntries(['creationTimestamp', 'deletionTimestamp'].map((k) => [k, { type: ['string', 'null'] }])),
    },
  },
};

/** String formats the API server checks; numeric formats (int32, double, ...) are not checked. */
export const FORMATS: Record<string, (s: string) => boolean> = {
  'byte': (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  'date-time': (s) =>
    /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(s),
};

/** Where `npm run build` writes the compiled schemas and validators (scripts/compile-schemas.js). */
export const GENERATED_DIR = path.join('lib', 'src', 'schema');
const GENERATED_JSON = 'crd-schemas.generated.json';

/**
 * A digest of what the compiled schemas are made from: the bundled CRD files and this module's transformation of
 * them. The build stores it; the sources (under ts-jest) use the build's output only when it still matches.
 */
export function schemaSourceDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...crdFiles(), path.join(packageRoot(), 'src', 'schema', 'crd-schema.ts')]) {
    hash.update(file.slice(packageRoot().length)).update('\0').update(fs.existsSync(file) ? fs.readFileSync(file) : '').update('\0');
  }
  return hash.digest('hex');
}

/**
 * The directory of the build's compiled schemas for this module: its own directory in the compiled package, else
 * (running from the sources, as under ts-jest) the build's output when it was compiled from the same CRDs and
 * transformation; `undefined` when there is none.
 */
export function generatedDir(): string | undefined {
  if (fs.existsSync(path.join(__dirname, GENERATED_JSON))) return __dirname;
  const built = path.join(packageRoot(), GENERATED_DIR);
  if (builtDir === undefined) {
    let digest: unknown;
    try {
      digest = (JSON.parse(fs.readFileSync(path.join(built, GENERATED_JSON), 'utf8')) as { digest?: unknown }).digest;
    } catch {
      digest = undefined;
    }
    builtDir = digest === schemaSourceDigest() ? built : '';
  }
  return builtDir || undefined;
}

/** {@link generatedDir} outside the compiled package, checked once ('' when the build's output does not match). */
let builtDir: string | undefined;

/** Reads the bundled CRDs once: every served version of every kind, schemas de-duplicated by content. */
export function loadSchemas(): SchemaSet {
  if (rawSchemas) return rawSchemas;
  const dir = generatedDir();
  if (dir) {
    // Written by `npm run build` (scripts/compile-schemas.js): JSON loads in milliseconds, the YAML in a second.
    const data = JSON.parse(fs.readFileSync(path.join(dir, GENERATED_JSON), 'utf8')) as { schemas: Record<string, Json>; index: Record<string, string> };
    rawSchemas = toSet(new Map(Object.entries(data.schemas)), new Map(Object.entries(data.index)));
    return rawSchemas;
  }
  const schemas = new Map<string, Json>();
  const index = new Map<string, string>();
  // Only without the build's JSON (under ts-jest): the YAML library is loaded for it alone.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseAllDocuments } = require('yaml') as typeof Yaml;
  for (const doc of crdFiles().flatMap((file) => parseAllDocuments(fs.readFileSync(file, 'utf8')))) {
    const crd = doc.toJS() as any;
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const version of crd.spec?.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (version.served === false || !isObject(schema)) continue;
      const text = JSON.stringify(schema);
      const id = `${crd.spec.names.kind}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
      if (!schemas.has(id)) schemas.set(id, schema);
      index.set(schemaKey(`${crd.spec.group}/${version.name}`, crd.spec.names.kind), id);
    }
  }
  rawSchemas = toSet(schemas, index);
  return rawSchemas;
}

function toSet(schemas: Map<string, Json>, index: Map<string, string>): SchemaSet {
  return { schemas, index, groups: new Set([...index.keys()].map((k) => k.slice(0, k.indexOf('/')))) };
}

/** Converts a structural schema node into plain JSON Schema for ajv (see module doc). */
export function toAjvSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toAjvSchema);
  if (!isObject(s)) return s;
  const out: Json = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toAjvSchema(v)]));
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      out[key] = toAjvSchema(value);
    } else if (key === 'format') {
      if (typeof value === 'string' && value in FORMATS) out.format = value;
    } else if (!key.startsWith('x-kubernetes-') && key !== 'description' && key !== 'nullable') {
      out[key] = value;
    }
  }
  if (s['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
    delete out.anyOf;
  }
  if (s.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type)) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  if (
    out.type === 'object' && out.properties && out.additionalProperties === undefined &&
    s['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

/** The JSON Schema ajv validates a whole manifest with (spec schema plus ObjectMeta), by schema id, or undefined. */
export function ajvSchemaFor(id: string): Json | undefined {
  const raw = loadSchemas().schemas.get(id);
  if (!raw) return undefined;
  const schema = toAjvSchema(raw) as Json;
  schema.properties = { ...TOP_LEVEL_PROPERTIES, ...(schema.properties as Json) };
  schema.required = ['apiVersion', 'kind', 'metadata', ...((schema.required as string[]) ?? [])];
  return schema;
}

/** The `group/version/Kind` keys the bundled CRDs serve, sorted. */
export function servedKinds(): string[] {
  return [...loadSchemas().index.keys()].sort();
}
