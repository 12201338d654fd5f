import { isRecord } from '../core/json';
import { GATEWAY_API_GROUP } from '../core/k8s';
import { factsOf, IntentFacts, mergeFacts } from './intent';
import { ISTIO_KINDS, IstioKind, IstioObject } from './types';
/** Wrapping manifests as the rules see them: kind, name, namespace, spec, intent facts and suppressions. */

/** The API group every object this library reads and emits belongs to. */
export const ISTIO_GROUP = 'networking.istio.io';

/** The Gateway API kinds the rules read, by their manifest kind. */
const GATEWAY_API_KINDS = new Set(['HTTPRoute', 'Gateway']);

/** Prefix of the per-object suppression annotations: `suppress.traffic.cdk8s-istio-traffic.io/VS-11: "<reason>"`. */
export const SUPPRESS_ANNOTATION_PREFIX = 'suppress.traffic.cdk8s-istio-traffic.io/';

/** Rule code → reason from an object's suppression annotations (reasons may be empty: the engine reports that). */
export function suppressionsOf(manifest: any): Map<string, string> {
  const out = new Map<string, string>();
  const annotations = isRecord(manifest?.metadata?.annotations) ? manifest.metadata.annotations : {};
  for (const key of Object.keys(annotations)) {
    if (key.startsWith(SUPPRESS_ANNOTATION_PREFIX)) {
      const value = annotations[key];
      out.set(key.slice(SUPPRESS_ANNOTATION_PREFIX.length), typeof value === 'string' ? value.trim() : '');
    }
  }
  return out;
}

/** Wraps a manifest as an {@link IstioObject}, or returns `undefined` when it is not a networking.istio.io kind. */
export function toIstioObject(manifest: unknown, path: string, facts: IntentFacts = {}): IstioObject | undefined {
  if (!isRecord(manifest)) return undefined;
  const apiVersion = manifest.apiVersion;
  const kind = manifest.kind;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const gatewayApi = apiVersion.startsWith(`${GATEWAY_API_GROUP}/`);
  if (gatewayApi ? !GATEWAY_API_KINDS.has(kind) : !apiVersion.startsWith(`${ISTIO_GROUP}/`) || !(ISTIO_KINDS as readonly string[]).includes(kind) || kind === 'HTTPRoute' || kind === 'KubernetesGateway') return undefined;
  const metadata = isRecord(manifest.metadata) ? manifest.metadata : {};
  // Facts the manifest declares by annotation (hand-written YAML, lint) count as much as recorded ones.
  const merged = mergeFacts(facts, factsOf(manifest));
  return {
    kind: gatewayApi && kind === 'Gateway' ? 'KubernetesGateway' : kind as IstioKind,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
    spec: isRecord(manifest.spec) ? manifest.spec : {},
    manifest,
    path,
    facts: merged,
    suppressions: suppressionsOf(manifest),
  };
}

