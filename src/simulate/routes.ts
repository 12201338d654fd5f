import { arr, isRecord } from '../core/json';
import { failedConditions, MatchContext, scopeProblems } from './match';
import { RegexCache } from './regex';
import { NormalizedRequest } from './request';
import { RouteMiss, RouteRef } from './types';
import { VsEntry, World } from './world';
/**
 * HTTP route selection: routes in order, the first whose match holds wins; within a match block every condition
 * must hold, across blocks any one (a route without blocks matches everything). A route with `delegate` hands the
 * request to the routes of the delegate VirtualService, each of which must also match (istiod merges the parent's
 * and the child's match blocks); when none does, the parent's later routes are tried.
 *
 * @see https://istio.io/latest/docs/concepts/traffic-management/#routing-rule-precedence
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#Delegate
 */

/** The route chosen (for a delegated route: the delegate's route), with the VirtualService that holds it. */
export interface RouteChoice {
  readonly vs: VsEntry;
  readonly route: Record<string, any>;
  readonly ref: RouteRef;
}

/** The outcome of the route search. */
export interface RouteSearch {
  readonly chosen?: RouteChoice;
  /** Routes passed over, in order, with their closest block's failed conditions. */
  readonly skipped: RouteMiss[];
  /** The miss with the fewest failed conditions (earliest on a tie). */
  readonly closest?: RouteMiss;
  /**
   * Whether istiod builds any route of these VirtualServices for this proxy and port: a route is left out when every
   * one of its match blocks names another port, gateway or source.
   */
  readonly anyBuilt: boolean;
  readonly notes: string[];
}

/** What the search needs besides the VirtualServices. */
export interface SearchContext {
  readonly world: World;
  readonly request: NormalizedRequest;
  readonly port: number;
  readonly regexes: RegexCache;
}

/** Finds the first matching route of `services` (their routes concatenated, in order). */
export function searchRoutes(services: readonly VsEntry[], ctx: SearchContext): RouteSearch {
  const skipped: RouteMiss[] = [];
  const notes: string[] = [];
  let anyBuilt = false;
  for (const vs of services) {
    const found = searchOne(vs, ctx, skipped, notes, 0);
    anyBuilt = anyBuilt || found.built;
    if (found.chosen) return { chosen: found.chosen, skipped, anyBuilt: true, notes };
  }
  return { skipped, anyBuilt, notes, ...(closestOf(skipped) ? { closest: closestOf(skipped) } : {}) };
}

function searchOne(vs: VsEntry, ctx: SearchContext, skipped: RouteMiss[], notes: string[], depth: number): { chosen?: RouteChoice; built: boolean } {
  const mctx: MatchContext = { request: ctx.request, port: ctx.port, vsNamespace: vs.namespace, regexes: ctx.regexes };
  let built = false;
  const http = arr(vs.object.spec.http);
  for (let index = 0; index < http.length; index++) {
    const route = http[index];
    if (!isRecord(route)) continue;
    const verdict = evaluate(route, mctx);
    built = built || verdict.built;
    const ref: RouteRef = {
      virtualService: vs.id, index, ...(typeof route.name === 'string' && route.name ? { name: route.name } : {}),
      ...(verdict.matchIndex !== undefined ? matchRef(route, verdict.matchIndex) : {}),
    };
    if (verdict.failed.length > 0) {
      skipped.push({ route: ref, failed: verdict.failed });
      continue;
    }
    if (!isRecord(route.delegate)) return { chosen: { vs, route, ref }, built: true };
    const child = delegateOf(route.delegate, vs, ctx.world);
    if (!child || depth > 0) {
      notes.push(child ? `${vs.id} http[${index}] delegates again (to ${child.id}): Istio supports one level of delegation only`
        : `${vs.id} http[${index}] delegates to ${route.delegate.namespace ?? vs.namespace}/${route.delegate.name}, which is not in the input`);
      skipped.push({ route: ref, failed: ['the delegate VirtualService is not usable'] });
      continue;
    }
    const inner: RouteMiss[] = [];
    const found = searchOne(child, ctx, inner, notes, depth + 1);
    if (found.chosen) return { chosen: { ...found.chosen, ref: { ...ref, delegatedTo: found.chosen.ref } }, built: true };
    skipped.push(...inner.map((m) => ({ route: { ...ref, delegatedTo: m.route }, failed: m.failed })));
  }
  return { built };
}

/** The match block of a route that matched (`failed` empty), or its closest block and what failed there. */
function evaluate(route: Record<string, any>, ctx: MatchContext): { failed: string[]; matchIndex?: number; built: boolean } {
  const blocks = arr(route.match);
  if (blocks.length === 0) return { failed: [], built: true };
  let closest: { failed: string[]; matchIndex: number } | undefined;
  let built = false;
  for (let i = 0; i < blocks.length; i++) {
    const failed = failedConditions(blocks[i], ctx);
    if (scopeProblems(blocks[i], ctx).length === 0) built = true;
    if (failed.length === 0) return { failed, matchIndex: i, built: true };
    if (!closest || failed.length < closest.failed.length) closest = { failed, matchIndex: i };
  }
  return { ...closest!, built };
}

function matchRef(route: Record<string, any>, matchIndex: number): Pick<RouteRef, 'matchIndex' | 'matchName'> {
  const block = arr(route.match)[matchIndex];
  return { matchIndex, ...(isRecord(block) && typeof block.name === 'string' && block.name ? { matchName: block.name } : {}) };
}

function delegateOf(delegate: Record<string, any>, parent: VsEntry, world: World): VsEntry | undefined {
  const id = `${typeof delegate.namespace === 'string' && delegate.namespace ? delegate.namespace : parent.namespace}/${delegate.name}`;
  return world.virtualServices.find((vs) => vs.id === id);
}

function closestOf(misses: readonly RouteMiss[]): RouteMiss | undefined {
  let best: RouteMiss | undefined;
  for (const m of misses) if (!best || m.failed.length < best.failed.length) best = m;
  return best;
}
