import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { PARAMETERS } from '../../src/cli/generate-params';

// Static checks of the ArgoCD files (Docker and a cluster are not available to the test suite).

const argocd = path.join(__dirname, '..', '..', 'argocd');
const read = (file: string) => fs.readFileSync(path.join(argocd, file), 'utf8');

describe('argocd/plugin.yaml', () => {
  const plugin = parse(read('plugin.yaml'));

  test('is a v2 sidecar ConfigManagementPlugin discovered by cdk8s.yaml, running generate', () => {
    expect(plugin.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(plugin.kind).toBe('ConfigManagementPlugin');
    expect(plugin.metadata.name).toBe('cdk8s-istio-traffic');
    expect(plugin.spec.discover).toEqual({ fileName: './cdk8s.yaml' });
    expect(plugin.spec.generate.command).toEqual(['/usr/local/bin/cdk8s-istio-traffic', 'generate']);
    expect(plugin.spec.init).toBeUndefined();
    expect(plugin.spec.preserveFileMode).toBe(false);
  });

  test('announces exactly the parameters generate accepts, with their collection types and defaults', () => {
    const announced = plugin.spec.parameters.static;
    expect(announced.map((p: any) => p.name)).toEqual(Object.keys(PARAMETERS));
    for (const p of announced) {
      const spec = PARAMETERS[p.name];
      expect(p.collectionType ?? 'string').toBe(spec.collection);
      expect(p[spec.collection]).toBeDefined();
      expect(typeof p.title).toBe('string');
      expect(typeof p.tooltip).toBe('string');
    }
    expect(announced.find((p: any) => p.name === 'strict').string).toBe('false');
  });

  test('keeps generate\'s own timeout below the repo-server and exec timeouts', () => {
    const args: string[] = plugin.spec.generate.args;
    const timeout = Number(args[args.indexOf('--timeout') + 1]);
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThan(60);
  });
});

describe('argocd/repo-server-patch.yaml', () => {
  const docs = parseAllDocuments(read('repo-server-patch.yaml')).map((d) => d.toJS());

  test('adds the sidecar with argocd-cmp-server, uid 999 and the documented volume mounts', () => {
    expect(docs).toHaveLength(1);
    const [patch] = docs;
    expect(patch).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'argocd-repo-server' } });
    const [sidecar] = patch.spec.template.spec.containers;
    expect(sidecar.command).toEqual(['/var/run/argocd/argocd-cmp-server']);
    expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    const mounts = Object.fromEntries(sidecar.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    expect(mounts).toEqual({ '/var/run/argocd': 'var-files', '/home/argocd/cmp-server/plugins': 'plugins', '/tmp': 'cmp-tmp-cdk8s' });
    expect(patch.spec.template.spec.volumes).toEqual([{ name: 'cmp-tmp-cdk8s', emptyDir: {} }]);
    expect(sidecar.env).toContainEqual({ name: 'ARGOCD_EXEC_TIMEOUT', value: '90s' });
  });
});

describe('argocd/Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  test('builds on node:22-slim (a maintained LTS), installs everything at build time and runs the CMP server as user 999', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-slim$/m);
    expect(dockerfile).toMatch(/^USER 999$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/var\/run\/argocd\/argocd-cmp-server"\]$/m);
    expect(dockerfile).toMatch(/^COPY argocd\/plugin\.yaml \/home\/argocd\/cmp-server\/config\/plugin\.yaml$/m);
    expect(dockerfile).toMatch(/npm_config_cache=\/tmp\/\.npm/);
    expect(dockerfile).toMatch(/CDK8S_NODE_MODULES=\/opt\/cdk8s\/node_modules/);
    // The versions baked into the image follow package.json.
    const pkg = JSON.parse(fs.readFileSync(path.join(argocd, '..', 'package.json'), 'utf8'));
    const arg = (name: string) => new RegExp(`^ARG ${name}=(.*)$`, 'm').exec(dockerfile)![1];
    expect(pkg.devDependencies.cdk8s).toBe(`^${arg('CDK8S_VERSION')}`);
    expect(pkg.devDependencies.constructs).toBe(`^${arg('CONSTRUCTS_VERSION')}`);
    expect(pkg.devDependencies['cdk8s-plus-33']).toBe(`^${arg('CDK8S_PLUS_VERSION')}`);
    expect(pkg.devDependencies.typescript).toBe(`~${arg('TYPESCRIPT_VERSION')}`);
  });
});
