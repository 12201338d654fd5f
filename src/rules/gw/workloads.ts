import { Severity } from '../../core/errors';
import { isRecord } from '../../core/json';
import { LabelIndex } from '../../core/label-index';
import { formatLabels } from '../../core/labels';
import { listSome } from '../../core/text';
import { AppFinding, Rule, RuleContext, ServiceInfo, Workload } from '../../engine/types';
import { nsName } from '../../engine/view';
import { selectorOf } from './conflicts';
import { serverLabel, serversOf } from './shape';

/** `namespace/name` of a Service or workload. */
function refName(x: { namespace?: string; name: string }): string {
  return `${x.namespace ?? 'default'}/${x.name}`;
}

/**
 * Whether a declared external gateway (`namespace/name` in inventory.gateways) fits a selector by Istio's naming
 * convention: the gateway Deployment `istio-ingressgateway` carries `istio: ingressgateway` and
 * `app: istio-ingressgateway`, a Helm-installed gateway `<name>` carries `istio: <name without "istio-">` and `app: <name>`.
 */
function fitsByName(entry: string, selector: Readonly<Record<string, string>>): boolean {
  const name = entry.slice(entry.indexOf('/') + 1);
  return Object.values(selector).some((v) => v === name || `istio-${v}` === name);
}

export const GW08: Rule = {
  code: 'GW-08', title: 'The Gateway selector matches a gateway workload', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['Gateway'],
  why: 'A Gateway whose selector matches no gateway pod configures nothing: its hosts are never served. The gateway Deployment (istio-ingressgateway) '
    + 'usually lives in istio-system, outside the App, so the check runs only when the inventory declares `gateways`. The selector must then match the '
    + 'pod template labels of a workload in the App, or fit a declared gateway by Istio\'s naming convention (a selector value equal to the gateway '
    + 'name, or to the name without its "istio-" prefix: { istio: "ingressgateway" } fits istio-system/istio-ingressgateway), or the Gateway itself '
    + '(namespace/name) must be listed in inventory.gateways as served by a gateway outside the App. Without inventory.gateways the check is skipped; '
    + 'Gateways without a selector are not checked.',
  fix: 'Fix the selector to the gateway pod labels (e.g. { istio: "ingressgateway" }), add the gateway Deployment to the App, or declare the gateway '
    + 'workload, or this Gateway, in inventory.gateways as namespace/name.',
  upstream: 'IST0101 (selector), KIA0302',
  checkApp(ctx: RuleContext): AppFinding[] {
    const declared = ctx.inventory?.gateways;
    if (!Array.isArray(declared)) return [];
    const pods = new LabelIndex<Workload>();
    for (const w of ctx.workloads) pods.add(w, w.podLabels);
    const out: AppFinding[] = [];
    for (const gw of ctx.ofKind('Gateway')) {
      const selector = selectorOf(gw);
      if (Object.keys(selector).length === 0 || pods.matching(selector).length > 0) continue;
      if (declared.includes(nsName(gw)) || declared.some((entry) => typeof entry === 'string' && fitsByName(entry, selector))) continue;
      out.push({
        object: gw, value: formatLabels(selector), allowed: 'labels of a gateway workload',
        message: `spec.selector ${formatLabels(selector)} matches none of the ${ctx.workloads.length} workload(s) in the App and fits none of the declared gateways (${declared.join(', ') || 'none'})`,
        fix: this.fix,
      });
    }
    return out;
  },
};

export const GW09: Rule = {
  code: 'GW-09', title: 'Each server port is exposed by the Service in front of the gateway pods', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['Gateway'],
  why: 'Traffic reaches the gateway pods through their Service; a server port that the Service neither exposes nor targets gets no traffic from outside. '
    + 'Runs only when the fronting Service is in the App: a Service whose selector is contained in the Gateway selector, or that selects a workload the '
    + 'Gateway selects. Skipped for a Gateway whose Services use named targetPorts (the container port numbers are not known).',
  fix: 'Add the port to the gateway Service (port or targetPort), or use a server port the Service already exposes (e.g. 8080 behind port 80).',
  upstream: 'IST0162 GatewayPortNotDefinedOnService',
  checkApp(ctx: RuleContext): AppFinding[] {
    if (ctx.services.length === 0) return [];
    const services = new LabelIndex<ServiceInfo>();
    for (const s of ctx.services) services.add(s, s.selector ?? {});
    const pods = new LabelIndex<Workload>();
    for (const w of ctx.workloads) pods.add(w, w.podLabels);
    const out: AppFinding[] = [];
    for (const gw of ctx.ofKind('Gateway')) {
      const selector = selectorOf(gw);
      if (Object.keys(selector).length === 0) continue;
      const fronting = new Set(services.within(selector));
      for (const w of pods.matching(selector)) {
        for (const s of services.within(w.podLabels)) if ((s.namespace ?? 'default') === (w.namespace ?? 'default')) fronting.add(s);
      }
      if (fronting.size === 0) continue;
      const ports = [...fronting].flatMap((s) => s.ports);
      if (ports.some((p) => typeof p.targetPort === 'string')) continue;
      const exposed = new Set<number>();
      for (const p of ports) {
        if (typeof p.port === 'number') exposed.add(p.port);
        if (typeof p.targetPort === 'number') exposed.add(p.targetPort);
      }
      const names = listSome([...fronting].map((s) => `Service "${refName(s)}"`));
      const shown = listSome(ports.map((p) => (typeof p.targetPort === 'number' && p.targetPort !== p.port ? `${p.port}→${p.targetPort}` : String(p.port))), 8);
      for (const { server, index } of serversOf(gw)) {
        const number = isRecord(server.port) ? server.port.number : undefined;
        if (typeof number !== 'number' || number <= 0 || exposed.has(number)) continue;
        out.push({
          object: gw, value: number, allowed: [...exposed].sort((a, b) => a - b).join(', '),
          message: `${serverLabel(server, index)} port ${number} is neither a port nor a targetPort of ${names} (${shown || 'no ports'}) in front of selector ${formatLabels(selector)}`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};
