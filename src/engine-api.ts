/**
 * `cdk8s-istio-traffic/engine`: the rule engine for tools and for writing rules: the catalogue, `analyze` (what
 * synth, `lint` and the plugin run), `runRules` with custom rules, the object view rules read, the CRD schema
 * check, and the annotations that declare intent and suppressions in YAML.
 */
export { PROP_CODE, SCHEMA_CODE, Severity, SUPPRESSION_CODE, Violation } from './core/errors';
export { Analysis, AnalyzeOptions, ManifestInput } from './engine/analyze';
export { CallChainOptions } from './engine/call-graph';
export { CALLS_ANNOTATION, ENTRY_POINT_ANNOTATION, IntentFacts, NON_IDEMPOTENT_ROUTES_ANNOTATION } from './engine/intent';
export { SUPPRESS_ANNOTATION_PREFIX, toIstioObject } from './engine/istio-object';
export { runRules } from './engine/run';
export {
  AppFinding, EgressPolicy, Finding, Inventory, IstioKind, IstioObject, OmittedFindings, RolloutInfo, Rule, RuleContext, RuleDoc, RuleReport, RunOptions, ServiceInfo,
  SuppressedViolation, Workload,
} from './engine/types';
export { analyze, RULES } from './rules';
export { ARGO_ROLLOUTS_MANAGED_ROUTES_ANNOTATION, ARGO_ROLLOUTS_ROUTES_ANNOTATION, FLAGGER_CANARY_ANNOTATION } from './rules/vs/opt-in';
export { SchemaIssue, validateManifest } from './schema/crd-validator';
