/**
 * The part of Kubernetes' CEL URL library (`k8s.io/apiserver/pkg/cel/library/urls.go`) that the bundled CRDs use
 * (WasmPlugin and TrafficExtension `url` rules): `isURL(string)`, `url(string)` and the URL getters. A URL is
 * what Go's `url.ParseRequestURI` accepts: an absolute URI (`scheme:…`, `scheme://host[:port]/path`) or an
 * absolute path; control characters and spaces are refused. `@bufbuild/cel` has no such library.
 */
import type * as Cel from '@bufbuild/cel';
import { isIpAddress } from '../core/ip';

interface ParsedUrl { readonly scheme: string; readonly host: string; readonly hostname: string; readonly port: string; readonly path: string }

/** Go's `url.ParseRequestURI`, for the URLs CRD rules check; `undefined` when it would return an error. */
export function parseRequestUri(text: string): ParsedUrl | undefined {
  // eslint-disable-next-line no-control-regex
  if (text === '' || /[\u0000-\u0020\u007f]/.test(text)) return undefined;
  // Go unescapes the URL: every "%" must start a two-digit hex escape.
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  if (text.startsWith('/')) return { scheme: '', host: '', hostname: '', port: '', path: text.split('?')[0] };
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(text);
  if (!m) return undefined;
  const [, scheme, rest] = m;
  if (!rest.startsWith('//')) return rest === '' ? undefined : { scheme: scheme.toLowerCase(), host: '', hostname: '', port: '', path: '' };
  const afterSlashes = rest.slice(2);
  const end = afterSlashes.search(/[/?]/);
  const authority = end < 0 ? afterSlashes : afterSlashes.slice(0, end);
  const path = end < 0 ? '' : afterSlashes.slice(end).split('?')[0];
  const host = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  const bracket = /^\[([^\]]*)\](?::(\d*))?$/.exec(host);
  const plain = /^([^:[\]]*)(?::(\d*))?$/.exec(host);
  const parts = bracket ?? plain;
  if (!parts) return undefined;
  return { scheme: scheme.toLowerCase(), host, hostname: parts[1], port: parts[2] ?? '', path };
}

function asMap(celMap: typeof Cel.celMap, u: ParsedUrl) {
  return celMap(new Map([['scheme', u.scheme], ['host', u.host], ['hostname', u.hostname], ['port', u.port], ['path', u.path]]));
}

function field(key: keyof ParsedUrl) {
  return function (this: { get(k: string): unknown }): string {
    const v = this.get(key);
    return typeof v === 'string' ? v : '';
  };
}

/**
 * The URL functions and `isIP(string)` of Kubernetes' CEL IP library (`k8s.io/apiserver/pkg/cel/library/ip.go`, used
 * by the Gateway API CRDs' TLSRoute hostnames: an IPv4 or IPv6 address without a zone, leading zeros or an
 * IPv4-mapped IPv6 form), for the CEL environment of the schema check. Built from the CEL library `cel` passed in
 * (loaded only when a rule is evaluated).
 */
export function k8sCelFuncs(cel: typeof Cel) {
  const { celFunc, celMethod, CelScalar, mapType } = cel;
  /** A parsed URL, as a string map (the library's URL object is opaque: only its getters are used). */
  const URL_TYPE = mapType(CelScalar.STRING, CelScalar.STRING);
  return [
    celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s: string) => parseRequestUri(s) !== undefined),
    celFunc('url', [CelScalar.STRING], URL_TYPE, (s: string) => {
      const parsed = parseRequestUri(s);
      if (!parsed) throw new Error(`URL parse error during conversion from string: ${JSON.stringify(s)}`);
      return asMap(cel.celMap, parsed);
    }),
    celMethod('getScheme', URL_TYPE, [], CelScalar.STRING, field('scheme')),
    celMethod('getHost', URL_TYPE, [], CelScalar.STRING, field('host')),
    celMethod('getHostname', URL_TYPE, [], CelScalar.STRING, field('hostname')),
    celMethod('getPort', URL_TYPE, [], CelScalar.STRING, field('port')),
    celMethod('getEscapedPath', URL_TYPE, [], CelScalar.STRING, field('path')),
    celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s: string) => isIpAddress(s) && !isIpv4Mapped(s)),
  ];
}

/** Whether an IPv6 address is IPv4-mapped (`::ffff:1.2.3.4`, `::ffff:102:304`), after WHATWG normalization. */
function isIpv4Mapped(s: string): boolean {
  if (!s.includes(':')) return false;
  return /^\[::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}\]$/.test(new URL(`http://[${s}]/`).hostname);
}
