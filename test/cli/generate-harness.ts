import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { appDir as makeAppDir } from '../support/apps';

/*
 * `cdk8s-istio-traffic generate` run the way ArgoCD's CMP sidecar runs it, for the generate-*.test.ts suites that spawn
 * the compiled bin: the bin in an application directory, ARGOCD_APP_* set,
 * HOME unusable and every network call refused (in generate, and through NODE_OPTIONS in the app and esbuild's host).
 * Needs the compiled library (lib/): `npm test` builds it first (pretest).
 */

export const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'cdk8s-istio-traffic.js');

export interface Run { code: number | null; stdout: string; stderr: string }

export interface Harness {
  /** The suite's private temporary directory (removed after the suite). */
  readonly work: string;
  /** Runs generate in `dir`. */
  generate(dir: string, env?: Record<string, string>, args?: string[]): Run;
  /** A temporary application directory with the given files and node_modules linked to this repository's. */
  appDir(name: string, files: Record<string, string>): string;
}

export function harness(prefix: string): Harness {
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  // HOME below a regular file: nothing can be created or written there, not even by root.
  const notADir = path.join(work, 'not-a-dir');
  fs.writeFileSync(notADir, '');
  const noNetwork = path.join(work, 'no-network.js');
  fs.writeFileSync(noNetwork, `'use strict';
const net = require('net');
const dns = require('dns');
const refuse = () => { throw new Error('network access during generate'); };
net.Socket.prototype.connect = refuse;
net.connect = net.createConnection = refuse;
dns.lookup = refuse;
`);
  return {
    work,
    generate(dir, env = {}, args = []) {
      const r = spawnSync(process.execPath, [BIN, 'generate', ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: path.join(notADir, 'home'),
          TMPDIR: os.tmpdir(),
          NODE_OPTIONS: `--require ${noNetwork}`,
          ARGOCD_APP_NAME: 'test-app',
          ARGOCD_APP_NAMESPACE: 'argocd-dest',
          ARGOCD_APP_REVISION: '0123456789abcdef',
          ...env,
        },
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    appDir: (name, files) => makeAppDir(work, name, files),
  };
}

/** Parses a YAML stream into its documents (fails the test on a syntax error). */
export function docs(text: string): any[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS();
  }).filter((d) => d !== null);
}

export function expectNothingPrinted(r: Run, code: number): void {
  expect(r.stdout).toBe('');
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(/no manifests printed/);
}

/**
 * A dependency directory like the plugin image's (CDK8S_NODE_MODULES): only `packages` from this repository's
 * node_modules, and this library as `cdk8s-istio-traffic` (the repository itself). No typescript, no @types, no ts-node.
 */
export function imageDeps(work: string, packages: readonly string[]): string {
  const deps = path.join(work, 'image-deps', 'node_modules');
  if (fs.existsSync(deps)) return deps;
  fs.mkdirSync(deps, { recursive: true });
  for (const pkg of packages) fs.symlinkSync(path.join(ROOT, 'node_modules', pkg), path.join(deps, pkg), 'dir');
  fs.symlinkSync(ROOT, path.join(deps, 'cdk8s-istio-traffic'), 'dir');
  return deps;
}
