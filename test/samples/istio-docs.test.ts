/**
 * Istio configurations published outside `samples/` (the istio.io traffic-management tasks, and two documents of the
 * CRD conformance corpus), written with this library's public API as a user would, and compared with the upstream
 * YAML field by field (normalize.ts says what "equal" means). The upstream files are in `istio-docs/`, one per
 * config, each with a header naming its source. A config the library refuses on purpose shows the refusal (its rule
 * codes) and the suppressions that reproduce it, or (for a refusal at construction) the rest of the config written
 * with the constructs; one it changes on purpose shows the fields it adds. The counts are asserted at the end.
 */
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import {
  Destination, ExternalDependency, HostTraffic, HttpMatch, LoadBalancer, LoadBalancerAlgorithm, LocalityFailover, PortProtocol, Resolution, Rules, Subset,
  TlsOrigination,
} from '../../src';
import { thrownBy } from '../support/errors';
import { testChart } from '../support/constructs';
import { comparable, keyOf, readObjects } from './normalize';

const DOCS = path.join(__dirname, 'istio-docs');
const SAMPLES = path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'istio-samples');
/** A fixture of `istio-docs/`, or `samples:<path>` for a file of the istio-samples corpus (a companion). */
const file = (name: string) => (name.startsWith('samples:') ? path.join(SAMPLES, name.slice('samples:'.length)) : path.join(DOCS, name));

/** The in-cluster services the configs route to (Deployments + Services outside these files). */
const SERVICES = [
  ...['productpage', 'reviews', 'ratings', 'details', 'httpbin', 'helloworld', 'my-nginx', 'my-httpbin', 'my-wikipedia'].map((s) => `${s}.default.svc.cluster.local`),
  'helloworld.sample.svc.cluster.local', 'istio-egressgateway.istio-system.svc.cluster.local', 'ratings.prod.svc.cluster.local',
];

type Outcome =
  | { readonly kind: 'equal' }
  /** Refused by these rules; `build(chart, true)` adds the suppressions (and escape hatches) that reproduce the upstream file. */
  | { readonly kind: 'refused'; readonly codes: string[] }
  /** Emitted with these client-TLS fields added on purpose (the rule that asks for them). */
  | { readonly kind: 'hardened'; readonly rule: string; readonly tlsFields: string[] };

interface Doc {
  readonly file: string;
  /** Files whose objects the constructs emit too (the objects the config is applied next to). */
  readonly companions?: string[];
  /** The namespace the task applies the file in (`kubectl apply -n …`); the upstream objects name none. */
  readonly appliedIn?: string;
  readonly build: (chart: Chart, suppress: boolean) => void;
  readonly outcome: Outcome;
  /**
   * The distinct warning codes synth reports (with the suppressions, for a refused config), besides X-04: every
   * upstream file writes short host names without a namespace, which X-04 always points out.
   */
  readonly warns?: string[];
}

const EQUAL: Outcome = { kind: 'equal' };
const version = (v: string) => ({ name: v, pods: Subset.fromLabels({ version: v }) });
const subsetsOf = (...versions: string[]) => versions.map(version);
const BOOKINFO_SUBSETS: Record<string, string[]> = {
  productpage: ['v1'], reviews: ['v1', 'v2', 'v3'], ratings: ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm'], details: ['v1', 'v2'],
};
const BOOKINFO_DR = 'samples:bookinfo/networking/destination-rule-all.yaml';
const EGRESS_GATEWAY = 'istio-egressgateway.istio-system.svc.cluster.local';

/** Bookinfo's four services with every version (destination-rule-all.yaml); `routes` gives a host's HTTP routes. */
function bookinfo(chart: Chart, routes: Record<string, Array<{ match?: HttpMatch[]; route: Destination[]; fault?: any; timeout?: Duration }>>) {
  const out: Record<string, HostTraffic> = {};
  for (const [host, versions] of Object.entries(BOOKINFO_SUBSETS)) {
    out[host] = new HostTraffic(chart, host, { host, subsets: subsetsOf(...versions), httpRoutes: routes[host] ?? [] });
  }
  return out;
}

/** The Gateway objects of a fixture, as raw L1 objects (only what binds to them is written with the constructs). */
function gatewaysOf(chart: Chart, name: string) {
  readObjects(file(name)).filter((o) => o.kind === 'Gateway').forEach((g, i) => new ApiObject(chart, `Gateway${i}`, g));
}

const DOC_LIST: Doc[] = [
  // --- Request timeouts -------------------------------------------------------------------------------------------
  {
    file: 'request-timeouts-reviews-v2.yaml', companions: [BOOKINFO_DR], outcome: EQUAL, warns: ['DR-05'],
    build: (chart) => bookinfo(chart, { reviews: [{ route: [Destination.subset('v2')] }] }),
  },
  {
    // A 2s delay on every call to ratings: refused (VS-23, a fault on real users), reproduced with a suppression.
    file: 'request-timeouts-ratings-delay.yaml', companions: [BOOKINFO_DR], outcome: { kind: 'refused', codes: ['VS-23'] }, warns: ['DR-05'],
    build: (chart, suppress) => {
      const { ratings } = bookinfo(chart, { ratings: [{ fault: { delay: { fixedDelay: Duration.seconds(2), percentage: 100 } }, route: [Destination.subset('v1')] }] });
      if (suppress) Rules.suppress(ratings, 'VS-23', 'task: every call to ratings is slowed by 2s to show the reviews timeout');
    },
  },
  {
    file: 'request-timeouts-reviews-timeout.yaml', companions: [BOOKINFO_DR], outcome: EQUAL, warns: ['DR-05'],
    build: (chart) => bookinfo(chart, { reviews: [{ route: [Destination.subset('v2')], timeout: Duration.millis(500) }] }),
  },
  // --- Circuit breaking -------------------------------------------------------------------------------------------
  {
    // maxEjectionPercent 100 with no minHealthPercent: every endpoint may be ejected (DR-08), which is the point of
    // the demo (trip the breaker with 2-3 concurrent clients).
    file: 'circuit-breaking-httpbin.yaml', outcome: { kind: 'refused', codes: ['DR-08'] },
    build: (chart, suppress) => {
      const httpbin = new HostTraffic(chart, 'httpbin', {
        host: 'httpbin',
        connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
        outlierDetection: { consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(3), maxEjectionPercent: 100 },
      });
      if (suppress) Rules.suppress(httpbin, 'DR-08', 'task: the circuit breaker is meant to trip and eject the only httpbin pod');
    },
  },
  // --- Mirroring --------------------------------------------------------------------------------------------------
  {
    file: 'mirroring-default-route.yaml', outcome: EQUAL, warns: ['DR-05'],
    build: (chart) => new HostTraffic(chart, 'httpbin', { host: 'httpbin', subsets: subsetsOf('v1', 'v2'), httpRoutes: [{ route: [Destination.subset('v1', { weight: 100 })] }] }),
  },
  {
    // Every request, POSTs included, is mirrored to v2: VS-25 warns (mirroring of write paths), synth goes on.
    file: 'mirroring-mirror-v2.yaml', companions: ['mirroring-default-route.yaml'], outcome: EQUAL, warns: ['VS-25'],
    build: (chart) => new HostTraffic(chart, 'httpbin', {
      host: 'httpbin', subsets: subsetsOf('v1', 'v2'),
      httpRoutes: [{ route: [Destination.subset('v1', { weight: 100 })], mirror: Destination.subset('v2'), mirrorPercentage: 100 }],
    }),
  },
  // --- Locality load balancing ------------------------------------------------------------------------------------
  {
    file: 'locality-failover.yaml', appliedIn: 'sample', outcome: EQUAL,
    build: (chart) => new HostTraffic(chart, 'helloworld', {
      host: 'helloworld.sample.svc.cluster.local', namespace: 'sample',
      connectionPool: { http: { maxRequestsPerConnection: 1 } },
      loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
      localityFailover: LocalityFailover.regions([{ from: 'region1', to: 'region2' }]),
      outlierDetection: { consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(1) },
    }),
  },
  {
    file: 'locality-distribute.yaml', appliedIn: 'sample', outcome: EQUAL,
    build: (chart) => new HostTraffic(chart, 'helloworld', {
      host: 'helloworld.sample.svc.cluster.local', namespace: 'sample',
      localityFailover: LocalityFailover.distribute([{ from: 'region1/zone1/*', to: { 'region1/zone1/*': 70, 'region1/zone2/*': 20, 'region3/zone4/*': 10 } }]),
      outlierDetection: { consecutive5xxErrors: 100, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(1) },
    }),
  },
  // --- Ingress ----------------------------------------------------------------------------------------------------
  {
    file: 'ingress-control-httpbin.yaml', outcome: EQUAL, warns: ['VS-06'],
    build: (chart) => {
      gatewaysOf(chart, 'ingress-control-httpbin.yaml');
      new HostTraffic(chart, 'httpbin', {
        host: 'httpbin', port: 8000, gateways: ['httpbin-gateway'], hosts: ['httpbin.example.com'],
        httpRoutes: [{ match: [HttpMatch.pathPrefix('/status'), HttpMatch.pathPrefix('/delay')] }],
      });
    },
  },
  {
    file: 'ingress-control-httpbin-any-host.yaml', outcome: EQUAL, warns: ['VS-06'],
    build: (chart) => {
      gatewaysOf(chart, 'ingress-control-httpbin-any-host.yaml');
      new HostTraffic(chart, 'httpbin', { host: 'httpbin', port: 8000, gateways: ['httpbin-gateway'], hosts: ['*'], httpRoutes: [{ match: [HttpMatch.pathPrefix('/headers')] }] });
    },
  },
  {
    file: 'secure-ingress-httpbin.yaml', outcome: EQUAL, warns: ['VS-06'],
    build: (chart) => {
      gatewaysOf(chart, 'secure-ingress-httpbin.yaml');
      new HostTraffic(chart, 'httpbin', {
        host: 'httpbin', port: 8000, gateways: ['mygateway'], hosts: ['httpbin.example.com'],
        httpRoutes: [{ match: [HttpMatch.pathPrefix('/status'), HttpMatch.pathPrefix('/delay')] }],
      });
    },
  },
  {
    // The httpbin VirtualService of the single-host step stays bound to the same Gateway.
    file: 'secure-ingress-multiple-hosts.yaml', companions: ['secure-ingress-httpbin.yaml'], outcome: EQUAL, warns: ['VS-06'],
    build: (chart) => {
      gatewaysOf(chart, 'secure-ingress-multiple-hosts.yaml');
      new HostTraffic(chart, 'httpbin', {
        host: 'httpbin', port: 8000, gateways: ['mygateway'], hosts: ['httpbin.example.com'],
        httpRoutes: [{ match: [HttpMatch.pathPrefix('/status'), HttpMatch.pathPrefix('/delay')] }],
      });
      new HostTraffic(chart, 'helloworld', { host: 'helloworld', port: 5000, gateways: ['mygateway'], hosts: ['helloworld.example.com'], httpRoutes: [{ match: [HttpMatch.pathExact('/hello')] }] });
    },
  },
  {
    file: 'ingress-sni-passthrough-nginx.yaml', outcome: EQUAL,
    build: (chart) => {
      gatewaysOf(chart, 'ingress-sni-passthrough-nginx.yaml');
      new HostTraffic(chart, 'nginx', {
        host: 'my-nginx', name: 'nginx', gateways: ['mygateway'], hosts: ['nginx.example.com'],
        tlsRoutes: [{ port: 443, sniHosts: ['nginx.example.com'], route: [Destination.host('my-nginx', { port: 443 })] }],
      });
    },
  },
  // --- Egress: accessing external services ------------------------------------------------------------------------
  {
    file: 'egress-control-httpbin-ext.yaml', outcome: EQUAL,
    build: (chart) => new ExternalDependency(chart, 'httpbin-ext', {
      name: 'httpbin-ext', hosts: ['httpbin.org'], exportTo: ['*'], ports: [{ number: 80, name: 'http', protocol: PortProtocol.HTTP }],
    }),
  },
  {
    file: 'egress-control-google.yaml', outcome: EQUAL,
    build: (chart) => new ExternalDependency(chart, 'google', {
      name: 'google', hosts: ['www.google.com'], exportTo: ['*'], sniRouting: false, ports: [{ number: 443, name: 'https', protocol: PortProtocol.HTTPS }],
    }),
  },
  {
    // ExternalDependency's own `timeout` names the route `default` and drops `weight: 100`; the upstream route is
    // unnamed, so the VirtualService is a HostTraffic on the external host.
    file: 'egress-control-httpbin-ext-timeout.yaml', companions: ['egress-control-httpbin-ext.yaml'], outcome: EQUAL,
    build: (chart) => {
      new ExternalDependency(chart, 'httpbin-ext-se', { name: 'httpbin-ext', hosts: ['httpbin.org'], exportTo: ['*'], ports: [{ number: 80, name: 'http', protocol: PortProtocol.HTTP }] });
      new HostTraffic(chart, 'httpbin-ext', {
        host: 'httpbin.org', name: 'httpbin-ext', httpRoutes: [{ timeout: Duration.seconds(3), route: [Destination.host('httpbin.org', { weight: 100 })] }],
      });
    },
  },
  // --- Egress TLS origination -------------------------------------------------------------------------------------
  {
    // ExternalDependency's SNI route matches on sniHosts only (one TLS port) and has no weight; upstream matches on
    // port 443 too and writes weight 100, so the TLS route is a HostTraffic (sniRouting: false).
    file: 'egress-tls-origination-sni-route.yaml', outcome: EQUAL,
    build: (chart) => {
      new ExternalDependency(chart, 'cnn', {
        name: 'edition-cnn-com', hosts: ['edition.cnn.com'], exportTo: ['*'], sniRouting: false,
        ports: [{ number: 80, name: 'http-port', protocol: PortProtocol.HTTP }, { number: 443, name: 'https-port', protocol: PortProtocol.HTTPS }],
      });
      new HostTraffic(chart, 'cnn-tls', {
        host: 'edition.cnn.com', name: 'edition-cnn-com',
        tlsRoutes: [{ port: 443, sniHosts: ['edition.cnn.com'], route: [Destination.host('edition.cnn.com', { port: 443, weight: 100 })] }],
      });
    },
  },
  {
    // The older revision puts the TLS policy in a subset of every endpoint (Subset.allEndpoints(); DR-03 warns, as the
    // only subset it is Istio's way to carry a policy), and `tls: { mode: SIMPLE }` alone:
    // TlsOrigination.simpleWithIstioDefaults() (DR-15 warns; TlsOrigination.simple would state CA and SAN).
    file: 'egress-tls-origination-subset.yaml', companions: ['egress-tls-origination-sni-route.yaml'],
    outcome: EQUAL, warns: ['DR-03', 'DR-15', 'VS-06'],
    build: (chart) => {
      new ExternalDependency(chart, 'cnn', {
        name: 'edition-cnn-com', hosts: ['edition.cnn.com'], exportTo: ['*'], sniRouting: false,
        ports: [{ number: 80, name: 'http-port', protocol: PortProtocol.HTTP }, { number: 443, name: 'https-port', protocol: PortProtocol.HTTPS }],
      });
      new HostTraffic(chart, 'cnn-tls', {
        host: 'edition.cnn.com', name: 'edition-cnn-com',
        httpRoutes: [{ match: [HttpMatch.port(80)], route: [Destination.host('edition.cnn.com', { subset: 'tls-origination', port: 443 })] }],
        subsets: [{
          name: 'tls-origination', pods: Subset.allEndpoints(),
          trafficPolicy: { loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN), portLevelSettings: [{ port: 443, tls: TlsOrigination.simpleWithIstioDefaults() }] },
        }],
      });
    },
  },
  {
    // Upstream originates TLS with `tls: { mode: SIMPLE }` only: TlsOrigination.simpleWithIstioDefaults() writes
    // exactly that; DR-15 warns (the task's own warning box says the same).
    file: 'egress-tls-origination-target-port.yaml', outcome: EQUAL, warns: ['DR-15'],
    build: (chart) => new ExternalDependency(chart, 'cnn', {
      name: 'edition-cnn-com', hosts: ['edition.cnn.com'], exportTo: ['*'], sniRouting: false, tlsOrigination: TlsOrigination.simpleWithIstioDefaults(),
      ports: [{ number: 80, name: 'http-port', protocol: PortProtocol.HTTP }, { number: 443, name: 'https-port', protocol: PortProtocol.HTTPS }],
    }),
  },
  // --- Egress with wildcard hosts ---------------------------------------------------------------------------------
  {
    file: 'wildcard-egress-direct.yaml', outcome: EQUAL,
    build: (chart) => new ExternalDependency(chart, 'wikipedia', {
      name: 'wikipedia', hosts: ['*.wikipedia.org'], resolution: Resolution.NONE, exportTo: ['*'], sniRouting: false,
      ports: [{ number: 443, name: 'https', protocol: PortProtocol.HTTPS }],
    }),
  },
  // --- Egress gateway (HTTP) --------------------------------------------------------------------------------------
  {
    // The DestinationRule of the egress gateway has a subset of every gateway pod (DR-03 warns: as the only subset it
    // names the route); the VirtualService has no catch-all route, on purpose: each gateway scope has one matched route.
    file: 'egress-gateway-http-cnn.yaml', outcome: EQUAL, warns: ['DR-03', 'VS-06'],
    build: (chart) => {
      gatewaysOf(chart, 'egress-gateway-http-cnn.yaml');
      new ExternalDependency(chart, 'cnn', {
        name: 'cnn', hosts: ['edition.cnn.com'], exportTo: ['*'], sniRouting: false,
        ports: [{ number: 80, name: 'http-port', protocol: PortProtocol.HTTP }, { number: 443, name: 'https', protocol: PortProtocol.HTTPS }],
      });
      new HostTraffic(chart, 'egressgateway', { host: EGRESS_GATEWAY, name: 'egressgateway-for-cnn', subsets: [{ name: 'cnn', pods: Subset.allEndpoints() }] });
      new HostTraffic(chart, 'direct-cnn', {
        host: 'edition.cnn.com', name: 'direct-cnn-through-egress-gateway', gateways: ['istio-egressgateway', 'mesh'],
        httpRoutes: [
          { match: [HttpMatch.gateways('mesh').and(HttpMatch.port(80))], route: [Destination.host(EGRESS_GATEWAY, { subset: 'cnn', port: 80, weight: 100 })] },
          { match: [HttpMatch.gateways('istio-egressgateway').and(HttpMatch.port(80))], route: [Destination.host('edition.cnn.com', { port: 80, weight: 100 })] },
        ],
      });
    },
  },
  // --- Kubernetes services for egress traffic ---------------------------------------------------------------------
  {
    file: 'egress-kubernetes-externalname.yaml', outcome: EQUAL,
    build: (chart) => new HostTraffic(chart, 'my-httpbin', { host: 'my-httpbin.default.svc.cluster.local', tls: TlsOrigination.disable() }),
  },
  {
    file: 'egress-kubernetes-endpoints.yaml', outcome: EQUAL,
    build: (chart) => new HostTraffic(chart, 'my-wikipedia', { host: 'my-wikipedia.default.svc.cluster.local', tls: TlsOrigination.disable() }),
  },
  // --- The CRD conformance corpus ---------------------------------------------------------------------------------
  {
    file: 'crd-conformance-se-static-endpoints.yaml', outcome: EQUAL,
    build: (chart) => new ExternalDependency(chart, 'static-endpoints', {
      name: 'static-endpoints', hosts: ['example.com'], exportTo: ['*'], endpoints: [{ address: 'sub.example.com' }],
      ports: [{ number: 1234, name: 'foo', protocol: PortProtocol.HTTP, targetPort: 2345 }],
    }),
  },
  {
    // Slow start with Istio's default algorithm: warmup alone (LoadBalancer.warmup).
    file: 'crd-conformance-dr-warmup.yaml', outcome: EQUAL,
    build: (chart) => new HostTraffic(chart, 'ratings', {
      host: 'ratings.prod.svc.cluster.local', name: 'bookinfo-ratings', loadBalancer: LoadBalancer.warmup(Duration.seconds(300), { minimumPercent: 5 }),
    }),
  },
  {
    // Wildcard egress through the egress gateway: a VirtualService for '*.wikipedia.org' bound to the mesh and the
    // gateway, TLS routes scoped by gateway; the gateway's DestinationRule names a subset of every gateway pod (DR-03
    // warns); no catch-all TLS route by design.
    file: 'wildcard-egress-gateway.yaml', outcome: EQUAL, warns: ['DR-03'],
    build: (chart) => {
      gatewaysOf(chart, 'wildcard-egress-gateway.yaml');
      new ExternalDependency(chart, 'www', { name: 'www-wikipedia', hosts: ['www.wikipedia.org'], exportTo: ['*'], sniRouting: false, ports: [{ number: 443, name: 'https', protocol: PortProtocol.HTTPS }] });
      new HostTraffic(chart, 'egressgateway', { host: EGRESS_GATEWAY, name: 'egressgateway-for-wikipedia', subsets: [{ name: 'wikipedia', pods: Subset.allEndpoints() }] });
      new HostTraffic(chart, 'direct', {
        host: '*.wikipedia.org', name: 'direct-wikipedia-through-egress-gateway', gateways: ['mesh', 'istio-egressgateway'],
        tlsRoutes: [
          { gateways: ['mesh'], port: 443, sniHosts: ['*.wikipedia.org'], route: [Destination.host(EGRESS_GATEWAY, { subset: 'wikipedia', port: 443, weight: 100 })] },
          { gateways: ['istio-egressgateway'], port: 443, sniHosts: ['*.wikipedia.org'], route: [Destination.host('www.wikipedia.org', { port: 443, weight: 100 })] },
        ],
      });
    },
  },
];

/**
 * Configs the library refuses at construction, on purpose (a refusal no suppression reaches): the fixture, the code
 * and why (see 'the refusals at construction' below).
 */
const REFUSED_AT_CONSTRUCTION: Array<[string, string, string]> = [
  ['egress-tls-origination-mtls.yaml', 'SE-01', 'the task registers the in-cluster my-nginx.mesh-external.svc.cluster.local as MESH_EXTERNAL to '
    + 'play an external server; ExternalDependency refuses a mesh host as external (no mTLS, no registry). The DestinationRule is written with HostTraffic.'],
];

/** The Istio objects the doc's constructs emit (the raw Gateways included), synthesized with every rule on, and the warnings. */
function synthWithWarnings(doc: Doc, suppress: boolean): { objects: any[]; warns: string[] } {
  const { chart, warnings } = testChart(SERVICES, new Chart(Testing.app(), 'x'));
  doc.build(chart, suppress);
  const objects = Testing.synth(chart).filter((o) => String(o.apiVersion).startsWith('networking.istio.io/'));
  return { objects, warns: [...new Set(warnings.map((w) => w.code))].filter((c) => c !== 'X-04').sort() };
}

function synth(doc: Doc, suppress: boolean): any[] {
  return synthWithWarnings(doc, suppress).objects;
}

function expectedOf(doc: Doc): any[] {
  // The doc's own objects win over a companion's of the same name.
  const objects = [...(doc.companions ?? []), doc.file].flatMap((f) => readObjects(file(f)))
    .map((o) => (doc.appliedIn && !o.metadata.namespace ? { ...o, metadata: { ...o.metadata, namespace: doc.appliedIn } } : o));
  return [...new Map(objects.map((o) => [keyOf(o), o])).values()];
}


describe('Istio documentation configs written with the constructs', () => {
  test.each(DOC_LIST.map((d) => [d.file, d] as const))('%s', (_name, doc) => {
    const expected = expectedOf(doc);
    const outcome = doc.outcome;
    if (outcome.kind === 'refused') {
      const error = thrownBy(() => synth(doc, false));
      for (const code of outcome.codes) expect(error.message).toContain(code);
    }
    const { objects: ours, warns } = synthWithWarnings(doc, outcome.kind === 'refused');
    expect(warns).toEqual([...(doc.warns ?? [])].sort());
    const tlsFields = outcome.kind === 'hardened' ? outcome.tlsFields : [];
    if (outcome.kind === 'hardened') {
      const policies = ours.flatMap((o) => [o.spec?.trafficPolicy, ...(o.spec?.subsets ?? []).map((x: any) => x.trafficPolicy)]).filter(Boolean);
      const tls = policies.flatMap((p: any) => (p.portLevelSettings ?? []).map((e: any) => e.tls).filter(Boolean));
      expect(tls.length).toBeGreaterThan(0);
      for (const t of tls) for (const f of tlsFields) expect(t[f]).toBeDefined();
    }
    expect(comparable(ours, tlsFields)).toEqual(comparable(expected, tlsFields));
  });

});

/** The refusals at construction: the refusal, and the rest of the config written with the constructs. */
describe('the refusals at construction', () => {
  test('egress-tls-origination-mtls.yaml: SE-01 for the in-cluster host as MESH_EXTERNAL; the DestinationRule (workloadSelector, MUTUAL) is written with HostTraffic', () => {
    const { chart } = testChart([...SERVICES, 'my-nginx.mesh-external.svc.cluster.local'], new Chart(Testing.app(), 'x'));
    const error = thrownBy(() => new ExternalDependency(chart, 'nginx', {
      name: 'originate-mtls-for-nginx', hosts: ['my-nginx.mesh-external.svc.cluster.local'], exportTo: ['*'], sniRouting: false,
      ports: [{ number: 80, name: 'http-port', protocol: PortProtocol.HTTP, targetPort: 443 }, { number: 443, name: 'https-port', protocol: PortProtocol.HTTPS }],
    }));
    expect(error.code).toBe('SE-01');
    new HostTraffic(chart, 'nginx-mtls', {
      host: 'my-nginx.mesh-external.svc.cluster.local', name: 'originate-mtls-for-nginx', workloadSelector: { app: 'sleep' },
      loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN),
      portLevelSettings: [{ port: 80, tls: TlsOrigination.mutual({ credentialName: 'client-credential', sni: 'my-nginx.mesh-external.svc.cluster.local' }) }],
    });
    const ours = Testing.synth(chart).filter((o) => o.kind === 'DestinationRule');
    const upstream = readObjects(file('egress-tls-origination-mtls.yaml')).filter((o) => o.kind === 'DestinationRule');
    // Equal but for the verification TlsOrigination.mutual adds (the server's SAN).
    expect(ours[0].spec.trafficPolicy.portLevelSettings[0].tls.subjectAltNames).toEqual(['my-nginx.mesh-external.svc.cluster.local']);
    expect(comparable(ours, ['subjectAltNames'])).toEqual(comparable(upstream, ['subjectAltNames']));
  });
});

test('counts: equal, refused on purpose, hardened on purpose; none out of reach', () => {
  const counts = { equal: 0, refused: REFUSED_AT_CONSTRUCTION.length, hardened: 0 };
  for (const d of DOC_LIST) counts[d.outcome.kind]++;
  // 27 fixtures in istio-docs/: 26 written with the constructs, 1 refused at construction on purpose.
  expect(counts).toEqual({ equal: 24, refused: 3, hardened: 0 });
  const fixtures = fs.readdirSync(DOCS).filter((f: string) => f.endsWith('.yaml')).sort();
  expect([...DOC_LIST.map((d) => d.file), ...REFUSED_AT_CONSTRUCTION.map(([f]) => f)].sort()).toEqual(fixtures);
});
