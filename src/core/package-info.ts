import * as fs from 'fs';
import * as path from 'path';

let root: string | undefined;

/**
 * The package's root directory (holding package.json and imports/), found by walking up from this file:
 * works from `src/` under ts-jest and from compiled `lib/src/` in the installed package.
 */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'imports'))) return (root = dir);
    if (path.dirname(dir) === dir) throw new Error(`cannot locate the cdk8s-istio-traffic package root above ${__dirname}`);
  }
}

/** The package version from package.json. */
export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}
