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

/**
 * The web address of the rule reference section for `code` (`…/docs/rules.md#vs-19`), from package.json's
 * `repository` (a GitHub-style repository URL), or the relative `docs/rules.md#vs-19` without one.
 */
export function rulesDocUrl(code: string): string {
  docsBase ??= readDocsBase();
  return `${docsBase}docs/rules.md#${code.toLowerCase()}`;
}

let docsBase: string | undefined;

/** `https://github.com/<owner>/<repo>/blob/main/` from package.json's `repository`, or '' (relative links). */
function readDocsBase(): string {
  try {
    const repo = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).repository;
    const url = typeof repo === 'string' ? repo : repo?.url;
    if (typeof url !== 'string') return '';
    const base = url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^git@github\.com:/, 'https://github.com/');
    return /^https?:\/\//.test(base) ? `${base}/blob/main/` : '';
  } catch {
    return '';
  }
}
