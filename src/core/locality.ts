/**
 * Locality load balancing as Istio reads it (`localityLbSetting`, rule DR-10): failover pairs between whole
 * regions, and `distribute` entries whose localities are well formed and do not overlap, with weights 1-100
 * totalling 100 per `from`. Used by `LocalityFailover` and by the DR-10 rule.
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

/** Lowest and highest `distribute` weight Istio accepts. */
export const MIN_DISTRIBUTE_WEIGHT = 1;
export const MAX_DISTRIBUTE_WEIGHT = 100;

/** DR-10: one `distribute` weight is an integer 1-100. */
export const distributeWeightProblem = invariant('DR-10', (weight: unknown): string | undefined => {
  if (typeof weight !== 'number' || !Number.isInteger(weight)) return 'is not an integer';
  return weight < MIN_DISTRIBUTE_WEIGHT || weight > MAX_DISTRIBUTE_WEIGHT ? `is outside ${MIN_DISTRIBUTE_WEIGHT}-${MAX_DISTRIBUTE_WEIGHT}` : undefined;
});

/** DR-10: the weights of one `distribute` entry's `to` total 100 (non-numbers count as 0). */
export const distributeTotalProblem = invariant('DR-10', (weights: readonly unknown[]): string | undefined => {
  const sum = weights.reduce((a: number, w) => a + (typeof w === 'number' ? w : 0), 0);
  return sum !== 100 ? `total ${sum}` : undefined;
});

/**
 * DR-10: one locality of a list (`region[/zone[/subzone]]`, optionally ending in `*`), read after the `earlier`
 * entries of the same list, as Istio reads them: at most one `*`, only at the end; no empty segment; and not
 * covered by an earlier entry (`us-east/*` before `us-east/zone1`, or a repeat). A broader entry after a narrower
 * one is accepted, as in Istio. Earlier entries that are themselves malformed are ignored.
 */
export const localityProblem = invariant('DR-10', (locality: unknown, earlier: readonly unknown[]): string | undefined => {
  const problems = localityProblems([...earlier, locality]);
  return problems[problems.length - 1];
});

interface Zone { readonly owner: string; readonly subzones: Map<string, string> }
interface Region { readonly owner: string; readonly zones: Map<string, Zone> }

/** The problem of each entry of a locality list (see {@link localityProblem}), index by index. */
function localityProblems(localities: readonly unknown[]): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  const regions = new Map<string, Region>();
  for (const locality of localities) {
    if (typeof locality !== 'string' || locality.length === 0) {
      out.push('is empty');
      continue;
    }
    const stars = locality.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !locality.endsWith('*'))) {
      out.push('may contain one "*", and only as its last character');
      continue;
    }
    const all = regions.get('*');
    if (all) {
      out.push(`is covered by the earlier "${all.owner}"`);
      continue;
    }
    const first = locality.indexOf('/');
    const second = first < 0 ? -1 : locality.indexOf('/', first + 1);
    const parts = first < 0 ? [locality] : second < 0 ? [locality.slice(0, first), locality.slice(first + 1)]
      : [locality.slice(0, first), locality.slice(first + 1, second), locality.slice(second + 1)];
    if (parts.some((p) => p.length === 0)) {
      out.push('has an empty region, zone or subzone');
      continue;
    }
    const overlap = insert(regions, parts, locality);
    out.push(overlap ? `is covered by the earlier "${overlap}"` : undefined);
  }
  return out;
}

/** Adds a locality to the tree; returns the earlier locality that already covers it, if any. */
function insert(regions: Map<string, Region>, parts: string[], locality: string): string | undefined {
  const [regionName, zoneName, subzoneName] = parts;
  let region = regions.get(regionName);
  if (region && parts.length === 1) return region.owner;
  if (!region) {
    region = { owner: locality, zones: new Map() };
    regions.set(regionName, region);
    if (parts.length === 1) region.zones.set('*', { owner: locality, subzones: new Map([['*', locality]]) });
    else if (parts.length === 2) region.zones.set(zoneName, { owner: locality, subzones: new Map([['*', locality]]) });
    else region.zones.set(zoneName, { owner: locality, subzones: new Map([[subzoneName, locality]]) });
    return undefined;
  }
  const wholeRegion = region.zones.get('*');
  if (wholeRegion) return wholeRegion.owner;
  const zone = region.zones.get(zoneName);
  if (parts.length === 2) {
    if (zone) return zone.owner;
    region.zones.set(zoneName, { owner: locality, subzones: new Map([['*', locality]]) });
    return undefined;
  }
  if (!zone) {
    region.zones.set(zoneName, { owner: locality, subzones: new Map([[subzoneName, locality]]) });
    return undefined;
  }
  const covering = zone.subzones.get('*') ?? zone.subzones.get(subzoneName);
  if (covering) return covering;
  zone.subzones.set(subzoneName, locality);
  return undefined;
}
