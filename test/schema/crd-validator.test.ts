import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { compileRule } from '../../src/schema/cel';
import { SchemaIssue, validateManifest } from '../../src/schema/crd-validator';

const API = 'networking.istio.io/v1';
const CRD_PATH = path.join(__dirname, '..', '..', 'imports', 'istio-networking.crd.yaml');

type Obj = Record<string, any>;

const meta = { name: 'reviews', namespace: 'bookinfo' };

function vs(spec: Obj, extra: Obj = {}): Obj {
  return { apiVersion: API, kind: 'VirtualService', metadata: meta, spec, ...extra };
}
function dr(spec: Obj): Obj {
  return { apiVersion: API, kind: 'DestinationRule', metadata: meta, spec };
}
function se(spec: Obj): Obj {
  return { apiVersion: API, kind: 'ServiceEntry', metadata: meta, spec };
}
function gw(spec: Obj): Obj {
  return { apiVersion: API, kind: 'Gateway', metadata: meta, spec };
}
/** VirtualService with a single http route carrying `http` overrides. */
function vsHttp(http: Obj): Obj {
  return vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], ...http }] });
}
function paths(issues: SchemaIssue[]): string[] {
  return issues.map((i) => i.path);
}

const richVirtualService = vs({
  hosts: ['reviews.bookinfo.svc.cluster.local'],
  gateways: ['mesh'],
  http: [
    {
      name: 'canary',
      match: [{ uri: { prefix: '/api' }, headers: { 'x-canary': { exact: 'true' } } }],
      route: [
        { destination: { host: 'reviews', subset: 'v1', port: { number: 9080 } }, weight: 90 },
        { destination: { host: 'reviews', subset: 'v2', port: { number: 9080 } }, weight: 10 },
      ],
      retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,connect-failure' },
      timeout: '10s',
      mirror: { host: 'reviews-shadow', subset: 'v3' },
      mirrorPercentage: { value: 12.5 },
      fault: {
        delay: { fixedDelay: '1500ms', percentage: { value: 0.1 } },
        abort: { httpStatus: 503, percentage: { value: 1 } },
      },
    },
  ],
});

const richDestinationRule = dr({
  host: 'reviews.bookinfo.svc.cluster.local',
  exportTo: ['.'],
  trafficPolicy: {
    connectionPool: {
      tcp: { maxConnections: 100, connectTimeout: '30ms' },
      http: { http1MaxPendingRequests: 10, maxRequestsPerConnection: 1, idleTimeout: '1h2m' },
    },
    outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    loadBalancer: {
      simple: 'LEAST_REQUEST',
      localityLbSetting: { enabled: true, failoverPriority: ['topology.kubernetes.io/region'] },
    },
  },
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } },
  ],
});

const richServiceEntry = se({
  hosts: ['api.example.com'],
  ports: [
    { number: 443, name: 'https', protocol: 'TLS' },
    { number: 80, name: 'http', protocol: 'HTTP', targetPort: 8080 },
  ],
  location: 'MESH_EXTERNAL',
  resolution: 'DNS',
  exportTo: ['.'],
});

const richGateway = gw({
  selector: { istio: 'ingressgateway' },
  servers: [
    { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*.example.com'], tls: { httpsRedirect: true } },
    {
      port: { number: 443, name: 'https', protocol: 'HTTPS' },
      hosts: ['bookinfo/*.example.com'],
      tls: { mode: 'SIMPLE', credentialName: 'example-cert' },
    },
  ],
});

describe('valid manifests', () => {
  it.each([
    ['minimal VirtualService', vs({ hosts: ['reviews'] })],
    ['minimal DestinationRule', dr({ host: 'reviews' })],
    ['minimal ServiceEntry', se({ hosts: ['api.example.com'] })],
    ['minimal Gateway', gw({ servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] })],
    ['rich VirtualService', richVirtualService],
    ['rich DestinationRule', richDestinationRule],
    ['rich ServiceEntry', richServiceEntry],
    ['rich Gateway', richGateway],
    ['labels and annotations', vs({ hosts: ['a'] }, {
      metadata: { name: 'a.b-c', labels: { 'app.kubernetes.io/name': 'x', 'v': '' }, annotations: { 'example.com/note': 'any text!' } },
    })],
    ['status with int-or-string observedGeneration', vs({ hosts: ['a'] }, { status: { observedGeneration: 3, anything: { x: 1 } } })],
    ['status with string observedGeneration', vs({ hosts: ['a'] }, { status: { observedGeneration: '3' } })],
  ])('%s passes', (_name, manifest) => {
    expect(validateManifest(manifest)).toEqual([]);
  });

  it('accepts null on a nullable field', () => {
    const m = dr({ host: 'r', trafficPolicy: { loadBalancer: { localityLbSetting: { enabled: null } } } });
    expect(validateManifest(m)).toEqual([]);
  });

  it('ignores undefined properties (they are not serialised)', () => {
    expect(validateManifest(vs({ hosts: ['a'], gateways: undefined }))).toEqual([]);
  });
});

describe('unknown fields', () => {
  it('rejects an unknown field at the top of spec', () => {
    const issues = validateManifest(vs({ hosts: ['a'], bogus: 1 }));
    expect(issues).toEqual([{ path: 'spec.bogus', message: 'unknown field "bogus"' }]);
  });

  it('rejects an unknown field deep inside', () => {
    const issues = validateManifest(vsHttp({ retries: { attempts: 2, bogus: true } }));
    expect(paths(issues)).toEqual(['spec.http[0].retries.bogus']);
  });

  it('rejects unknown top-level and metadata fields', () => {
    const issues = validateManifest(vs({ hosts: ['a'] }, { extra: 1, metadata: { name: 'a', nope: 1 } }));
    expect(paths(issues).sort()).toEqual(['extra', 'metadata.nope']);
  });

  it('rejects the proto field name instead of the wire name', () => {
    const issues = validateManifest(dr({ host: 'r', trafficPolicy: { outlierDetection: { consecutive_5xx_errors: 5 } } }));
    expect(paths(issues)).toEqual(['spec.trafficPolicy.outlierDetection.consecutive_5xx_errors']);
  });

  it('reports a __proto__ key as unknown without throwing', () => {
    const m = JSON.parse(`{"apiVersion":"${API}","kind":"VirtualService","metadata":{"name":"a"},"spec":{"hosts":["a"],"__proto__":{"x":1}}}`);
    expect(paths(validateManifest(m))).toEqual(['spec.__proto__']);
  });
});

describe('types, enums, required, oneOf', () => {
  it('rejects a wrong type', () => {
    const issues = validateManifest(vsHttp({ retries: { attempts: '3' } }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('spec.http[0].retries.attempts');
    expect(issues[0].message).toMatch(/integer/);
  });

  it('rejects null on a non-nullable field', () => {
    expect(paths(validateManifest(vsHttp({ retries: { attempts: null } })))).toEqual(['spec.http[0].retries.attempts']);
  });

  it('rejects an enum violation', () => {
    const issues = validateManifest(se({ hosts: ['a.com'], resolution: 'FOO' }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('spec.resolution');
    expect(issues[0].message).toContain('"FOO"');
    expect(issues[0].message).toContain('"DNS"');
  });

  it('rejects a DestinationRule without host', () => {
    expect(validateManifest(dr({ exportTo: ['.'] }))).toEqual([{ path: 'spec.host', message: 'Required value' }]);
  });

  it('rejects a ServiceEntry without spec', () => {
    const m = se({});
    delete m.spec;
    expect(paths(validateManifest(m))).toEqual(['spec']);
  });

  it('rejects setting both members of a oneOf', () => {
    const issues = validateManifest(dr({ host: 'r', trafficPolicy: { loadBalancer: { simple: 'RANDOM', consistentHash: { useSourceIp: true } } } }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('spec.trafficPolicy.loadBalancer');
    expect(issues[0].message).toContain('simple, consistentHash');
  });

  it('rejects a non int-or-string value', () => {
    expect(paths(validateManifest(vs({ hosts: ['a'] }, { status: { observedGeneration: true } })))).toEqual(['status.observedGeneration']);
  });

  it('checks numeric bounds from the schema', () => {
    expect(paths(validateManifest(dr({ host: 'r', trafficPolicy: { outlierDetection: { consecutive5xxErrors: -1 } } }))))
      .toEqual(['spec.trafficPolicy.outlierDetection.consecutive5xxErrors']);
  });

  it('checks format: byte', () => {
    const direct = (bytes: string) => vs({ hosts: ['a'], http: [{ directResponse: { status: 200, body: { bytes } } }] });
    expect(validateManifest(direct('aGVsbG8='))).toEqual([]);
    expect(paths(validateManifest(direct('not base64!')))).toEqual(['spec.http[0].directResponse.body.bytes']);
  });
});

describe('metadata', () => {
  it.each(['My_Name', 'UPPER', '-leading', 'a'.repeat(254), ''])('rejects name %p', (name) => {
    const issues = validateManifest(vs({ hosts: ['a'] }, { metadata: { name } }));
    expect(paths(issues)).toEqual(['metadata.name']);
  });

  it('rejects a missing name and missing metadata', () => {
    expect(paths(validateManifest(vs({ hosts: ['a'] }, { metadata: { namespace: 'x' } })))).toEqual(['metadata.name']);
    const m = vs({ hosts: ['a'] });
    delete m.metadata;
    expect(paths(validateManifest(m))).toEqual(['metadata']);
  });

  it('rejects an invalid namespace and invalid labels', () => {
    expect(paths(validateManifest(vs({ hosts: ['a'] }, { metadata: { name: 'a', namespace: 'a.b' } })))).toEqual(['metadata.namespace']);
    const labels = { 'bad key!': 'x', 'ok': 'not ok!', 'n': 5 };
    const issues = validateManifest(vs({ hosts: ['a'] }, { metadata: { name: 'a', labels } }));
    expect(paths(issues).sort()).toEqual(['metadata.labels.n', 'metadata.labels.ok', 'metadata.labels["bad key!"]']);
  });
});

describe('CEL duration rules', () => {
  it.each(['1ms', '1500ms', '2s', '1.5s', '1h2m', '0.001s'])('accepts timeout %p', (timeout) => {
    expect(validateManifest(vsHttp({ timeout }))).toEqual([]);
  });

  it.each(['0.5ms', '500us', '0s', '', '-1s'])('rejects timeout %p with the CRD message', (timeout) => {
    const issues = validateManifest(vsHttp({ timeout }));
    expect(issues).toEqual([{
      path: 'spec.http[0].timeout',
      message: 'must be a valid duration greater than 1ms',
      rule: "duration(self) >= duration('1ms')",
    }]);
  });

  it.each(['abc', '10', '1d'])('reports an evaluation error for unparsable duration %p', (timeout) => {
    const issues = validateManifest(vsHttp({ timeout }));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('spec.http[0].timeout');
    expect(issues[0].message).toMatch(/CEL evaluation error/);
    expect(issues[0].rule).toContain('duration');
  });

  it('checks durations deep in DestinationRule subsets', () => {
    const m = dr({ host: 'r', subsets: [{ name: 'v1', trafficPolicy: { outlierDetection: { interval: '500us' } } }] });
    expect(paths(validateManifest(m))).toEqual(['spec.subsets[0].trafficPolicy.outlierDetection.interval']);
  });

  it('evaluates every item of a list (retries in several routes)', () => {
    const m = vs({ hosts: ['a'], http: [1, 2, 3].map((i) => ({ route: [{ destination: { host: 'a' } }], retries: { perTryTimeout: i === 2 ? '0.5ms' : '1s' } })) });
    expect(paths(validateManifest(m))).toEqual(['spec.http[1].retries.perTryTimeout']);
  });
});

describe('CEL port and ServiceEntry rules', () => {
  const withPort = (number: number) => se({ hosts: ['a.com'], ports: [{ number, name: 'p' }] });

  it.each([1, 80, 65535])('accepts port %p', (n) => {
    expect(validateManifest(withPort(n))).toEqual([]);
  });

  it.each([0, 65536])('rejects port %p', (n) => {
    expect(validateManifest(withPort(n))).toEqual([{
      path: 'spec.ports[0].number',
      message: 'port must be between 1-65535',
      rule: '0 < self && self <= 65535',
    }]);
  });

  it('rejects duplicate port numbers (exists_one rule)', () => {
    const issues = validateManifest(se({ hosts: ['a.com'], ports: [{ number: 80, name: 'a' }, { number: 80, name: 'b' }] }));
    expect(issues).toEqual([{
      path: 'spec.ports',
      message: 'port number cannot be duplicated',
      rule: 'self.all(l1, self.exists_one(l2, l1.number == l2.number))',
    }]);
  });

  it('rejects duplicate port names (list-type map keyed by name)', () => {
    const issues = validateManifest(se({ hosts: ['a.com'], ports: [{ number: 80, name: 'http' }, { number: 81, name: 'http' }] }));
    expect(issues).toEqual([{ path: 'spec.ports[1]', message: 'Duplicate value: {"name":"http"}' }]);
  });

  it('rejects endpoints with resolution NONE (explicit or defaulted)', () => {
    const endpoints = [{ address: '10.0.0.1' }];
    for (const spec of [{ hosts: ['a.com'], resolution: 'NONE', endpoints }, { hosts: ['a.com'], endpoints }]) {
      const issues = validateManifest(se(spec));
      expect(issues).toHaveLength(1);
      expect(issues[0].path).toBe('spec');
      expect(issues[0].rule).toContain('NONE');
    }
    expect(validateManifest(se({ hosts: ['a.com'], resolution: 'STATIC', endpoints }))).toEqual([]);
  });

  it('rejects CIDR addresses with DNS resolution', () => {
    const issues = validateManifest(se({ hosts: ['a.com'], addresses: ['10.0.0.0/24'], resolution: 'DNS' }));
    expect(issues.map((i) => i.message)).toEqual(['CIDR addresses are allowed only for NONE/STATIC resolution types']);
  });

  it('checks endpoint-level rules, map keys and map values', () => {
    const issues = validateManifest(se({
      hosts: ['a.com'],
      resolution: 'STATIC',
      endpoints: [
        { address: '10.0.0.1', ports: { 'http': 8080, '-bad': 80, 'big': 70000 } },
        { labels: { app: 'x' } },
        { address: 'unix://relative' },
      ],
    }));
    expect(issues.map((i) => `${i.path}: ${i.message}`).sort()).toEqual([
      'spec.endpoints[0].ports.big: port must be between 1-65535',
      'spec.endpoints[0].ports: port name must be valid',
      'spec.endpoints[1]: Address is required',
      'spec.endpoints[2].address: UDS must be an absolute path or abstract socket',
    ]);
  });

  it('rejects wildcards in workload selector labels', () => {
    const issues = validateManifest(se({ hosts: ['a.com'], workloadSelector: { labels: { app: 'web*' } } }));
    expect(paths(issues)).toEqual(['spec.workloadSelector.labels.app']);
    expect(issues[0].message).toBe('wildcard is not supported in selector');
  });
});

describe('CEL Gateway and DestinationRule object-level rules', () => {
  it('rejects credentialName together with credentialNames', () => {
    const m = gw({ servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { credentialName: 'a', credentialNames: ['b'] } }] });
    const issues = validateManifest(m);
    expect(issues.map((i) => i.message)).toEqual(['only one of credentialName or credentialNames can be set']);
    expect(issues[0].path).toBe('spec.servers[0].tls');
  });

  it('rejects wildcard and empty keys in DestinationRule workloadSelector.matchLabels', () => {
    const issues = validateManifest(dr({ host: 'r', workloadSelector: { matchLabels: { 'a*': 'x', '': 'y' } } }));
    expect(issues.every((i) => i.path === 'spec.workloadSelector.matchLabels')).toBe(true);
    expect(issues.map((i) => i.message).sort()).toEqual(['key must not be empty', 'wildcard not allowed in label key match']);
    expect(issues).toHaveLength(2);
  });
});

describe('every CEL rule in the CRD file', () => {
  const text = fs.readFileSync(CRD_PATH, 'utf8');
  const rules: string[] = [];
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'x-kubernetes-validations' && Array.isArray(value)) value.forEach((v) => rules.push(v.rule));
      else collect(value);
    }
  };
  parseAllDocuments(text).forEach((d) => collect(d.toJS()));

  it('finds all rule: lines of the file', () => {
    const ruleLines = text.split('\n').filter((l) => /^\s*(- )?rule:/.test(l)).length;
    expect(rules.length).toBe(ruleLines);
    expect(rules.length).toBeGreaterThan(50);
  });

  it.each([...new Set(rules)])('compiles %s', (rule) => {
    const compiled = compileRule(rule);
    expect(compiled.compileError).toBeUndefined();
    expect(compiled.transition).toBe(false);
  });
});

describe('CEL compile failures and robustness', () => {
  it('reports unknown functions and syntax errors as compile errors', () => {
    expect(compileRule('frobnicate(self)').compileError).toMatch(/unknown CEL function.*frobnicate/);
    expect(compileRule('self ==').compileError).toMatch(/CEL compile error/);
    expect(compileRule('self ==').evaluate('x')).toEqual({ error: expect.stringMatching(/compile error/) });
    expect(compileRule('self.x == oldSelf.x').transition).toBe(true);
  });

  it('evaluates with Kubernetes value mapping (int vs double, maps)', () => {
    expect(compileRule('type(self) == int').evaluate(3)).toBe('pass');
    expect(compileRule('type(self) == double').evaluate(3.5)).toBe('pass');
    expect(compileRule('has(self.a) && self.a.b == 1').evaluate({ a: { b: 1 } })).toBe('pass');
    expect(compileRule('self.substring(7, 8) == "/"').evaluate('unix:///x')).toBe('pass');
    expect(compileRule('self.size() > 1').evaluate('x')).toBe('fail');
    expect(compileRule('self').evaluate('not a bool')).toEqual({ error: expect.stringMatching(/bool/) });
  });

  it.each([
    ['null', null], ['undefined', undefined], ['a string', 'VirtualService'], ['a number', 42],
    ['an array', [vs({ hosts: ['a'] })]], ['a function', () => 1],
  ])('returns an issue for %s', (_n, input) => {
    const issues = validateManifest(input);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('');
  });

  it.each([
    [{ apiVersion: 'networking.istio.io/v2', kind: 'VirtualService', metadata: meta, spec: {} }, 'is not a version the Istio 1.30 CRDs serve (served: networking.istio.io/v1, networking.istio.io/v1alpha3, networking.istio.io/v1beta1)'],
    [{ apiVersion: 'v1', kind: 'Service', metadata: meta }, 'is not a kind the Istio 1.30 CRDs define'],
    [{ apiVersion: API, kind: 'Frobnicator', metadata: meta }, 'is not a kind the Istio 1.30 CRDs define'],
    [{ apiVersion: API, kind: '__proto__' }, 'is not a kind the Istio 1.30 CRDs define'],
    [{}, 'is not a kind the Istio 1.30 CRDs define'],
  ])('reports kinds and versions the CRDs do not serve: %j', (m, message) => {
    const issues = validateManifest(m);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toContain(message);
    expect(issues[0].unserved).toBe(true);
  });

  it.each([
    ['networking.istio.io/v1beta1', 'VirtualService', { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] }],
    ['networking.istio.io/v1alpha3', 'DestinationRule', { host: 'a', trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } }],
    ['networking.istio.io/v1', 'Sidecar', { egress: [{ hosts: ['./*'] }] }],
    ['networking.istio.io/v1alpha3', 'EnvoyFilter', { configPatches: [] }],
    ['security.istio.io/v1', 'AuthorizationPolicy', { action: 'ALLOW', rules: [{}] }],
    ['security.istio.io/v1beta1', 'PeerAuthentication', { mtls: { mode: 'STRICT' } }],
    ['telemetry.istio.io/v1alpha1', 'Telemetry', { tracing: [{ randomSamplingPercentage: 10 }] }],
    ['extensions.istio.io/v1alpha1', 'WasmPlugin', { url: 'oci://example.com/filter:1' }],
  ])('validates %s %s against its own CRD version', (apiVersion, kind, spec) => {
    expect(validateManifest({ apiVersion, kind, metadata: meta, spec })).toEqual([]);
  });

  it('finds schema errors in older versions and other kinds (a typo is an unknown field)', () => {
    const typo = validateManifest({ apiVersion: 'networking.istio.io/v1alpha3', kind: 'DestinationRule', metadata: meta, spec: { host: 'a', trafficPolicy: { connectionPool: { tcp: { maxConnection: 1 } } } } });
    expect(typo.map((i) => [i.path, i.message])).toEqual([['spec.trafficPolicy.connectionPool.tcp.maxConnection', 'unknown field "maxConnection"']]);
    const action = validateManifest({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta, spec: { action: 'PERMIT' } });
    expect(action[0].path).toBe('spec.action');
  });

  it('returns issues for cyclic and BigInt-containing objects instead of throwing', () => {
    const cyclic = vs({ hosts: ['a'] });
    cyclic.spec.self = cyclic;
    expect(validateManifest(cyclic)[0].message).toMatch(/could not be validated/);
    expect(validateManifest(vs({ hosts: ['a'], n: 1n }))[0].message).toMatch(/could not be validated/);
  });

  it('handles large manifests', () => {
    const http = Array.from({ length: 3000 }, (_, i) => ({ route: [{ destination: { host: `h${i}` } }], timeout: `${i + 1}ms` }));
    expect(validateManifest(vs({ hosts: ['a'], http }))).toEqual([]);
    http[2999].timeout = '0.5ms';
    expect(paths(validateManifest(vs({ hosts: ['a'], http })))).toEqual(['spec.http[2999].timeout']);
  });
});
