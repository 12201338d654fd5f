import { isRecord } from '../core/json';
import { CelConverter, CelRule, compileRule } from './cel';
import { GATEWAY_API_GROUP, groupOf } from '../core/k8s';
import * as path from 'path';
import { ajvSchemaFor, FORMATS, generatedDir, Json, loadSchemas, PATTERN_MESSAGES, schemaKey } from './crd-schema';
/**
 * Validates rendered Istio networking manifests against the real CRD schemas
 * (`imports/istio-networking.crd.yaml`) the way the Kubernetes API server
 * does with strict field validation:
 *
 * 1. OpenAPI structural-schema validation via ajv, over a transformed copy of
 *    each CRD's `openAPIV3Schema`: unknown fields are rejected, `nullable`,
 *    `x-kubernetes-int-or-string` and the `oneOf`/`anyOf` "required
 *    alternatives" blocks are honoured, and `apiVersion`/`kind`/`metadata`
 *    are checked like ObjectMeta (DNS-1123 name/namespace, label syntax).
 * 2. `x-kubernetes-list-type` `map` (unique by `x-kubernetes-list-map-keys`)
 *    and `set` (unique items).
 * 3. `x-kubernetes-validations` CEL rules (see `./cel`), evaluated at every
 *    data node whose schema carries them; transition rules (`oldSelf`) are
 *    skipped.
 *
 * Schemas are compiled lazily, once per kind, and cached for the process.
 * Known divergence: the API server silently prunes `null` on non-nullable
 * fields; here such nulls are reported as type errors.
 */
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** One validation problem found in a manifest. */
export interface SchemaIssue {
  /** Location in the manifest, e.g. `spec.http[0].timeout` (empty for the whole object). */
  readonly path: string;
  /** Human-readable description of the problem. */
  readonly message: string;
  /** The CEL rule text when the issue comes from `x-kubernetes-validations`. @default - none: the issue is not from a CEL rule */
  readonly rule?: string;
  /** The CRDs do not serve this kind at this version, so nothing else was checked. @default false */
  readonly unserved?: boolean;
}

type Segment = string | number;

/** Per-node CEL rules and list-type checks; subtrees with nothing to check are pruned. */
interface RuleNode {
  readonly type?: string;
  readonly intOrString: boolean;
  readonly rules: readonly { readonly cel: CelRule; readonly message?: string }[];
  readonly properties?: ReadonlyMap<string, RuleNode>;
  readonly additional?: RuleNode;
  readonly items?: RuleNode;
  readonly listMapKeys?: readonly string[];
  readonly listSet: boolean;
}

interface KindValidator {
  readonly validate: ValidateFunction;
  /** The transformed schema ajv compiled (used to explain oneOf failures). */
  readonly schema: Json;
  readonly rules?: RuleNode;
  /** Whether the schema declares a `default` anywhere (the Istio CRDs declare none; the Gateway API CRDs do). */
  readonly hasDefaults: boolean;
}

/** Nesting beyond which a value is copied rather than walked (a cycle, or pathological input). */
const PLAIN_JSON_DEPTH = 200;

/** Whether `value` is JSON data as it is: plain objects, arrays, finite numbers, strings, booleans and null. */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > PLAIN_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

let ajv: Ajv | undefined;
const validators = new Map<string, KindValidator>();

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Builds the CEL/list-type tree for a schema node, or undefined when its subtree has nothing to check. */
function buildRuleNode(s: unknown): RuleNode | undefined {
  if (!isRecord(s)) return undefined;
  const rules = (Array.isArray(s['x-kubernetes-validations']) ? s['x-kubernetes-validations'] : [])
    .filter((v: any) => typeof v?.rule === 'string')
    .map((v: any) => ({ cel: compileRule(v.rule), message: typeof v.message === 'string' ? v.message : undefined }))
    .filter((r) => !r.cel.transition);
  let properties: Map<string, RuleNode> | undefined;
  if (isRecord(s.properties)) {
    for (const [name, sub] of Object.entries(s.properties)) {
      const child = buildRuleNode(sub);
      if (child) (properties ??= new Map()).set(name, child);
    }
  }
  const additional = buildRuleNode(s.additionalProperties);
  const items = buildRuleNode(s.items);
  const listType = s['x-kubernetes-list-type'];
  const mapKeys = s['x-kubernetes-list-map-keys'];
  const listMapKeys = listType === 'map' && Array.isArray(mapKeys) ? (mapKeys as string[]) : undefined;
  const listSet = listType === 'set';
  if (!rules.length && !properties && !additional && !items && !listMapKeys && !listSet) return undefined;
  return {
    type: typeof s.type === 'string' ? s.type : undefined,
    intOrString: s['x-kubernetes-int-or-string'] === true,
    rules, properties, additional, items, listMapKeys, listSet,
  };
}

/**
 * Validators precompiled by `npm run build` (scripts/compile-schemas.js, ajv standalone code) so that a
 * process does not spend seconds compiling the large Istio schemas; absent under ts-jest, where the schemas
 * are compiled at first use instead.
 */
function precompiled(id: string): ValidateFunction | undefined {
  const dir = generatedDir();
  if (!dir) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(path.join(dir, 'validators.generated', id)) as Record<string, ValidateFunction>)[id];
  } catch {
    return undefined;
  }
}

/** Compiles (once per distinct schema) and returns the validator for a kind at a version, or undefined when the CRDs do not serve it. */
function validatorFor(apiVersion: string, kind: string): KindValidator | undefined {
  const id = loadSchemas().index.get(schemaKey(apiVersion, kind));
  if (id === undefined) return undefined;
  const cached = validators.get(id);
  if (cached) return cached;
  const raw = loadSchemas().schemas.get(id);
  const schema = ajvSchemaFor(id);
  if (!raw || !schema) return undefined;
  let validate = precompiled(id);
  if (!validate) {
    if (!ajv) {
      // Loaded only here: the build's precompiled validators need no compiler (under ts-jest there are none).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
      ajv = new AjvClass({ allErrors: true, strict: false, useDefaults: true });
      for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
    }
    validate = ajv.compile(schema);
  }
  const validator: KindValidator = { validate, schema, rules: buildRuleNode(raw), hasDefaults: JSON.stringify(raw).includes('"default":') };
  validators.set(id, validator);
  return validator;
}

/** Formats path segments as `spec.http[0].timeout`; unusual keys are quoted (`labels["a/b"]`). */
function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Resolves an ajv JSON pointer against the data, telling array indexes from map keys. */
function resolvePointer(pointer: string, data: unknown): { segments: Segment[]; value: unknown } {
  const segments: Segment[] = [];
  let value = data;
  for (const raw of pointer ? pointer.slice(1).split('/') : []) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      segments.push(Number(key));
      value = value[Number(key)];
    } else {
      segments.push(key);
      value = isRecord(value) && hasOwn(value, key) ? value[key] : undefined;
    }
  }
  return { segments, value };
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Follows an ajv schemaPath (`#/properties/spec/...`) in the compiled schema. */
function schemaAt(root: Json, schemaPath: string): unknown {
  let node: unknown = root;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isRecord(node) || Array.isArray(node) ? (node as any)[key] : undefined;
  }
  return node;
}

/** Turns ajv errors into issues, collapsing the noise nested under oneOf/anyOf/propertyNames. */
function ajvIssues(errors: readonly ErrorObject[], data: unknown, kv: KindValidator): SchemaIssue[] {
  const composites = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'propertyNames')
    .map((e) => `${e.schemaPath}/`);
  const issues: SchemaIssue[] = [];
  for (const e of errors) {
    if (composites.some((prefix) => e.schemaPath.startsWith(prefix))) continue;
    const { segments, value } = resolvePointer(e.instancePath, data);
    const p = e.params as Record<string, any>;
    let message: string;
    switch (e.keyword) {
      case 'additionalProperties':
        segments.push(p.additionalProperty);
        message = `unknown field "${p.additionalProperty}"`;
        break;
      case 'required':
        segments.push(p.missingProperty);
        message = 'Required value';
        break;
      case 'type':
        message = `must be of type ${String(p.type).replace(/,/g, ' or ')} (got ${jsonType(value)})`;
        break;
      case 'enum':
        message = `Unsupported value: ${JSON.stringify(value)}: supported values: ${(p.allowedValues as unknown[])
          .map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'pattern':
        message = PATTERN_MESSAGES[p.pattern] ?? `must match pattern "${p.pattern}"`;
        break;
      case 'propertyNames':
        segments.push(p.propertyName);
        message = 'invalid key: must be a qualified name (optional DNS subdomain prefix and "/", name of at most 63 alphanumeric, "-", "_" or "." characters)';
        break;
      case 'oneOf': {
        const branches = schemaAt(kv.schema, e.schemaPath);
        const keys = Array.isArray(branches) ? branches.flatMap((b: any) => (Array.isArray(b?.required) ? b.required : [])) : [];
        message = keys.length
          ? `must set at most one of: ${keys.join(', ')}`
          : 'must validate one and only one schema (oneOf)';
        break;
      }
      default:
        message = e.message ?? `failed ${e.keyword} validation`;
    }
    issues.push({ path: formatPath(segments), message });
  }
  return issues;
}

/** True when a value has the schema node's declared type (otherwise ajv already reported it). */
function typeMatches(node: RuleNode, v: unknown): boolean {
  if (node.intOrString) return typeof v === 'string' || Number.isInteger(v);
  switch (node.type) {
    case 'object': return isRecord(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

/** Reports items of a list-type map/set that repeat an earlier item's key (or value). */
function checkListUniqueness(node: RuleNode, list: readonly unknown[], segments: Segment[], issues: SchemaIssue[]): void {
  const seen = new Set<string>();
  list.forEach((item, i) => {
    let key: string;
    if (node.listMapKeys) {
      if (!isRecord(item) || !node.listMapKeys.every((k) => hasOwn(item, k))) return;
      key = JSON.stringify(Object.fromEntries(node.listMapKeys.map((k) => [k, item[k]])));
    } else {
      key = JSON.stringify(item);
    }
    if (seen.has(key)) issues.push({ path: formatPath([...segments, i]), message: `Duplicate value: ${key}` });
    seen.add(key);
  });
}

/** Evaluates CEL rules and list-type constraints along the data, depth first. */
function checkNode(node: RuleNode, value: unknown, segments: Segment[], issues: SchemaIssue[], conv: CelConverter): void {
  if (value === null || value === undefined || !typeMatches(node, value)) return;
  for (const { cel, message } of node.rules) {
    const outcome = cel.evaluate(value, conv);
    if (outcome === 'pass') continue;
    issues.push({
      path: formatPath(segments),
      message: outcome === 'fail' ? (message ?? `failed rule: ${cel.rule}`) : outcome.error,
      rule: cel.rule,
    });
  }
  if (Array.isArray(value)) {
    if (node.listMapKeys || node.listSet) checkListUniqueness(node, value, segments, issues);
    if (node.items) {
      value.forEach((item, i) => {
        segments.push(i);
        checkNode(node.items!, item, segments, issues, conv);
        segments.pop();
      });
    }
    return;
  }
  if (!isRecord(value)) return;
  if (node.properties) {
    for (const [key, child] of node.properties) {
      if (!hasOwn(value, key)) continue;
      segments.push(key);
      checkNode(child, value[key], segments, issues, conv);
      segments.pop();
    }
  }
  if (node.additional) {
    for (const key of Object.keys(value)) {
      segments.push(key);
      checkNode(node.additional, value[key], segments, issues, conv);
      segments.pop();
    }
  }
}

/** Whether the bundled CRDs serve `kind` at `apiVersion` (an unknown kind or version of their groups: no). */
export function isBundledKind(apiVersion: unknown, kind: unknown): boolean {
  return typeof apiVersion === 'string' && typeof kind === 'string' && loadSchemas().index.has(schemaKey(apiVersion, kind));
}

/** Whether the bundled CRDs define the API group of `apiVersion`: Istio's (networking, security, telemetry, extensions) or the Gateway API's. */
export function isBundledApiVersion(apiVersion: unknown): boolean {
  return typeof apiVersion === 'string' && loadSchemas().groups.has(groupOf(apiVersion));
}

/** Which bundled CRDs an apiVersion belongs to, for messages: `Istio 1.30` or `Gateway API v1.6.1 (standard channel)`. */
export function crdsOf(apiVersion: unknown): string {
  return typeof apiVersion === 'string' && groupOf(apiVersion) === GATEWAY_API_GROUP ? 'Gateway API v1.6.1 (standard channel)' : 'Istio 1.30';
}

/**
 * Validates one manifest (a plain JSON object such as a cdk8s `toJson()` result) against the bundled CRD schema of
 * its kind at its version (every kind and served version of Istio 1.30's crd-all.gen.yaml and of the Gateway API
 * standard channel).
 *
 * Returns `[]` when valid. A kind or version the CRDs do not serve yields a single issue saying so (the API
 * server would answer "no matches for kind"). Never throws. `json`: the manifest is plain JSON data already (read
 * from text), so it is not copied first (and receives the schema defaults, as the API server stores it).
 */
export function validateManifest(manifest: unknown, options: { readonly json?: boolean } = {}): SchemaIssue[] {
  try {
    if (!isRecord(manifest)) return [{ path: '', message: `manifest must be an object, got ${jsonType(manifest)}` }];
    const { apiVersion, kind } = manifest;
    const kv = typeof apiVersion === 'string' && typeof kind === 'string' ? validatorFor(apiVersion, kind) : undefined;
    if (!kv) {
      const served = [...loadSchemas().index.keys()].filter((k) => typeof kind === 'string' && k.endsWith(`/${kind}`)).map((k) => k.slice(0, k.lastIndexOf('/')));
      return [{
        path: '', unserved: true,
        message: served.length > 0
          ? `${String(apiVersion)} ${String(kind)} is not a version the ${crdsOf(apiVersion)} CRDs serve (served: ${served.join(', ')})`
          : `${String(apiVersion)} ${String(kind)} is not a kind the ${crdsOf(apiVersion)} CRDs define (no matches for kind)`,
      }];
    }
    // Validate the JSON the API server would receive (drops undefined, rejects cycles and BigInt); a manifest read
    // from YAML or JSON text (`json`) is that already.
    // A copy only when it could differ: the schema has defaults (ajv writes them into the data), or the manifest
    // holds something JSON does not (undefined, a BigInt, a class instance, a cycle).
    const data = (options.json || (!kv.hasDefaults && isPlainJson(manifest, 0)) ? manifest : JSON.parse(JSON.stringify(manifest))) as Json;
    const issues = kv.validate(data) ? [] : ajvIssues(kv.validate.errors ?? [], data, kv);
    if (kv.rules) checkNode(kv.rules, data, [], issues, new CelConverter());
    return issues;
  } catch (e) {
    return [{ path: '', message: `manifest could not be validated: ${e instanceof Error ? e.message : String(e)}` }];
  }
}
