import * as fs from 'fs';
import * as path from 'path';
import { ManifestInput } from '../engine/analyze';
import { DEFAULT_LIMITS, InputLimits, MiB, ReadChunk } from './limits';
import { readDocuments, ReadError } from './yaml-read';

/** Input the user gave that cannot be read or parsed: reported as `file:line: message`, exit code 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}


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
 * document starts), read as kubectl reads them (see yaml-read.ts). `kind: List` documents are flattened. Syntax
 * errors, duplicate keys and exceeded limits raise {@link InputError} with the line.
 */
export function parseManifests(
  text: string, file: string, limits: InputLimits = DEFAULT_LIMITS, tokens: { used: number } = { used: 0 },
): ManifestInput[] {
  const name = displayName(file);
  let documents;
  try {
    documents = readDocuments(text, name, limits, tokens);
  } catch (e) {
    if (e instanceof ReadError) throw new InputError(e.message);
    throw e;
  }
  const out: ManifestInput[] = [];
  for (const doc of documents) {
    const items = isList(doc.value) ? doc.value.items : [doc.value];
    const list = isList(doc.value);
    items.forEach((manifest, i) => out.push({
      manifest, path: `${name}:${doc.line}`, json: true,
      ...(i === 0 && doc.findings.length > 0 ? { findings: doc.findings } : {}),
      // Field paths are the manifest's own; in a `kind: List` they would be under items[i].
      ...(list ? {} : { locate: doc.locate }),
    }));
  }
  return out;
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
