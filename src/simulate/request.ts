import { propError } from '../core/enforce';
import { normalizeHost } from '../core/hosts';
import { isRecord } from '../core/json';
import { TrafficSource } from './source';
import { SimulationRequest } from './types';
/**
 * A simulated request as Envoy sees it: `:path` split from its query string, header names lower-cased (HTTP/2 and
 * Envoy compare them lower-case), the authority split into host and port.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routematch
 */

/** The request with everything the matchers read. */
export interface NormalizedRequest {
  readonly source: TrafficSource;
  /** `:authority` as sent (host and optional port). */
  readonly authority: string;
  /** The host of the authority, lower-cased, without a trailing dot. */
  readonly authorityHost: string;
  /** The port in the authority, if any. */
  readonly authorityPort?: number;
  /** The port given explicitly. */
  readonly port?: number;
  readonly method: string;
  readonly scheme: string;
  /** `:path` as sent, query string included (what a prefix match reads). */
  readonly fullPath: string;
  /** The path without the query string (what exact and regex matches read). */
  readonly path: string;
  /** Header name (lower-case) → value, pseudo-headers `:method`, `:authority`, `:scheme`, `:path` included. */
  readonly headers: ReadonlyMap<string, string>;
  /** Query parameter name → first value (`?a` alone has the value ""). */
  readonly query: ReadonlyMap<string, string>;
}

const WHERE = { path: 'RouteSimulator.simulate', prop: 'request' };

/** Reads and checks a {@link SimulationRequest}. Throws a PROP error for a request that cannot be an HTTP request. */
export function normalizeRequest(request: SimulationRequest): NormalizedRequest {
  if (!isRecord(request)) propError(WHERE, { value: request, expected: 'a request object', fix: 'Pass { authority: "reviews", path: "/" }.' });
  const authority = request.authority;
  if (typeof authority !== 'string' || authority.trim() === '') {
    propError({ ...WHERE, prop: 'authority' }, { value: authority, expected: 'a host, optionally with a port', fix: 'Set authority, e.g. "reviews" or "bookinfo.example.com:8080".' });
  }
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(authority.trim())!;
  const authorityPort = m[2] !== undefined ? Number(m[2]) : undefined;
  if (authorityPort !== undefined && (authorityPort < 1 || authorityPort > 65535)) {
    propError({ ...WHERE, prop: 'authority' }, { value: authority, expected: 'a host with a port 1-65535', fix: 'Give the port as sent, e.g. "reviews:9080".' });
  }
  const port = request.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    propError({ ...WHERE, prop: 'port' }, { value: port, expected: 'an integer 1-65535', fix: 'Give the service or gateway port, e.g. 9080.' });
  }
  const rawPath = request.path ?? '/';
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/')) {
    propError({ ...WHERE, prop: 'path' }, { value: rawPath, expected: 'a path starting with "/"', fix: 'Give the path as sent, e.g. "/api/v2/reviews?limit=5".' });
  }
  const method = (request.method ?? 'GET').toUpperCase();
  const scheme = (request.scheme ?? 'http').toLowerCase();
  const cut = rawPath.search(/[?#]/);
  const path = cut < 0 ? rawPath : rawPath.slice(0, cut);
  const query = new Map<string, string>();
  const queryText = cut >= 0 && rawPath[cut] === '?' ? rawPath.slice(cut + 1).split('#')[0] : '';
  for (const pair of queryText.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    if (!query.has(name)) query.set(name, eq < 0 ? '' : decode(pair.slice(eq + 1)));
  }
  for (const [name, value] of Object.entries(request.queryParams ?? {})) if (!query.has(name)) query.set(name, String(value));
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name.toLowerCase(), String(value));
  headers.set(':method', method);
  headers.set(':authority', authority.trim());
  headers.set(':scheme', scheme);
  headers.set(':path', rawPath);
  return {
    source: request.source ?? TrafficSource.mesh(),
    authority: authority.trim(), authorityHost: normalizeHost(m[1]), ...(authorityPort !== undefined ? { authorityPort } : {}),
    ...(port !== undefined ? { port } : {}), method, scheme, fullPath: rawPath, path, headers, query,
  };
}

/** Percent-decoding as Envoy decodes query parameters (`+` stays `+`); undecodable text stays as written. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
