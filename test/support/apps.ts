import * as fs from 'fs';
import * as path from 'path';

/** The repository root. */
export const ROOT = path.join(__dirname, '..', '..');

/** A temporary application directory `<work>/<name>` with the given files and node_modules linked to this repository's. */
export function appDir(work: string, name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}
