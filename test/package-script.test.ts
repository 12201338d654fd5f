import * as fs from 'fs';
import * as path from 'path';

/**
 * scripts/package.js (`npm run package`) is a build script that runs jsii, jsii-pacmak and jsii-docgen (about a
 * minute), so the suite does not run it; test/jsii.test.ts compiles the assembly and checks API.md. These tests
 * cover what the script decides on its own: the jsii targets it builds and how it reports a failed build.
 */
const { bundledTopLevel, LANGUAGES, reason, table } = require('../scripts/package.js') as {
  bundledTopLevel: (manifest: { bundleDependencies?: string[] }) => Set<string>;
  LANGUAGES: string[];
  reason: (output: string, pattern?: RegExp) => string;
  table: (rows: Array<{ target: string; result: string; seconds: number; output: string; detail: string }>) => string;
};
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));

test('package.json declares a jsii target for every language the script builds, named after the package', () => {
  expect(Object.keys(pkg.jsii.targets).sort()).toEqual([...LANGUAGES].sort());
  expect(pkg.jsii.targets.python).toEqual({ distName: pkg.name, module: pkg.name.replace(/-/g, '_') });
  expect(pkg.jsii.targets.java.maven.artifactId).toBe(pkg.name);
  expect(pkg.jsii.targets.go.moduleName).toBe(`github.com/cdk8s-istio-traffic/${pkg.name}-go`);
  expect(pkg.scripts.package).toBe('node scripts/package.js');
});

test('a failed build is reported by the lines that say why, without colours, stack traces or retry noise', () => {
  // shapes of real jsii-pacmak failures on a machine without Maven Central, PyPI or the Go module proxy
  const maven = [
    'Error: All attempts failed. Last error: Command (mvn --quiet --batch-mode …:resolve-ranges --settings=user.xml) failed with status 1:',
    '#STDERR> \x1b[0m\x1b[0m',
    '#STDOUT> \x1b[0m[ERROR] Plugin org.codehaus.mojo:versions-maven-plugin:2.20.1 could not be resolved: Unknown host repo.maven.apache.org',
    '#STDOUT> [ERROR] ',
    '#STDOUT> [ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.',
    '    at async Java.resolveMavenVersions (node_modules/jsii-pacmak/lib/targets/java.js:371:9)',
  ].join('\n');
  expect(reason(maven)).toBe('[ERROR] Plugin org.codehaus.mojo:versions-maven-plugin:2.20.1 could not be resolved: Unknown host repo.maven.apache.org');
  const go = 'Error: Command (go mod tidy -modfile local.go.mod) failed with status 1:\n#STDERR> go: go.mod file indicates go 1.25\n#STDERR> \n';
  expect(reason(go)).toBe('Error: Command (go mod tidy -modfile local.go.mod) failed with status 1: | go: go.mod file indicates go 1.25');
  const pip = "WARNING: Retrying (Retry(total=0)) after connection broken\n\x1b[31mERROR: No matching distribution found for setuptools~=75.3.2\x1b[0m\n";
  expect(reason(pip, /^ERROR/)).toBe('ERROR: No matching distribution found for setuptools~=75.3.2');
  expect(reason('nothing matched\nlast line')).toBe('nothing matched | last line');
});

test('the summary table aligns every column but the last', () => {
  expect(table([
    { target: 'js', result: 'built', seconds: 6.71, output: 'js/x.tgz', detail: 'npm tarball' },
    { target: 'dotnet', result: 'source only', seconds: 0, output: 'dotnet/', detail: 'dotnet (the .NET SDK) not found' },
  ]).split('\n')).toEqual([
    'target  result       seconds  output    detail',
    '------  -----------  -------  --------  ------',
    'js      built        6.7      js/x.tgz  npm tarball',
    'dotnet  source only  0.0      dotnet/   dotnet (the .NET SDK) not found',
  ]);
});

test('the staging copy gets real copies of what npm bundles: bundleDependencies and the top-level packages they load', () => {
  const bundled = bundledTopLevel(pkg);
  for (const name of pkg.bundleDependencies) expect(bundled).toContain(name);
  // loaded from the top level by ajv, a bundled dependency; not in bundleDependencies itself
  expect(pkg.bundleDependencies).not.toContain('fast-deep-equal');
  expect(bundled).toContain('fast-deep-equal');
  // peer and dev dependencies stay symlinks
  expect(bundled).not.toContain('cdk8s');
  expect(bundled).not.toContain('jsii');
  expect(bundledTopLevel({})).toEqual(new Set());
});
