import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { checkHost, checkLabels, enforce, isBuilt, propError, Where } from '../core/enforce';
import { toDnsLabel } from '../core/grammar';
import { isRecord } from '../core/json';
import { GATEWAY_API_GROUP } from '../core/k8s';
import { subsetLabelsProblem } from '../core/subsets';
import { show } from '../core/text';

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes objects recognised by shape. Nothing here loads or names a cdk8s-plus version: a Service or a
// workload is any construct whose rendered manifest has the right fields, so cdk8s-plus 32, 33, 34 (whose classes
// are unrelated for `instanceof`) and plain cdk8s `ApiObject`s are all accepted.
// ---------------------------------------------------------------------------------------------------------------

/**
 * The ApiObject a construct renders: the construct itself when it is an `ApiObject`, else its default child
 * (cdk8s-plus resources keep theirs as the child `Resource`). `ApiObject.isApiObject` and `Construct.isConstruct`
 * test symbols, so they hold across copies of cdk8s and constructs.
 */
function apiObjectOf(value: unknown): ApiObject | undefined {
  if (!Construct.isConstruct(value)) return undefined;
  if (ApiObject.isApiObject(value)) return value;
  try {
    return ApiObject.of(value);
  } catch {
    return undefined;
  }
}

/** How a value is named in messages: `Deployment (apps/v1) "reviews-v1"` for a Kubernetes object. */
export function describeRef(value: unknown): string {
  const obj = apiObjectOf(value);
  if (obj) return `${obj.kind} (${obj.apiVersion}) ${show(obj.name)}`;
  if (Construct.isConstruct(value)) return `construct ${show(value.node.path)}`;
  return show(value);
}

function isService(obj: ApiObject): boolean {
  return obj.kind === 'Service' && obj.apiVersion === 'v1';
}

/** `name.namespace.svc.cluster.local` (namespace from the object, else its Chart), or the short name without one. */
function serviceFqdn(obj: ApiObject): string {
  const namespace = obj.metadata.namespace ?? Chart.of(obj).namespace;
  return namespace ? `${obj.name}.${namespace}.svc.cluster.local` : obj.name;
}

/**
 * The host of a Kubernetes Service construct (a cdk8s-plus `Service` of any version, or an `ApiObject` with
 * `apiVersion: v1`, `kind: Service`), or `undefined` when `value` is not one.
 */
export function serviceHostOf(value: unknown): string | undefined {
  const obj = apiObjectOf(value);
  return obj && isService(obj) ? serviceFqdn(obj) : undefined;
}

/**
 * The `namespace/name` reference of an Istio Gateway construct (an `ApiObject` of kind Gateway, group
 * networking.istio.io; namespace from the object, else its Chart, else the short name), or `undefined`.
 */
export function gatewayRefOf(value: unknown): string | undefined {
  const obj = apiObjectOf(value);
  if (!obj || obj.kind !== 'Gateway' || !obj.apiVersion.startsWith('networking.istio.io/')) return undefined;
  const namespace = obj.metadata.namespace ?? Chart.of(obj).namespace;
  return namespace ? `${namespace}/${obj.name}` : obj.name;
}

/**
 * The `namespace/name` reference of a Gateway API Gateway construct (an `ApiObject` of kind Gateway, group
 * gateway.networking.k8s.io, or a construct whose default child is one, such as an IngressGateway written in the
 * Gateway API), or `undefined`.
 */
export function gatewayApiRefOf(value: unknown): { name: string; namespace?: string } | undefined {
  const obj = apiObjectOf(value);
  if (!obj || obj.kind !== 'Gateway' || !obj.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`)) return undefined;
  const namespace = obj.metadata.namespace ?? Chart.of(obj).namespace;
  return { name: obj.name, ...(namespace ? { namespace } : {}) };
}

/** One port of a Kubernetes Service, as rendered. */
export interface ServicePortShape {
  readonly port: number;
  readonly name?: string;
  readonly targetPort?: number | string;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

/**
 * The selector and ports of a Service construct, read from its rendered manifest (cdk8s-plus of any version or an
 * `ApiObject`), or `undefined` when `value` is not a Service or cannot be rendered yet.
 */
export function serviceShapeOf(value: unknown): { selector?: Record<string, string>; ports: ServicePortShape[] } | undefined {
  const obj = apiObjectOf(value);
  if (!obj || !isService(obj)) return undefined;
  try {
    const spec = obj.toJson()?.spec;
    const selector = isRecord(spec?.selector) ? Object.fromEntries(Object.entries(spec.selector).filter(([, v]) => typeof v === 'string')) as Record<string, string> : undefined;
    const ports = (Array.isArray(spec?.ports) ? spec.ports : []).filter((p: unknown) => isRecord(p) && typeof p.port === 'number').map((p: any) => ({
      port: p.port,
      ...(typeof p.name === 'string' ? { name: p.name } : {}),
      ...(typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? { targetPort: p.targetPort } : {}),
      ...(typeof p.protocol === 'string' ? { protocol: p.protocol } : {}),
      ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}),
    }));
    return { ...(selector && Object.keys(selector).length > 0 ? { selector } : {}), ports };
  } catch {
    return undefined;
  }
}

const SERVICE_EXPECTED = 'a Kubernetes Service construct (a cdk8s-plus Service, or an ApiObject of kind Service, apiVersion v1)';

/**
 * Resolves a host given as a hostname string (X-03 on bad grammar) or a Service construct (its FQDN). PROP for
 * anything else.
 */
export function resolveHost(source: string | IConstruct, scope: IConstruct, prop: string): string {
  const path = scope.node.path;
  if (typeof source === 'string') return checkHost(source, { path, prop });
  const host = serviceHostOf(source);
  if (host !== undefined) return host;
  return propError({ path, prop }, {
    value: source, shown: describeRef(source), expected: `a hostname string or ${SERVICE_EXPECTED}`,
    message: `${prop} ${describeRef(source)} is neither a hostname nor a Kubernetes Service`,
    fix: 'Pass a host such as "reviews.bookinfo.svc.cluster.local" or a Service construct.',
  });
}

/** The host props of the constructs that route one service: a hostname, or a Service to derive it from. */
export interface HostChoice {
  readonly host?: string;
  readonly service?: IConstruct;
}

/**
 * Resolves `host` / `service` (exactly one must be set) to the service host: `host` is checked with X-03's
 * grammar, `service` must be a Kubernetes Service construct (PROP otherwise) and gives
 * `name.namespace.svc.cluster.local`.
 */
export function resolveServiceHost(props: HostChoice, scope: IConstruct, options: { readonly allowWildcard?: boolean } = {}): string {
  const path = scope.node.path;
  const { host, service } = props;
  if (host !== undefined && service !== undefined) {
    return propError({ path, prop: 'service' }, {
      value: service, shown: `host ${show(host)} and service ${describeRef(service)}`, expected: 'either host or service',
      message: 'host and service are both set', fix: 'Set only service (the host is derived from it), or only host.',
    });
  }
  if (service !== undefined) {
    const derived = serviceHostOf(service);
    if (derived !== undefined) return derived;
    return propError({ path, prop: 'service' }, {
      value: service, shown: describeRef(service), expected: SERVICE_EXPECTED,
      message: `service ${describeRef(service)} is not a Kubernetes Service`,
      fix: 'Pass the Service construct that selects the pods (e.g. a cdk8s-plus Service), or set host to a hostname.',
    });
  }
  if (typeof host === 'string') return checkHost(host, { path, prop: 'host' }, { allowWildcard: options.allowWildcard === true });
  if (host === undefined) {
    return propError({ path, prop: 'host' }, {
      value: host, expected: 'a hostname string, or a Service construct in service',
      message: 'neither host nor service is set', fix: 'Set host: "reviews.bookinfo.svc.cluster.local", or service: a Service construct.',
    });
  }
  return propError({ path, prop: 'host' }, {
    value: host, shown: describeRef(host), expected: 'a hostname string',
    message: `host ${describeRef(host)} is not a hostname string`,
    fix: serviceHostOf(host) !== undefined
      ? 'Pass a Service construct as service, not host: the host is derived from it.'
      : 'Pass a host such as "reviews.bookinfo.svc.cluster.local".',
  });
}

const CDK8S_LABEL_PREFIX = 'cdk8s.io/';

/**
 * The pods of one version of a service, as a DestinationRule subset selects them: explicit labels, or the pod
 * template labels of a workload.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset
 */
export class Subset {
  /**
   * Pods carrying these labels, e.g. `Subset.fromLabels({ app: 'reviews', version: 'v2' })`. They must select at
   * least one label (DR-03) in valid Kubernetes label syntax.
   */
  public static fromLabels(labels: { [key: string]: string }): Subset {
    return new Subset(labels, undefined);
  }

  /**
   * The pods of a workload: its pod template labels (`spec.template.metadata.labels` of the rendered manifest),
   * without the `cdk8s.io/` bookkeeping labels. Any construct whose manifest has a pod template: a cdk8s-plus
   * `Deployment`, `StatefulSet` or `DaemonSet` of any version, or a plain `ApiObject`. The labels are read when
   * the construct using the subset is created.
   */
  public static fromWorkload(workload: IConstruct): Subset {
    return new Subset(undefined, workload);
  }

  /**
   * Every endpoint of the host: a subset without labels, Istio's way to attach a policy to some routes of a host
   * (the egress-gateway and TLS-origination tasks). Rule DR-03 warns when it is the only subset of its
   * DestinationRule and refuses it next to others (it would overlap each of them).
   */
  public static allEndpoints(): Subset {
    return new Subset({}, undefined, true);
  }

  private constructor(private readonly labels: { [key: string]: string } | undefined, private readonly workload: IConstruct | undefined,
    private readonly all = false) {}

  /**
   * The subset's labels, checked: PROP when the labels are not a map or the workload has no pod template, DR-03
   * when no label is left, X-08 on bad label syntax. Sorted.
   * @internal
   */
  public _resolveLabels(scope: IConstruct, prop: string): Record<string, string> {
    const path = scope.node.path;
    if (this.all) return {};
    const labels = this.workload !== undefined ? workloadLabels(this.workload, path, prop) : this.labels;
    if (!isRecord(labels)) {
      return propError({ path, prop: `${prop}.labels` }, {
        value: labels, expected: 'a map of label keys to values', fix: `Pass labels such as Subset.fromLabels({ version: 'v2' }).`,
      });
    }
    enforce(subsetLabelsProblem, [labels], {
      path, prop: `${prop}.labels`, value: '{}', allowed: 'at least one label',
      message: () => `${prop} selects no labels, so the subset would match every pod of the service`,
      fix: this.workload !== undefined
        ? `Give the pods of ${describeRef(this.workload)} a distinguishing label, e.g. podMetadata: { labels: { version: 'v2' } } in cdk8s-plus, or spec.template.metadata.labels.`
        : `Give ${prop} labels that only its pods carry, e.g. Subset.fromLabels({ version: 'v2' }).`,
    });
    return checkLabels(labels, { path, prop: `${prop}.labels` });
  }
}

/** The pod template labels of a workload's manifest, without the `cdk8s.io/` ones; PROP when it has no pod template. */
function workloadLabels(workload: IConstruct, path: string, prop: string): Record<string, string> {
  const obj = apiObjectOf(workload);
  const template = obj ? podTemplate(obj, workload, { path, prop }) : undefined;
  if (!obj || !template) {
    return propError({ path, prop }, {
      value: workload, shown: describeRef(workload), expected: 'a workload: a construct whose manifest has a pod template (spec.template), e.g. a Deployment',
      message: `${prop} ${describeRef(workload)} is not a workload with a pod template`,
      fix: `Pass the Deployment (or StatefulSet, DaemonSet) that runs the version's pods, or use Subset.fromLabels({ version: 'v2' }).`,
    });
  }
  const all = isRecord(template.metadata) && isRecord(template.metadata.labels) ? template.metadata.labels : {};
  const labels: Record<string, string> = {};
  for (const key of Object.keys(all)) {
    if (!key.startsWith(CDK8S_LABEL_PREFIX)) labels[key] = all[key];
  }
  return labels;
}

/**
 * `spec.template` of the synthesized manifest. A cdk8s-plus workload whose manifest cannot be rendered yet (no
 * container added so far) falls back to its `podMetadata`, which is what its template's metadata renders from.
 */
function podTemplate(obj: ApiObject, workload: IConstruct, where: Where): Record<string, any> | undefined {
  let json: unknown;
  try {
    json = obj.toJson();
  } catch (e) {
    const podMetadata = (workload as { podMetadata?: { toJson?: () => unknown } }).podMetadata;
    if (podMetadata && typeof podMetadata.toJson === 'function') return { metadata: podMetadata.toJson() };
    return propError(where, {
      value: workload, shown: describeRef(workload), expected: 'a workload whose manifest can be rendered',
      message: `${where.prop} ${describeRef(workload)} cannot be rendered yet (${e instanceof Error ? e.message : show(e)})`,
      fix: `Complete the workload before creating the construct that uses it, or use Subset.fromLabels({ version: 'v2' }).`,
    });
  }
  const spec = isRecord(json) ? json.spec : undefined;
  return isRecord(spec) && isRecord(spec.template) ? spec.template : undefined;
}

/**
 * Labels that select a subset's pods, checked (PROP for a value that is not a `Subset`; see `Subset`).
 */
export function resolveSubsetLabels(source: Subset, scope: IConstruct, prop: string): Record<string, string> {
  if (!isBuilt(source, Subset)) {
    return propError({ path: scope.node.path, prop }, {
      value: source, shown: describeRef(source), expected: 'a Subset',
      message: `${prop} ${describeRef(source)} is not a Subset`,
      fix: `Pass ${prop}: Subset.fromLabels({ version: 'v2' }) or Subset.fromWorkload(deployment).`,
    });
  }
  return source._resolveLabels(scope, prop);
}

/**
 * The default `metadata.name` for the objects of `host` in `namespace`: the Service name for a Service of that
 * namespace (`reviews` for `reviews.bookinfo.svc.cluster.local` in bookinfo, or a short host), else the whole host
 * as a DNS label (`reviews-other` for another namespace's Service, `api-example-com` for an external host), so two
 * hosts in one namespace do not default to the same name.
 */
export function defaultName(host: string, namespace: string | undefined): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  const local = /^([^.*]+)\.([^.]+)\.svc\.cluster\.local$/.exec(h);
  if (!h.includes('.')) return shortName(h);
  if (local && (namespace === undefined || local[2] === namespace)) return local[1];
  return toDnsLabel(h.replace(/^\*\./, 'wildcard.').replace(/\.svc\.cluster\.local$/, ''));
}

/** The first DNS label of a host, e.g. `reviews` for `reviews.bookinfo.svc.cluster.local`. */
export function shortName(host: string): string {
  return host.replace(/^\*\./, 'wildcard.').split('.')[0].toLowerCase();
}
