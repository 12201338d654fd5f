/** Facts about Kubernetes objects every layer needs: the API group of an apiVersion, cluster scope, identity. */

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
]);

/** The API group of an apiVersion (`''` for the core group `v1`). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** True for kinds that live outside namespaces. */
export function isClusterScoped(apiVersion: string, kind: string): boolean {
  const group = groupOf(apiVersion);
  return CLUSTER_SCOPED.has(`${group}/${kind}`) || CLUSTER_SCOPED.has(`${group}/*`);
}

/**
 * The identity the API server and `kubectl apply` key an object by: `Kind.group namespace/name` (no namespace for
 * cluster-scoped kinds). Two documents with one identity are one object: the last applied wins.
 */
export function objectIdentity(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  const group = groupOf(apiVersion);
  const ns = isClusterScoped(apiVersion, kind) ? '' : namespace ?? '';
  return `${group ? `${kind}.${group}` : kind} ${ns ? `${ns}/` : ''}${name}`;
}
