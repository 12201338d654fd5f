/** Facts about Kubernetes objects every layer needs: the API group of an apiVersion, cluster scope, identity. */

/** The Gateway API's group (the standard channel's CRDs are bundled and validated; HTTPRoute and Gateway are read by the rules). */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** Cluster-scoped kinds (`group/Kind`, core group empty; `group/*` for a whole group): never given a namespace. */
const CLUSTER_SCOPED = new Set([
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass', 'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy', 'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'networking.k8s.io/IngressClass', 'networking.k8s.io/IPAddress', 'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest', 'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'policy/PodSecurityPolicy', 'resource.k8s.io/DeviceClass', 'gateway.networking.k8s.io/GatewayClass',
  'cert-manager.io/ClusterIssuer', 'external-secrets.io/ClusterSecretStore', 'external-secrets.io/ClusterExternalSecret',
  'kyverno.io/ClusterPolicy', 'templates.gatekeeper.sh/ConstraintTemplate', 'constraints.gatekeeper.sh/*',
  'resource.k8s.io/ResourceSlice', 'storagemigration.k8s.io/StorageVersionMigration', 'internal.apiserver.k8s.io/StorageVersion',
  'snapshot.storage.k8s.io/VolumeSnapshotClass', 'snapshot.storage.k8s.io/VolumeSnapshotContent',
]);

/** Scopes declared by CustomResourceDefinitions (`group/Kind` → cluster-scoped?), e.g. from the same output. */
export type DeclaredScopes = ReadonlyMap<string, boolean>;

/**
 * The scopes the CustomResourceDefinitions among `objects` declare: `spec.group`, `spec.names.kind` and
 * `spec.scope` (`Cluster` or `Namespaced`). Other objects and malformed CRDs are skipped.
 */
export function scopesFromCrds(objects: readonly unknown[]): DeclaredScopes {
  const scopes = new Map<string, boolean>();
  for (const o of objects as any[]) {
    if (o === null || typeof o !== 'object' || o.kind !== 'CustomResourceDefinition' || groupOf(String(o.apiVersion)) !== 'apiextensions.k8s.io') continue;
    const spec = o.spec;
    if (spec === null || typeof spec !== 'object' || typeof spec.group !== 'string' || typeof spec.names?.kind !== 'string') continue;
    if (spec.scope === 'Cluster' || spec.scope === 'Namespaced') scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope === 'Cluster');
  }
  return scopes;
}

/** The API group of an apiVersion (`''` for the core group `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * True for kinds that live outside namespaces: as a CRD in `declared` says (it is what the cluster will serve), else
 * by the known list. A custom kind in neither is unknown and taken as namespaced.
 */
export function isClusterScoped(apiVersion: string, kind: string, declared?: DeclaredScopes): boolean {
  const group = groupOf(apiVersion);
  const given = declared?.get(`${group}/${kind}`);
  if (given !== undefined) return given;
  return CLUSTER_SCOPED.has(`${group}/${kind}`) || CLUSTER_SCOPED.has(`${group}/*`);
}

/**
 * The identity the API server and `kubectl apply` key an object by: `Kind.group namespace/name` (no namespace for
 * cluster-scoped kinds). Two documents with one identity are one object: the last applied wins.
 */
export function objectIdentity(apiVersion: string, kind: string, namespace: string | undefined, name: string, declared?: DeclaredScopes): string {
  const group = groupOf(apiVersion);
  const ns = isClusterScoped(apiVersion, kind, declared) ? '' : namespace ?? '';
  return `${group ? `${kind}.${group}` : kind} ${ns ? `${ns}/` : ''}${name}`;
}
