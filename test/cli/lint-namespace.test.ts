import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';

function lint(text: string, ...args: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-ns-'));
  const file = path.join(dir, 'in.yaml');
  fs.writeFileSync(file, text);
  let stdout = '';
  let stderr = '';
  const code = main(['lint', file, '--format', 'json', ...args], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, report: stdout ? JSON.parse(stdout) : undefined, stderr };
}

const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
`;

test('--namespace places namespace-less objects as kubectl apply -n does: short hosts resolve there (no X-04)', () => {
  const without = lint(VS);
  expect(without.report.warnings.map((w: any) => w.code)).toContain('X-04');
  const withNs = lint(VS, '--namespace', 'bookinfo');
  expect(withNs.report.warnings.map((w: any) => w.code)).not.toContain('X-04');
  expect(withNs.code).toBe(0);
});

test('--namespace that is not a DNS label is a usage error (exit 2)', () => {
  const r = lint(VS, '-n', 'Not_A_Namespace');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--namespace "Not_A_Namespace"');
});
