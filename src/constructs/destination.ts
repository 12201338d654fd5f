import { IConstruct } from 'constructs';
import { checkHost, checkKeys, checkOptions, checkPort, enforce, propError, readingProps, Where } from '../core/enforce';
import { buildValue } from '../core/problems';
import { isRecord } from '../core/json';
import { routeWeightProblem } from '../core/split';
import { show } from '../core/text';
import { HeaderOperations, renderHeaders } from '../policies/route';
import { describeRef, serviceHostOf } from './refs';

/** Options of a {@link Destination}: port, weight and header manipulation. */
export interface DestinationOptions {
  /**
   * Port of the destination host, 1-65535; needed when its Service exposes several ports (VS-14).
   * @default - the route's port, else none (the host's only port)
   */
  readonly port?: number;
  /**
   * Share of the route's traffic, integer percent 0-100; the weights of one route sum to 100 (VS-11).
   * @default - all of it for a single destination
   */
  readonly weight?: number;
  /**
   * Header manipulation for requests to this destination only.
   * @default - none
   */
  readonly headers?: HeaderOperations;
}

/** Options of {@link Destination.host} and {@link Destination.service}: those of any destination, and a subset. */
export interface HostDestinationOptions extends DestinationOptions {
  /**
   * Subset of the host, defined by a DestinationRule for that host (VS-16).
   * @default - no subset: every endpoint of the host
   */
  readonly subset?: string;
}

/** The rendered Istio `HTTPRouteDestination` / `RouteDestination`. */
export interface RenderedDestination {
  readonly destination: { readonly host: string; readonly subset?: string; readonly port?: { readonly number: number } };
  readonly weight?: number;
  readonly headers?: Record<string, unknown>;
}

/**
 * Where a route sends requests (Istio `Destination` with its `weight` and `headers`): a subset of the routed host,
 * another host, or a Kubernetes Service.
 *
 * ```ts
 * Destination.subset('v2', { weight: 20 })
 * Destination.host('productpage', { port: 9080 })
 * ```
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination
 */
export class Destination {
  /** Subset `name` of the host the construct routes (its DestinationRule defines it; VS-16). */
  public static subset(name: string, options: DestinationOptions = {}): Destination {
    return buildValue(Destination, () => {
      if (typeof name !== 'string') propError({ path: 'Destination.subset', prop: 'name' }, { value: name, expected: 'a subset name', fix: 'Name the subset, e.g. Destination.subset("v2").' });
      const o = checkOptions(options, { path: 'Destination.subset', prop: 'options' }, 'Pass options such as { weight: 20 }.');
      checkKeys(o as Record<string, unknown>, ['port', 'weight', 'headers'], { path: 'Destination.subset', prop: 'options' });
      return new Destination(undefined, { ...o, subset: name });
    });
  }

  /** Host `host` (a FQDN, a short name in the VirtualService's namespace, or a ServiceEntry host, `*.` wildcards included; X-03 grammar). */
  public static host(host: string, options: HostDestinationOptions = {}): Destination {
    return buildValue(Destination, () => {
      const where = { path: 'Destination.host', prop: 'host' };
      const o = checkOptions(options, { ...where, prop: 'options' }, 'Pass options such as { port: 9080 }.');
      checkKeys(o as Record<string, unknown>, ['port', 'weight', 'headers', 'subset'], { ...where, prop: 'options' });
      return new Destination(checkHost(host, where, { allowWildcard: true }), o);
    });
  }

  /**
   * The host of a construct: a Kubernetes Service (cdk8s-plus of any version, or an `ApiObject` of kind Service:
   * `name.namespace.svc.cluster.local`) or a construct of this library with a `host`.
   */
  public static service(service: IConstruct, options: HostDestinationOptions = {}): Destination {
    return buildValue(Destination, () => {
      const where = { path: 'Destination.service', prop: 'service' };
      // Read guarded: an unset variable (undefined), null or a Proxy that throws is PROP, never a TypeError.
      const host = readingProps(where, () => {
        const own = isRecord(service) ? (service as unknown as { host?: unknown }).host : undefined;
        return serviceHostOf(service) ?? (typeof own === 'string' ? own : undefined);
      });
      if (host === undefined) {
        propError(where, { value: service, shown: describeRef(service), expected: 'a Kubernetes Service or a construct with a host', message: `service ${describeRef(service)} has no host`, fix: 'Pass a Service construct, or use Destination.host("name.namespace.svc.cluster.local").' });
      }
      const o = checkOptions(options, { ...where, prop: 'options' }, 'Pass options such as { port: 9080 }.');
      checkKeys(o as Record<string, unknown>, ['port', 'weight', 'headers', 'subset'], { ...where, prop: 'options' });
      return new Destination(host, o);
    });
  }

  private constructor(private readonly host: string | undefined, private readonly options: HostDestinationOptions) {}

  /**
   * The rendered destination: `routed` is the construct's host (for subsets), `port` its default port.
   * @internal
   */
  public _render(routed: string, port: number | undefined, where: Where): RenderedDestination {
    const o = this.options;
    const destinationPort = o.port !== undefined ? checkPort(o.port, { ...where, prop: `${where.prop}.port` }) : this.host === undefined || this.host === routed ? port : undefined;
    if (o.subset !== undefined && typeof o.subset !== 'string') propError({ ...where, prop: `${where.prop}.subset` }, { value: o.subset, expected: 'a subset name', fix: 'Name the subset, e.g. "v2".' });
    if (o.weight !== undefined) {
      const weight = o.weight;
      enforce(routeWeightProblem, [weight, 100], () => ({
        ...where, prop: `${where.prop}.weight`, allowed: 'integer 0-100',
        message: () => `${where.prop}.weight must be an integer 0-100 (received ${show(weight)})`, fix: 'Give each destination a whole percentage; the weights of a route sum to 100.',
      }));
    }
    return {
      destination: {
        host: this.host ?? routed,
        ...(o.subset !== undefined ? { subset: o.subset } : {}),
        ...(destinationPort !== undefined ? { port: { number: destinationPort } } : {}),
      },
      ...(o.weight !== undefined ? { weight: o.weight } : {}),
      ...(o.headers !== undefined ? { headers: renderHeaders(o.headers, { ...where, prop: `${where.prop}.headers` }) } : {}),
    };
  }

  /**
   * The options a mirror or an L4 destination cannot carry that this destination sets (`weight`, `headers`).
   * @internal
   */
  public _extras(...fields: Array<'weight' | 'headers'>): string[] {
    return fields.filter((f) => this.options[f] !== undefined);
  }

  /**
   * Whether the destination names a subset of the routed host.
   * @internal
   */
  public get _subset(): string | undefined {
    return this.host === undefined ? this.options.subset : undefined;
  }
}
