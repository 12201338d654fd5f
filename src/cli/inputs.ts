import * as fs from 'fs';
import * as path from 'path';
import { Composer, Document, isMap, isScalar, Lexer, LineCounter, Parser, visit } from 'yaml';
import { Severity, Violation, YAML_CODE } from '../core/errors';
import { describeYamlValue, goYamlV2Key, goYamlV2Plain } from '../core/go-yaml';
import type { CST } from 'yaml';
type Token = CST.Token;
import { ManifestInput } from '../engine/analyze';

/** Input the user gave that cannot be read or parsed: reported as `file:line: message`, exit code 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Bounds on what `lint` reads, so that no input (a huge file, `/dev/zero`, a YAML bomb) costs more than about
 * 1 GB of memory or hangs. Each limit exceeded is an {@link InputError} (exit 2) naming the file and the option.
 */
export interface InputLimits {
  /** Bytes per file (and for stdin). `--max-file-size` */
  readonly maxFileBytes: number;
  /** Bytes of all files together. `--max-total-size` */
  readonly maxTotalBytes: number;
  /** YAML documents per file. `--max-documents` */
  readonly maxDocuments: number;
  /** Nesting of mappings and sequences, also counting what aliases expand to. `--max-depth` */
  readonly maxDepth: number;
  /** Alias expansion per document, as the `yaml` package's `maxAliasCount`. `--max-aliases` */
  readonly maxAliases: number;
  /**
   * YAML tokens (scalars, indicators, spaces, line breaks) per file: what the parser holds in memory grows with
   * them, not with bytes (32 MiB of `[],` is 11 million tokens and gigabytes of syntax tree). `--max-tokens`
   */
  readonly maxTokens: number;
  /** YAML tokens of all files together (their parsed objects are kept until the rules ran). `--max-total-tokens` */
  readonly maxTotalTokens: number;
}

const MiB = 1024 * 1024;

/** The defaults: generous for real repositories, and together below 1 GB of memory. */
export const DEFAULT_LIMITS: InputLimits = {
  maxFileBytes: 32 * MiB,
  maxTotalBytes: 256 * MiB,
  maxDocuments: 10_000,
  maxDepth: 100,
  maxAliases: 100,
  maxTokens: 1_000_000,
  maxTotalTokens: 4_000_000,
};

/** Reads up to `buffer.length` bytes of stdin into `buffer`; returns how many (0 at the end of input). */
export type ReadChunk = (buffer: Buffer) => number;

/** Reads fd 0, waiting when it is a non-blocking descriptor with nothing to read yet. */
export const readProcessStdin: ReadChunk = (buffer) => {
  for (;;) {
    try {
      return fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (code === 'EOF') return 0;
      throw e;
    }
  }
};

/** What one `lint` run has read so far, against its limits. */
export class InputReader {
  private totalBytes = 0;
  private readonly tokens = { used: 0 };

  constructor(readonly limits: InputLimits = DEFAULT_LIMITS, private readonly readStdin: ReadChunk = readProcessStdin) {}

  /** Reads one file (or stdin for `-`) as UTF-8 text, within the size limits; never a device, FIFO or socket. */
  read(file: string): string {
    const name = displayName(file);
    const bytes = file === '-' ? this.readChunks(name, this.readStdin) : this.readFile(file);
    if (file === '-' && bytes.length === 0) throw new InputError(`${name}: no input (stdin is empty or closed); pipe YAML into - or name files`);
    return decodeText(bytes, name);
  }

  /** Parses a file's text into manifests (see {@link parseManifests}), its tokens counted against the total limit. */
  parse(text: string, file: string): ManifestInput[] {
    return parseManifests(text, file, this.limits, this.tokens);
  }

  private readFile(file: string): Buffer {
    const stat = regularFile(file);
    this.checkSize(displayName(file), stat.size);
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (e) {
      throw cannotRead(file, e);
    }
    try {
      // The file may have been replaced between stat and open: check what was opened.
      const opened = fs.fstatSync(fd);
      if (!opened.isFile()) throw new InputError(`${file}: not a regular file (${fileType(opened)}); lint reads regular files and - for stdin`);
      return this.readChunks(file, (buffer) => fs.readSync(fd, buffer, 0, buffer.length, null));
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw cannotRead(file, e);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Reads until the end or one byte past the limit, in chunks: `/dev/zero` or an endless pipe stop at the limit. */
  private readChunks(name: string, readChunk: ReadChunk): Buffer {
    const limit = Math.min(this.limits.maxFileBytes, this.limits.maxTotalBytes - this.totalBytes);
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 * MiB, limit + 1 - length));
      let n: number;
      try {
        n = readChunk(chunk);
      } catch (e) {
        throw cannotRead(name, e);
      }
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      length += n;
      if (length > limit) this.checkSize(name, length);
    }
    this.totalBytes += length;
    return Buffer.concat(chunks, length);
  }

  private checkSize(name: string, size: number): void {
    if (size > this.limits.maxFileBytes) {
      throw new InputError(`${name}: larger than the limit of ${formatBytes(this.limits.maxFileBytes)} per file (--max-file-size)`);
    }
    if (this.totalBytes + size > this.limits.maxTotalBytes) {
      throw new InputError(`${name}: the input exceeds the limit of ${formatBytes(this.limits.maxTotalBytes)} in all (--max-total-size)`);
    }
  }
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Folders a directory scan does not enter (a folder named on the command line is always read). */
const SKIPPED_DIR = (name: string) => name === 'node_modules' || name.startsWith('.');

/**
 * Expands files, directories (recursively: *.yaml, *.yml, *.json, sorted; `node_modules` and hidden folders skipped)
 * and `-` (stdin) into file names.
 * Only regular files (or symlinks to them) are taken: a device, FIFO or socket, or a symlink to nowhere, named on
 * the command line or with a manifest extension in a directory, is an {@link InputError} (exit 2) naming it — the
 * scan never skips a manifest it cannot check. A directory reached twice (symlink loops) is scanned once.
 */
export function expandPaths(args: readonly string[]): string[] {
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const visitDir = (dir: string) => {
    let real: string;
    let entries: fs.Dirent[];
    try {
      real = fs.realpathSync(dir);
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      throw cannotRead(dir, e);
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = path.join(dir, entry.name);
      const candidate = EXTENSIONS.has(path.extname(entry.name));
      let stat: fs.Stats;
      try {
        stat = fs.statSync(child);
      } catch (e) {
        // Not a manifest name and not a directory (a link to nowhere cannot hold manifests): not ours to read.
        if (!candidate && !entry.isDirectory()) continue;
        throw cannotRead(child, e);
      }
      if (stat.isDirectory()) {
        // Dependencies and tool folders (node_modules, .git, .github, …) hold YAML that is not applied.
        if (!SKIPPED_DIR(entry.name)) visitDir(child);
      } else if (candidate) {
        if (!stat.isFile()) throw notRegular(child, stat);
        out.push(child);
      }
    }
  };
  for (const a of args) {
    if (a === '-') {
      out.push('-');
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(a);
    } catch (e) {
      throw cannotRead(a, e);
    }
    if (stat.isDirectory()) visitDir(a);
    else if (stat.isFile()) out.push(a);
    else throw notRegular(a, stat);
  }
  return out;
}

/** Reads one file (or stdin for `-`) with the default limits. */
export function readSource(file: string): string {
  return new InputReader().read(file);
}

/**
 * Parses a multi-document YAML (or JSON) text into manifests labelled `file:line` (the line where each
 * document starts). `kind: List` documents are flattened. Syntax errors, duplicate keys and exceeded limits raise
 * {@link InputError} with the line.
 */
export function parseManifests(
  text: string, file: string, limits: InputLimits = DEFAULT_LIMITS, tokens: { used: number } = { used: 0 },
): ManifestInput[] {
  const name = displayName(file);
  const lineCounter = new LineCounter();
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false });
  const out: ManifestInput[] = [];
  let documents = 0;
  /** Tokens of the document being parsed: its syntax tree is in memory until it ends. */
  let docTokens = 0;
  let docLine = 1;
  lineCounter.addNewLine(0);
  const take = (cst: Iterable<Token>) => {
    for (const token of cst) {
      if (token.type === 'document') {
        docTokens = 0;
        if (++documents > limits.maxDocuments) throw new InputError(`${name}:${lineOf(token.offset)}: more than ${limits.maxDocuments} YAML documents in one file (--max-documents)`);
        checkSyntaxDepth(token, limits.maxDepth, (offset) => `${name}:${lineOf(offset)}`);
      }
      for (const doc of composer.next(token)) load(doc);
    }
  };
  const load = (doc: Document.Parsed) => {
    const error = doc.errors[0];
    if (error) throw new InputError(`${name}:${lineOf(error.pos[0])}: invalid YAML: ${error.message.split('\n')[0]}`);
    checkUniqueKeys(doc, (offset) => `${name}:${lineOf(offset)}`);
    const findings = readAsKubectl(doc, (offset) => `${name}:${lineOf(offset)}`);
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineOf(start);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliases });
    } catch (e) {
      if (e instanceof ReferenceError && /Excessive alias count/.test(e.message)) {
        throw new InputError(`${name}:${line}: aliases expand beyond the limit of ${limits.maxAliases} (--max-aliases); a YAML "billion laughs" document?`);
      }
      throw new InputError(`${name}:${line}: cannot load document: ${(e as Error).message}`);
    }
    if (depthExceeds(value, limits.maxDepth)) throw new InputError(`${name}:${line}: nesting deeper than ${limits.maxDepth} levels once aliases are expanded (--max-depth)`);
    if (value === null || value === undefined) return;
    const items = isList(value) ? value.items : [value];
    items.forEach((manifest, i) => out.push({ manifest, path: `${name}:${line}`, ...(i === 0 && findings.length > 0 ? { findings } : {}) }));
  };
  for (const lexeme of new Lexer().lex(text)) {
    if (++tokens.used > limits.maxTotalTokens) throw new InputError(`${name}:${lineCounter.lineStarts.length}: the input holds more than ${limits.maxTotalTokens} YAML tokens in all (--max-total-tokens)`);
    if (docTokens++ === 0) docLine = lineCounter.lineStarts.length;
    if (docTokens > limits.maxTokens) throw new InputError(`${name}:${docLine}: a YAML document of more than ${limits.maxTokens} tokens (--max-tokens)`);
    take(parser.next(lexeme));
  }
  take(parser.end());
  for (const doc of composer.end()) load(doc);
  return out;
}

/** Nesting of the syntax tree, walked without recursion (the `yaml` composer recurses and overflows the stack). */
function checkSyntaxDepth(document: Token, maxDepth: number, where: (offset: number) => string): void {
  const stack: Array<[Token | undefined, number]> = [[document, 0]];
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push([token.value, depth]);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > maxDepth) throw new InputError(`${where(token.offset)}: nesting deeper than ${maxDepth} levels (--max-depth)`);
      for (const item of token.items) {
        if ('key' in item) stack.push([item.key ?? undefined, depth + 1]);
        stack.push([item.value, depth + 1]);
      }
    }
  }
}

/** Nesting of a loaded value (aliases can nest what is shallow in the text); each shared object is walked once per depth. */
function depthExceeds(value: unknown, maxDepth: number): boolean {
  const deepest = new Map<object, number>();
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth) return true;
    if ((deepest.get(v) ?? -1) >= depth) continue;
    deepest.set(v, depth);
    for (const child of Array.isArray(v) ? v : v instanceof Map ? v.values() : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Re-reads the document's plain scalars as kubectl does (go-yaml v2: YAML 1.1 booleans, Go number syntax; see
 * core/go-yaml), so the rules and the schema check see what the API server would store. Where a YAML 1.2 reader
 * (kustomize, Argo CD's kustomize builds, the JS `yaml` package) reads the scalar as something else, the text means
 * two things: a YAML warning names both readings and asks for quotes.
 */
function readAsKubectl(doc: Document.Parsed, where: (offset: number) => string): Violation[] {
  const out: Violation[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (node.type !== 'PLAIN' || node.tag !== undefined || typeof node.source !== 'string') return;
      const source = node.source;
      const yaml12 = node.value;
      const kubectl = key === 'key' ? goYamlV2Key(source) : goYamlV2Plain(source);
      const asKey = key === 'key' ? (yaml12 === null ? 'null' : String(yaml12)) : yaml12;
      if (Object.is(kubectl, asKey) || (typeof kubectl === 'number' && typeof asKey === 'number' && Number.isNaN(kubectl) && Number.isNaN(asKey))) return;
      node.value = kubectl;
      out.push({
        code: YAML_CODE, severity: Severity.WARNING, path: where(node.range?.[0] ?? 0), value: source, allowed: 'a scalar every YAML reader reads alike',
        message: `the unquoted ${key === 'key' ? 'key' : 'value'} ${source} is ${describeYamlValue(kubectl)} to kubectl and Istio (go-yaml v2) but ${describeYamlValue(asKey)} to YAML 1.2 readers (kustomize, the JS yaml package); lint checks what kubectl reads`,
        fix: typeof kubectl === 'string' || typeof asKey === 'string' ? `Quote it ("${source}") if it is a string, or write the ${typeof kubectl === 'boolean' ? 'boolean as true/false' : 'number in decimal'}.` : 'Write the number in decimal.',
      });
    },
  });
  return out;
}

/**
 * Two equal keys in one mapping: the last would silently win (a `retries` block overridden), and kubectl's strict
 * field validation refuses them. Linear in the keys (the `yaml` package's own `uniqueKeys` is quadratic).
 */
function checkUniqueKeys(doc: Document.Parsed, where: (offset: number) => string): void {
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || pair.key.value === '<<') continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          throw new InputError(`${where(pair.key.range?.[0] ?? 0)}: duplicate key ${JSON.stringify(key)} in a mapping (the last value would silently win; kubectl's strict field validation refuses it)`);
        }
        seen.add(key);
      }
    },
  });
}

function isList(value: unknown): value is { items: unknown[] } {
  return typeof value === 'object' && value !== null && (value as any).kind === 'List' && Array.isArray((value as any).items);
}

function displayName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

/** UTF-8 text or an error: a binary file or UTF-16 text is unreadable input, not an empty manifest. */
function decodeText(bytes: Buffer, name: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new InputError(`${name}: UTF-16 text (byte order mark); lint reads UTF-8: convert it, e.g. iconv -f UTF-16 -t UTF-8`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new InputError(`${name}: not UTF-8 text (a NUL byte at offset ${nul}: binary, or UTF-16/32 text); lint reads UTF-8 YAML or JSON`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${name}: not UTF-8 text (invalid byte sequence); lint reads UTF-8 YAML or JSON`);
  }
}

function regularFile(file: string): fs.Stats {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
  if (!stat.isFile()) throw notRegular(file, stat);
  return stat;
}

function cannotRead(file: string, e: unknown): InputError {
  if (e instanceof InputError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ELOOP') {
    try {
      if (fs.lstatSync(file).isSymbolicLink()) {
        const why = code === 'ELOOP' ? 'a symlink loop' : 'a dangling symlink';
        return new InputError(`${file}: cannot read (${why} to ${JSON.stringify(fs.readlinkSync(file))})`);
      }
    } catch {
      // fall through to the plain message
    }
  }
  return new InputError(`${file}: cannot read (${code ?? (e as Error).message})`);
}

function notRegular(file: string, stat: fs.Stats): InputError {
  return new InputError(`${file}: not a regular file (${fileType(stat)}); lint reads regular files and - for stdin`);
}

function fileType(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a directory';
  return 'not a regular file';
}

function formatBytes(n: number): string {
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
