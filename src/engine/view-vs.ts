import { MESH_GATEWAY } from '../core/gateway-ref';
import { arr, isRecord } from '../core/json';
import { IstioObject } from './types';
/** Reading VirtualServices the way every VS rule needs: route sections, route names, destinations, bindings. */

/** The three route sections of a VirtualService. */
export const SECTIONS = ['http', 'tcp', 'tls'] as const;

/** ` (route "<name>")` for a named route, else empty. */
export function routeSuffix(route: unknown): string {
  return isRecord(route) && typeof route.name === 'string' && route.name ? ` (route "${route.name}")` : '';
}

/** Name of the i-th route for messages: `route "<name>"`, or `http[i]`. */
export function routeLabel(route: unknown, index: number, section = 'http'): string {
  return isRecord(route) && typeof route.name === 'string' && route.name ? `route "${route.name}"` : `${section}[${index}]`;
}

/**
 * Field path of the i-th route of a section, plus an optional tail, with the route's name when it has one:
 * `spec.http[2].match[1] (route "api")`.
 */
export function routeRef(route: unknown, index: number, section: string = 'http', tail: string = ''): string {
  return `spec.${section}[${index}]${tail}${routeSuffix(route)}`;
}

/** Calls `visit(route, i, name)` for every HTTP route of a VirtualService that is an object. */
export function forEachHttpRoute(o: IstioObject, visit: (route: Record<string, any>, i: number, name: string) => void): void {
  arr(o.spec.http).forEach((route, i) => {
    if (isRecord(route)) visit(route, i, routeLabel(route, i));
  });
}

/** Whether a VirtualService applies to sidecars (no `gateways`, or `mesh` listed). */
export function isMeshBound(spec: any): boolean {
  const gateways = arr(spec.gateways);
  return gateways.length === 0 || gateways.includes(MESH_GATEWAY);
}

/** One destination of a VirtualService (route destination or HTTP mirror) with a string host. */
export interface DestinationRef {
  /** The `Destination` object (host, subset, port). */
  readonly destination: Record<string, any>;
  readonly host: string;
  readonly subset?: string;
  /** For messages: `route "primary" destination 1`, `http[0] mirror`, `route "a" mirrors[0]`. */
  readonly where: string;
  /** Field path, e.g. `spec.http[0].route[1].destination`. */
  readonly path: string;
  /** ` (route "primary")` when the route is named, else empty. */
  readonly routeName: string;
  /** Whether it is a mirror rather than a route destination. */
  readonly mirror: boolean;
}

/** A {@link DestinationRef} whose message strings are built when first read. */
class LazyDestinationRef implements DestinationRef {
  constructor(
    public readonly destination: Record<string, any>,
    public readonly host: string,
    public readonly subset: string | undefined,
    private readonly route: unknown,
    private readonly section: string,
    private readonly index: number,
    /** Field path below the route, e.g. `.route[1].destination`. */
    private readonly tail: string,
    /** Its place in the route for messages, e.g. `destination 1`. */
    private readonly place: string,
    public readonly mirror: boolean,
  ) {}

  public get where(): string {
    return `${routeLabel(this.route, this.index, this.section)} ${this.place}`;
  }

  public get path(): string {
    return `spec.${this.section}[${this.index}]${this.tail}`;
  }

  public get routeName(): string {
    return routeSuffix(this.route);
  }
}

/** Pure memo of {@link destinationsOf}, weakly keyed by the spec: several rules ask about the same object. */
const destinationCache = new WeakMap<object, DestinationRef[]>();

/** Every route destination (http, tcp, tls) and HTTP mirror (`mirror`, `mirrors[].destination`) of a VirtualService spec. */
export function destinationsOf(spec: any): DestinationRef[] {
  const cached = isRecord(spec) ? destinationCache.get(spec) : undefined;
  if (cached) return cached;
  const out: DestinationRef[] = [];
  // `where`, `path` and `routeName` are for messages: built on first read (most destinations never get a finding).
  const push = (d: unknown, route: unknown, section: string, i: number, tail: string, place: string, mirror: boolean) => {
    if (isRecord(d) && typeof d.host === 'string') {
      out.push(new LazyDestinationRef(d, d.host, typeof d.subset === 'string' && d.subset ? d.subset : undefined, route, section, i, tail, place, mirror));
    }
  };
  for (const section of SECTIONS) {
    arr(isRecord(spec) ? spec[section] : undefined).forEach((route, i) => {
      arr(route?.route).forEach((r, j) => push(isRecord(r) ? r.destination : undefined, route, section, i, `.route[${j}].destination`, `destination ${j}`, false));
      if (section === 'http' && isRecord(route)) {
        push(route.mirror, route, section, i, '.mirror', 'mirror', true);
        arr(route.mirrors).forEach((m, k) => push(isRecord(m) ? m.destination : undefined, route, section, i, `.mirrors[${k}].destination`, `mirrors[${k}]`, true));
      }
    });
  }
  if (isRecord(spec)) destinationCache.set(spec, out);
  return out;
}

/** Every gateway reference of a VirtualService (`spec.gateways` and route `match.gateways`), with its path. */
export function gatewayRefs(spec: any): Array<{ ref: unknown; where: string; topLevel: boolean }> {
  const out: Array<{ ref: unknown; where: string; topLevel: boolean }> = [];
  arr(spec.gateways).forEach((ref, i) => out.push({ ref, where: `spec.gateways[${i}]`, topLevel: true }));
  for (const section of ['http', 'tls', 'tcp']) {
    arr(spec[section]).forEach((route, i) => arr(isRecord(route) ? route.match : undefined).forEach((m, j) => {
      arr(isRecord(m) ? m.gateways : undefined).forEach((ref, k) => out.push({ ref, where: `spec.${section}[${i}].match[${j}].gateways[${k}]`, topLevel: false }));
    }));
  }
  return out;
}
