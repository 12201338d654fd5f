/**
 * Workloads and Services are recognised by the shape of their manifests, not by `instanceof` one cdk8s-plus:
 * the same CanaryService / ResilientBackend / CallTarget code accepts cdk8s-plus 32, 33 and 34 objects, plain
 * cdk8s ApiObjects, and works when no cdk8s-plus is installed at all (the compiled package loads, synthesizes
 * and type-checks without it).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus32 from 'cdk8s-plus-32';
import * as kplus33 from 'cdk8s-plus-33';
import * as kplus34 from 'cdk8s-plus-34';
import { IConstruct } from 'constructs';
import { oneOf, testChart } from '../support/constructs';
import { CanaryService } from '../../src/constructs/canary-service';
import { CallTarget } from '../../src/constructs/common';
import { Subset } from '../../src/constructs/refs';
import { ResilientBackend } from '../../src/constructs/resilient-backend';
import { Rules } from '../../src/synth/rules';

const FQDN = 'reviews.bookinfo.svc.cluster.local';

/** What each flavour builds: a Service named `reviews` and two workloads with pod labels. */
interface Flavour {
  service(chart: Chart, props: { namespace?: string }): IConstruct;
  deployment(chart: Chart, id: string, labels: Record<string, string>): IConstruct;
  statefulSet(chart: Chart, id: string, labels: Record<string, string>): IConstruct;
}

/**
 * The three cdk8s-plus libraries expose the same API under unrelated classes (typed here as 33's; each call below
 * passes its own module, so 32's and 34's classes are constructed).
 */
function kplusFlavour(kplus: typeof kplus33): Flavour {
  const container = { image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.2', portNumber: 9080, securityContext: { ensureNonRoot: false } };
  return {
    service: (chart, { namespace }) => new kplus.Service(chart, 'reviews-service', {
      metadata: { name: 'reviews', ...(namespace ? { namespace } : {}) }, ports: [{ port: 9080, name: 'http' }],
    }),
    deployment: (chart, id, labels) => new kplus.Deployment(chart, id, { podMetadata: { labels }, containers: [container] }),
    statefulSet: (chart, id, labels) => new kplus.StatefulSet(chart, id, { podMetadata: { labels }, containers: [container] }),
  };
}

/** Plain cdk8s ApiObjects, as a user without cdk8s-plus writes them. */
const plain: Flavour = {
  service: (chart, { namespace }) => new ApiObject(chart, 'reviews-service', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', ...(namespace ? { namespace } : {}) },
    spec: { selector: { app: 'reviews' }, ports: [{ port: 9080, name: 'http' }] },
  }),
  deployment: (chart, id, labels) => new ApiObject(chart, id, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: id },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
  }),
  statefulSet: (chart, id, labels) => new ApiObject(chart, id, {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: id },
    spec: { serviceName: id, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
  }),
};

const FLAVOURS: Array<[string, Flavour]> = [
  ['cdk8s-plus-32', kplusFlavour(kplus32 as unknown as typeof kplus33)],
  ['cdk8s-plus-33', kplusFlavour(kplus33)],
  ['cdk8s-plus-34', kplusFlavour(kplus34 as unknown as typeof kplus33)],
  ['plain cdk8s ApiObjects', plain],
];

function bookinfo(): Chart {
  return testChart([FQDN, 'reviews.ratings-ns.svc.cluster.local', 'productpage.bookinfo.svc.cluster.local'], new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' })).chart;
}

describe.each(FLAVOURS)('%s', (_name, flavour) => {
  test('a CanaryService derives the host from the Service and the subsets from the Deployments', () => {
    const chart = bookinfo();
    const service = flavour.service(chart, {});
    const v1 = flavour.deployment(chart, 'reviews-v1', { app: 'reviews', version: 'v1' });
    const v2 = flavour.deployment(chart, 'reviews-v2', { app: 'reviews', version: 'v2' });
    const canary = new CanaryService(chart, 'reviews', {
      service, stable: Subset.fromWorkload(v1), canary: Subset.fromWorkload(v2), stableSubsetName: 'v1', canarySubsetName: 'v2', canaryWeight: 10,
    });
    expect(canary.host).toBe(FQDN);
    expect(oneOf(chart, 'DestinationRule').spec).toEqual({
      host: FQDN,
      subsets: [{ name: 'v1', labels: { app: 'reviews', version: 'v1' } }, { name: 'v2', labels: { app: 'reviews', version: 'v2' } }],
    });
    const vs = oneOf(chart, 'VirtualService');
    expect(vs.metadata.name).toBe('reviews');
    expect(vs.spec).toEqual({
      hosts: [FQDN],
      http: [{
        name: 'primary',
        route: [{ destination: { host: FQDN, subset: 'v1' }, weight: 90 }, { destination: { host: FQDN, subset: 'v2' }, weight: 10 }],
      }],
    });
  });

  test("the Service's own namespace wins over the chart's", () => {
    const chart = bookinfo();
    const service = flavour.service(chart, { namespace: 'ratings-ns' });
    const backend = new ResilientBackend(chart, 'reviews', { service });
    expect(backend.host).toBe('reviews.ratings-ns.svc.cluster.local');
    expect(oneOf(chart, 'VirtualService').spec.hosts).toEqual(['reviews.ratings-ns.svc.cluster.local']);
  });

  test('a StatefulSet is a workload too', () => {
    const chart = bookinfo();
    const v1 = flavour.statefulSet(chart, 'reviews-v1', { app: 'reviews', version: 'v1' });
    new CanaryService(chart, 'reviews', { host: FQDN, stable: Subset.fromWorkload(v1), canary: Subset.fromLabels({ app: 'reviews', version: 'v2' }) });
    expect(oneOf(chart, 'DestinationRule').spec.subsets[0]).toEqual({ name: 'stable', labels: { app: 'reviews', version: 'v1' } });
  });

  test('CallTarget.of a Service is its FQDN', () => {
    const chart = bookinfo();
    const service = flavour.service(chart, {});
    const caller = new ResilientBackend(chart, 'productpage', { host: 'productpage.bookinfo.svc.cluster.local', calls: [CallTarget.of(service)] });
    expect(Rules.of(chart)._intentOf(caller.virtualService!).calls).toEqual([FQDN]);
  });

  test('a Service is refused as a subset and a Deployment as the service, with PROP', () => {
    const chart = bookinfo();
    const service = flavour.service(chart, {});
    const v1 = flavour.deployment(chart, 'reviews-v1', { app: 'reviews', version: 'v1' });
    expect(() => new CanaryService(chart, 'a', { service, stable: Subset.fromWorkload(service), canary: Subset.fromWorkload(v1) }))
      .toThrow(/PROP: stable Service \(v1\) "reviews" is not a workload with a pod template/);
    expect(() => new ResilientBackend(chart, 'b', { service: v1 })).toThrow(/PROP: service Deployment \(apps\/v1\) "[\w-]+" is not a Kubernetes Service/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Without cdk8s-plus: the compiled package (lib/, written by `npm run build`, which `npm test` runs first) copied
// into a directory whose node_modules holds only the package's runtime dependencies.
// ---------------------------------------------------------------------------------------------------------------

const ROOT = path.join(__dirname, '..', '..');

/** The package as npm would install it, next to its dependencies and peers (without any cdk8s-plus). */
function installWithoutCdk8sPlus(): { dir: string; pkgDir: string } {
  const built = path.join(ROOT, 'lib', 'src', 'constructs', 'refs.js');
  if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(path.join(ROOT, 'src', 'constructs', 'refs.ts')).mtimeMs) {
    throw new Error('lib/ is missing or older than src/: run `npm run build` (npm test does it first)');
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-traffic-no-kplus-'));
  const modules = path.join(dir, 'node_modules');
  const pkgDir = path.join(modules, pkg.name);
  fs.mkdirSync(pkgDir, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkgDir, 'package.json'));
  // The published files: every "files" entry up to its first glob.
  for (const entry of pkg.files as string[]) {
    const base = entry.split('/').filter((seg) => seg && !seg.includes('*')).join('/');
    const from = path.join(ROOT, base);
    if (base && fs.existsSync(from) && !fs.existsSync(path.join(pkgDir, base))) fs.cpSync(from, path.join(pkgDir, base), { recursive: true });
  }
  const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].filter((d) => !d.startsWith('cdk8s-plus-'));
  // @types/node: what a TypeScript consumer of a cdk8s library has anyway.
  for (const dep of [...deps, '@types/node']) {
    fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(modules, dep), 'dir');
  }
  return { dir, pkgDir };
}

describe('without cdk8s-plus installed', () => {
  let install: { dir: string; pkgDir: string };
  beforeAll(() => {
    install = installWithoutCdk8sPlus();
  });
  afterAll(() => {
    if (install) fs.rmSync(install.dir, { recursive: true, force: true });
  });

  const node = (code: string) => spawnSync(process.execPath, ['-e', code], {
    cwd: install.dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: install.dir },
  });

  test('no cdk8s-plus is resolvable from the installed package', () => {
    const r = node(`for (const v of [32, 33, 34]) { try { require.resolve('cdk8s-plus-' + v, { paths: [${JSON.stringify(install.pkgDir)}] }); console.log('found ' + v); } catch { } }`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
  });

  test('the package loads and synthesizes a CanaryService from plain ApiObjects', () => {
    const r = node(`
      const { App, Chart, ApiObject } = require('cdk8s');
      const lib = require('cdk8s-istio-traffic');
      const app = new App({ outdir: ${JSON.stringify(path.join(install.dir, 'dist'))} });
      const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
      lib.Rules.of(app).inventory = { hosts: ['${FQDN}'] };
      const service = new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' }, spec: { ports: [{ port: 9080 }] } });
      const workload = (v) => new ApiObject(chart, 'reviews-' + v, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reviews-' + v },
        spec: { template: { metadata: { labels: { app: 'reviews', version: v } } } } });
      new lib.CanaryService(chart, 'reviews', { service, stable: lib.Subset.fromWorkload(workload('v1')), canary: lib.Subset.fromWorkload(workload('v2')), canaryWeight: 10 });
      const dr = chart.toJson().find((o) => o.kind === 'DestinationRule');
      console.log(JSON.stringify(dr.spec));
    `);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      host: FQDN,
      subsets: [{ name: 'stable', labels: { app: 'reviews', version: 'v1' } }, { name: 'canary', labels: { app: 'reviews', version: 'v2' } }],
    });
  });

  test('its declarations type-check without cdk8s-plus and without skipLibCheck', () => {
    fs.writeFileSync(path.join(install.dir, 'consumer.ts'), `
import { ApiObject, App, Chart } from 'cdk8s';
import { CallTarget, CanaryService, ResilientBackend, Subset } from 'cdk8s-istio-traffic';
const chart = new Chart(new App(), 'c', { namespace: 'shop' });
const service = new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'orders' } });
const db = new ResilientBackend(chart, 'db', { host: 'db.shop.svc.cluster.local' });
new CanaryService(chart, 'orders', {
  service, stable: Subset.fromLabels({ version: 'v1' }), canary: Subset.fromLabels({ version: 'v2' }), calls: [CallTarget.of(db)],
}).calls(CallTarget.host('api.example.com'));
`);
    fs.writeFileSync(path.join(install.dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'commonjs', skipLibCheck: false, types: ['node'] },
      files: ['consumer.ts'],
    }));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: install.dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
