import { arr, isObject } from './manifest';

/** The three route sections of a VirtualService. */
export const SECTIONS = ['http', 'tcp', 'tls'] as const;

/** Whether `value` is a non-empty array. */
export function nonEmpty(value: unknown): boolean {
  return arr(value).length > 0;
}

/** Whether a field is set (present and not null), the way Istio's Go structs see a message field. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Field path of the i-th route of a section, plus an optional tail, with the route's name when it has one:
 * `spec.http[2].match[1] (route "api")`.
 */
export function routeRef(route: unknown, index: number, section: string = 'http', tail: string = ''): string {
  return `spec.${section}[${index}]${tail}${routeSuffix(route)}`;
}

/** ` (route "<name>")` for a named route, else empty. */
export function routeSuffix(route: unknown): string {
  return isObject(route) && typeof route.name === 'string' && route.name ? ` (route "${route.name}")` : '';
}

/** Key-order independent serialization, to compare match conditions structurally. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** One destination object of a VirtualService (route destination or mirror), with its field path. */
export interface DestinationSite {
  /** The `Destination` object (host, subset, port). */
  readonly destination: Record<string, any>;
  /** Field path, e.g. `spec.http[0].route[1].destination`. */
  readonly path: string;
  /** ` (route "primary")` when the route is named, else empty: append after the path (and any tail). */
  readonly routeName: string;
}

/**
 * Every route destination (http, tcp, tls) and HTTP mirror (`mirror`, `mirrors[].destination`) of a
 * VirtualService spec that is an object with a non-empty string host. Malformed entries are skipped.
 */
export function destinationSites(spec: any): DestinationSite[] {
  const out: DestinationSite[] = [];
  const push = (d: unknown, route: Record<string, any>, path: string) => {
    if (isObject(d) && typeof d.host === 'string' && d.host !== '') {
      out.push({ destination: d, path, routeName: routeSuffix(route) });
    }
  };
  for (const section of SECTIONS) {
    arr(spec?.[section]).forEach((route, i) => {
      if (!isObject(route)) return;
      const at = `spec.${section}[${i}]`;
      arr(route.route).forEach((r, j) => push(isObject(r) ? r.destination : undefined, route, `${at}.route[${j}].destination`));
      if (section === 'http') {
        push(route.mirror, route, `${at}.mirror`);
        arr(route.mirrors).forEach((m, k) => push(isObject(m) ? m.destination : undefined, route, `${at}.mirrors[${k}].destination`));
      }
    });
  }
  return out;
}
