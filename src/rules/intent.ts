/**
 * Intent facts: what only a construct knows about the objects it emits (this route carries writes), recorded
 * beside the object so rules can read it. In `lint`, the same facts come from the annotation below.
 */
export interface IntentFacts {
  /** Construct path to report violations at (the L2 construct, rather than its inner ApiObject). */
  readonly owner?: string;
  /** Names of HTTP routes that carry non-idempotent requests (rules VS-18, VS-25). */
  readonly nonIdempotentRoutes?: readonly string[];
}

/** Annotation that declares non-idempotent HTTP route names in hand-written YAML: `"route-a,route-b"`. */
export const NON_IDEMPOTENT_ROUTES_ANNOTATION = 'traffic.cdk8s-istio-traffic.io/non-idempotent-routes';

const facts = new WeakMap<object, IntentFacts>();

/** Records facts about an emitted object (merged with earlier facts). */
export function recordIntent(target: object, more: IntentFacts): void {
  const prev = facts.get(target) ?? {};
  facts.set(target, {
    owner: more.owner ?? prev.owner,
    nonIdempotentRoutes: [...new Set([...(prev.nonIdempotentRoutes ?? []), ...(more.nonIdempotentRoutes ?? [])])],
  });
}

/** Facts recorded for `target`, merged with those its manifest declares by annotation. */
export function intentOf(target: object | undefined, manifest: any): IntentFacts {
  const recorded = target ? facts.get(target) ?? {} : {};
  const annotation = manifest?.metadata?.annotations?.[NON_IDEMPOTENT_ROUTES_ANNOTATION];
  const declared = typeof annotation === 'string' ? annotation.split(',').map((s) => s.trim()).filter(Boolean) : [];
  return {
    owner: recorded.owner,
    nonIdempotentRoutes: [...new Set([...(recorded.nonIdempotentRoutes ?? []), ...declared])],
  };
}
