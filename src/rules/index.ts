/**
 * The rule catalogue: every rule the engine runs, family by family, in catalogue order (X, VS, DR, SE, GW, GA, SC, CC): GA, the Gateway API
 * HTTPRoute rules, follows the Istio Gateway rules.
 * Each family folder holds its rules and an index.ts with the family's array.
 */
import { Analysis, AnalyzeOptions, analyzeWith, ManifestInput } from '../engine/analyze';
import { Rule } from '../engine/types';
import { CC_RULES } from './cc';
import { DR_RULES } from './dr';
import { GA_RULES } from './ga';
import { GW_RULES } from './gw';
import { SC_RULES } from './sc';
import { SE_RULES } from './se';
import { VS_RULES } from './vs';
import { X_RULES } from './x';

/** Every catalogue rule, in catalogue order. */
export const RULES: readonly Rule[] = [...X_RULES, ...VS_RULES, ...DR_RULES, ...SE_RULES, ...GW_RULES, ...GA_RULES, ...SC_RULES, ...CC_RULES];

/** Every rule code a suppression may name. */
export function ruleCodes(): ReadonlySet<string> {
  return new Set(RULES.map((r) => r.code));
}

/**
 * Checks manifests the way the cluster and the catalogue would: the CRD schema (SCHEMA), every catalogue rule
 * (Self and App scope, opt-in rules when enabled) and the suppressions themselves (SUPPRESSION). Non-Istio kinds
 * are not checked but feed the App-scope rules (workloads, Services).
 */
export function analyze(inputs: readonly ManifestInput[], options: AnalyzeOptions = {}): Analysis {
  return analyzeWith(RULES, inputs, options);
}
