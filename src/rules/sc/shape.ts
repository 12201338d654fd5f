import { Severity } from '../../core/errors';
import { dnsLabelProblem } from '../../core/grammar';
import { hostProblem } from '../../core/hosts';
import { arr, hasText, isRecord, isSet } from '../../core/json';
import { catchAllEgressProblem, egressProxyProblem, listenerBindProblem, sidecarEgressHostProblem, udsCaptureModeProblem } from '../../core/sidecar';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { namespaceOf } from '../../engine/view';
import { Add, checkIngress, checkPool, checkPort, collector } from './listeners';

/** SC-01 for `spec.egress`: the catch-all last, ports and binds, unique ports and sockets, `ns/dnsName` hosts. */
function checkEgress(egress: readonly unknown[], add: Add): void {
  const ports = new Map<number, number>();
  const sockets = new Map<string, number>();
  egress.forEach((l, i) => {
    const at = `spec.egress[${i}]`;
    if (!isRecord(l)) {
      add(`${at} is ${JSON.stringify(l ?? null)}, not an egress listener`, l ?? null);
      return;
    }
    const order = catchAllEgressProblem(egress, i);
    if (order) add(`${at} ${order}`, i, `index ${egress.length - 1}`);
    if (isRecord(l.port)) {
      const port = l.port;
      checkPort(port, `${at}.port`, add);
      const bind = listenerBindProblem(l.bind, port.number, true);
      if (bind) add(`${at} ${bind}`, l.bind ?? null, 'an IP address, or unix:///path with port number 0');
      if (port.number === 0 || port.number === undefined) {
        const capture = udsCaptureModeProblem(l.captureMode);
        if (capture) add(`${at} ${capture}`, l.captureMode, 'DEFAULT or NONE');
        if (typeof l.bind === 'string') {
          const first = sockets.get(l.bind);
          if (first !== undefined) add(`${at}.bind "${l.bind}" repeats spec.egress[${first}]; unix socket listeners need distinct sockets`, l.bind);
          else sockets.set(l.bind, i);
        }
      } else if (typeof port.number === 'number') {
        const first = ports.get(port.number);
        if (first !== undefined) add(`${at}.port.number ${port.number} repeats spec.egress[${first}]; ports of IP-bound egress listeners must be unique`, port.number);
        else ports.set(port.number, i);
      }
    }
    const hosts = l.hosts;
    if (!Array.isArray(hosts) || hosts.length === 0) {
      add(`${at}.hosts is ${hosts === undefined ? 'missing' : JSON.stringify(hosts)}: an egress listener needs at least one host`, hosts ?? null, 'namespace/dnsName entries');
      return;
    }
    hosts.forEach((h, j) => {
      if (typeof h !== 'string') return; // SCHEMA
      const problem = sidecarEgressHostProblem(h);
      if (problem) add(`${at}.hosts[${j}] ${JSON.stringify(h)} ${problem}`, h, '"<namespace>/<dnsName>": namespace "*", ".", "~" or a name; dnsName "*", "*.suffix" or an FQDN');
    });
  });
}

/** SC-01 for `spec.outboundTrafficPolicy`: egressProxy only with ALLOW_ANY, and then a valid FQDN, a port and a subset name. */
function checkOutbound(policy: Record<string, any>, add: Add): void {
  const at = 'spec.outboundTrafficPolicy';
  const problem = egressProxyProblem(policy);
  if (problem) {
    add(`${at} ${problem}`, policy.mode ?? null, 'mode ALLOW_ANY');
    return;
  }
  const proxy = policy.egressProxy;
  if (!isRecord(proxy)) return;
  if (typeof proxy.host === 'string') {
    const hostIssue = hostProblem(proxy.host);
    if (hostIssue) add(`${at}.egressProxy.host ${JSON.stringify(proxy.host)} ${hostIssue}`, proxy.host, 'an FQDN');
  }
  if (!isRecord(proxy.port)) add(`${at}.egressProxy has no port`, proxy.port ?? null, '{ number }');
  else if (proxy.port.number === undefined) add(`${at}.egressProxy.port has no number`, null, '1-65535');
  if (hasText(proxy.subset) && dnsLabelProblem(proxy.subset)) add(`${at}.egressProxy.subset ${JSON.stringify(proxy.subset)} ${dnsLabelProblem(proxy.subset)}`, proxy.subset, 'DNS-1123 label');
}

export const SC01: Rule = {
  code: 'SC-01', title: 'A Sidecar has the shape Istio accepts: listeners, ports, binds, egress hosts, TLS and outbound policy', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['Sidecar'],
  why: 'Istio rejects a Sidecar that sets none of egress, ingress, outboundTrafficPolicy or inboundConnectionPool; a selector label with an empty key or "*"; '
    + 'null listeners; an egress listener without port (the catch-all) that is not the last, or more than one; a targetPort (no effect on a Sidecar); port '
    + 'names that are not DNS labels and unknown protocols; egress port 0 (or none) without a unix:// bind or with captureMode IPTABLES, and binds that '
    + 'are not IP addresses otherwise; repeated egress port numbers (IP listeners) or sockets; egress listeners without hosts and hosts not in '
    + '"namespace/dnsName" form (short names and partial wildcards included); ingress listeners without a port or number and repeated ingress ports; a '
    + 'defaultEndpoint other than 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT, :PORT or unix:///path; ingress TLS with subjectAltNames, '
    + 'httpsRedirect, credentialName(s), tlsCertificates, mode ISTIO_MUTUAL or AUTO_PASSTHROUGH, on a port that is not HTTPS or TLS, or SIMPLE/MUTUAL '
    + 'without its certificate files; an empty or negative connection pool; egressProxy unless the mode is ALLOW_ANY (an unset mode is REGISTRY_ONLY), or '
    + 'with a host that is not an FQDN or without a port (errors: kubectl apply fails). Certificates on PASSTHROUGH ingress TLS, TLS 1.0/1.1 without '
    + 'cipherSuites, repeated cipher suites and HTTP pool settings on a non-HTTP ingress port are ignored by Istio (warnings). Port numbers out of range '
    + 'are X-02, durations X-01; an empty selector is SC-04.',
  fix: 'Give every listener the fields Istio expects: egress hosts as "./*", "istio-system/*" or "<namespace>/<fqdn>", the port-less catch-all listener '
    + 'last, ingress ports with a number and a defaultEndpoint like "127.0.0.1:8080", ingress TLS with serverCertificate/privateKey files, and egressProxy '
    + 'only with mode ALLOW_ANY.',
  upstream: 'webhook SC2-SC9, SC11, C7 (IST0106)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const add = collector(out, this.fix);
    const s = o.spec;
    if (arr(s.egress).length === 0 && arr(s.ingress).length === 0 && !isSet(s.outboundTrafficPolicy) && !isSet(s.inboundConnectionPool)) {
      add('spec sets none of egress, ingress, outboundTrafficPolicy or inboundConnectionPool; Istio rejects an empty Sidecar', null, 'at least one of them');
    }
    const selector = isRecord(s.workloadSelector) && isRecord(s.workloadSelector.labels) ? s.workloadSelector.labels : {};
    for (const key of Object.keys(selector)) {
      const value = selector[key];
      if (key === '') add(`spec.workloadSelector.labels has an empty key (value ${JSON.stringify(value)})`, key, 'non-empty label key');
      else if (key.includes('*') || (typeof value === 'string' && value.includes('*'))) add(`spec.workloadSelector.labels "${key}: ${String(value)}" uses a wildcard "*", which label selection does not support`, `${key}=${String(value)}`, 'exact label keys and values');
    }
    checkIngress(arr(s.ingress), add);
    checkPool(s.inboundConnectionPool, 'spec.inboundConnectionPool', add);
    checkEgress(arr(s.egress), add);
    if (isRecord(s.outboundTrafficPolicy)) checkOutbound(s.outboundTrafficPolicy, add);
    return out;
  },
};

export const SC02: Rule = {
  code: 'SC-02', title: 'An egress listener lists each host once, and "*/*" alone', severity: Severity.WARNING, levels: 'W', scope: 'self',
  kinds: ['Sidecar'],
  why: 'Within one egress listener, a host listed twice for the same namespace ("." counts as the Sidecar\'s namespace), or a host next to "<namespace>/*" '
    + 'for that namespace, adds nothing; "*/*" imports every host of every namespace, so other namespaces listed beside it add nothing either. Istio '
    + 'accepts both with a warning: usually an edit that did not do what was meant.',
  fix: 'Remove the repeated or covered hosts, or replace "*/*" with the namespaces the workloads actually call.',
  upstream: 'webhook SC10 (IST0133)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    arr(o.spec.egress).forEach((l, i) => {
      if (!isRecord(l)) return;
      const hosts = arr(l.hosts);
      const at = `spec.egress[${i}]`;
      const seen = new Map<string, Map<string, number>>();
      hosts.forEach((h, j) => {
        if (typeof h !== 'string' || !h.includes('/')) return;
        const raw = h.slice(0, h.indexOf('/'));
        const ns = raw === '.' ? namespaceOf(o) : raw;
        const name = h.slice(h.indexOf('/') + 1);
        const names = seen.get(ns) ?? new Map<string, number>();
        const earlier = name === '*' ? [...names.values()][0] : (names.get(name) ?? names.get('*'));
        if (earlier !== undefined) {
          const how = name === '*' ? 'covers' : names.has(name) ? 'repeats' : 'is already covered by';
          out.push({ message: `${at}.hosts[${j}] ${JSON.stringify(h)} ${how} hosts[${earlier}] ${JSON.stringify(hosts[earlier])}`, fix: this.fix, value: h });
        }
        if (!names.has(name)) names.set(name, j);
        seen.set(ns, names);
      });
      const all = seen.get('*')?.get('*');
      if (all !== undefined && seen.size > 1) {
        out.push({ message: `${at}.hosts[${all}] "*/*" imports every host of every namespace, so the other namespaces listed beside it add nothing`, fix: this.fix, value: '*/*' });
      }
    });
    return out;
  },
};
