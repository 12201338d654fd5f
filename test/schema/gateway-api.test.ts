import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { compileRule } from '../../src/schema/cel';
import { validateManifest } from '../../src/schema/crd-validator';
import { servedKinds } from '../../src/schema/crd-schema';

const DIR = path.join(__dirname, '..', '..', 'crds', 'gateway-api');
const API = 'gateway.networking.k8s.io/v1';
type Obj = Record<string, any>;

const route = (spec: Obj, kind = 'HTTPRoute'): Obj => ({ apiVersion: API, kind, metadata: { name: 'r', namespace: 'shop' }, spec });
const messages = (o: Obj): string[] => validateManifest(o).map((i) => `${i.path} ${i.message}`);

// Seed 001's Gateway API example, as written there.
const PUBLIC_GATEWAY: Obj = {
  apiVersion: API, kind: 'Gateway', metadata: { name: 'public-gateway', namespace: 'istio-ingress' },
  spec: {
    gatewayClassName: 'istio',
    listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-example-com-cert' }] } }],
  },
};
const SHOP_ROUTE: Obj = {
  apiVersion: API, kind: 'HTTPRoute', metadata: { name: 'shop-route', namespace: 'commerce' },
  spec: {
    parentRefs: [{ name: 'public-gateway', namespace: 'istio-ingress' }],
    hostnames: ['shop.example.com'],
    rules: [{
      matches: [{ path: { type: 'PathPrefix', value: '/api/' } }],
      backendRefs: [{ name: 'shop-api', port: 8080, weight: 90 }, { name: 'shop-api-canary', port: 8080, weight: 10 }],
    }],
  },
};

describe('Gateway API CRDs (standard channel) are bundled', () => {
  it('serves every kind of the channel at its served versions', () => {
    const kinds = servedKinds().filter((k) => k.startsWith('gateway.networking.k8s.io/'));
    for (const k of ['v1/Gateway', 'v1/GatewayClass', 'v1/HTTPRoute', 'v1/GRPCRoute', 'v1/TLSRoute', 'v1/TCPRoute', 'v1beta1/ReferenceGrant', 'v1/ReferenceGrant', 'v1/BackendTLSPolicy', 'v1beta1/HTTPRoute']) {
      expect(kinds).toContain(`gateway.networking.k8s.io/${k}`);
    }
    // Versions the channel does not serve are refused as the API server refuses them.
    expect(messages({ ...route({ rules: [] }, 'TLSRoute'), apiVersion: 'gateway.networking.k8s.io/v1alpha2' })[0]).toMatch(/not a version the Gateway API v1\.6\.1 \(standard channel\) CRDs serve \(served: gateway.networking.k8s.io\/v1\)/);
  });

  const rules: string[] = [];
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'x-kubernetes-validations' && Array.isArray(value)) value.forEach((v) => rules.push(v.rule));
      else collect(value);
    }
  };
  for (const f of fs.readdirSync(DIR).filter((x) => x.endsWith('.yaml'))) parseAllDocuments(fs.readFileSync(path.join(DIR, f), 'utf8')).forEach((d) => collect(d.toJS()));

  it('finds the rules', () => {
    expect(new Set(rules).size).toBeGreaterThan(70);
  });

  it.each([...new Set(rules)])('compiles %s', (rule) => {
    // Every function the rules call exists (isIP, index, duration, …): nothing is skipped in silence.
    expect(compileRule(rule).compileError).toBeUndefined();
  });
});

describe('seed 001 Gateway API example', () => {
  it('passes the schema and every CEL rule', () => {
    expect(messages(PUBLIC_GATEWAY)).toEqual([]);
    expect(messages(SHOP_ROUTE)).toEqual([]);
  });

  it('applies the schema defaults before the CEL rules (parentRef group and kind)', () => {
    // Without defaulting, the parentRef rules would fail on the absent `group`.
    const copy = JSON.parse(JSON.stringify(SHOP_ROUTE));
    expect(validateManifest(copy, { json: true })).toEqual([]);
    expect(copy.spec.parentRefs[0]).toMatchObject({ group: 'gateway.networking.k8s.io', kind: 'Gateway' });
    // A manifest that is not `json` is validated on a copy and left as it was.
    const untouched = JSON.parse(JSON.stringify(SHOP_ROUTE));
    validateManifest(untouched);
    expect(untouched.spec.parentRefs[0].group).toBeUndefined();
  });
});

describe('Gateway API CEL rules refuse what the API server refuses', () => {
  const rule = (r: Obj): Obj => route({ parentRefs: [{ name: 'gw' }], rules: [r] });
  const backend = [{ name: 'shop-api', port: 8080 }];

  it.each([
    ['a relative path', rule({ matches: [{ path: { type: 'PathPrefix', value: 'api' } }], backendRefs: backend }), /must be an absolute path/],
    ['a backend deadline longer than the request deadline', rule({ timeouts: { request: '1s', backendRequest: '2s' }, backendRefs: backend }), /backendRequest timeout cannot be longer than request timeout/],
    ['a Service backendRef without port', rule({ backendRefs: [{ name: 'shop-api' }] }), /Must have port for Service reference/],
    ['a weight above 1,000,000', rule({ backendRefs: [{ name: 'shop-api', port: 8080, weight: 1000001 }] }), /weight/],
    ['two RequestHeaderModifier filters', rule({ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'a', value: 'b' }] } }, { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'c', value: 'd' }] } }], backendRefs: backend }), /RequestHeaderModifier filter cannot be repeated/],
    ['an unknown field', rule({ retry: { attempts: 2 }, backendRefs: backend }), /retry/],
  ])('%s', (_what, manifest, expected) => {
    expect(messages(manifest).join('\n')).toMatch(expected);
  });

  it('refuses an IP address as a TLSRoute hostname (isIP), and accepts a hostname', () => {
    const tls = (h: string) => route({ parentRefs: [{ name: 'gw' }], hostnames: [h], rules: [{ backendRefs: [{ name: 'a', port: 443 }] }] }, 'TLSRoute');
    expect(messages(tls('1.2.3.4')).join()).toMatch(/Hostnames cannot contain an IP/);
    expect(messages(tls('api.example.com'))).toEqual([]);
  });

  it('checks Gateway listeners (unique names, HTTPS terminates TLS)', () => {
    const gw = JSON.parse(JSON.stringify(PUBLIC_GATEWAY));
    gw.spec.listeners.push({ ...gw.spec.listeners[0] });
    expect(messages(gw).join('\n')).toMatch(/name/i);
    const passthrough = JSON.parse(JSON.stringify(PUBLIC_GATEWAY));
    passthrough.spec.listeners[0].tls = { mode: 'Passthrough' };
    expect(messages(passthrough).join('\n')).toMatch(/tls mode must be Terminate for protocol HTTPS/);
  });
});
