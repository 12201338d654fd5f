import { toIstioObject } from '../../src/engine/istio-object';
import { runRules } from '../../src/engine/run';
import { RuleReport, RunOptions } from '../../src/engine/types';
import { X_RULES } from '../../src/rules/x';

/** Runs only the X-04..X-13 rules over the manifests (paths `obj0`, `obj1`, …), isolated from other rule families. */
export function runX(...manifests: any[]): RuleReport {
  return runXWith({}, ...manifests);
}

/** {@link runX} with engine options (services, workloads, inventory). */
export function runXWith(options: RunOptions, ...manifests: any[]): RuleReport {
  return runRules(manifests.map((m, i) => toIstioObject(m, `obj${i}`)!), X_RULES, options);
}

/** A Kubernetes Service as the engine sees it. */
export function service(name: string, namespace?: string) {
  return { name, namespace, ports: [{ port: 9080 }], path: `svc/${name}` };
}
