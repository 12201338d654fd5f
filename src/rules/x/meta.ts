import { crdCapProblem, SERVICE_ENTRY_MAX_HOSTS, SERVICE_ENTRY_MAX_PORTS } from '../../core/caps';
import { Severity } from '../../core/errors';
import { arr, isRecord } from '../../core/json';
import { Finding, IstioKind, IstioObject, Rule } from '../../engine/types';

const DRY_RUN = 'istio.io/dry-run';
const INTERNAL_PREFIX = 'internal.istio.io/';

export const X12: Rule = {
  code: 'X-12', title: 'No istio.io/dry-run or Istio-internal annotations', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['VirtualService', 'DestinationRule', 'ServiceEntry', 'Gateway', 'Sidecar'],
  why: `Istio rejects "${DRY_RUN}" on anything but an AuthorizationPolicy, and refuses the "${INTERNAL_PREFIX}*" annotations it reserves `
    + 'for itself (webhook-always-reject, parent-namespace, parents): they would escalate privileges or make the webhook reject the object.',
  fix: `Remove the annotation; dry-run only exists for AuthorizationPolicy, and "${INTERNAL_PREFIX}*" annotations are set by istiod alone.`,
  upstream: 'webhook C14',
  checkObject(o: IstioObject): Finding[] {
    const annotations = isRecord(o.manifest?.metadata?.annotations) ? o.manifest.metadata.annotations : {};
    const out: Finding[] = [];
    for (const key of Object.keys(annotations)) {
      const where = `metadata.annotations["${key}"]`;
      if (key === DRY_RUN) {
        out.push({ message: `${where} is only supported on AuthorizationPolicy, not on a ${o.kind}`, fix: this.fix, value: key });
      } else if (key.startsWith(INTERNAL_PREFIX)) {
        out.push({ message: `${where} is reserved for istiod and may not be set by users`, fix: this.fix, value: key });
      }
    }
    return out;
  },
};

type Unit = 'items' | 'entries' | 'characters';

/** One CRD cap: the values it applies to (with their paths), the unit measured and the maximum. */
interface Cap {
  readonly kind: IstioKind;
  readonly unit: Unit;
  readonly max: number;
  collect(spec: any): Array<[unknown, string]>;
}

const each = (list: unknown, at: string, field: string): Array<[unknown, string]> =>
  arr(list).map((x, i): [unknown, string] => [isRecord(x) ? x[field] : undefined, `${at}[${i}].${field}`]);

/** The size caps of the Istio 1.30 CRDs (`maxItems`, `maxProperties`, `maxLength`) on ServiceEntry and DestinationRule. */
const CAPS: readonly Cap[] = [
  { kind: 'ServiceEntry', unit: 'items', max: SERVICE_ENTRY_MAX_HOSTS, collect: (s) => [[s.hosts, 'spec.hosts']] },
  { kind: 'ServiceEntry', unit: 'items', max: 256, collect: (s) => [[s.addresses, 'spec.addresses']] },
  { kind: 'ServiceEntry', unit: 'characters', max: 64, collect: (s) => arr(s.addresses).map((a, i): [unknown, string] => [a, `spec.addresses[${i}]`]) },
  { kind: 'ServiceEntry', unit: 'items', max: SERVICE_ENTRY_MAX_PORTS, collect: (s) => [[s.ports, 'spec.ports']] },
  { kind: 'ServiceEntry', unit: 'characters', max: 256, collect: (s) => [...each(s.ports, 'spec.ports', 'name'), ...each(s.ports, 'spec.ports', 'protocol')] },
  { kind: 'ServiceEntry', unit: 'items', max: 4096, collect: (s) => [[s.endpoints, 'spec.endpoints']] },
  { kind: 'ServiceEntry', unit: 'characters', max: 256, collect: (s) => each(s.endpoints, 'spec.endpoints', 'address') },
  { kind: 'ServiceEntry', unit: 'characters', max: 2048, collect: (s) => [...each(s.endpoints, 'spec.endpoints', 'locality'), ...each(s.endpoints, 'spec.endpoints', 'network')] },
  { kind: 'ServiceEntry', unit: 'characters', max: 253, collect: (s) => each(s.endpoints, 'spec.endpoints', 'serviceAccount') },
  { kind: 'ServiceEntry', unit: 'entries', max: 256, collect: (s) => each(s.endpoints, 'spec.endpoints', 'labels') },
  { kind: 'ServiceEntry', unit: 'entries', max: 128, collect: (s) => each(s.endpoints, 'spec.endpoints', 'ports') },
  { kind: 'ServiceEntry', unit: 'entries', max: 256, collect: (s) => [[s.workloadSelector?.labels, 'spec.workloadSelector.labels']] },
  {
    kind: 'DestinationRule', unit: 'items', max: 4096,
    collect: (s) => [
      [s.trafficPolicy?.portLevelSettings, 'spec.trafficPolicy.portLevelSettings'],
      ...arr(s.subsets).map((sub, i): [unknown, string] => [sub?.trafficPolicy?.portLevelSettings, `spec.subsets[${i}].trafficPolicy.portLevelSettings`]),
    ],
  },
  { kind: 'DestinationRule', unit: 'entries', max: 4096, collect: (s) => [[s.workloadSelector?.matchLabels, 'spec.workloadSelector.matchLabels']] },
];

function sizeOf(value: unknown, unit: Unit): number | undefined {
  if (unit === 'items') return Array.isArray(value) ? value.length : undefined;
  if (unit === 'entries') return isRecord(value) ? Object.keys(value).length : undefined;
  return typeof value === 'string' ? value.length : undefined;
}

export const X13: Rule = {
  code: 'X-13', title: 'Lists, maps and strings stay within the CRD size caps', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: ['ServiceEntry', 'DestinationRule'],
  why: 'The API server rejects objects beyond the CRD caps: ServiceEntry hosts, addresses and ports ≤ 256 (address ≤ 64 characters, '
    + 'port name and protocol ≤ 256), endpoints ≤ 4096 (address ≤ 256, locality/network ≤ 2048, serviceAccount ≤ 253, ≤ 256 labels, '
    + '≤ 128 ports), selector labels ≤ 256; DestinationRule portLevelSettings ≤ 4096 and matchLabels ≤ 4096. Gateway credentialNames '
    + 'and tlsCertificates (≤ 2) are GW-05; label values (≤ 63) are X-08.',
  fix: 'Split the object (e.g. one ServiceEntry per group of hosts or endpoints), or shorten the value.',
  upstream: 'CRD maxItems/maxProperties/maxLength (Istio 1.30 crd-all.gen.yaml)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const cap of CAPS) {
      if (cap.kind !== o.kind) continue;
      for (const [value, where] of cap.collect(o.spec)) {
        const size = sizeOf(value, cap.unit);
        const problem = size === undefined ? undefined : crdCapProblem(size, cap.max, cap.unit, o.kind);
        if (!problem) continue;
        out.push({
          message: `${where} ${problem}`,
          fix: this.fix, value: size, allowed: `≤ ${cap.max} ${cap.unit}`,
        });
      }
    }
    return out;
  },
};

