import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ManifestInput } from '../engine/analyze';

/** Input the user gave that cannot be read or parsed: reported as `file:line: message`, exit code 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Expands files, directories (recursively: *.yaml, *.yml, *.json, sorted) and `-` (stdin) into file names. */
export function expandPaths(args: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      throw new InputError(`${p}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) {
        const child = path.join(p, entry);
        if (fs.statSync(child).isDirectory() || EXTENSIONS.has(path.extname(entry))) visit(child);
      }
    } else {
      out.push(p);
    }
  };
  for (const a of args) {
    if (a === '-') out.push('-');
    else visit(a);
  }
  return out;
}

/** Reads one file (or stdin for `-`). */
export function readSource(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Parses a multi-document YAML (or JSON) text into manifests labelled `file:line` (the line where each
 * document starts). `kind: List` documents are flattened. Syntax errors raise {@link InputError} with the line.
 */
export function parseManifests(text: string, file: string): ManifestInput[] {
  const name = file === '-' ? '<stdin>' : file;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ManifestInput[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const line = lineCounter.linePos(error.pos[0]).line;
      throw new InputError(`${name}:${line}: invalid YAML: ${error.message.split('\n')[0]}`);
    }
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new InputError(`${name}:${line}: cannot load document: ${(e as Error).message}`);
    }
    if (value === null || value === undefined) continue;
    const items = isList(value) ? value.items : [value];
    for (const manifest of items) out.push({ manifest, path: `${name}:${line}` });
  }
  return out;
}

function isList(value: unknown): value is { items: unknown[] } {
  return typeof value === 'object' && value !== null && (value as any).kind === 'List' && Array.isArray((value as any).items);
}
