// Issue 12 items 4 and 11: hostile input for `lint` — every case ends with exit 2 and a message naming the file and
// the limit, within the jest timeout, with small limits so that each runs in milliseconds.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';

const VS = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: shop\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews }\n';

function run(argv: string[], readStdin?: (buffer: Buffer) => number) {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, readStdin });
  return { code, stdout, stderr };
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lint-hostile-'));
}

function write(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Stdin that never ends (like `lint - </dev/zero`); counts the bytes handed out. */
function endlessStdin(byte: number) {
  const state = { bytes: 0 };
  const read = (buffer: Buffer) => {
    buffer.fill(byte);
    state.bytes += buffer.length;
    return buffer.length;
  };
  return { read, state };
}

function stdinOf(text: string) {
  let data = Buffer.from(text);
  return (buffer: Buffer) => {
    const n = data.copy(buffer, 0, 0, buffer.length);
    data = data.subarray(n);
    return n;
  };
}

function expectInputError(r: { code: number; stdout: string; stderr: string }, ...patterns: Array<string | RegExp>) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const nested = (depth: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;

describe('devices, FIFOs and symlinks are never read', () => {
  test('a FIFO named *.yaml in a scanned folder is refused at once, not read (which would hang)', () => {
    const dir = tmpDir();
    write(dir, 'a.yaml', VS);
    const fifo = path.join(dir, 'pipe.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expectInputError(run(['lint', dir]), `${fifo}: not a regular file (a FIFO)`);
    expectInputError(run(['lint', fifo]), `${fifo}: not a regular file (a FIFO)`);
  });

  test('a .yaml symlink to /dev/zero, in a folder or named, is refused as a character device', () => {
    const dir = tmpDir();
    const link = path.join(dir, 'zero.yaml');
    fs.symlinkSync('/dev/zero', link);
    expectInputError(run(['lint', dir]), `${link}: not a regular file (a character device)`);
    expectInputError(run(['lint', link]), `${link}: not a regular file (a character device)`);
    expectInputError(run(['lint', '/dev/zero']), '/dev/zero: not a regular file (a character device)');
  });

  test('a symlink to a regular file is read', () => {
    const dir = tmpDir();
    const target = write(tmpDir(), 'vs.yaml', VS);
    fs.symlinkSync(target, path.join(dir, 'link.yaml'));
    const r = run(['lint', dir, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.objects).toBe(1);
  });

  test('a dangling symlink is unreadable input naming the path and its target, not a raw ENOENT', () => {
    const dir = tmpDir();
    write(dir, 'a.yaml', VS);
    const link = path.join(dir, 'gone.yaml');
    fs.symlinkSync(path.join(dir, 'deleted.yaml'), link);
    const scan = run(['lint', dir]);
    expectInputError(scan, `${link}: cannot read (a dangling symlink to ${JSON.stringify(path.join(dir, 'deleted.yaml'))})`);
    expect(scan.stderr).not.toMatch(/ENOENT/);
    expectInputError(run(['lint', link]), `${link}: cannot read (a dangling symlink`);
  });

  test('a dangling symlink without a manifest extension is not a manifest and is passed over', () => {
    const dir = tmpDir();
    write(dir, 'a.yaml', VS);
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'README'));
    expect(run(['lint', dir]).code).toBe(0);
  });

  test('a symlink loop of folders is scanned once and ends', () => {
    const dir = tmpDir();
    write(dir, 'a.yaml', VS);
    fs.symlinkSync('.', path.join(dir, 'self'));
    fs.symlinkSync('.', path.join(dir, 'again'));
    const r = run(['lint', dir, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.files).toBe(1);
  });
});

describe('size limits', () => {
  test('a file over --max-file-size is refused before it is read', () => {
    const file = write(tmpDir(), 'big.yaml', `data: ${'x'.repeat(100_000)}\n`);
    expectInputError(run(['lint', file, '--max-file-size', '64KiB']), `${file}: larger than the limit of 64 KiB per file (--max-file-size)`);
  });

  test('files together over --max-total-size are refused', () => {
    const dir = tmpDir();
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n';
    write(dir, 'a.yaml', cm);
    write(dir, 'b.yaml', cm.replace('name: a', 'name: b'));
    expect(run(['lint', dir, '--max-total-size', String(cm.length * 2)]).code).toBe(0);
    expectInputError(run(['lint', dir, '--max-total-size', String(cm.length * 2 - 1)]), /b\.yaml: the input exceeds the limit of \d+ bytes in all \(--max-total-size\)/);
  });

  test('`lint - </dev/zero`: stdin is read in chunks and stops one byte past the limit', () => {
    const zero = endlessStdin(0);
    expectInputError(run(['lint', '-', '--max-file-size', '64KiB'], zero.read), '<stdin>: larger than the limit of 64 KiB per file (--max-file-size)');
    expect(zero.state.bytes).toBe(64 * 1024 + 1);
    const text = endlessStdin('a'.charCodeAt(0));
    expectInputError(run(['lint', '-', '--max-file-size', '1MiB'], text.read), '<stdin>: larger than the limit of 1 MiB');
    expect(text.state.bytes).toBeLessThanOrEqual(1024 * 1024 + 1);
  });

  test('stdin within the limit is linted', () => {
    const r = run(['lint', '-', '--format', 'json'], stdinOf(VS));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.objects).toBe(1);
  });

  test('an empty or closed stdin is exit 2, not a clean run', () => {
    expectInputError(run(['lint', '-'], () => 0), '<stdin>: no input (stdin is empty or closed)');
  });

  test('more documents than --max-documents in one file are refused with the line', () => {
    const file = write(tmpDir(), 'many.yaml', Array.from({ length: 5 }, (_, i) => `a: ${i}\n`).join('---\n'));
    expect(run(['lint', file, '--max-documents', '5']).code).toBe(0);
    expectInputError(run(['lint', file, '--max-documents', '4']), `${file}:9: more than 4 YAML documents in one file (--max-documents)`);
    const empties = write(tmpDir(), 'empty-docs.yaml', '---\n'.repeat(20_000));
    expectInputError(run(['lint', empties]), 'more than 10000 YAML documents in one file');
  });

  test('a dense document over --max-tokens is refused while it is parsed (its syntax tree is what costs memory)', () => {
    const file = write(tmpDir(), 'dense.yaml', `[${'[],'.repeat(10_000)}]\n`);
    expectInputError(run(['lint', file, '--max-tokens', '1000']), `${file}:1: a YAML document of more than 1000 tokens (--max-tokens)`);
    // Many small documents are fine under the same per-document limit, and bounded in all by --max-total-tokens.
    const many = write(tmpDir(), 'many.yaml', Array.from({ length: 200 }, (_, i) => `a: ${i}\n`).join('---\n'));
    expect(run(['lint', many, '--max-tokens', '1000']).code).toBe(0);
    expectInputError(run(['lint', many, '--max-total-tokens', '500']), /many\.yaml:\d+: the input holds more than 500 YAML tokens in all \(--max-total-tokens\)/);
  });

  test('a limit option that is not a positive integer is a usage error', () => {
    const file = write(tmpDir(), 'a.yaml', VS);
    expect(run(['lint', file, '--max-depth', '0']).code).toBe(2);
    expect(run(['lint', file, '--max-file-size', 'lots']).code).toBe(2);
    expect(run(['lint', file, '--max-file-size', '1MiB', '--max-depth', '10']).code).toBe(0);
  });
});

describe('nesting, aliases and keys', () => {
  test('1,000 levels of nesting say "nesting deeper than 100 levels", not "Maximum call stack size exceeded"', () => {
    const flow = write(tmpDir(), 'deep.yaml', nested(1000));
    const r = run(['lint', flow]);
    expectInputError(r, `${flow}:4: nesting deeper than 100 levels (--max-depth)`);
    expect(r.stderr).not.toMatch(/call stack/);
    const block = write(tmpDir(), 'deep-block.yaml', Array.from({ length: 1000 }, (_, i) => `${'  '.repeat(i)}a:\n`).join(''));
    expectInputError(run(['lint', block]), /deep-block\.yaml:\d+: nesting deeper than 100 levels/);
    const seq = write(tmpDir(), 'deep-seq.yaml', `${'- '.repeat(100_000)}x\n`);
    expectInputError(run(['lint', seq]), 'nesting deeper than 100 levels');
  });

  test('--max-depth lowers the depth limit; nesting at the limit passes', () => {
    const file = write(tmpDir(), 'deep.yaml', nested(4));
    expect(run(['lint', file, '--max-depth', '5']).code).toBe(0);
    expectInputError(run(['lint', file, '--max-depth', '4']), 'nesting deeper than 4 levels (--max-depth)');
  });

  test('aliases cannot nest deeper than the limit what is shallow in the text', () => {
    const file = write(tmpDir(), 'alias-deep.yaml', 'a: &a [[x]]\nb: &b [[*a]]\nc: &c [[*b]]\n');
    expect(run(['lint', file, '--max-depth', '7']).code).toBe(0);
    expectInputError(run(['lint', file, '--max-depth', '6']), `${file}:1: nesting deeper than 6 levels once aliases are expanded (--max-depth)`);
  });

  test('an alias bomb ("billion laughs") is refused by what its aliases expand to, and by the alias count', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const file = write(tmpDir(), 'bomb.yaml', `${lines.join('\n')}\n`);
    expectInputError(run(['lint', file]), `${file}:1: aliases expand beyond the limit of 1000000 YAML nodes (--max-tokens)`);
    const few = write(tmpDir(), 'few.yaml', 'a: &a [x]\nb: [*a, *a, *a]\n');
    expect(run(['lint', few]).code).toBe(0);
    expectInputError(run(['lint', few, '--max-aliases', '2']), 'more than 2 aliases in one document (--max-aliases)');
  });

  test('a duplicate key is an error naming the file, line and key — not a silent last-wins', () => {
    const file = write(tmpDir(), 'dup.yaml', VS.replace('  http:\n', '  http:\n  - route:\n    - destination: { host: ratings }\n  http:\n'));
    expectInputError(run(['lint', file]), `${file}:11: duplicate key "http" in a mapping`, /kubectl/);
    const flow = write(tmpDir(), 'dup-flow.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, name: d }\n');
    expectInputError(run(['lint', flow]), `${flow}:3: duplicate key "name"`);
    const quoted = write(tmpDir(), 'dup-quoted.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: 1\n  "a": 2\n');
    expectInputError(run(['lint', quoted]), `${quoted}:5: duplicate key "a"`);
  });

  test('a mapping of 50,000 distinct keys completes (the duplicate check is linear)', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `  k${i}: v`).join('\n');
    const file = write(tmpDir(), 'wide.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata:\n${keys}\n`);
    expect(run(['lint', file]).code).toBe(0);
  });
});

describe('text that is not UTF-8 is unreadable input', () => {
  test('UTF-16 with a byte order mark (either order)', () => {
    const dir = tmpDir();
    const le = write(dir, 'le.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VS, 'utf16le')]));
    expectInputError(run(['lint', le]), `${le}: UTF-16 text (byte order mark); lint reads UTF-8`);
    const be = write(dir, 'be.yaml', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(VS, 'utf16le').swap16()]));
    expectInputError(run(['lint', be]), `${be}: UTF-16 text`);
  });

  test('UTF-16 without a byte order mark, a binary file and invalid UTF-8', () => {
    const dir = tmpDir();
    const nobom = write(dir, 'nobom.yaml', Buffer.from(VS, 'utf16le'));
    expectInputError(run(['lint', nobom]), `${nobom}: not UTF-8 text (a NUL byte at offset 1`);
    const binary = write(dir, 'blob.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    expectInputError(run(['lint', binary]), `${binary}: not UTF-8 text`);
    const latin1 = write(dir, 'latin1.yaml', Buffer.from('a: caf\xe9\n', 'latin1'));
    expectInputError(run(['lint', latin1]), `${latin1}: not UTF-8 text (invalid byte sequence)`);
    expectInputError(run(['lint', '-'], stdinOf('\0\0\0')), '<stdin>: not UTF-8 text');
  });

  test('UTF-8 with a byte order mark is read', () => {
    const file = write(tmpDir(), 'bom.yaml', `\ufeff${VS}`);
    expect(run(['lint', file]).code).toBe(0);
  });
});

describe('findings are bounded, whatever the input makes of them', () => {
  /** `n` DestinationRules with a label-less subset next to a labelled one: one DR-03 error each. */
  const unlabelled = (n: number) => Array.from({ length: n }, (_, i) => [
    'apiVersion: networking.istio.io/v1', 'kind: DestinationRule', `metadata: { name: d${i}, namespace: shop }`,
    `spec: { host: d${i}.shop.svc.cluster.local, subsets: [{ name: a }, { name: b, labels: { v: b } }] }`,
  ].join('\n')).join('\n---\n');

  test('--max-findings lists the first findings and counts all of them; the exit code counts them all', () => {
    const file = write(tmpDir(), 'many.yaml', unlabelled(30));
    const r = run(['lint', file, '--max-findings', '5']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => / error DR-03: /.test(l))).toHaveLength(5);
    const json = JSON.parse(run(['lint', file, '--max-findings', '5', '--format', 'json']).stdout);
    expect([json.errors.length, json.summary.errors, json.summary.omitted.errors]).toEqual([5, 30, 25]);
    const warnings = json.summary.warnings;
    expect(json.warnings).toHaveLength(Math.min(5, warnings));
    expect(r.stdout).toMatch(new RegExp(`^30 error\\(s\\), ${warnings} warning\\(s\\), 0 suppressed in 30 Istio object\\(s\\) from 1 file\\(s\\)$`, 'm'));
    expect(r.stdout).toContain(`${25 + json.summary.omitted.warnings} more finding(s) not listed: over --max-findings`);
  });

  test('a message that input makes very long is cut, saying by how much', () => {
    const long = `h${'a'.repeat(60)}.example.com`;
    const hosts = Array.from({ length: 200 }, (_, i) => `${i}${long}`);
    const doc = ['apiVersion: networking.istio.io/v1', 'kind: ServiceEntry', 'metadata: { name: se, namespace: shop }',
      `spec: { hosts: [${hosts.join(', ')}, ${hosts[0]}], ports: [{ number: 80, name: http, protocol: HTTP }], resolution: DNS }`].join('\n');
    const json = JSON.parse(run(['lint', write(tmpDir(), 'se.yaml', doc), '--format', 'json']).stdout);
    const messages = [...json.errors, ...json.warnings].map((v: any) => v.message as string);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(2100);
  });
});
