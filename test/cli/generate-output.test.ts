import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { addSyncWaves, applyDefaultNamespace, checkDuplicates, isClusterScoped, orderManifests, readOutput, renderStream } from '../../src/cli/generate-output';
import { readPluginSettings } from '../../src/cli/generate-params';
import { resolveEntry } from '../../src/cli/generate-run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'generate-output-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let n = 0;
function outdir(files: Record<string, string>): string {
  const dir = path.join(work, `out-${n++}`);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const cm = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
const istio = (kind: string, name: string) => `apiVersion: networking.istio.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: mesh\n`;
const names = (text: string) => parseAllDocuments(text, { version: '1.1' }).map((d) => (d.toJS() as any).metadata.name);

describe('reading the output directory', () => {
  test('files sorted by name (subdirectories included), documents in file order, List items flattened', () => {
    const dir = outdir({
      'b.k8s.yaml': `${cm('b1')}---\n${cm('b2')}`,
      'a.k8s.yaml': cm('a1'),
      'c/d.yaml': `kind: List\napiVersion: v1\nitems:\n  - ${cm('c1').replace(/\n(?=.)/g, '\n    ')}`,
      'traffic-report.md': '# not a manifest\n',
    });
    const { manifests, files, ignored } = readOutput(dir);
    expect(manifests.map((m) => m.value.metadata.name)).toEqual(['a1', 'b1', 'b2', 'c1']);
    expect(manifests.map((m) => m.path)).toEqual(['a.k8s.yaml:1', 'b.k8s.yaml:1', 'b.k8s.yaml:6', 'c/d.yaml:1 items[0]']);
    expect(files).toBe(3);
    expect(ignored).toEqual(['traffic-report.md']);
  });

  test('a document without kind, a scalar document and duplicate keys are errors', () => {
    expect(() => readOutput(outdir({ 'a.yaml': 'apiVersion: v1\nmetadata: {name: x}\n' }))).toThrow(/a\.yaml:1: the document has no kind/);
    expect(() => readOutput(outdir({ 'a.yaml': `${cm('ok')}---\njust text\n` }))).toThrow(/a\.yaml:6: the document is not a mapping/);
    expect(() => readOutput(outdir({ 'a.yaml': `${cm('x')}  name: y\n` }))).toThrow(/invalid YAML/);
  });

  test('the JSON records of cdk8s (construct-metadata.json) and of this library\'s synth are not manifests; the same names deeper down are', () => {
    const { manifests, ignored } = readOutput(outdir({
      'c.k8s.yaml': cm('one'), 'construct-metadata.json': '{"version":"1.0.0","resources":{}}', 'cdk8s-istio-traffic.synth-record': '{"format":"x"}',
      'sub/construct-metadata.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deeper' } }),
    }));
    expect(manifests.map((m) => m.value.metadata.name)).toEqual(['one', 'deeper']);
    expect(ignored).toEqual(['cdk8s-istio-traffic.synth-record', 'construct-metadata.json']);
  });

  test('no files, or only empty documents, is an error', () => {
    expect(() => readOutput(path.join(work, 'missing'))).toThrow(/wrote no manifests/);
    expect(() => readOutput(outdir({ 'a.yaml': '---\n# nothing\n' }))).toThrow(/wrote 1 file\(s\) but no manifests/);
  });
});

describe('namespaces, duplicates, order and waves', () => {
  test('only namespaced kinds without a namespace get the default one', () => {
    const { manifests } = readOutput(outdir({
      'a.yaml': [cm('plain'), cm('pinned', '  namespace: other\n'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n',
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n',
        'apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sRequiredLabels\nmetadata:\n  name: must-have-owner\n'].join('---\n'),
    }));
    applyDefaultNamespace(manifests, 'dest');
    expect(manifests.map((m) => m.value.metadata.namespace)).toEqual(['dest', 'other', undefined, undefined, undefined]);
    expect(renderStream(manifests)).toContain('  name: plain\n  namespace: dest\n');
  });

  test('cluster scope is decided by group and kind', () => {
    expect(isClusterScoped('v1', 'Namespace')).toBe(true);
    expect(isClusterScoped('storage.k8s.io/v1', 'StorageClass')).toBe(true);
    expect(isClusterScoped('networking.k8s.io/v1', 'IngressClass')).toBe(true);
    expect(isClusterScoped('example.com/v1', 'Namespace')).toBe(false);
    expect(isClusterScoped('networking.istio.io/v1', 'Gateway')).toBe(false);
  });

  test('the same group, kind, namespace and name twice is an error; another group is another object', () => {
    const dup = readOutput(outdir({ 'a.yaml': `${cm('x')}---\n${cm('x')}` })).manifests;
    expect(() => checkDuplicates(dup)).toThrow(/a\.yaml:6: ConfigMap x is also defined at a\.yaml:1/);
    const distinct = readOutput(outdir({ 'a.yaml': `${istio('Gateway', 'g')}---\n${istio('Gateway', 'g').replace('networking.istio.io/v1', 'gateway.networking.k8s.io/v1')}` })).manifests;
    expect(() => checkDuplicates(distinct)).not.toThrow();
  });

  test('VirtualServices move after everything else; the rest keeps synth order', () => {
    const { manifests } = readOutput(outdir({
      'a.yaml': [istio('VirtualService', 'vs-a'), istio('DestinationRule', 'dr-a'), cm('cm')].join('---\n'),
      'b.yaml': [istio('ServiceEntry', 'se-b'), istio('VirtualService', 'vs-b'), istio('Gateway', 'gw-b')].join('---\n'),
    }));
    expect(orderManifests(manifests).map((m) => m.value.metadata.name)).toEqual(['dr-a', 'cm', 'se-b', 'gw-b', 'vs-a', 'vs-b']);
  });

  test('sync waves: routes go one wave after the latest ServiceEntry, Gateway or DestinationRule; explicit waves stay', () => {
    const wave = (w: string) => `  annotations:\n    argocd.argoproj.io/sync-wave: "${w}"\n`;
    const { manifests } = readOutput(outdir({
      'a.yaml': [istio('DestinationRule', 'dr') + wave('2'), istio('VirtualService', 'vs'), istio('VirtualService', 'pinned') + wave('-1')].join('---\n'),
    }));
    expect(addSyncWaves(manifests)).toBe(3);
    expect(manifests.map((m) => m.value.metadata.annotations['argocd.argoproj.io/sync-wave'])).toEqual(['2', '3', '-1']);
    const bad = readOutput(outdir({ 'a.yaml': istio('DestinationRule', 'dr') + wave('soon') })).manifests;
    expect(() => addSyncWaves(bad)).toThrow(/must be an integer/);
  });

  test('rendering keeps each document as written, one stream separated by ---', () => {
    const text = `${cm('a', 'data:\n  on: "yes"\n  script: |\n    echo hi\n')}---\n${cm('b')}`;
    const { manifests } = readOutput(outdir({ 'a.yaml': text }));
    expect(renderStream(manifests)).toBe(text);
    expect(names(renderStream(manifests))).toEqual(['a', 'b']);
  });
});

describe('settings and entries', () => {
  test('parameters of each collection type', () => {
    expect(readPluginSettings({
      ARGOCD_APP_PARAMETERS: JSON.stringify([
        { name: 'app', string: 'src/main.ts' }, { name: 'namespace', string: 'web' }, { name: 'strict', string: 'true' },
        { name: 'sync-waves', string: 'false' }, { name: 'env', map: { STAGE: 'prod' } },
      ]),
    })).toEqual({ app: 'src/main.ts', namespace: 'web', strict: true, syncWaves: false, env: { STAGE: 'prod' } });
  });

  test('empty strings mean "not set", as the ArgoCD UI sends them', () => {
    expect(readPluginSettings({ ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'namespace', string: '' }, { name: 'strict', string: '' }]) }))
      .toEqual({ env: {} });
    expect(readPluginSettings({})).toEqual({ env: {} });
  });

  test.each([
    ['node lib/apps/main.js', 'lib/apps/main.js', []],
    ['npx ts-node main.ts', 'main.ts', []],
    ['npx --yes ts-node -P tsconfig.json --transpile-only src/main.ts --stage prod', 'src/main.ts', ['--stage', 'prod']],
    ['node -r ts-node/register ./apps/main.ts', 'apps/main.ts', []],
    ['npx tsx main.ts', 'main.ts', []],
  ])('cdk8s.yaml app %j runs %s', (command, entry, args) => {
    const dir = outdir({ 'cdk8s.yaml': `app: ${command}\n` });
    expect(resolveEntry(dir, undefined)).toMatchObject({ entry, args });
  });

  test.each(['python main.py', 'node main.js && curl example.com', 'npx ts-node', 'go run .', 'node ../outside.js'])('cdk8s.yaml app %j is refused', (command) => {
    const dir = outdir({ 'cdk8s.yaml': `app: ${command}\n` });
    expect(() => resolveEntry(dir, undefined)).toThrow(/cdk8s\.yaml app/);
  });
});

describe('the printed stream reads back as what the app wrote', () => {
  test('strings that kubectl and YAML 1.2 readers take for integers are quoted; line separators are escaped', () => {
    // cdk8s writes `version: 0o17` unquoted; a YAML 1.1 read keeps it a string, kubectl would read 15.
    const dir = outdir({ 'a.k8s.yaml': cm('a', 'data:\n  version: 0o17\n  plain: v1\n  sep: "x\u2028y"\n') });
    const { manifests } = readOutput(dir);
    expect(manifests[0].value.data).toEqual({ version: '0o17', plain: 'v1', sep: 'x\u2028y' });
    const text = renderStream(manifests);
    expect(text).toContain('  version: "0o17"\n');
    expect(text).toContain('  plain: v1\n');
    expect(text).toContain('  sep: "x\\Ly"\n');
    expect(text).not.toMatch(/[\u2028\u2029\u0085]/);
    for (const version of ['1.1', '1.2'] as const) {
      expect((parseAllDocuments(text, { version })[0].toJS() as any).data).toEqual({ version: '0o17', plain: 'v1', sep: 'x\u2028y' });
    }
  });
});
