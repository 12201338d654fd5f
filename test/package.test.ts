import * as fs from 'fs';
import * as path from 'path';

/**
 * The published package bundles its non-jsii runtime dependencies (jsii requires `bundleDependencies`). npm does not
 * install the peer dependencies of a bundled package, so each of them must be bundled too (or be a peer of ours):
 * `@bufbuild/cel` needs `@bufbuild/protobuf`, and without it the installed package failed to load.
 */
const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function manifestOf(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
}

/** Peer dependencies of the bundled packages that neither we bundle nor declare as peers. */
function unmetPeers(bundled: readonly string[], peers: readonly string[]): string[] {
  const available = new Set([...bundled, ...peers]);
  return bundled.flatMap((name) => Object.keys(manifestOf(name).peerDependencies ?? {})
    .filter((peer) => !available.has(peer) && !manifestOf(name).peerDependenciesMeta?.[peer]?.optional)
    .map((peer) => `${name} needs ${peer}`));
}

test('every runtime dependency is bundled, and every peer of a bundled package is bundled or a peer of ours', () => {
  expect([...pkg.bundleDependencies].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  expect(unmetPeers(pkg.bundleDependencies, Object.keys(pkg.peerDependencies ?? {}))).toEqual([]);
});

test('the check can fail: @bufbuild/cel without @bufbuild/protobuf', () => {
  expect(unmetPeers(['@bufbuild/cel'], [])).toEqual(['@bufbuild/cel needs @bufbuild/protobuf']);
});

test('the package ships the schemas and both entry points', () => {
  expect(pkg.files).toEqual(expect.arrayContaining(['crds/', 'lib/src/schema/*.generated.*']));
  expect(pkg.exports['.'].default).toBe('./lib/src/index.js');
  expect(pkg.exports['./engine'].default).toBe('./lib/src/engine-api.js');
});
