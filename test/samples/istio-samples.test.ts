/**
 * Istio's published traffic-management samples (`../shared/corpus/istio-samples/`), written with this library's
 * constructs as a user would, and compared with the upstream files field by field (see normalize.ts for what
 * "equal" means). A sample the library refuses or changes on purpose shows the refusal (its rule codes) and the
 * suppression with a reason that reproduces it, or the fields it adds on purpose. The counts are asserted at the end.
 */
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as path from 'path';
import {
  Destination, ExternalDependency, H2UpgradePolicy, HostTraffic, HttpMatch, LoadBalancer, LoadBalancerAlgorithm, PortProtocol, Resolution, Rules, Subset, TlsOrigination,
} from '../../src';
import { thrownBy } from '../support/errors';
import { testChart } from '../support/constructs';
import { comparable, keyOf, readObjects } from './normalize';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'istio-samples');
const file = (name: string) => path.join(SAMPLES, name);

/** The services the samples route to (they are Deployments + Services outside these files). */
const SERVICES = [
  ...['productpage', 'reviews', 'ratings', 'details', 'helloworld', 'httpbin', 'tornado', 'tcp-echo'].map((s) => `${s}.default.svc.cluster.local`),
  'cert-manager-resolver.istio-system.svc.cluster.local', 'istiod.istio-system.svc.cluster.local',
];

type Outcome =
  | { readonly kind: 'equal' }
  /** Refused by these rules; `build(chart, true)` adds the suppressions that reproduce the upstream file. */
  | { readonly kind: 'refused'; readonly codes: string[] }
  /** Emitted with these client-TLS fields added on purpose (the rule that asks for them). */
  | { readonly kind: 'hardened'; readonly rule: string; readonly tlsFields: string[] };

interface Sample {
  readonly file: string;
  /** Files whose objects the constructs emit too (the DestinationRules a VirtualService sample relies on). */
  readonly companions?: string[];
  readonly build: (chart: Chart, suppress: boolean) => void;
  readonly outcome: Outcome;
}

const EQUAL: Outcome = { kind: 'equal' };
const version = (v: string) => ({ name: v, pods: Subset.fromLabels({ version: v }) });
const subsetsOf = (...versions: string[]) => versions.map(version);
const BOOKINFO_SUBSETS: Record<string, string[]> = {
  productpage: ['v1'], reviews: ['v1', 'v2', 'v3'], ratings: ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm'], details: ['v1', 'v2'],
};
const jason = HttpMatch.header('end-user').exact('jason');

/** Bookinfo's four services with every version (destination-rule-all.yaml); `routes` gives a host's HTTP routes. */
function bookinfo(chart: Chart, routes: Record<string, Array<{ match?: HttpMatch[]; route: Destination[]; fault?: any }>>, options: { mtls?: boolean } = {}) {
  for (const [host, versions] of Object.entries(BOOKINFO_SUBSETS)) {
    new HostTraffic(chart, host, {
      host, subsets: subsetsOf(...versions), httpRoutes: routes[host] ?? [],
      ...(options.mtls ? { tls: TlsOrigination.istioMutual() } : {}),
    });
  }
}

/** The Gateway objects of a sample file, as raw L1 objects (a Gateway construct comes with the ingress issue). */
function gatewaysOf(chart: Chart, name: string) {
  readObjects(file(name)).filter((o) => o.kind === 'Gateway').forEach((g, i) => new ApiObject(chart, `Gateway${i}`, placeholders(g)));
}

const SAMPLE_LIST: Sample[] = [
  {
    file: 'bookinfo/networking/destination-rule-all.yaml', outcome: EQUAL,
    build: (chart) => bookinfo(chart, {}),
  },
  {
    file: 'bookinfo/networking/destination-rule-all-mtls.yaml', outcome: EQUAL,
    build: (chart) => bookinfo(chart, {}, { mtls: true }),
  },
  {
    file: 'bookinfo/networking/destination-rule-reviews.yaml', outcome: EQUAL,
    build: (chart) => new HostTraffic(chart, 'reviews', { host: 'reviews', loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM), subsets: subsetsOf('v1', 'v2', 'v3') }),
  },
  ...[['virtual-service-all-v1.yaml', { productpage: 'v1', reviews: 'v1', ratings: 'v1', details: 'v1' }],
    ['virtual-service-details-v2.yaml', { details: 'v2' }],
    ['virtual-service-ratings-db.yaml', { reviews: 'v3', ratings: 'v2' }],
    ['virtual-service-ratings-mysql.yaml', { reviews: 'v3', ratings: 'v2-mysql' }],
    ['virtual-service-ratings-mysql-vm.yaml', { reviews: 'v3', ratings: 'v2-mysql-vm' }],
    ['virtual-service-reviews-v3.yaml', { reviews: 'v3' }],
  ].map(([name, to]): Sample => ({
    file: `bookinfo/networking/${name}`, companions: ['bookinfo/networking/destination-rule-all.yaml'], outcome: EQUAL,
    build: (chart) => bookinfo(chart, Object.fromEntries(Object.entries(to as Record<string, string>).map(([host, v]) => [host, [{ route: [Destination.subset(v)] }]]))),
  })),
  ...[['virtual-service-reviews-50-v3.yaml', 'v1', 50, 'v3'], ['virtual-service-reviews-80-20.yaml', 'v1', 80, 'v2'],
    ['virtual-service-reviews-90-10.yaml', 'v1', 90, 'v2'], ['virtual-service-reviews-v2-v3.yaml', 'v2', 50, 'v3'],
  ].map(([name, a, weight, b]): Sample => ({
    file: `bookinfo/networking/${name}`, companions: ['bookinfo/networking/destination-rule-all.yaml'], outcome: EQUAL,
    build: (chart) => bookinfo(chart, {
      reviews: [{ route: [Destination.subset(a as string, { weight: weight as number }), Destination.subset(b as string, { weight: 100 - (weight as number) })] }],
    }),
  })),
  ...[['virtual-service-reviews-jason-v2-v3.yaml', 'v2', 'v3'], ['virtual-service-reviews-test-v2.yaml', 'v2', 'v1']].map(([name, test, rest]): Sample => ({
    file: `bookinfo/networking/${name}`, companions: ['bookinfo/networking/destination-rule-all.yaml'], outcome: EQUAL,
    build: (chart) => bookinfo(chart, { reviews: [{ match: [jason], route: [Destination.subset(test)] }, { route: [Destination.subset(rest)] }] }),
  })),
  {
    file: 'bookinfo/networking/virtual-service-ratings-test-delay.yaml', companions: ['bookinfo/networking/destination-rule-all.yaml'], outcome: EQUAL,
    build: (chart) => bookinfo(chart, {
      ratings: [
        { match: [jason], fault: { delay: { fixedDelay: Duration.seconds(7), percentage: 100 } }, route: [Destination.subset('v1')] },
        { route: [Destination.subset('v1')] },
      ],
    }),
  },
  {
    file: 'bookinfo/networking/virtual-service-ratings-test-abort.yaml', companions: ['bookinfo/networking/destination-rule-all.yaml'], outcome: EQUAL,
    build: (chart) => bookinfo(chart, {
      ratings: [
        { match: [jason], fault: { abort: { httpStatus: 500, percentage: 100 } }, route: [Destination.subset('v1')] },
        { route: [Destination.subset('v1')] },
      ],
    }),
  },
  {
    // A fault on every request of details, then a route no request reaches: refused (VS-23 fault on real users,
    // VS-06 unreachable route), reproduced with suppressions that say why the demo does it.
    file: 'bookinfo/networking/fault-injection-details-v1.yaml', outcome: { kind: 'refused', codes: ['VS-06', 'VS-23'] },
    build: (chart, suppress) => {
      const details = new HostTraffic(chart, 'details', {
        host: 'details', subsets: subsetsOf('v1'),
        httpRoutes: [{ fault: { abort: { httpStatus: 555, percentage: 100 } }, route: [Destination.subset('v1')] }, { route: [Destination.subset('v1')] }],
      });
      if (suppress) {
        Rules.suppress(details, 'VS-23', 'demo: every request to details fails, to show the error page');
        Rules.suppress(details, 'VS-06', 'demo: the second route is kept for when the fault route is removed');
      }
    },
  },
  {
    file: 'bookinfo/networking/bookinfo-gateway.yaml', outcome: EQUAL,
    build: (chart) => {
      gatewaysOf(chart, 'bookinfo/networking/bookinfo-gateway.yaml');
      new HostTraffic(chart, 'bookinfo', {
        host: 'productpage', name: 'bookinfo', port: 9080, gateways: ['bookinfo-gateway'], hosts: ['*'],
        httpRoutes: [{
          match: [HttpMatch.pathExact('/productpage'), HttpMatch.pathPrefix('/static'), HttpMatch.pathExact('/login'), HttpMatch.pathExact('/logout'), HttpMatch.pathPrefix('/api/v1/products')],
        }],
      });
    },
  },
  {
    file: 'bookinfo/networking/certmanager-gateway.yaml', outcome: EQUAL,
    build: (chart) => {
      gatewaysOf(chart, 'bookinfo/networking/certmanager-gateway.yaml');
      new HostTraffic(chart, 'cert-manager', {
        host: 'cert-manager-resolver', name: 'cert-manager', namespace: 'istio-system', port: 8089, gateways: ['cert-manager-gateway'], hosts: ['*'],
        httpRoutes: [{ match: [HttpMatch.pathPrefix('/.well-known/acme-challenge/')] }],
      });
    },
  },
  {
    // Upstream originates TLS with `tls: { mode: SIMPLE }` only: TlsOrigination.simpleWithIstioDefaults() writes
    // exactly that (DR-15 warns; TlsOrigination.simple would state the CA and the SAN).
    file: 'bookinfo/networking/egress-rule-google-apis.yaml', outcome: EQUAL,
    build: (chart) => {
      new ExternalDependency(chart, 'googleapis', {
        name: 'googleapis', hosts: ['www.googleapis.com'], exportTo: ['*'], sniRouting: false,
        ports: [{ number: 80, name: 'http', protocol: PortProtocol.HTTP }, { number: 443, name: 'https', protocol: PortProtocol.HTTPS }],
      });
      new HostTraffic(chart, 'googleapis-tls', {
        host: 'www.googleapis.com', virtualServiceName: 'rewrite-port-for-googleapis', destinationRuleName: 'originate-tls-for-googleapis',
        loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN), portLevelSettings: [{ port: 443, tls: TlsOrigination.simpleWithIstioDefaults() }],
        httpRoutes: [{ match: [HttpMatch.port(80)], route: [Destination.host('www.googleapis.com', { port: 443 })] }],
      });
    },
  },
  {
    file: 'external/aptget.yaml', outcome: EQUAL,
    build: (chart) => new ExternalDependency(chart, 'aptget', {
      name: 'make-aptget-work', resolution: Resolution.NONE, exportTo: ['*'],
      hosts: ['deb.debian.org', 'cdn-fastly.deb.debian.org', 'security.debian.org', 'archive.ubuntu.com', 'security.ubuntu.com'],
      ports: [{ number: 80, name: 'http', protocol: PortProtocol.HTTP }],
    }),
  },
  {
    file: 'external/github.yaml', outcome: EQUAL,
    build: (chart) => {
      new ExternalDependency(chart, 'github-https', {
        name: 'github-https', hosts: ['github.com'], resolution: Resolution.NONE, exportTo: ['*'], sniRouting: false, ports: [{ number: 443, name: 'https', protocol: PortProtocol.HTTPS }],
      });
      new ExternalDependency(chart, 'github-tcp', {
        name: 'github-tcp', hosts: ['dummy.github.com'], resolution: Resolution.NONE, exportTo: ['*'], ports: [{ number: 22, name: 'tcp', protocol: PortProtocol.TCP }],
        addresses: ['13.229.188.59/32', '13.250.177.223/32', '140.82.112.0/20', '18.194.104.89/32', '18.195.85.27/32', '185.199.108.0/22', '185.199.108.153/32',
          '185.199.109.153/32', '185.199.110.153/32', '185.199.111.153/32', '192.30.252.0/22', '192.30.252.153/32', '192.30.252.154/32', '23.20.92.3/32',
          '35.159.8.160/32', '52.74.223.119/32', '54.166.52.62/32', '54.87.5.173/32'],
      });
    },
  },
  {
    file: 'external/pypi.yaml', outcome: EQUAL,
    build: (chart) => {
      for (const [name, host] of [['python-https', 'pypi.python.org'], ['pypi-https', 'pypi.org'], ['pythonhosted-https', 'files.pythonhosted.org']]) {
        new ExternalDependency(chart, name, { name, hosts: [host], resolution: Resolution.NONE, exportTo: ['*'], sniRouting: false, ports: [{ number: 443, name: 'https', protocol: PortProtocol.HTTPS }] });
      }
    },
  },
  {
    file: 'helloworld/helloworld-gateway.yaml', outcome: EQUAL,
    build: (chart) => {
      gatewaysOf(chart, 'helloworld/helloworld-gateway.yaml');
      new HostTraffic(chart, 'helloworld', { host: 'helloworld', port: 5000, gateways: ['helloworld-gateway'], hosts: ['*'], httpRoutes: [{ match: [HttpMatch.pathExact('/hello')] }] });
    },
  },
  {
    file: 'httpbin/httpbin-gateway.yaml', outcome: EQUAL,
    build: (chart) => {
      gatewaysOf(chart, 'httpbin/httpbin-gateway.yaml');
      new HostTraffic(chart, 'httpbin', { host: 'httpbin', port: 8000, gateways: ['httpbin-gateway'], hosts: ['*'], httpRoutes: [{}] });
    },
  },
  {
    file: 'websockets/route.yaml', outcome: EQUAL,
    build: (chart) => {
      gatewaysOf(chart, 'websockets/route.yaml');
      new HostTraffic(chart, 'tornado', {
        host: 'tornado', gateways: ['tornado-gateway'], hosts: ['*'],
        httpRoutes: [{ match: [HttpMatch.pathPrefix('/')], route: [Destination.host('tornado', { weight: 100 })] }],
      });
    },
  },
  ...[['tcp-echo/tcp-echo-all-v1.yaml', [['v1', undefined]]], ['tcp-echo/tcp-echo-20-v2.yaml', [['v1', 80], ['v2', 20]]]].map(([name, split]): Sample => ({
    file: name as string, outcome: EQUAL,
    companions: name === 'tcp-echo/tcp-echo-20-v2.yaml' ? ['tcp-echo/tcp-echo-all-v1.yaml'] : [],
    build: (chart) => {
      gatewaysOf(chart, 'tcp-echo/tcp-echo-all-v1.yaml');
      new HostTraffic(chart, 'tcp-echo', {
        host: 'tcp-echo', destinationRuleName: 'tcp-echo-destination', port: 9000, gateways: ['tcp-echo-gateway'], hosts: ['*'], subsets: subsetsOf('v1', 'v2'),
        tcpRoutes: [{ port: 31400, route: (split as Array<[string, number | undefined]>).map(([v, weight]) => Destination.subset(v, weight === undefined ? {} : { weight })) }],
      });
    },
  })),
  {
    file: 'multicluster/expose-istiod.yaml', outcome: EQUAL,
    build: (chart) => {
      gatewaysOf(chart, 'multicluster/expose-istiod.yaml');
      const istiod = Destination.host('istiod.istio-system.svc.cluster.local', { port: 15012 });
      new HostTraffic(chart, 'istiod', {
        host: 'istiod.istio-system.svc.cluster.local', virtualServiceName: 'istiod-vs', gateways: ['istiod-gateway'], hosts: ['*'],
        tlsRoutes: [
          { port: 15012, sniHosts: ['*'], route: [istiod] },
          { port: 15017, sniHosts: ['*'], route: [Destination.host('istiod.istio-system.svc.cluster.local', { port: 443 })] },
        ],
      });
    },
  },
  {
    // As egress-rule-google-apis: SIMPLE TLS with Istio's defaults (DR-15 warns).
    file: 'multicluster/expose-istiod-https.yaml', outcome: EQUAL,
    build: (chart) => {
      gatewaysOf(chart, 'multicluster/expose-istiod-https.yaml');
      const istiod = 'istiod.istio-system.svc.cluster.local';
      new HostTraffic(chart, 'istiod', {
        host: istiod, virtualServiceName: 'istiod-vs', destinationRuleName: 'istiod-dr', gateways: ['istiod-gateway'], hosts: ['ISTIOD-HOST.DOMAIN'.toLowerCase()],
        portLevelSettings: [
          { port: 15012, tls: TlsOrigination.simpleWithIstioDefaults(), connectionPool: { http: { h2UpgradePolicy: H2UpgradePolicy.UPGRADE } } },
          { port: 443, tls: TlsOrigination.simpleWithIstioDefaults() },
        ],
        httpRoutes: [
          { match: [HttpMatch.port(15012)], route: [Destination.host(istiod, { port: 15012 })] },
          { match: [HttpMatch.port(15017)], route: [Destination.host(istiod, { port: 443 })] },
        ],
      });
    },
  },
];

/** The Istio objects the sample's constructs emit (the raw Gateways included), synthesized with every rule on. */
function synth(sample: Sample, suppress: boolean): any[] {
  const { chart } = testChart(SERVICES, new Chart(Testing.app(), 'sample'));
  sample.build(chart, suppress);
  return Testing.synth(chart).filter((o) => String(o.apiVersion).startsWith('networking.istio.io/'));
}

function expectedOf(sample: Sample): any[] {
  // The sample's own objects win over a companion's of the same name.
  const objects = [...(sample.companions ?? []), sample.file].flatMap((f) => readObjects(file(f)));
  return [...new Map(objects.map((o) => [keyOf(o), placeholders(o)])).values()];
}

/** The upstream placeholders written as a user fills them in (a hostname is lower-case). */
function placeholders(o: any): any {
  return JSON.parse(JSON.stringify(o).replace(/ISTIOD-HOST\.DOMAIN/g, 'istiod-host.domain'));
}


describe('Istio samples written with the constructs', () => {
  test.each(SAMPLE_LIST.map((s) => [s.file, s] as const))('%s', (_name, sample) => {
    const expected = expectedOf(sample);
    const outcome = sample.outcome;
    if (outcome.kind === 'refused') {
      const error = thrownBy(() => synth(sample, false));
      for (const code of outcome.codes) expect(error.message).toContain(code);
    }
    const ours = synth(sample, outcome.kind === 'refused');
    const tlsFields = outcome.kind === 'hardened' ? outcome.tlsFields : [];
    if (outcome.kind === 'hardened') {
      // The added fields are really there, and everything else is equal.
      const tls = ours.flatMap((o) => (o.spec?.trafficPolicy?.portLevelSettings ?? []).map((p: any) => p.tls).filter(Boolean));
      expect(tls.length).toBeGreaterThan(0);
      for (const t of tls) for (const f of tlsFields) expect(t[f]).toBeDefined();
    }
    expect(comparable(ours, tlsFields)).toEqual(comparable(expected, tlsFields));
  });

  test('counts: every traffic-management sample is expressed, none is out of reach', () => {
    const counts = { equal: 0, refused: 0, hardened: 0 };
    for (const s of SAMPLE_LIST) counts[s.outcome.kind]++;
    // 35 files in the corpus: 31 here; not traffic management: the EnvoyFilter and AuthorizationPolicy samples (3); and
    // multicluster/expose-services.yaml holds only a Gateway, to which nothing is bound.
    expect(counts).toEqual({ equal: 30, refused: 1, hardened: 0 });
  });
});
