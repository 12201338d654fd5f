import { spawnSync } from 'child_process';
import * as path from 'path';

/** An App whose synth fails (weights summing to 110, run from the built package as a user's app would). */
const APP = `
const { App, Chart } = require('cdk8s');
const { HostTraffic, Destination } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib', 'src'))});
const app = new App({ outdir: require('os').tmpdir() + '/uncaught-' + process.pid });
const chart = new Chart(app, 'c', { namespace: 'shop' });
new HostTraffic(chart, 'h', { host: 'reviews.shop.svc.cluster.local', httpRoutes: [{ route: [Destination.host('reviews.shop.svc.cluster.local', { weight: 50 }), Destination.host('ratings.shop.svc.cluster.local', { weight: 60 })] }] });
app.synth();
`;

function run(env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['-e', APP], { encoding: 'utf8', env: { ...process.env, ...env } });
}

test('an uncaught synth failure prints each violation once, without the object dump or stack frames', () => {
  const r = run({ CDK8S_ISTIO_TRAFFIC_STACK: '' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('[c/h] VS-11: http[0] weights 50 + 60 = 110.');
  expect(r.stderr.match(/VS-11/g)).toHaveLength(1);
  expect(r.stderr).not.toContain('violations: [');
  expect(r.stderr).not.toMatch(/^\s+at /m);
});

test('CDK8S_ISTIO_TRAFFIC_STACK=1 keeps the stack', () => {
  expect(run({ CDK8S_ISTIO_TRAFFIC_STACK: '1' }).stderr).toMatch(/^\s+at /m);
});

test('an object cdk8s cannot render (junk through `as any`) fails synth with PROP, not a TypeError', () => {
  const { Testing } = require('cdk8s');
  const { ServiceEntry } = require('../../imports/istio-networking.istio.io');
  const { Rules } = require('../../src/synth/rules');
  const { IstioValidationError } = require('../../src/core/errors');
  const chart = Testing.chart();
  Rules.of(chart);
  new ServiceEntry(chart, 'junk', { metadata: {}, spec: { hosts: 0, exportTo: { ['__proto__']: null }, ports: [undefined] } as any });
  let thrown: unknown;
  try {
    Testing.synth(chart);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(IstioValidationError);
  expect((thrown as any).code).toBe('PROP');
  expect((thrown as any).message).toContain('the ServiceEntry cannot be rendered');
  expect(Rules.of(chart).check().errors.map((v: any) => v.code)).toContain('PROP');
});
