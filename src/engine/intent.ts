/**
 * Intent facts: what only a construct knows about the objects it emits (this route carries writes, this
 * service calls that one), recorded beside the object so rules can read it. In `lint`, the same facts come
 * from the annotations below, so hand-written YAML can declare them too.
 */
export interface IntentFacts {
  /**
   * Construct path to report violations at (the L2 construct, rather than its inner ApiObject).
   * @default - the path of the object itself
   */
  readonly owner?: string;
  /**
   * Names of HTTP routes that carry non-idempotent requests (rules VS-18, VS-25).
   * @default - none
   */
  readonly nonIdempotentRoutes?: string[];
  /**
   * Hosts the service behind this object calls (call-chain rules CC-*).
   * @default - none
   */
  readonly calls?: string[];
  /**
   * Whether requests enter the mesh at this service (starts call-chain paths).
   * @default false
   */
  readonly entryPoint?: boolean;
}

/** Annotation that declares non-idempotent HTTP route names in hand-written YAML: `"route-a,route-b"`. */
export const NON_IDEMPOTENT_ROUTES_ANNOTATION = 'traffic.cdk8s-istio-traffic.io/non-idempotent-routes';
/** Annotation on a VirtualService declaring the hosts its service calls: `"orders.shop.svc.cluster.local,…"`. */
export const CALLS_ANNOTATION = 'traffic.cdk8s-istio-traffic.io/calls';
/** Annotation on a VirtualService declaring its service an entry point of call chains: `"true"`. */
export const ENTRY_POINT_ANNOTATION = 'traffic.cdk8s-istio-traffic.io/entry-point';

const union = (a?: readonly string[], b?: readonly string[]) => [...new Set([...(a ?? []), ...(b ?? [])])];

/** Union of two sets of facts (`more.owner` wins). */
export function mergeFacts(prev: IntentFacts, more: IntentFacts): IntentFacts {
  return {
    owner: more.owner ?? prev.owner,
    nonIdempotentRoutes: union(prev.nonIdempotentRoutes, more.nonIdempotentRoutes),
    calls: union(prev.calls, more.calls),
    entryPoint: Boolean(prev.entryPoint || more.entryPoint),
  };
}

function listAnnotation(manifest: any, key: string): string[] {
  const value = manifest?.metadata?.annotations?.[key];
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** The facts a manifest declares by annotation (hand-written YAML, `lint`, and our own synthesized output). */
export function factsOf(manifest: any): IntentFacts {
  return {
    nonIdempotentRoutes: listAnnotation(manifest, NON_IDEMPOTENT_ROUTES_ANNOTATION),
    calls: listAnnotation(manifest, CALLS_ANNOTATION),
    entryPoint: manifest?.metadata?.annotations?.[ENTRY_POINT_ANNOTATION] === 'true',
  };
}
