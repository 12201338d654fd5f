import { Severity } from '../../core/errors';
import { labelKeyProblem, labelValueProblem } from '../../core/grammar';
import { arr, isRecord } from '../../core/json';
import { ISTIO_PROTOCOLS, portNameProblem } from '../../core/protocols';
import { Finding, IstioObject, Rule } from '../../engine/types';

/** A label map of an object: where it is, and whether it is a workload selector (X-07 owns `*` and empty keys there). */
interface LabelMap {
  readonly where: string;
  readonly labels: Record<string, unknown>;
  readonly selector: boolean;
}

/** The workload selector of an object (DR `workloadSelector.matchLabels`, SE `workloadSelector.labels`, Gateway `selector`). */
function selectorOf(o: IstioObject): { where: string; labels: unknown } | undefined {
  const s = o.spec;
  if (o.kind === 'DestinationRule' && isRecord(s.workloadSelector)) return { where: 'spec.workloadSelector.matchLabels', labels: s.workloadSelector.matchLabels };
  if (o.kind === 'ServiceEntry' && isRecord(s.workloadSelector)) return { where: 'spec.workloadSelector.labels', labels: s.workloadSelector.labels };
  if (o.kind === 'Gateway' && s.selector !== undefined) return { where: 'spec.selector', labels: s.selector };
  return undefined;
}

function labelMapsOf(o: IstioObject): LabelMap[] {
  const out: LabelMap[] = [];
  const add = (labels: unknown, where: string, selector = false) => {
    if (isRecord(labels)) out.push({ where, labels, selector });
  };
  const selector = selectorOf(o);
  if (selector) add(selector.labels, selector.where, true);
  if (o.kind === 'DestinationRule') {
    arr(o.spec.subsets).forEach((s, i) => add(s?.labels, `spec.subsets[${i}]${typeof s?.name === 'string' ? ` (subset "${s.name}")` : ''}.labels`));
  } else if (o.kind === 'ServiceEntry') {
    arr(o.spec.endpoints).forEach((e, i) => add(e?.labels, `spec.endpoints[${i}].labels`));
  } else if (o.kind === 'VirtualService') {
    for (const section of ['http', 'tcp', 'tls']) {
      arr(o.spec[section]).forEach((r, i) => arr(r?.match).forEach((m, j) => add(m?.sourceLabels, `spec.${section}[${i}].match[${j}].sourceLabels`)));
    }
  }
  return out;
}

export const X07: Rule = {
  code: 'X-07', title: 'Workload selectors have no empty keys and no "*"; an empty selector selects everything', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['DestinationRule', 'ServiceEntry', 'Gateway'],
  why: 'Label selection is exact: Istio and the CRD reject an empty key or a "*" in a DestinationRule or ServiceEntry selector (a "*" '
    + 'in a Gateway selector can never match a pod label either). A selector without labels is accepted with a warning because it '
    + 'applies to every workload in the namespace.',
  fix: 'Select workloads with exact labels, e.g. { app: "reviews" }; remove the selector to apply to all workloads on purpose.',
  upstream: 'webhook C7 (D28, S6), CRD CEL on matchLabels/labels',
  checkObject(o: IstioObject): Finding[] {
    const selector = selectorOf(o);
    if (!selector) return [];
    const { where, labels } = selector;
    if (!isRecord(labels) || Object.keys(labels).length === 0) {
      if (labels !== undefined && !isRecord(labels)) return [];
      return [{
        severity: Severity.WARNING, value: labels ?? null,
        message: `${where} is ${labels === undefined ? 'missing' : 'empty'}, so the selector applies to every ${o.kind === 'Gateway' ? 'gateway workload' : 'workload'} in the namespace`,
        fix: 'Add the labels of the workloads to select, or remove the selector.',
      }];
    }
    const out: Finding[] = [];
    for (const key of Object.keys(labels)) {
      const value = labels[key];
      if (key === '') {
        out.push({ message: `${where} has an empty key (value ${JSON.stringify(value)})`, fix: this.fix, value: key, allowed: 'non-empty label key' });
      } else if (key.includes('*') || (typeof value === 'string' && value.includes('*'))) {
        out.push({ message: `${where} "${key}: ${String(value)}" uses a wildcard "*", which label selection does not support`, fix: this.fix, value: `${key}=${String(value)}`, allowed: 'exact label keys and values' });
      }
    }
    return out;
  },
};

export const X08: Rule = {
  code: 'X-08', title: 'Label maps use valid Kubernetes label keys and values (values ≤ 63 characters)', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService', 'DestinationRule', 'ServiceEntry', 'Gateway'],
  why: 'Subset labels, endpoint labels, sourceLabels and workload selectors are matched against pod labels; a key or value that is not '
    + 'valid Kubernetes label syntax can match nothing, and Istio and the CRD reject it.',
  fix: 'Use label keys like "app" or "example.com/tier" and values of at most 63 characters (letters, digits, "-", "_", ".", alphanumeric at both ends).',
  upstream: 'webhook C8 (D3, V13, S8, S11), CRD maxLength 63 on selector values',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { where, labels, selector } of labelMapsOf(o)) {
      for (const key of Object.keys(labels)) {
        const value = labels[key];
        if (selector && (key === '' || key.includes('*'))) continue; // X-07
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) out.push({ message: `${where} key ${JSON.stringify(key)} ${keyProblem}`, fix: this.fix, value: key, allowed: '[prefix/]name, name ≤ 63 characters' });
        if (typeof value !== 'string' || (selector && value.includes('*'))) continue;
        const valueProblem = labelValueProblem(value);
        if (valueProblem) {
          const long = value.length > 63 ? ` (${value.length} characters)` : '';
          out.push({ message: `${where} "${key}" value ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}${long} ${valueProblem}`, fix: this.fix, value, allowed: '≤ 63 characters, [A-Za-z0-9] at both ends, "-_." inside' });
        }
      }
    }
    return out;
  },
};

export const X09: Rule = {
  code: 'X-09', title: 'Port names are DNS labels; protocols come from Istio\'s list', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['ServiceEntry', 'Gateway'],
  why: 'Istio rejects ServiceEntry port names that are not DNS labels and protocols outside its list (compared case-insensitively; an empty '
    + 'ServiceEntry protocol means protocol sniffing). Gateway port names are held to the same DNS-label grammar, which is stricter than '
    + 'the webhook (it only requires a name). Missing names and protocols and duplicate names or numbers are reported by SE-03, GW-01 '
    + 'and GW-03; Gateway port numbers may repeat across servers with different hosts.',
  fix: `Name ports with DNS labels (e.g. "https-443") and use one of ${ISTIO_PROTOCOLS.join(', ')} as protocol.`,
  upstream: 'webhook C9, S4, G4',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const checkPort = (port: any, where: string) => {
      if (!isRecord(port)) return;
      if (typeof port.protocol === 'string' && port.protocol !== '' && !ISTIO_PROTOCOLS.includes(port.protocol.toUpperCase())) {
        out.push({ message: `${where}.protocol ${JSON.stringify(port.protocol)} is not a protocol Istio knows`, fix: this.fix, value: port.protocol, allowed: ISTIO_PROTOCOLS.join(', ') });
      }
      if (typeof port.name === 'string' && port.name !== '') {
        const problem = portNameProblem(port.name);
        if (problem) out.push({ message: `${where}.name ${JSON.stringify(port.name)} ${problem}`, fix: this.fix, value: port.name, allowed: 'DNS-1123 label' });
      }
    };
    if (o.kind === 'ServiceEntry') arr(o.spec.ports).forEach((p, i) => checkPort(p, `spec.ports[${i}]`));
    else arr(o.spec.servers).forEach((s, i) => checkPort(isRecord(s) ? s.port : undefined, `spec.servers[${i}].port`));
    return out;
  },
};

