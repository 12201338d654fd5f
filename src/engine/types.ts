import { Severity, Violation } from '../core/errors';
import { IntentFacts } from './intent';
/** The types of the rule engine: the object view, rules, findings, the App context and reports. */

/**
 * The kinds the rules read: the networking.istio.io kinds, and the Gateway API's (gateway.networking.k8s.io)
 * `HTTPRoute` and `Gateway` — the latter named `KubernetesGateway`, as Istio names it, apart from Istio's `Gateway`.
 */
export type IstioKind = 'VirtualService' | 'DestinationRule' | 'ServiceEntry' | 'Gateway' | 'Sidecar' | 'KubernetesGateway' | 'HTTPRoute';

/** The kinds the rules read, in make-before-break apply order. */
export const ISTIO_KINDS: readonly IstioKind[] = ['ServiceEntry', 'Sidecar', 'Gateway', 'KubernetesGateway', 'DestinationRule', 'VirtualService', 'HTTPRoute'];

/** One rendered Istio object as the rules see it. */
export interface IstioObject {
  readonly kind: IstioKind;
  readonly name: string;
  /** `metadata.namespace`, if set. @default - none: the rules read it as namespace `default` */
  readonly namespace?: string;
  /** `spec` (an empty object when missing or malformed). */
  readonly spec: any;
  /** The whole manifest. */
  readonly manifest: any;
  /** Where to report: construct path at synth, `file:line` in lint. */
  readonly path: string;
  /** What the emitting construct knows (see {@link IntentFacts}). */
  readonly facts: IntentFacts;
  /** Rule code → reason, from `suppress.traffic.cdk8s-istio-traffic.io/<CODE>` annotations. @default - none: nothing suppressed */
  readonly suppressions?: ReadonlyMap<string, string>;
}

/** A violation found by a rule, before the engine stamps code and path on it. */
export interface Finding {
  readonly message: string;
  readonly fix: string;
  /** @default the rule's severity */
  readonly severity?: Severity;
  /** The offending value (the violation's `value`). @default - none */
  readonly value?: unknown;
  /** What is allowed (the violation's `allowed`). @default - none */
  readonly allowed?: string;
}

/** A finding of an App-scope rule, naming the object it is about. */
export interface AppFinding extends Finding {
  readonly object: IstioObject;
}

/** Documentation of a rule (docs/rules.md is generated from these). */
export interface RuleDoc {
  /** Catalogue ID, e.g. `VS-18`. */
  readonly code: string;
  /** One-line statement of the invariant. */
  readonly title: string;
  /** Severity of the rule's main case; some rules also raise the other level (see `levels`). */
  readonly severity: Severity;
  /** `E`, `W` or `E/W` as in the catalogue. */
  readonly levels: 'E' | 'W' | 'E/W';
  /** `self` (one object) or `app` (across objects). */
  readonly scope: 'self' | 'app';
  /** Why it matters. */
  readonly why: string;
  /** How to fix it. */
  readonly fix: string;
  /** Upstream origin (istioctl IST codes, webhook checks, Kiali KIA codes, derivations). */
  readonly upstream: string;
}

/** A workload in the App (Deployment, StatefulSet, …): whose pods carry which labels. */
export interface Workload {
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace`. @default - none: the rules read it as namespace `default` */
  readonly namespace?: string;
  /** Labels of the pod template. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly path: string;
}

/** A Kubernetes Service in the App. */
export interface ServiceInfo {
  readonly name: string;
  /** `metadata.namespace`. @default - none: chosen at apply time (host lookups match its name in any namespace) */
  readonly namespace?: string;
  /** Pod selector (absent for selector-less Services). @default - none: a selector-less Service */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: ReadonlyArray<{
    /** Port name. @default - unnamed */
    readonly name?: string;
    readonly port: number;
    /** Port on the pods. @default - the port (as Kubernetes defaults it) */
    readonly targetPort?: number | string;
    /** Port protocol. @default - none (Kubernetes: TCP) */
    readonly protocol?: string;
  }>;
  readonly path: string;
}

/**
 * A Kubernetes NetworkPolicy (networking.k8s.io/v1) in the App that restricts egress: which pods it applies to and
 * where they may still connect.
 */
export interface EgressPolicy {
  readonly name: string;
  /** `metadata.namespace`. @default - none: the rules read it as namespace `default` */
  readonly namespace?: string;
  /** Whether it applies to every pod of its namespace (`podSelector: {}`). */
  readonly allPods: boolean;
  /** Whether some egress rule allows any destination (a rule without `to`, or an ipBlock covering 0.0.0.0/0 or ::/0). */
  readonly anyDestination: boolean;
  /**
   * Namespaces its egress rules allow by `kubernetes.io/metadata.name` (the own namespace for a bare podSelector), rules
   * open only on port 53 (DNS) left out.
   */
  readonly namespaces: readonly string[];
  readonly path: string;
}

/** An Argo Rollouts `Rollout` in the App that routes with Istio (`spec.strategy.canary.trafficRouting.istio`). */
export interface RolloutInfo {
  /** The Rollout as an object findings can be reported on (path, suppression annotations). */
  readonly subject: IstioObject;
  readonly name: string;
  /** `metadata.namespace`. @default - none: the rules read it as namespace `default` */
  readonly namespace?: string;
  /** The VirtualServices it manages: name (and namespace, from `name.namespace`), HTTP route names (none: all). */
  readonly virtualServices: ReadonlyArray<{
    readonly name: string;
    /** From `name.namespace`. @default - the Rollout's namespace (unset: read as `default`) */
    readonly namespace?: string;
    readonly routes: readonly string[];
  }>;
  /**
   * The DestinationRule of subset-level splitting, when set.
   * @default - none: no subset-level splitting (no subsets are checked)
   */
  readonly destinationRule?: {
    readonly name: string;
    /** From `name.namespace`. @default - the Rollout's namespace (unset: read as `default`) */
    readonly namespace?: string;
    readonly stableSubsetName: string;
    readonly canarySubsetName: string;
  };
  /** `trafficRouting.managedRoutes` names (header and mirror step routes). */
  readonly managedRoutes: readonly string[];
}

/**
 * What exists outside the App, declared by the user so Ext-scope rules can run instead of being skipped:
 * external hosts (Services and ServiceEntries defined elsewhere), gateways (`namespace/name`) and namespaces.
 */
export interface Inventory {
  /**
   * Hosts defined outside the App (FQDNs or `*.suffix`).
   * @default - none
   */
  readonly hosts?: string[];
  /**
   * Gateways defined outside the App, as `namespace/name`.
   * @default - none
   */
  readonly gateways?: string[];
  /**
   * Namespaces that exist in the cluster.
   * @default - none
   */
  readonly namespaces?: string[];
  /**
   * Subsets defined outside the App, by host (FQDN): `{ 'details.bookinfo.svc.cluster.local': ['v1', 'v2'] }`
   * (VS-16 checks routes to these hosts against them).
   * @default - none
   */
  readonly subsets?: { [host: string]: string[] };
}

/** Budgets of the call-chain rules. */
export interface CallChainOptions {
  /**
   * Maximum worst-case requests that may reach a service per request at an entry point (CC-01).
   * @default 10
   */
  readonly maxAmplification?: number;
  /**
   * Headroom a caller's timeout needs over its callee's worst-case time, in percent (CC-03).
   * @default 10
   */
  readonly timeoutHeadroomPercent?: number;
}

/** Everything an App-scope rule can see. */
export interface RuleContext {
  readonly objects: readonly IstioObject[];
  ofKind(kind: IstioKind): readonly IstioObject[];
  /** Workloads (pod templates) in the App. */
  readonly workloads: readonly Workload[];
  /** Kubernetes Services in the App. */
  readonly services: readonly ServiceInfo[];
  /** NetworkPolicies in the App that restrict egress. */
  readonly egressPolicies: readonly EgressPolicy[];
  /** Argo Rollouts in the App that route with Istio. */
  readonly rollouts: readonly RolloutInfo[];
  /**
   * The declared inventory.
   * @default - none: Ext-scope checks are skipped
   */
  readonly inventory?: Inventory;
  /** Budgets of the call-chain rules. @default - amplification 10, timeout headroom 10 % */
  readonly callChain?: CallChainOptions;
  /**
   * Whether the objects are everything that is applied (synth: the App). When false (lint without `--complete`),
   * a reference to an object that is neither in the input nor in the inventory is noted with
   * {@link RuleContext.notChecked}, not reported.
   */
  readonly complete: boolean;
  /** Notes a reference the rule could not check because its target is outside the input. */
  notChecked(note: string): void;
  /**
   * A value computed once per rule run and shared by the rules that ask for it under the same `key` (an index
   * of hosts, the call graph): what several App-scope rules need is built once, and goes with the run.
   */
  memo<T>(key: string, build: () => T): T;
}

/** A rule: documentation plus a check of one object (`self`) or of the whole App (`app`). */
export interface Rule extends RuleDoc {
  /** Kinds a `self` rule applies to. */
  readonly kinds: readonly IstioKind[];
  /**
   * Opt-in rules (Argo Rollouts, Flagger, ambient, strict mTLS profiles) run only when enabled.
   * @default false
   */
  readonly optIn?: boolean;
  checkObject?(object: IstioObject): Finding[];
  checkApp?(context: RuleContext): AppFinding[];
}

/** Options of `runRules` (engine/run.ts). */
export interface RunOptions {
  /** Treat warnings as errors. @default false */
  readonly strict?: boolean;
  /** Codes of opt-in rules to run. @default - none */
  readonly enable?: readonly string[];
  /** Workloads in the App (for subset/pod label checks). @default - none */
  readonly workloads?: readonly Workload[];
  /** Services in the App. @default - none */
  readonly services?: readonly ServiceInfo[];
  /** NetworkPolicies in the App that restrict egress. @default - none */
  readonly egressPolicies?: readonly EgressPolicy[];
  /** Argo Rollouts in the App that route with Istio. @default - none */
  readonly rollouts?: readonly RolloutInfo[];
  /** Declared inventory of what exists outside the App. @default - Ext-scope checks skipped */
  readonly inventory?: Inventory;
  /** Budgets of the call-chain rules. @default - amplification 10, timeout headroom 10 % */
  readonly callChain?: CallChainOptions;
  /**
   * The objects are everything that is applied (see {@link RuleContext.complete}).
   * @default true
   */
  readonly complete?: boolean;
  /**
   * Findings kept at most in each of errors, warnings and suppressed; later ones are only counted ({@link RuleReport.omitted}), so no input can fill memory
   * with findings.
   * @default 100000
   */
  readonly maxFindings?: number;
}

/** Findings counted but not kept, past {@link RunOptions.maxFindings}. */
export interface OmittedFindings {
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
}

/** A violation that a suppression with a reason turned off. */
export interface SuppressedViolation extends Violation {
  readonly reason: string;
}

/** The outcome of a rule run. */
export interface RuleReport {
  readonly errors: Violation[];
  readonly warnings: Violation[];
  /** Violations suppressed per object with a reason (reported, never fatal). */
  readonly suppressed: SuppressedViolation[];
  /**
   * References not checked because their targets are outside the input (only when the input is not complete).
   * @default - none
   */
  readonly notChecked?: string[];
  /**
   * Findings past the budget ({@link RunOptions.maxFindings}), counted and not kept.
   * @default - none
   */
  readonly omitted?: OmittedFindings;
}

