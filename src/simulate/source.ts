import { propError } from '../core/enforce';
/**
 * Where a simulated request comes from: a workload's sidecar (the mesh) or an Istio Gateway, with the namespace and
 * labels that `exportTo`, `sourceNamespace`, `sourceLabels` and the DestinationRule lookup read.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */

/** Options of {@link TrafficSource.mesh}. */
export interface MeshSourceOptions {
  /**
   * Namespace of the calling workload: short hosts resolve in it, `exportTo` is read from it, `sourceNamespace`
   * matches it, and its DestinationRules are looked up first.
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Pod labels of the calling workload (what `match.sourceLabels` compares).
   * @default - none
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
   */
  readonly labels?: { [key: string]: string };
}

/** Options of {@link TrafficSource.gateway}. */
export interface GatewaySourceOptions {
  /**
   * Namespace the gateway's proxy runs in (`exportTo` visibility, `sourceNamespace`, DestinationRule lookup).
   * @default - the Gateway's namespace
   */
  readonly namespace?: string;
  /**
   * Labels of the gateway's pods (what `match.sourceLabels` compares).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** Where a simulated request enters: a sidecar of the mesh, or an Istio Gateway. */
export class TrafficSource {
  /** A request sent by a workload's sidecar (VirtualServices bound to `mesh`, or to no gateway). */
  public static mesh(options: MeshSourceOptions = {}): TrafficSource {
    return new TrafficSource(undefined, options.namespace ?? 'default', { ...(options.labels ?? {}) });
  }

  /**
   * A request arriving at the Gateway `namespace/name` (VirtualServices that list it in `gateways`).
   * @param gateway the Gateway as `namespace/name`
   */
  public static gateway(gateway: string, options: GatewaySourceOptions = {}): TrafficSource {
    const m = typeof gateway === 'string' ? /^([^/\s]+)\/([^/\s]+)$/.exec(gateway) : null;
    if (!m) {
      propError({ path: 'TrafficSource.gateway', prop: 'gateway' }, {
        value: gateway, expected: 'a gateway as "namespace/name"', fix: 'Name the gateway with its namespace, e.g. "istio-system/bookinfo-gateway".',
      });
    }
    return new TrafficSource(gateway, options.namespace ?? m[1], { ...(options.labels ?? {}) });
  }

  /** The Gateway (`namespace/name`), or undefined for the mesh. @default - undefined: the mesh */
  public readonly gatewayName?: string;
  /** The namespace of the sending proxy. */
  public readonly namespace: string;
  /** The labels of the sending proxy's pod. */
  public readonly labels: { [key: string]: string };

  private constructor(gatewayName: string | undefined, namespace: string, labels: { [key: string]: string }) {
    this.gatewayName = gatewayName;
    this.namespace = namespace;
    this.labels = labels;
  }
}
