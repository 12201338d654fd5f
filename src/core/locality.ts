/**
 * Locality failover as Istio reads it (`localityLbSetting.failover`, rule DR-10): each pair fails over from one
 * whole region to another. Used by `LocalityFailover` and by the DR-10 rule.
 */
import { invariant } from './check';

/** DR-10: a failover pair names two different regions. */
export const failoverPairProblem = invariant('DR-10', (from: unknown, to: unknown): string | undefined =>
  from === to ? `fails over from ${JSON.stringify(from ?? '')} to the same region` : undefined);

/** DR-10: a failover region is a whole region (no zone or subzone after "/"). */
export const failoverZoneProblem = invariant('DR-10', (region: string): string | undefined =>
  region.includes('/') ? 'is not a bare region' : undefined);

/** DR-10: a failover region is named explicitly (no "*"). */
export const failoverWildcardProblem = invariant('DR-10', (region: string): string | undefined =>
  region.includes('*') ? 'contains "*"' : undefined);
