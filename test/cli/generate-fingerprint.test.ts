import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ANALYSIS_RECORD_FORMAT, analysisFingerprint, AnalysisRecord, withDefaultNamespace, writeAnalysisRecord } from '../../src/core/analysis-record';
import { packageVersion } from '../../src/core/package-info';
import { CONTEXT_KINDS } from '../../src/engine/analyze';
import { ANALYZED_CONTEXT_KINDS, analyzedBySynth, readAnalysisRecord, reuseAppAnalysis } from '../../src/cli/generate-fingerprint';
import { applyDefaultNamespace, Manifest } from '../../src/cli/generate-output';
import { isBundledApiVersion } from '../../src/schema/crd-validator';

/*
 * Issue 17 item 1 (3): the handshake by which generate reuses the rule analysis the app's synth already ran
 * (src/core/analysis-record.ts, src/cli/generate-fingerprint.ts): generate skips its own analysis only when the same
 * library analyzed exactly the manifests it read back, with no error.
 */

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'generate-fingerprint-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const vs = (name: string, weight = 100) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'ns' },
  spec: { hosts: [`${name}.ns.svc.cluster.local`], http: [{ route: [{ destination: { host: `${name}.ns.svc.cluster.local` }, weight }] }] },
});
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' }, spec: { template: { metadata: { labels: { app: 'web' } } } } };
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns' }, data: { a: 'b' } };

const record = (manifests: unknown[], over: Partial<AnalysisRecord> = {}): AnalysisRecord => ({
  format: ANALYSIS_RECORD_FORMAT, library: packageVersion(), fingerprint: analysisFingerprint(manifests), manifests: manifests.length,
  errors: 0, warnings: 0, ...over,
});

describe('analysisFingerprint', () => {
  test('the same manifests in another order, or with keys in another order, have the same fingerprint', () => {
    const reordered = { kind: 'VirtualService', spec: vs('a').spec, metadata: { namespace: 'ns', name: 'a' }, apiVersion: 'networking.istio.io/v1' };
    expect(analysisFingerprint([vs('a'), vs('b')])).toBe(analysisFingerprint([vs('b'), reordered]));
    expect(analysisFingerprint([vs('a')])).toMatch(/^[0-9a-f]{64}$/);
  });

  test('one value, one object more or less, or one more copy changes it', () => {
    const base = analysisFingerprint([vs('a'), vs('b')]);
    expect(analysisFingerprint([vs('a'), vs('b', 99)])).not.toBe(base);
    expect(analysisFingerprint([vs('a')])).not.toBe(base);
    expect(analysisFingerprint([vs('a'), vs('b'), vs('b')])).not.toBe(base);
    expect(analysisFingerprint([])).not.toBe(analysisFingerprint([{}]));
  });

  test('a key whose value is undefined counts as absent (cdk8s does not write it); non-JSON values never equal JSON ones', () => {
    expect(analysisFingerprint([{ a: 1, b: undefined }])).toBe(analysisFingerprint([{ a: 1 }]));
    const distinct: Array<[unknown, unknown]> = [
      [[undefined], [null]], [[NaN], [null]], [[Infinity], [null]], [1, '1'], [true, 'true'], [null, 'null'],
      [new Date('2024-01-01T00:00:00.000Z'), '2024-01-01T00:00:00.000Z'], [{ '!x': 1 }, { x: 1 }], [[1, 2], [2, 1]],
    ];
    for (const [a, b] of distinct) expect(analysisFingerprint([{ v: a }])).not.toBe(analysisFingerprint([{ v: b }]));
  });
});

describe('what the synth analyzes', () => {
  test('the context kinds are the engine\'s', () => {
    expect([...ANALYZED_CONTEXT_KINDS].sort()).toEqual([...CONTEXT_KINDS].sort());
  });

  test.each([
    ['networking.istio.io/v1', 'VirtualService', true], ['security.istio.io/v1', 'AuthorizationPolicy', true],
    ['gateway.networking.k8s.io/v1', 'HTTPRoute', true], ['apps/v1', 'Deployment', true], ['v1', 'Service', true],
    ['v1', 'ConfigMap', false], ['example.com/v1', 'Widget', false],
  ])('%s %s: %s, as the synth collects it', (apiVersion, kind, expected) => {
    expect(analyzedBySynth({ apiVersion, kind, metadata: { name: 'x' } })).toBe(expected);
    expect(isBundledApiVersion(apiVersion) || CONTEXT_KINDS.has(kind)).toBe(expected);
  });
});

describe('reuseAppAnalysis', () => {
  const analyzed = [deployment, vs('a')];

  test('reuses a matching record, whatever else (not analyzed) was printed with it', () => {
    expect(reuseAppAnalysis(record(analyzed), [configMap, vs('a'), deployment], false)).toMatchObject({ reuse: true });
  });

  test.each([
    ['no record', undefined, analyzed, false, /did not record/],
    ['another library version', record(analyzed, { library: '0.0.0-other' }), analyzed, false, /analyzed with cdk8s-istio-traffic 0\.0\.0-other/],
    ['errors recorded', record(analyzed, { errors: 1 }), analyzed, false, /recorded errors/],
    ['warnings in strict mode', record(analyzed, { warnings: 2 }), analyzed, true, /strict mode/],
    ['an Istio object the app did not analyze', record(analyzed), [...analyzed, vs('extra')], false, /not the ones the app analyzed/],
    ['a changed value', record(analyzed), [deployment, vs('a', 50)], false, /not the ones the app analyzed/],
    ['an object missing', record(analyzed), [vs('a')], false, /not the ones the app analyzed/],
  ])('analyzes again on %s', (_, given, values, strict, why) => {
    const verdict = reuseAppAnalysis(given, values, strict);
    expect(verdict.reuse).toBe(false);
    expect(verdict.reuse === false && verdict.why).toMatch(why);
  });

  test('warnings without strict mode are fine (the app reported them)', () => {
    expect(reuseAppAnalysis(record(analyzed, { warnings: 2 }), analyzed, false).reuse).toBe(true);
  });
});

describe('the record file', () => {
  const file = (name: string, text: string) => {
    const p = path.join(work, name);
    fs.writeFileSync(p, text);
    return p;
  };

  test('written by writeAnalysisRecord and read back by readAnalysisRecord', () => {
    const p = path.join(work, 'written.json');
    writeAnalysisRecord(p, analyzedRecordInputs(), { errors: [], warnings: [{}] });
    const read = readAnalysisRecord(p);
    expect(read).toEqual({ ...record(analyzedRecordInputs()), warnings: 1 });
    expect(fs.statSync(p).mode & 0o777).toBe(0o600);
  });

  test('not written for an analysis with errors, nor when the file cannot be written (no throw)', () => {
    const p = path.join(work, 'with-errors.json');
    writeAnalysisRecord(p, [], { errors: [{}], warnings: [] });
    expect(fs.existsSync(p)).toBe(false);
    expect(() => writeAnalysisRecord(path.join(work, 'missing-dir', 'x.json'), [], { errors: [], warnings: [] })).not.toThrow();
  });

  test.each([
    ['missing', undefined],
    ['not JSON', '{'],
    ['another format', JSON.stringify({ ...record([]), format: 'other/v9' })],
    ['a fingerprint that is not SHA-256 hex', JSON.stringify({ ...record([]), fingerprint: 'abc' })],
    ['a negative count', JSON.stringify({ ...record([]), warnings: -1 })],
    ['too large', JSON.stringify({ ...record([]), padding: 'x'.repeat(70_000) })],
  ])('is refused when %s', (name, text) => {
    const p = text === undefined ? path.join(work, 'absent.json') : file(`${name.replace(/\W+/g, '-')}.json`, text);
    expect(readAnalysisRecord(p)).toBeUndefined();
  });

  test('is refused when it is a symbolic link', () => {
    const target = file('target.json', JSON.stringify(record([])));
    const link = path.join(work, 'link.json');
    fs.symlinkSync(target, link);
    expect(readAnalysisRecord(target)).toBeDefined();
    expect(readAnalysisRecord(link)).toBeUndefined();
  });
});

function analyzedRecordInputs(): unknown[] {
  return [deployment, vs('a')];
}

describe('withDefaultNamespace', () => {
  test('sets the namespace of a namespaced object without one, as a copy; leaves the others as they are', () => {
    const noNs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a' }, spec: {} };
    const out = withDefaultNamespace(noNs, 'dest') as any;
    expect(out.metadata).toEqual({ name: 'a', namespace: 'dest' });
    expect(noNs.metadata).toEqual({ name: 'a' });
    const gatewayClass = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio' } };
    expect(withDefaultNamespace(gatewayClass, 'dest')).toBe(gatewayClass);
    const pinned = vs('b');
    expect(withDefaultNamespace(pinned, 'dest')).toBe(pinned);
    expect(withDefaultNamespace(noNs, undefined)).toBe(noNs);
  });

  test('gives the values generate prints after its own defaulting (applyDefaultNamespace), so the fingerprints match', () => {
    const values = [
      { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'a' }, spec: { host: 'a' } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: '' }, spec: {} },
      vs('pinned'),
    ];
    const manifests: Manifest[] = values.map((v, i) => {
      const [doc] = parseAllDocuments(JSON.stringify(v), { version: '1.1' });
      return { doc, value: doc.toJS(), path: `f.yaml:${i}` } as Manifest;
    });
    applyDefaultNamespace(manifests, 'dest');
    expect(manifests.map((m) => m.value)).toEqual(values.map((v) => withDefaultNamespace(v, 'dest')));
    expect(analysisFingerprint(manifests.map((m) => m.value))).toBe(analysisFingerprint(values.map((v) => withDefaultNamespace(v, 'dest'))));
  });
});
