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
    ['[!!str a:]', ['a:']], // the tag is the scalar's
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
    ['[a: ]', [{ a: null }]], // a blank after the colon: a pair for go-yaml too
  ])('%s reads as %j, without that warning', (flow, expected) => {
    expect(listOf(flow)).toEqual(expected);
    expect(yamlWarnings(flow)).toEqual([]);
  });

  test('an anchor on such an item names the scalar: `[&x a:, *x]` is two strings "a:"', () => {
    expect(listOf('[&x a:, *x]')).toEqual(['a:', 'a:']);
  });

  test.each([
    ['[? a:]', [{ 'a:': null }]], // an explicit key: a map to go-yaml too, whose key keeps the colon
    ['[{a:, b: 1}]', [{ 'a:': null, b: 1 }]],
    ['[{a: 1, b:}]', [{ a: 1, 'b:': null }]],
  ])('a flow mapping\'s key written before `:` and a flow end keeps its colon: %s reads as %j, with a YAML warning', (flow, expected) => {
    expect(listOf(flow)).toEqual(expected);
    expect(yamlWarnings(flow).map((w) => w.message)).toEqual([expect.stringContaining('key of a flow mapping')]);
  });

  test('a ServiceEntry with `addresses: [1.2.3.4, 001:db8::]` (Istio\'s own valid example) passes the schema', () => {
    const r = lint('apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se, namespace: x}\nspec:\n  hosts: [api.example.com]\n'
      + '  addresses: [1.2.3.4, 001:db8::]\n  ports: [{number: 443, name: tls, protocol: TLS}]\n  resolution: STATIC\n  endpoints: [{address: 1.2.3.4}]\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toContain('YAML');
  });
});

describe('indentation inside flow collections is not checked, as go-yaml v2 and the JS yaml package read it', () => {
  const cm = (body: string) => parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n${body}`, 'in.yaml')[0].manifest as any;

  test.each([
    ['the closing bracket under the key', 'data:\n  hosts: [\n    "x"\n  ]\n', { hosts: ['x'] }],
    ['an item at the key\'s column', 'data:\n  hosts: [\n  a, b]\n', { hosts: ['a', 'b'] }],
    ['a top-level list closed at column 0', 'data: [\n  a,\n]\n', ['a']],
    ['a tab after a comma', 'data: [{number: 80,\tname: http}]\n', [{ number: 80, name: 'http' }]],
    ['a tab starting a continuation line', 'data:\n  b: [x,\n\tz]\n', { b: ['x', 'z'] }],
    ['a flow mapping closed under its key', 'data:\n  m: {\n    a: 1\n  }\n', { m: { a: 1 } }],
  ])('%s', (_what, body, expected) => {
    expect(cm(body).data).toEqual(expected);
  });

  test('what follows a repaired line keeps its line and column in findings', () => {
    const r = lint('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: shop\nspec:\n  hosts: [\n    reviews.shop.svc.cluster.local\n  ]\n'
      + '  http:\n  - route:\n    - destination: {host: reviews.shop.svc.cluster.local}\n      weight: 60\n    - destination: {host: reviews.shop.svc.cluster.local,\tport: {number: 80}}\n      weight: 60\n');
    expect(r.errors.map((e) => [e.code, e.line, e.column])).toEqual([['VS-11', 11, 5]]);
  });

  test('block indentation is still checked: a mapping entry out of line is an input error', () => {
    expect(() => cm('data:\n  b: 1\n c: 2\n')).toThrow(/bad indentation/);
    // A tab inside a quoted string is its value, not whitespace to repair.
    expect(cm('data: ["a\tb",\tc]\n').data).toEqual(['a\tb', 'c']);
  });
});

test('the repairs are bounded: a document with thousands of under-indented flow lines fails as js-yaml fails, in bounded time', () => {
  const lines = Array.from({ length: 3000 }, (_, i) => `  k${i}: [\n  a]\n`).join('');
  const started = Date.now();
  expect(() => parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${lines}`, 'in.yaml')).toThrow(/deficient indentation/);
  expect(Date.now() - started).toBeLessThan(30_000);
});
