/**
 * `lint` on Istio's published samples, each file applied as its README applies it (after Bookinfo's
 * destination-rule-all.yaml, in the namespace given by -n): no error but the true problems named here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli/main';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'istio-samples');
const DR_ALL = path.join(SAMPLES, 'bookinfo', 'networking', 'destination-rule-all.yaml');

/** The true problems: a fault on every request of details, then a route no request reaches. */
const TRUE_PROBLEMS: Record<string, string[]> = {
  'bookinfo/networking/fault-injection-details-v1.yaml': ['VS-06', 'VS-23'],
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? [path.join(dir, e.name)] : []));
}

const samples = files(SAMPLES).map((f) => path.relative(SAMPLES, f)).sort();

test('the corpus holds the samples this suite lints', () => {
  expect(samples.length).toBeGreaterThanOrEqual(35);
});

test.each(samples)('%s lints without false errors', (sample) => {
  const file = path.join(SAMPLES, sample);
  const inputs = file === DR_ALL ? [file] : [DR_ALL, file];
  let stdout = '';
  const code = main(['lint', ...inputs, '-n', 'default', '--format', 'json'], { stdout: (t) => { stdout += t; }, stderr: () => undefined });
  const report = JSON.parse(stdout);
  const expected = TRUE_PROBLEMS[sample] ?? [];
  expect(report.errors.map((e: any) => e.code).sort()).toEqual(expected);
  expect(code).toBe(expected.length > 0 ? 1 : 0);
});
