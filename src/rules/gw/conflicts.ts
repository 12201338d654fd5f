import { Severity } from '../../core/errors';
import { HostIndex, isHostPattern } from '../../core/hosts';
import { arr, isRecord, pushTo } from '../../core/json';
import { LabelIndex } from '../../core/label-index';
import { mergeAscending, OrderRange } from '../../core/ordered';
import { formatLabels, labelMap, labelsWithin } from '../../core/labels';
import { listCounted } from '../../core/text';
import { AppFinding, IstioObject, Rule, RuleContext, Workload } from '../../engine/types';
import { nsName } from '../../engine/view';
import { present, serverLabel, serversOf } from './shape';

type Labels = Readonly<Record<string, string>>;

/** The host part of a server host (`ns/host` → `host`), lower-cased, without a trailing dot. */
export function serverHostName(h: string): string {
  return (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h).toLowerCase().replace(/\.$/, '');
}

/** A Gateway's selector (`{}` when unset: every gateway workload). */
export function selectorOf(gw: IstioObject): Labels {
  return labelMap(gw.spec.selector) ?? {};
}

/** Clashes named per finding. */
const MAX_SHOWN = 3;

/** One server of a gateway, in a bucket of servers sharing selector, port and bind. */
interface ServerEntry {
  readonly gw: IstioObject;
  readonly where: string;
  readonly hosts: readonly string[];
}

export const GW06: Rule = {
  code: 'GW-06', title: 'No two Gateways claim the same host on the same selector, port and bind', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['Gateway'],
  why: 'Gateways with equal selectors program the same gateway pods. Two servers on one port (and bind address) with overlapping hosts build the same '
    + 'listener twice; the proxy keeps one by creation order and drops the other, so routes or certificates of one Gateway silently stop applying.',
  fix: 'Merge the servers into one Gateway, give them hosts that do not overlap, or put them on different ports or gateway workloads.',
  upstream: 'IST0145 ConflictingGateways, KIA0301',
  checkApp(ctx: RuleContext): AppFinding[] {
    const buckets = new Map<string, { selector: string; port: number; bind: string; bucket: ServerEntry[] }>();
    for (const gw of ctx.ofKind('Gateway')) {
      const selector = formatLabels(selectorOf(gw));
      for (const { server, index } of serversOf(gw)) {
        const number = isRecord(server.port) ? server.port.number : undefined;
        if (typeof number !== 'number') continue;
        const bind = typeof server.bind === 'string' && !['0.0.0.0', '::'].includes(server.bind) ? server.bind : '';
        const hosts = [...new Set(arr(server.hosts).filter((h): h is string => typeof h === 'string').map(serverHostName).filter((h) => h !== ''))];
        const key = `${selector}|${number}|${bind}`;
        const group = buckets.get(key) ?? { selector, port: number, bind, bucket: [] as ServerEntry[] };
        group.bucket.push({ gw, where: serverLabel(server, index), hosts });
        buckets.set(key, group);
      }
    }
    const out: AppFinding[] = [];
    for (const { selector, port, bind, bucket } of buckets.values()) {
      if (new Set(bucket.map((e) => e.gw)).size < 2) continue;
      const index = bucketIndex(bucket);
      for (const entry of bucket) {
        // At most MAX_SHOWN + 1 clashes are collected per server (enough to say "and more"), read in bucket order
        // from the index of the bucket's hosts: thousands of hosts or Gateways on one port stay linear.
        const clashes: string[] = [];
        const mine = new Set<string>();
        const own = index.span.get(entry.gw)!;
        const record = (host: string, other: BucketHost) => {
          const text = `host "${host}" overlaps ${other.entry.gw.kind} "${nsName(other.entry.gw)}" ${other.entry.where} host "${other.host}"`;
          if (clashes.includes(text)) return;
          clashes.push(text);
          mine.add(host);
        };
        for (const host of entry.hosts) {
          if (clashes.length > MAX_SHOWN) break;
          const lists = index.hosts.intersecting(host);
          // A specific host meets the same host first, then the wildcards over it; a wildcard meets all in bucket order.
          const passes = host.includes('*') ? [lists] : [lists.filter((l) => l[0].host === host), lists.filter((l) => l[0].host !== host)];
          for (const pass of passes) {
            for (const other of mergeAscending(pass, (h) => h.seq, own)) {
              if (clashes.length > MAX_SHOWN) break;
              record(host, other);
            }
          }
        }
        if (clashes.length === 0) continue;
        const shown = clashes.length > MAX_SHOWN ? `${clashes.slice(0, MAX_SHOWN).join(', ')} and more` : clashes.join(', ');
        out.push({
          object: entry.gw, value: [...mine], allowed: 'hosts that do not overlap on one selector and port',
          message: `${entry.where} ${shown} on the same selector ${selector} and port ${port}${bind ? ` (bind ${bind})` : ''}`,
          fix: this.fix,
        });
      }
    }
    return out;
  },
};

/** One server host of a bucket, numbered in bucket order (servers in order, each server's hosts in order). */
interface BucketHost {
  readonly entry: ServerEntry;
  readonly host: string;
  readonly seq: number;
}

/**
 * The hosts of a bucket by pattern, and for each Gateway the range of its numbers: a Gateway's servers are
 * consecutive in its bucket, so its own hosts are skipped as one range. A host that repeats (same Gateway
 * name, server and host, as in copies of one Gateway) is indexed twice at most: a second copy is enough for
 * the first to clash with, and more would say the same.
 */
function bucketIndex(bucket: readonly ServerEntry[]): { hosts: HostIndex<BucketHost>; span: Map<IstioObject, OrderRange> } {
  const hosts = new HostIndex<BucketHost>();
  const span = new Map<IstioObject, OrderRange>();
  const copies = new Map<string, number>();
  let seq = 0;
  for (const entry of bucket) {
    const from = span.get(entry.gw)?.from ?? seq;
    for (const host of entry.hosts) {
      const n = seq++;
      if (!isHostPattern(host)) continue;
      const key = JSON.stringify([nsName(entry.gw), entry.where, host]);
      const count = copies.get(key) ?? 0;
      if (count >= 2) continue;
      copies.set(key, count + 1);
      hosts.add(host, { entry, host, seq: n });
    }
    span.set(entry.gw, { from, to: seq - 1 });
  }
  return { hosts, span };
}

/** One use of a certificate by a gateway server. */
interface CertUse {
  readonly gw: IstioObject;
  readonly where: string;
  readonly show: string;
}

/** Certificates a terminating server presents, keyed so that equal certificates collide. */
function certificatesOf(tls: any): Array<{ key: string; field: string; show: string }> {
  if (!isRecord(tls) || !['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL'].includes(tls.mode)) return [];
  const out: Array<{ key: string; field: string; show: string }> = [];
  const files = (c: any, field: string) => {
    if (isRecord(c) && present(c.serverCertificate) && present(c.privateKey)) {
      out.push({ key: `files:${c.serverCertificate}|${c.privateKey}`, field: `${field}serverCertificate`, show: String(c.serverCertificate) });
    }
  };
  if (typeof tls.credentialName === 'string' && tls.credentialName !== '') out.push({ key: `secret:${tls.credentialName}`, field: 'credentialName', show: tls.credentialName });
  arr(tls.credentialNames).forEach((n, i) => {
    if (typeof n === 'string' && n !== '') out.push({ key: `secret:${n}`, field: `credentialNames[${i}]`, show: n });
  });
  files(tls, '');
  arr(tls.tlsCertificates).forEach((c, i) => files(c, `tlsCertificates[${i}].`));
  return out;
}

export const GW07: Rule = {
  code: 'GW-07', title: 'Gateways on overlapping workloads do not share a certificate', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['Gateway'],
  why: 'When two Gateways on the same gateway pods present the same certificate, HTTP/2 clients reuse one connection for the hosts of both '
    + '(connection coalescing), but the connection is bound to the first Gateway\'s routes, so requests for the other hosts get 404. '
    + 'Selectors overlap when one contains the other, or when a workload in the App matches both.',
  fix: 'Use a certificate per Gateway (per host set), or merge the servers that share it into one Gateway.',
  upstream: 'IST0138 GatewayDuplicateCertificate',
  checkApp(ctx: RuleContext): AppFinding[] {
    const byCert = new Map<string, CertUse[]>();
    for (const gw of ctx.ofKind('Gateway')) {
      for (const { server, index } of serversOf(gw)) {
        for (const c of certificatesOf(server.tls)) {
          pushTo(byCert, c.key, { gw, where: `${serverLabel(server, index)}.tls.${c.field}`, show: c.show });
        }
      }
    }
    const pods = new LabelIndex<Workload>();
    for (const w of ctx.workloads) pods.add(w, w.podLabels);
    const overlap = (sa: Labels, sb: Labels) => {
      if (labelsWithin(sa, sb) || labelsWithin(sb, sa)) return true;
      const both = new Set(pods.matching(sa));
      return pods.matching(sb).some((w) => both.has(w));
    };
    const out: AppFinding[] = [];
    for (const uses of byCert.values()) {
      const first = new Map<IstioObject, CertUse>();
      for (const u of uses) if (!first.has(u.gw)) first.set(u.gw, u);
      if (first.size < 2) continue;
      // Gateways grouped by selector: selectors are compared group by group, never gateway by gateway.
      const groups = new Map<string, { selector: Labels; members: IstioObject[] }>();
      for (const gw of first.keys()) {
        const selector = selectorOf(gw);
        const key = formatLabels(selector);
        const group = groups.get(key) ?? { selector, members: [] };
        group.members.push(gw);
        groups.set(key, group);
      }
      const all = [...groups.values()];
      for (const group of all) {
        const partners = all.filter((g) => g === group || overlap(group.selector, g.selector));
        const total = partners.reduce((n, g) => n + g.members.length, 0) - 1;
        if (total === 0) continue;
        for (const gw of group.members) {
          const shown: string[] = [];
          for (const g of partners) {
            for (const m of g.members) {
              if (shown.length >= 3) break;
              if (m !== gw) shown.push(`${m.kind} "${nsName(m)}" (selector ${formatLabels(g.selector)})`);
            }
          }
          const use = first.get(gw)!;
          out.push({
            object: gw, value: use.show,
            message: `${use.where} "${use.show}" is also used by ${listCounted(shown, total)}, on workloads overlapping selector ${formatLabels(group.selector)}`,
            fix: this.fix,
          });
        }
      }
    }
    return out;
  },
};
