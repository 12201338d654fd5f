import { Severity } from '../../core/errors';
import { clusterLocal, hostMatches, isWildcardHost, MESH_WIDE_HOSTS, namespaceWide } from '../../core/hosts';
import { arr, hasText, isRecord, pushTo } from '../../core/json';
import { mergeAscending } from '../../core/ordered';
import { listCounted } from '../../core/text';
import { credentialConflictProblem, inlineNextToCredential, sniProblem } from '../../core/tls';
import { AppFinding, Finding, IstioObject, Rule, RuleContext } from '../../engine/types';
import { describe } from '../../engine/view';
import { drHost, policiesOf, PolicyAt, topTlsMode } from '../../engine/view-dr';

const KINDS = ['DestinationRule'] as const;
const CONFIGMAP_PREFIX = 'configmap://';

/** Each policy level with a `tls` object. */
function tlsLevels(policies: PolicyAt[]): Array<{ where: string; tls: Record<string, any> }> {
  return policies.filter((p) => isRecord(p.policy.tls)).map((p) => ({ where: `${p.where}.tls`, tls: p.policy.tls }));
}

export const DR14: Rule = {
  code: 'DR-14', title: 'Client TLS settings are consistent', severity: Severity.ERROR, levels: 'E', scope: 'self',
  kinds: [...KINDS],
  why: 'Istio rejects inline certificates, keys, CA or CRL next to credentialName (SIMPLE/MUTUAL), MUTUAL without client certificate and key, CA/credential/SAN settings next to insecureSkipVerify, and a configmap:// credentialName outside the rule\'s own namespace.',
  fix: 'Give the TLS material either as credentialName or as file paths, never both; for MUTUAL set clientCertificate and privateKey; drop CA and SAN settings when insecureSkipVerify is true; keep configmap:// credentials in the DestinationRule\'s namespace.',
  upstream: 'webhook D24-D27',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const fix = this.fix;
    for (const { where, tls } of tlsLevels(policiesOf(o.spec))) {
      const mode = tls.mode;
      const credential = hasText(tls.credentialName) ? tls.credentialName : undefined;
      if (credential?.startsWith(CONFIGMAP_PREFIX)) out.push(...configMapProblems(o, credential, where, fix));
      const sans = arr(tls.subjectAltNames).length > 0;
      // Not in the webhook: a wildcard SNI is sent literally, so every connection fails verification (error by the severity policy).
      const sni = hasText(tls.sni) ? sniProblem(tls.sni) : undefined;
      if (sni) out.push({ message: `${where}.sni ${sni}`, fix: 'Set sni to the concrete host the server certificate names, e.g. api.example.com.', value: tls.sni, allowed: 'a concrete hostname' });
      if (tls.insecureSkipVerify === true) {
        const conflicts = mode === 'SIMPLE'
          ? [hasText(tls.caCertificates) && 'caCertificates', credential && 'credentialName', sans && 'subjectAltNames']
          : mode === 'MUTUAL' ? [hasText(tls.caCertificates) && 'caCertificates', sans && 'subjectAltNames'] : [];
        const set = conflicts.filter((c): c is string => typeof c === 'string');
        if (set.length > 0) {
          out.push({ message: `${where} sets insecureSkipVerify true together with ${set.join(', ')} (mode ${mode})`, fix, value: set.join(', '), allowed: 'no server verification settings with insecureSkipVerify' });
        }
      }
      if ((mode === 'SIMPLE' || mode === 'MUTUAL') && credential) {
        const conflict = credentialConflictProblem(tls);
        if (conflict) out.push({ message: `${where} ${conflict}`, fix, value: inlineNextToCredential(tls).join(', '), allowed: 'credentialName or file paths' });
      } else if (mode === 'MUTUAL') {
        const missing = ['clientCertificate', 'privateKey'].filter((f) => !hasText(tls[f]));
        if (missing.length > 0) {
          out.push({ message: `${where} is MUTUAL without credentialName and has no ${missing.join(' or ')}`, fix, value: missing.join(', '), allowed: 'clientCertificate and privateKey, or credentialName' });
        }
      }
    }
    return out;
  },
};

function configMapProblems(o: IstioObject, credential: string, where: string, fix: string): Finding[] {
  const rest = credential.slice(CONFIGMAP_PREFIX.length);
  const slash = rest.indexOf('/');
  const ns = slash >= 0 ? rest.slice(0, slash) : undefined;
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  if (name.length === 0 || name.includes('/') || ns === '') {
    return [{ message: `${where}.credentialName "${credential}" is not configmap://[namespace/]name`, fix, value: credential }];
  }
  if (ns !== undefined && o.namespace !== undefined && ns !== o.namespace) {
    return [{ message: `${where}.credentialName "${credential}" points at namespace "${ns}", not the DestinationRule's namespace "${o.namespace}"`, fix, value: credential, allowed: `configmap://${o.namespace}/<name>` }];
  }
  return [];
}

export const DR15: Rule = {
  code: 'DR-15', title: 'Originated TLS verifies the server against a CA', severity: Severity.WARNING, levels: 'W', scope: 'self',
  kinds: [...KINDS],
  why: 'SIMPLE or MUTUAL TLS without caCertificates names no CA to verify the server with: the proxy then relies on its system trust store only when VERIFY_CERTIFICATE_AT_CLIENT is on, and not at all with insecureSkipVerify. A credentialName supplies the CA to sidecars only when the DestinationRule has a workloadSelector (otherwise only gateways read it).',
  fix: 'Set caCertificates (or credentialName together with a workloadSelector) so the server certificate is checked against the CA you expect.',
  upstream: 'IST0128, IST0129',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    const selector = isRecord(o.spec.workloadSelector);
    for (const { where, tls } of tlsLevels(policiesOf(o.spec))) {
      if ((tls.mode !== 'SIMPLE' && tls.mode !== 'MUTUAL') || hasText(tls.caCertificates)) continue;
      if (hasText(tls.credentialName) && selector) continue;
      const why = tls.insecureSkipVerify === true
        ? ' and insecureSkipVerify is true, so the server certificate is not verified at all'
        : hasText(tls.credentialName)
          ? ` and credentialName "${tls.credentialName}" reaches sidecars only with a workloadSelector, so no CA of yours verifies the server`
          : ', so no CA of yours verifies the server certificate';
      out.push({ message: `${where} is ${tls.mode} without caCertificates${why}`, fix: this.fix, value: tls.mode });
    }
    return out;
  },
};

export const DR16: Rule = {
  code: 'DR-16', title: '(Strict mTLS) No TLS mode DISABLE', severity: Severity.WARNING, levels: 'E/W', scope: 'self',
  kinds: [...KINDS],
  optIn: true,
  why: 'tls.mode DISABLE turns off (m)TLS to the host, bypassing a mesh-wide mTLS policy. Opt-in policy check: a warning when enabled, an error when the engine runs in strict mode (the strict-mtls profile). Port-level DISABLE is reported too.',
  fix: 'Use ISTIO_MUTUAL for in-mesh hosts (or drop tls to keep auto-mTLS), SIMPLE/MUTUAL for external hosts; suppress with a reason for a deliberate plaintext exception.',
  upstream: 'Kyverno enforce-tls-hosts-host-subnets, Gatekeeper ASM DestinationRuleTLSEnabled',
  checkObject(o: IstioObject): Finding[] {
    return tlsLevels(policiesOf(o.spec)).filter(({ tls }) => tls.mode === 'DISABLE')
      .map(({ where }) => ({ message: `${where}.mode is DISABLE, so traffic to ${JSON.stringify(o.spec.host)} is sent without TLS`, fix: this.fix, value: 'DISABLE', allowed: 'ISTIO_MUTUAL, SIMPLE, MUTUAL' }));
  },
};

/** Whether a DestinationRule sets TLS at the top level or on any top-level port (what KIA0204 looks at). */
function setsTls(o: IstioObject): boolean {
  const top = isRecord(o.spec.trafficPolicy) ? o.spec.trafficPolicy : {};
  return isRecord(top.tls) || arr(top.portLevelSettings).some((p) => isRecord(p) && isRecord(p.tls));
}

/** Covering mesh- and namespace-wide rules named per DR-17 finding. */
const COVERING_SHOWN = 3;

export const DR17: Rule = {
  code: 'DR-17', title: 'A host-specific DestinationRule keeps the mesh- or namespace-wide mTLS setting', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: [...KINDS],
  why: 'DestinationRules do not merge TLS: the host-specific rule wins, and without tls it drops the ISTIO_MUTUAL of the mesh-wide (*.local) or namespace-wide (*.<ns>.svc.cluster.local) rule, leaving mTLS to auto-mTLS. The PeerAuthentication side (DR-18) is not checked: PeerAuthentications are not read by this engine.',
  fix: 'Add trafficPolicy.tls.mode: ISTIO_MUTUAL to the host-specific DestinationRule.',
  upstream: 'KIA0204',
  checkApp(ctx: RuleContext): AppFinding[] {
    // Mesh-wide rules by host (three hosts at most), each list in the order of the rules.
    const mesh = new Map<string, IstioObject[]>();
    const byNamespace = new Map<string, IstioObject[]>();
    const drs = ctx.ofKind('DestinationRule');
    const position = new Map(drs.map((dr, i) => [dr, i]));
    for (const dr of drs) {
      const host = drHost(dr);
      if (!host || topTlsMode(dr.spec) !== 'ISTIO_MUTUAL') continue;
      if (MESH_WIDE_HOSTS.has(host)) pushTo(mesh, host, dr);
      const ns = namespaceWide(host);
      if (ns) pushTo(byNamespace, ns, dr);
    }
    if (mesh.size === 0 && byNamespace.size === 0) return [];
    const out: AppFinding[] = [];
    for (const dr of drs) {
      const host = drHost(dr);
      if (!host || isWildcardHost(host) || setsTls(dr)) continue;
      const local = clusterLocal(host);
      // The mesh-wide rules covering the host in rule order, then the namespace-wide ones: the first few named.
      const wide = [...mesh].filter(([pattern]) => hostMatches(pattern, host)).map(([, rules]) => rules);
      const own = local ? byNamespace.get(local.namespace) ?? [] : [];
      const total = wide.reduce((n, rules) => n + rules.length, 0) + own.length;
      if (total === 0) continue;
      const shown: IstioObject[] = [];
      for (const m of mergeAscending(wide, (r) => position.get(r)!)) if (shown.push(m) === COVERING_SHOWN) break;
      shown.push(...own.slice(0, COVERING_SHOWN - shown.length));
      out.push({
        object: dr, value: host,
        message: `${describe(dr)} for ${host} sets no tls, so it overrides the ISTIO_MUTUAL of ${listCounted(shown.map(describe), total)}`,
        fix: this.fix,
      });
    }
    return out;
  },
};
