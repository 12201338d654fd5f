/**
 * lint reads YAML as kubectl does (go-yaml v2: YAML 1.1 booleans, Go number syntax), and warns (YAML) where a
 * YAML 1.2 reader (kustomize, the JS yaml package) reads the same text as something else.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { goYamlV2Key, goYamlV2Plain } from '../../src/core/go-yaml';
import { parseManifests } from '../../src/cli/inputs';

function lint(text: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-yaml11-'));
  const file = path.join(dir, 'in.yaml');
  fs.writeFileSync(file, text);
  let stdout = '';
  const code = main(['lint', file, '--format', 'json'], { stdout: (t) => { stdout += t; }, stderr: () => undefined });
  const report = JSON.parse(stdout);
  return { code, errors: report.errors as any[], warnings: report.warnings as any[] };
}

const dr = (trafficPolicy: string, labels = 'version: v1') => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: shop
spec:
  host: reviews.shop.svc.cluster.local
  trafficPolicy:
${trafficPolicy}
  subsets:
  - name: v1
    labels:
      ${labels}
`;

describe('go-yaml v2 resolution of plain scalars', () => {
  test.each([
    ['yes', true], ['Y', true], ['on', true], ['OFF', false], ['n', false], ['~', null], ['null', null], ['', null],
    ['017', 15], ['0o17', 15], ['-0o17', -15], ['0x1F', 31], ['+0x1F', 31], ['0b101', 5], ['1_000', 1000], ['1__0', 10],
    ['08', 8], ['1e3', 1000], ['.5', 0.5], ['3.25', 3.25], ['-7', -7],
    ['.', '.'], ['v1', 'v1'], ['2001-12-14', '2001-12-14'], ['001:db8::', '001:db8::'], ['1:20', '1:20'], ['_1', '_1'], ['0x', '0x'], ['+', '+'],
    ['.e3', '.e3'], ['9223372036854775808', 9223372036854775808], ['true_', 'true_'],
  ])('%j reads as %j', (source, expected) => {
    expect(goYamlV2Plain(source)).toEqual(expected);
  });

  test('keys become the strings the API server sees', () => {
    expect(goYamlV2Key('yes')).toBe('true');
    expect(goYamlV2Key('017')).toBe('15');
    expect(goYamlV2Key('app')).toBe('app');
  });
});

describe('lint reads what kubectl reads', () => {
  test('`enabled: yes` is the boolean kubectl reads (no SCHEMA error), with a YAML warning that kustomize reads a string', () => {
    const r = lint(dr('    loadBalancer:\n      localityLbSetting:\n        enabled: yes\n    outlierDetection:\n      consecutive5xxErrors: 5'));
    expect(r.errors.map((e) => e.code)).toEqual([]);
    const w = r.warnings.find((x) => x.code === 'YAML');
    expect(w.message).toContain('the unquoted value yes is the boolean true to kubectl');
    expect(w.message).toContain('the string "yes" to YAML 1.2 readers');
    expect(w.path).toMatch(/in\.yaml:11$/);
  });

  test('a label `version: 017` is the integer 15 to kubectl: SCHEMA error, and a YAML warning (YAML 1.2 reads 17)', () => {
    const r = lint(dr('    outlierDetection:\n      consecutive5xxErrors: 5', 'version: 017'));
    expect(r.errors.map((e) => e.code)).toEqual(['SCHEMA']);
    expect(r.warnings.find((x) => x.code === 'YAML').message).toContain('the integer 15 to kubectl and Istio (go-yaml v2) but the integer 17');
  });

  test('a label `version: 0o17` is an integer to every reader: SCHEMA error, no YAML warning', () => {
    const r = lint(dr('    outlierDetection:\n      consecutive5xxErrors: 5', 'version: 0o17'));
    expect(r.errors.map((e) => e.code)).toEqual(['SCHEMA']);
    expect(r.warnings.filter((x) => x.code === 'YAML')).toEqual([]);
  });

  test('a quoted "yes", an unquoted "." and an ordinary string pass without YAML warnings', () => {
    const r = lint(dr('    outlierDetection:\n      consecutive5xxErrors: 5', 'version: "yes"').replace('  subsets:', '  exportTo:\n  - .\n  subsets:'));
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((x) => x.code === 'YAML')).toEqual([]);
  });

  test('`maxEjectionPercent: 1_000` is 1000 to kubectl (DR-07 range error), "1_000" to YAML 1.2', () => {
    const r = lint(dr('    outlierDetection:\n      consecutive5xxErrors: 5\n      maxEjectionPercent: 1_000'));
    expect(r.warnings.find((x) => x.code === 'YAML').message).toContain('the integer 1000 to kubectl');
    expect(r.errors.length).toBeGreaterThan(0);
  });
});

describe('a colon before `,` `]` `}` in a flow sequence stays in the plain scalar, as go-yaml v2 reads it', () => {
  const read = (flow: string) => parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nlist: ${flow}\n`, 'in.yaml');
  const listOf = (flow: string) => (read(flow)[0].manifest as any).list;
  const yamlWarnings = (flow: string) => (read(flow)[0].findings ?? []).filter((f) => f.code === 'YAML');

  test.each([
    ['[1.2.3.4, 001:db8::]', ['1.2.3.4', '001:db8::']],
    ['[2001:db8::, x]', ['2001:db8::', 'x']],
    ['[a:]', ['a:']],
  ])('%s reads as %j, with a YAML warning (a one-pair map to js-yaml and the JS yaml package)', (flow, expected) => {
    expect(listOf(flow)).toEqual(expected);
    expect(yamlWarnings(flow)).toHaveLength(1);
    expect(yamlWarnings(flow)[0].message).toContain('a string to kubectl and Istio (go-yaml v2) but a one-pair map');
  });

  test.each([
    ['[x: z]', [{ x: 'z' }]], // a colon and a blank: a pair for every reader
    ['[ 2001:db8:: ]', [{ '2001:db8:': null }]], // the last colon before a blank: a pair for go-yaml too
    ['[a::b]', ['a::b']], // no colon before a flow end
    ['["001:db8::"]', ['001:db8::']], // quoted
    ['[&n a:]', [{ a: null }]], // an anchor on the pair: left as js-yaml reads it
    ['[a: ]', [{ a: null }]], // a blank after the colon: a pair for go-yaml too
  ])('%s reads as %j, without that warning', (flow, expected) => {
    expect(listOf(flow)).toEqual(expected);
    expect(yamlWarnings(flow)).toEqual([]);
  });

  test('a ServiceEntry with `addresses: [1.2.3.4, 001:db8::]` (Istio\'s own valid example) passes the schema', () => {
    const r = lint('apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se, namespace: x}\nspec:\n  hosts: [api.example.com]\n'
      + '  addresses: [1.2.3.4, 001:db8::]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: STATIC\n  endpoints: [{address: 1.2.3.4}]\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toContain('YAML');
  });
});
