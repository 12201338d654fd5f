/** Locality-aware load balancing (DestinationRule `localityLbSetting`): the value class and its structs. */
import { enforce, propError } from '../core/enforce';
import { buildValue } from '../core/problems';
import { unrenderableKeyProblem } from '../core/grammar';
import { defineEntry, isRecord } from '../core/json';
import {
  distributeTotalProblem, distributeWeightProblem, failoverPairProblem, failoverWildcardProblem, failoverZoneProblem, localityProblem,
} from '../core/locality';
import { show, text } from '../core/text';

/** One explicit region failover pair (Istio `LocalityLoadBalancerSetting.Failover`). */
export interface RegionFailover {
  /** Region whose traffic fails over, e.g. `us-east1`. */
  readonly from: string;
  /** Region that receives it, e.g. `us-west1`. */
  readonly to: string;
}

/**
 * One `localityLbSetting.distribute` entry: how the traffic that originates in one locality is spread over
 * upstream localities (Istio `LocalityLoadBalancerSetting.Distribute`).
 */
export interface LocalityDistribution {
  /**
   * The originating locality, `region[/zone[/subzone]]` with `*` allowed only as the last character
   * (e.g. `us-west/zone1/*`); the `from` of the entries may not overlap (an earlier one may not cover a later one).
   */
  readonly from: string;
  /**
   * Weight per upstream locality (same grammar as `from`, no overlaps): integers 1-100 that total 100, e.g.
   * `{ 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 }`.
   */
  readonly to: { [locality: string]: number };
}

/**
 * Locality-aware load balancing (DestinationRule `trafficPolicy.loadBalancer.localityLbSetting`).
 *
 * `priority` and `regions` are failover: they only happen when Envoy sees endpoints as unhealthy, which is what
 * outlier detection provides. Without `outlierDetection` on the same policy the setting is inert, and rule DR-09
 * fails synth. `distribute` is a fixed weighting that applies to healthy endpoints too, so it needs no outlier
 * detection (DR-09 does not ask for it).
 *
 * ```ts
 * LocalityFailover.priority(['topology.kubernetes.io/zone', 'topology.kubernetes.io/region'])
 * LocalityFailover.distribute([{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }])
 * ```
 * Invalid arguments make an invalid value: the construct that takes it raises the problem as an IstioValidationError
 * naming its path and prop (see the rule reference for the codes); any other use of it throws the factory's error.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
 */
export class LocalityFailover {
  /**
   * Prefer endpoints that share these labels with the caller, in order (e.g. same zone, then same region): a
   * non-empty list of distinct, non-empty label keys.
   */
  public static priority(labels: string[]): LocalityFailover {
    return buildValue(LocalityFailover, () => {
      const where = 'LocalityFailover.priority';
      if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string' || l.length === 0)
        || new Set(labels).size !== labels.length) {
        propError({ path: where, prop: 'labels' }, {
          value: labels, expected: 'non-empty list of distinct label keys',
          message: 'failoverPriority needs at least one distinct, non-empty label key',
          fix: "Pass keys such as ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region'].",
        });
      }
      return new LocalityFailover({ enabled: true, failoverPriority: [...labels] });
    });
  }

  /** Fail over from one region to another: a non-empty list of pairs of named regions. */
  public static regions(pairs: RegionFailover[]): LocalityFailover {
    return buildValue(LocalityFailover, () => {
      const where = { path: 'LocalityFailover.regions', prop: 'pairs' };
      const fix = "Pass pairs such as [{ from: 'us-east1', to: 'us-west1' }].";
      if (!Array.isArray(pairs) || pairs.length === 0) {
        propError(where, { value: pairs, shown: '[]', expected: 'at least one region pair', message: 'failover needs at least one region pair', fix });
      }
      for (const p of pairs) {
        if (!isRecord(p)) propError(where, { value: p, expected: '{ from, to }', message: `failover pair ${show(p)} is not { from, to }`, fix });
        const shown = `${text(p.from)} -> ${text(p.to)}`;
        const report = {
          ...where, value: shown, allowed: 'two different region names without "/" or "*"',
          message: () => `failover pair ${shown} is not a pair of distinct regions`,
          fix: 'Name whole regions (no zone "/" part, no wildcard), with from different from to.',
        };
        for (const region of [p.from, p.to]) {
          if (typeof region !== 'string' || region.length === 0) propError(where, { value: region, shown, expected: report.allowed, message: report.message(), fix: report.fix });
          enforce(failoverZoneProblem, [region], report);
          enforce(failoverWildcardProblem, [region], report);
        }
        enforce(failoverPairProblem, [p.from, p.to], report);
      }
      return new LocalityFailover({ enabled: true, failover: pairs.map((p) => ({ from: p.from, to: p.to })) });
    });
  }

  /**
   * Spread the traffic from each originating locality over upstream localities by weight (Istio
   * `localityLbSetting.distribute`): a non-empty list of entries whose `from` localities do not overlap, each
   * with weights 1-100 totalling 100 (rule DR-10). Needs no outlier detection.
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting-Distribute
   */
  public static distribute(distributions: LocalityDistribution[]): LocalityFailover {
    return buildValue(LocalityFailover, () => {
      const path = 'LocalityFailover.distribute';
      const where = { path, prop: 'distributions' };
      const fix = "Pass entries such as [{ from: 'us-west/zone1/*', to: { 'us-west/zone1/*': 80, 'us-west/zone2/*': 20 } }].";
      if (!Array.isArray(distributions) || distributions.length === 0) {
        propError(where, { value: distributions, expected: 'at least one { from, to } entry', message: 'distribute needs at least one { from, to } entry', fix });
      }
      const localityFix = 'Write localities as region[/zone[/subzone]] with "*" only at the end, and list each locality once (no entry covered by an earlier one).';
      const sources: string[] = [];
      const out = distributions.map((d) => {
        if (!isRecord(d) || typeof d.from !== 'string' || !isRecord(d.to)) {
          propError(where, { value: d, expected: '{ from: string, to: { [locality]: weight } }', message: `distribute entry ${show(d)} is not { from, to }`, fix });
        }
        const from = d.from;
        enforce(localityProblem, [from, sources], {
          ...where, value: from, allowed: 'region[/zone[/subzone]], "*" only at the end, no overlaps',
          message: (problem) => `distribute from locality ${show(from)} ${problem}`, fix: localityFix,
        });
        sources.push(from);
        const to: Record<string, number> = {};
        const targets: string[] = [];
        for (const locality of Object.keys(d.to)) {
          const weight = d.to[locality];
          const at = `distribute from ${show(from)}: to locality ${show(locality)}`;
          enforce(localityProblem, [locality, targets], {
            ...where, value: locality, allowed: 'region[/zone[/subzone]], "*" only at the end, no overlaps',
            message: (problem) => `${at} ${problem}`, fix: localityFix,
          });
          const unrenderable = unrenderableKeyProblem(locality);
          if (unrenderable) propError(where, { value: locality, shown: locality, expected: 'a locality cdk8s can synthesize', message: `${at} ${unrenderable}`, fix: localityFix });
          enforce(distributeWeightProblem, [weight], {
            ...where, value: weight, allowed: 'integer 1-100',
            message: (problem) => `${at} has weight ${show(weight)}, which ${problem}`, fix: 'Give each locality an integer weight from 1 to 100.',
          });
          targets.push(locality);
          defineEntry(to, locality, weight);
        }
        const weights = targets.map((t) => to[t]);
        enforce(distributeTotalProblem, [weights], {
          ...where, value: weights.reduce((a, w) => a + w, 0), allowed: 'a total of 100',
          message: (problem) => `distribute from ${show(from)}: the weights ${problem}, not 100`, fix: 'Make the weights of each entry total exactly 100.',
        });
        return { from, to };
      });
      return new LocalityFailover({ enabled: true, distribute: out });
    });
  }

  private constructor(private readonly setting: Record<string, unknown>) {}

  /**
   * The Istio `localityLbSetting` this failover emits.
   * @internal
   */
  public _render(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.setting));
  }
}
