import { Severity } from '../../core/errors';
import { arr, isRecord } from '../../core/json';
import { isHttpFamily, protocolOf } from '../../core/protocols';
import { Finding, IstioObject, Rule } from '../../engine/types';
import { CERT_FIELDS, present, serverLabel, serversOf } from './shape';

/** Cipher suites Envoy accepts in `cipherSuites` (Istio's list, from BoringSSL without PSK). */
const VALID_CIPHERS = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'AES256-SHA', 'DES-CBC3-SHA',
]);
const TERMINATING = ['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL'];
const PASSTHROUGH = ['PASSTHROUGH', 'AUTO_PASSTHROUGH'];
const WEAK_VERSIONS = ['TLSV1_0', 'TLSV1_1'];

/** A cipher entry Istio accepts: empty, ALL, a known suite, or an expression (`[A|B]`, `!X`, `-X`) it does not parse. */
function validCipher(cs: string): boolean {
  if (cs === '' || cs === 'ALL') return true;
  if (!/^[A-Za-z0-9]/.test(cs)) return true;
  return VALID_CIPHERS.has(cs);
}

export const GW05: Rule = {
  code: 'GW-05', title: 'Gateway TLS material fits the TLS mode', severity: Severity.ERROR, levels: 'E/W', scope: 'self',
  kinds: ['Gateway'],
  why: 'Istio rejects: more than one certificate source; SIMPLE, MUTUAL or OPTIONAL_MUTUAL without credentialName(s) or a serverCertificate and privateKey '
    + '(per tlsCertificates entry); MUTUAL without a client CA; certificates on ISTIO_MUTUAL; more than two tlsCertificates or credentialNames; caCrl with '
    + 'credentialName or with SIMPLE (errors). Certificates on PASSTHROUGH (the default mode when tls.mode is unset) or AUTO_PASSTHROUGH are ignored, '
    + 'TLS 1.0/1.1 without explicit cipherSuites, unknown and duplicate cipher suites are likely mistakes (warnings).',
  fix: 'Terminate with { mode: SIMPLE, credentialName: "<secret>" } (MUTUAL also needs the CA in the secret or caCertificates); use one certificate source; '
    + 'leave certificates off PASSTHROUGH and ISTIO_MUTUAL servers.',
  upstream: 'webhook G9-G15, CRD CEL (one of credentialName/credentialNames/tlsCertificates, 1-2 items)',
  checkObject(o: IstioObject): Finding[] {
    const out: Finding[] = [];
    for (const { server, index } of serversOf(o)) {
      const tls = server.tls;
      if (!isRecord(tls)) continue;
      const where = `${serverLabel(server, index)}.tls`;
      const add = (message: string, value?: unknown, allowed?: string, severity?: Severity) => out.push({
        message, fix: this.fix, ...(value !== undefined ? { value } : {}), ...(allowed ? { allowed } : {}), ...(severity ? { severity } : {}),
      });
      const modeSet = typeof tls.mode === 'string';
      const mode: string = modeSet ? tls.mode : 'PASSTHROUGH';
      const showMode = modeSet ? `mode ${mode}` : 'mode unset (PASSTHROUGH)';
      for (const list of ['tlsCertificates', 'credentialNames'] as const) {
        if (arr(tls[list]).length > 2) add(`${where}.${list} has ${arr(tls[list]).length} entries`, arr(tls[list]).length, '1-2 entries');
      }
      if (mode === 'ISTIO_MUTUAL') {
        const fields = CERT_FIELDS.filter((f) => present(tls[f]));
        if (fields.length > 0) add(`${where} ${showMode} uses the mesh certificates but also sets ${fields.map((f) => `tls.${f}`).join(', ')}`, fields, 'no certificate fields');
      } else if (PASSTHROUGH.includes(mode)) {
        const fields = [...CERT_FIELDS, 'caCrl'].filter((f) => present(tls[f]));
        // On a plain-HTTP server, certificate fields are GW-04's error.
        if (fields.length > 0 && !isHttpFamily(protocolOf(server.port))) {
          add(`${where} ${showMode} does not terminate TLS, so ${fields.map((f) => `tls.${f}`).join(', ')} ${fields.length === 1 ? 'is' : 'are'} ignored`, fields, undefined, Severity.WARNING);
        }
      } else if (TERMINATING.includes(mode)) {
        const sources = [
          ...(present(tls.serverCertificate) || present(tls.privateKey) ? ['serverCertificate/privateKey'] : []),
          ...['credentialName', 'credentialNames', 'tlsCertificates'].filter((f) => present(tls[f])),
        ];
        if (sources.length > 1) add(`${where} sets ${sources.length} certificate sources (${sources.join(', ')})`, sources, 'exactly one certificate source');
        const credential = present(tls.credentialName) || present(tls.credentialNames);
        if (!credential) {
          if (present(tls.tlsCertificates)) {
            arr(tls.tlsCertificates).forEach((c, i) => {
              const missing = ['serverCertificate', 'privateKey'].filter((f) => !isRecord(c) || !present(c[f]));
              if (missing.length > 0) add(`${where}.tlsCertificates[${i}] has no ${missing.join(' or ')} (${showMode})`, missing, 'serverCertificate and privateKey');
            });
          } else {
            const missing = ['serverCertificate', 'privateKey'].filter((f) => !present(tls[f]));
            if (missing.length > 0) add(`${where} ${showMode} has no credentialName and no ${missing.join(' or ')}`, missing, 'credentialName, or serverCertificate and privateKey');
          }
          const hasCa = present(tls.caCertificates) || present(tls.caCertCredentialName) || arr(tls.tlsCertificates).some((c) => isRecord(c) && present(c.caCertificates));
          if (mode !== 'SIMPLE' && !hasCa) add(`${where} ${showMode} has no client CA (caCertificates) and no credentialName to take it from`, mode, 'caCertificates or credentialName');
        }
        if (present(tls.caCrl)) {
          if (present(tls.credentialName)) add(`${where}.caCrl cannot be combined with credentialName; put the CRL in the secret`, tls.caCrl, 'caCrl without credentialName');
          if (mode === 'SIMPLE') add(`${where}.caCrl has no use with ${showMode}, which does not verify clients`, tls.caCrl, 'caCrl only with MUTUAL or OPTIONAL_MUTUAL');
        }
      }
      const ciphers = arr(tls.cipherSuites).filter((c): c is string => typeof c === 'string');
      if (WEAK_VERSIONS.includes(tls.minProtocolVersion) && ciphers.length === 0) {
        add(`${where}.minProtocolVersion ${tls.minProtocolVersion} is set without cipherSuites; the default suites (GCM, ChaCha20) need TLS 1.2, so older clients still cannot connect`, tls.minProtocolVersion, 'TLSV1_2 or newer, or explicit cipherSuites', Severity.WARNING);
      }
      const seen = new Set<string>();
      ciphers.forEach((c, i) => {
        if (!validCipher(c)) add(`${where}.cipherSuites[${i}] "${c}" is not a cipher suite Envoy supports`, c, [...VALID_CIPHERS].join(', '), Severity.WARNING);
        else if (seen.has(c)) add(`${where}.cipherSuites[${i}] "${c}" is listed twice`, c, undefined, Severity.WARNING);
        seen.add(c);
      });
    }
    return out;
  },
};
