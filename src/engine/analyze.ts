import { DUPLICATE_CODE, SCHEMA_CODE, Severity, SUPPRESSION_CODE, Violation, YAML_CODE } from '../core/errors';
import { canonical, isRecord } from '../core/json';
import { objectIdentity } from '../core/k8s';
import { yamlReadBackProblems } from '../core/yaml';
import { crdsOf, isBundledApiVersion, isBundledKind, validateManifest } from '../schema/crd-validator';
import { CallChainOptions } from './call-graph';
import { factsOf, IntentFacts, mergeFacts } from './intent';
import { flaggerGenerated } from './flagger';
import { SUPPRESS_ANNOTATION_PREFIX, suppressionsOf, toIstioObject } from './istio-object';
import { runRules, shareRunState } from './run';
import { EgressPolicy, Inventory, IstioKind, IstioObject, RolloutInfo, Rule, RuleReport, ServiceInfo, Workload } from './types';

/** One manifest to analyze, with where it came from. */
export interface ManifestInput {
  readonly manifest: unknown;
  /** Construct path (synth) or `file:line` (lint). */
  readonly path: string;
  /** Intent facts recorded by the emitting construct. @default - none */
  readonly facts?: IntentFacts;
  /**
   * Findings about how the manifest was read (lint: unquoted YAML scalars that kubectl and YAML 1.2 readers read
   * differently, code YAML), reported with the rules' findings.
   * @default - none
   */
  readonly findings?: Violation[];
  /**
   * The manifest is plain JSON data read from text (lint), not a rendered object that may hold `undefined`: the
   * schema check need not copy it.
   * @default false
   */
  readonly json?: boolean;
  /**
   * Line and column of a field of the manifest in its file (lint), from a path such as `spec.http[0].timeout`.
   * @default - findings point at the document
   */
  readonly locate?: (field: string) => { readonly line: number; readonly column: number } | undefined;
}

/** Options of {@link analyze}. */
export interface AnalyzeOptions {
  /** Turn warnings into errors. @default false */
  readonly strict?: boolean;
  /** Opt-in rule codes to run. @default - none */
  readonly enable?: readonly string[];
  /** Declared inventory for Ext-scope checks. @default - Ext-scope checks skipped */
  readonly inventory?: Inventory;
  /** Check every Istio object against the bundled CRD schema and CEL rules (code SCHEMA). @default true */
  readonly schema?: boolean;
  /** Budgets of the call-chain rules. @default - amplification 10, timeout headroom 10 % */
  readonly callChain?: CallChainOptions;
  /**
   * The manifests will be written by cdk8s (synth): refuse values cdk8s writes so that kubectl or a YAML 1.2
   * reader reads them back as another type (code YAML). @default false
   */
  readonly cdk8sOutput?: boolean;
  /**
   * The inputs are files applied together, as `kubectl apply -f DIR` does (lint): an object defined again in a
   * later file replaces the earlier definition, which is then not checked; a warning (DUPLICATE) names both. Within
   * one file, or without this option (synth: one App), a different object with the same identity is an error.
   * Paths must be `file:line`. @default false
   */
  readonly laterFileWins?: boolean;
  /**
   * The inputs are everything that is applied (synth: the App). lint passes false unless `--complete`: a
   * reference to an object in neither the input nor the inventory is then noted (`notChecked`), not reported.
   * @default true
   */
  readonly complete?: boolean;
  /** Suppressions for every object (`lint --suppress CODE=reason`). @default - none */
  readonly suppress?: Readonly<Record<string, string>>;
  /** Rule findings kept at most; the rest are counted in `omitted`. @default 100000 */
  readonly maxFindings?: number;
}

/** The outcome of {@link analyze}: the rule report plus what was analyzed. */
export interface Analysis extends RuleReport {
  /**
   * Number of Istio objects in the input — every kind of the bundled CRDs, those only the schema check reads
   * (AuthorizationPolicy, Telemetry …) included; those Flagger will generate from Canaries are checked, not counted.
   */
  readonly objects: number;
  /** The Istio objects analyzed (for the traffic report). */
  readonly istioObjects: readonly IstioObject[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Rollout']);

/** Kinds outside the Istio CRDs that the App-scope rules read as context (workloads' pod labels, Services). */
export const CONTEXT_KINDS: ReadonlySet<string> = new Set([...WORKLOAD_KINDS, 'Pod', 'Service', 'NetworkPolicy', 'Canary']);

/**
 * Checks manifests the way the cluster and the catalogue would: the CRD schema (SCHEMA), every rule
 * (Self and App scope, opt-in rules when enabled) and the suppressions themselves (SUPPRESSION).
 * Non-Istio kinds are not checked but feed the App-scope rules (workloads, Services).
 */
export function analyzeWith(rules: readonly Rule[], inputs: readonly ManifestInput[], options: AnalyzeOptions = {}): Analysis {
  const objects: IstioObject[] = [];
  const workloads: Workload[] = [];
  const services: ServiceInfo[] = [];
  const egressPolicies: EgressPolicy[] = [];
  const rollouts: RolloutInfo[] = [];
  // Objects Flagger will generate from Canaries: checked by the rules, not counted as input.
  let derivedCount = 0;
  // Istio-group objects only the schema reads (security, telemetry, extensions, WorkloadEntry …): counted too.
  let schemaOnly = 0;
  const pre: Violation[] = [];
  const codes = new Set(rules.map((r) => r.code));
  const global = new Map(Object.entries(options.suppress ?? {}));
  for (const [code, reason] of global) checkSuppression(code, reason, '(command line)', codes, pre);

  const identities = new Map<string, { path: string; manifest: unknown }>();
  // Each input's identity, computed once (three checks below use it).
  const ids = inputs.map((i) => identityOf(i.manifest));
  const replaced = options.laterFileWins ? replacedByLaterFiles(inputs, ids) : new Map<ManifestInput, ManifestInput>();
  for (const [index, input] of inputs.entries()) {
    const m = input.manifest;
    const id = ids[index];
    const later = replaced.get(input);
    if (later) {
      pre.push({
        code: DUPLICATE_CODE, severity: Severity.WARNING, path: later.path, value: id,
        message: `${id} is defined again here and at ${input.path}; as with kubectl apply -f DIR the later file wins, so ${input.path} is not checked`,
        fix: 'Keep one definition of the object (or apply the files separately, one at a time, as intended).',
      });
      continue;
    }
    if (input.findings) pre.push(...input.findings);
    const duplicate = duplicateOf(m, id, input.path, identities);
    if (duplicate) pre.push(duplicate);
    // Every kind and served version of the Istio CRDs is schema-checked; the rules read the networking kinds.
    const istio = isRecord(m) && isBundledApiVersion(m.apiVersion);
    if (options.cdk8sOutput) pre.push(...yamlViolations(m, input.path));
    if (istio && options.schema !== false) pre.push(...schemaViolations(m, input.path, input.json === true));
    const found = toIstioObject(input.manifest, input.path, input.facts ?? {});
    if (found) {
      const suppressions = new Map([...global, ...(found.suppressions ?? new Map())]);
      for (const [code, reason] of found.suppressions ?? []) checkSuppression(code, reason, input.path, codes, pre);
      objects.push({ ...found, suppressions });
      continue;
    }
    if (istio) {
      if (isBundledKind(m.apiVersion, m.kind)) schemaOnly++;
      continue;
    }
    if (!isRecord(m) || typeof m.kind !== 'string') continue;
    const meta = isRecord(m.metadata) ? m.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
    if (WORKLOAD_KINDS.has(m.kind)) {
      const labels = m.spec?.template?.metadata?.labels;
      if (isRecord(labels)) workloads.push({ kind: m.kind, name, namespace, podLabels: stringMap(labels), path: input.path });
      const rollout = m.kind === 'Rollout' && String(m.apiVersion).startsWith('argoproj.io/') ? rolloutOf(m, name, namespace, input) : undefined;
      if (rollout) {
        const suppressions = new Map([...global, ...(rollout.subject.suppressions ?? new Map())]);
        for (const [code, reason] of rollout.subject.suppressions ?? []) checkSuppression(code, reason, input.path, codes, pre);
        rollouts.push({ ...rollout, subject: { ...rollout.subject, suppressions } });
      }
    } else if (m.kind === 'Pod' && isRecord(meta.labels)) {
      workloads.push({ kind: 'Pod', name, namespace, podLabels: stringMap(meta.labels), path: input.path });
    } else if (m.kind === 'Service' && m.apiVersion === 'v1') {
      const spec = isRecord(m.spec) ? m.spec : {};
      services.push({
        name, namespace, path: input.path,
        ...(isRecord(spec.selector) ? { selector: stringMap(spec.selector) } : {}),
        ports: (Array.isArray(spec.ports) ? spec.ports : []).filter(isRecord)
          .map((p: any) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
      });
    } else if (m.kind === 'Canary') {
      // Flagger generates the apex VirtualService and the DestinationRules from the Canary: the rules check those.
      const generated = flaggerGenerated(m);
      const suppressions = new Map([...global, ...suppressionsOf(m)]);
      if (generated) for (const [code, reason] of suppressionsOf(m)) checkSuppression(code, reason, input.path, codes, pre);
      for (const derived of generated?.manifests ?? []) {
        const o = toIstioObject(derived, input.path, mergeFacts(input.facts ?? {}, factsOf(m)));
        if (o) {
          objects.push({ ...o, suppressions });
          derivedCount++;
        }
      }
      for (const svc of generated?.services ?? []) {
        services.push({ name: svc.name, namespace: generated!.namespace, path: input.path, ports: svc.port !== undefined ? [{ port: svc.port }] : [] });
      }
    } else if (m.kind === 'NetworkPolicy' && m.apiVersion === 'networking.k8s.io/v1') {
      const policy = egressPolicyOf(m, name, namespace, input.path);
      if (policy) egressPolicies.push(policy);
    }
  }
  const report = runRules(objects, rules, { ...options, workloads, services, egressPolicies, rollouts });
  const strictPre = pre.map((v) => (options.strict ? { ...v, severity: Severity.ERROR } : v));
  const analysis: Analysis = {
    errors: [...strictPre.filter((v) => v.severity === Severity.ERROR), ...report.errors],
    warnings: [...strictPre.filter((v) => v.severity === Severity.WARNING), ...report.warnings],
    suppressed: report.suppressed,
    ...(report.notChecked ? { notChecked: report.notChecked } : {}),
    ...(report.omitted ? { omitted: report.omitted } : {}),
    objects: objects.length - derivedCount + schemaOnly,
    istioObjects: objects,
  };
  shareRunState(report, analysis);
  return analysis;
}

/** The identity of a Kubernetes-shaped manifest (`Kind.group namespace/name`), or undefined. */
function identityOf(manifest: unknown): string | undefined {
  if (!isRecord(manifest) || typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string' || !isRecord(manifest.metadata)) return undefined;
  const { name, namespace } = manifest.metadata;
  if (typeof name !== 'string' || name === '') return undefined;
  return objectIdentity(manifest.apiVersion, manifest.kind, typeof namespace === 'string' ? namespace : undefined, name);
}

/** The file of a `file:line` path. */
function fileOf(path: string): string {
  const m = /^(.*):\d+$/.exec(path);
  return m ? m[1] : path;
}

/** Inputs replaced by a definition of the same object in a later file, each mapped to the input that replaces it (`ids`: their identities). */
function replacedByLaterFiles(inputs: readonly ManifestInput[], ids: ReadonlyArray<string | undefined>): Map<ManifestInput, ManifestInput> {
  const last = new Map<string, ManifestInput>();
  inputs.forEach((input, i) => {
    if (ids[i] !== undefined) last.set(ids[i]!, input);
  });
  const out = new Map<ManifestInput, ManifestInput>();
  inputs.forEach((input, i) => {
    const winner = ids[i] === undefined ? undefined : last.get(ids[i]!);
    if (winner && winner !== input && fileOf(winner.path) !== fileOf(input.path)) out.set(input, winner);
  });
  return out;
}

/**
 * A DUPLICATE finding when `manifest` has the identity (kind, namespace, name) of an earlier, different object;
 * an identical copy is the same object written twice and passes.
 */
function duplicateOf(manifest: unknown, identity: string | undefined, path: string, seen: Map<string, { path: string; manifest: unknown }>): Violation | undefined {
  if (identity === undefined) return undefined;
  const first = seen.get(identity);
  if (!first) {
    seen.set(identity, { path, manifest });
    return undefined;
  }
  // Compared only when two objects share an identity: most never do.
  if (canonical(first.manifest) === canonical(manifest)) return undefined;
  return {
    code: DUPLICATE_CODE, severity: Severity.ERROR, path, value: identity,
    message: `${identity} is also defined, differently, by ${first.path}; kubectl apply and Argo CD keep only the last one, so the other's settings disappear`,
    fix: 'Give the objects different names (the constructs take a `name` prop), or merge them into one object.',
  };
}

/** YAML findings: values of a manifest cdk8s would write so that they read back as another type. */
function yamlViolations(manifest: unknown, path: string): Violation[] {
  return yamlReadBackProblems(manifest).map((p) => ({
    code: YAML_CODE, severity: Severity.ERROR, path, value: p.value, allowed: 'a string that reads back as a string',
    message: `${p.path} ${JSON.stringify(p.value)} ${p.problem}`,
    fix: 'Use a value that is not a number in Go or YAML 1.2 syntax and has no U+2028/U+2029/U+0085 (cdk8s cannot quote it), e.g. "v0o17" instead of "0o17".',
  }));
}

/** SCHEMA findings of one Istio-group manifest against its kind's CRD at its version. */
function schemaViolations(manifest: Record<string, any>, path: string, json: boolean): Violation[] {
  const kind = typeof manifest.kind === 'string' ? manifest.kind : 'object';
  return validateManifest(manifest, { json }).map((issue) => ({
    code: SCHEMA_CODE, severity: Severity.ERROR, path,
    message: issue.unserved ? issue.message : `${issue.path || kind} ${issue.message} (rejected by the ${crdsOf(manifest.apiVersion)} ${kind} CRD)`,
    fix: issue.unserved
      ? `Use a kind and apiVersion the ${crdsOf(manifest.apiVersion)} CRDs serve; the API server would answer "no matches for kind".`
      : 'Correct the field as the CRD requires; the API server would refuse this object.',
    ...(issue.rule ? { allowed: issue.rule } : {}),
  }));
}

function checkSuppression(code: string, reason: string, path: string, codes: ReadonlySet<string>, out: Violation[]): void {
  const fix = `Suppress a catalogue rule with a written reason: annotation "${SUPPRESS_ANNOTATION_PREFIX}<CODE>: <reason>", Rules.suppress(construct, code, reason) or lint --suppress CODE=reason.`;
  if (!codes.has(code)) {
    out.push({ code: SUPPRESSION_CODE, severity: Severity.ERROR, path, value: code, message: `suppression names unknown rule code ${JSON.stringify(code)}`, fix });
  } else if (!reason || reason.trim().length === 0) {
    out.push({ code: SUPPRESSION_CODE, severity: Severity.ERROR, path, value: code, message: `suppression of ${code} gives no reason`, fix });
  }
}

function stringMap(obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(obj)) {
    if (typeof obj[key] === 'string') Object.defineProperty(out, key, { value: obj[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The egress restriction of a NetworkPolicy, or undefined when it restricts no egress (policyTypes without Egress;
 * without policyTypes, Kubernetes restricts egress only when the policy has egress rules).
 */
function egressPolicyOf(m: Record<string, any>, name: string, namespace: string | undefined, path: string): EgressPolicy | undefined {
  const spec = isRecord(m.spec) ? m.spec : {};
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : spec.egress !== undefined ? ['Egress'] : [];
  if (!types.includes('Egress')) return undefined;
  const selector = isRecord(spec.podSelector) ? spec.podSelector : {};
  const allPods = Object.keys(selector).every((k) => (Array.isArray(selector[k]) ? selector[k].length === 0 : isRecord(selector[k]) && Object.keys(selector[k]).length === 0));
  const rules = (Array.isArray(spec.egress) ? spec.egress : []).filter(isRecord);
  const namespaces = new Set<string>();
  let anyDestination = false;
  for (const rule of rules) {
    // A rule open only on port 53 lets DNS out, not traffic to a gateway.
    const ports = Array.isArray(rule.ports) ? rule.ports.filter(isRecord) : [];
    if (ports.length > 0 && ports.every((p) => p.port === 53)) continue;
    const peers = Array.isArray(rule.to) ? rule.to.filter(isRecord) : [];
    if (peers.length === 0) anyDestination = true;
    for (const peer of peers) {
      const cidr = isRecord(peer.ipBlock) ? peer.ipBlock.cidr : undefined;
      if ((cidr === '0.0.0.0/0' || cidr === '::/0') && !(Array.isArray(peer.ipBlock.except) && peer.ipBlock.except.length > 0)) anyDestination = true;
      const label = isRecord(peer.namespaceSelector) && isRecord(peer.namespaceSelector.matchLabels) ? peer.namespaceSelector.matchLabels[NAMESPACE_NAME_LABEL] : undefined;
      if (typeof label === 'string') namespaces.add(label);
      else if (peer.namespaceSelector === undefined && peer.podSelector !== undefined && namespace !== undefined) namespaces.add(namespace);
    }
  }
  return { name, namespace, allPods, anyDestination, namespaces: [...namespaces].sort(), path };
}

/** `name` and `namespace` of an Argo Rollouts object reference: `name`, or `name.namespace`. */
function argoRef(ref: string, namespace: string | undefined): { name: string; namespace?: string } {
  const dot = ref.indexOf('.');
  return dot < 0 ? { name: ref, ...(namespace !== undefined ? { namespace } : {}) } : { name: ref.slice(0, dot), namespace: ref.slice(dot + 1) };
}

/** The Istio traffic routing of an Argo Rollout, or undefined when it routes otherwise. */
function rolloutOf(m: Record<string, any>, name: string, namespace: string | undefined, input: ManifestInput): RolloutInfo | undefined {
  const routing = m.spec?.strategy?.canary?.trafficRouting;
  const istio = isRecord(routing) && isRecord(routing.istio) ? routing.istio : undefined;
  if (!istio) return undefined;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const refs = [...(isRecord(istio.virtualService) ? [istio.virtualService] : []), ...(Array.isArray(istio.virtualServices) ? istio.virtualServices.filter(isRecord) : [])];
  const virtualServices = refs.filter((r) => typeof r.name === 'string' && r.name !== '').map((r) => ({ ...argoRef(r.name, namespace), routes: strings(r.routes) }));
  const dr = isRecord(istio.destinationRule) && typeof istio.destinationRule.name === 'string' ? istio.destinationRule : undefined;
  const subject: IstioObject = {
    kind: 'Rollout' as IstioKind, name, namespace, spec: isRecord(m.spec) ? m.spec : {}, manifest: m, path: input.path, facts: {}, suppressions: suppressionsOf(m),
  };
  return {
    subject, name, namespace, virtualServices,
    ...(dr ? { destinationRule: { ...argoRef(dr.name, namespace), stableSubsetName: String(dr.stableSubsetName ?? ''), canarySubsetName: String(dr.canarySubsetName ?? '') } } : {}),
    managedRoutes: (Array.isArray(routing!.managedRoutes) ? routing!.managedRoutes : []).filter(isRecord).map((r: any) => r.name).filter((n: unknown): n is string => typeof n === 'string'),
  };
}
