/**
 * Client TLS settings as Istio reads them (DestinationRule `trafficPolicy.tls`, rule DR-14). Used by
 * `TlsOrigination` and by the DR-14 rule.
 */
import { invariant } from './check';
import { isWildcardHost } from './hosts';
import { hasText } from './json';

/** The inline TLS material that may not be set next to `credentialName`. */
export const INLINE_TLS_FIELDS: readonly string[] = ['clientCertificate', 'caCertificates', 'privateKey', 'caCrl'];

/** The inline TLS fields `tls` sets next to a `credentialName` in mode SIMPLE or MUTUAL (Istio rejects them). */
export function inlineNextToCredential(tls: Record<string, unknown>): string[] {
  if ((tls.mode !== 'SIMPLE' && tls.mode !== 'MUTUAL') || !hasText(tls.credentialName)) return [];
  return INLINE_TLS_FIELDS.filter((f) => hasText(tls[f]));
}

/** DR-14: SIMPLE or MUTUAL TLS takes its material either from `credentialName` or inline, never both. */
export const credentialConflictProblem = invariant('DR-14', (tls: Record<string, unknown>): string | undefined => {
  const inline = inlineNextToCredential(tls);
  return inline.length > 0 ? `sets credentialName "${String(tls.credentialName)}" together with ${inline.join(', ')}` : undefined;
});

/**
 * DR-14: the SNI sent when originating TLS must name one server. A wildcard (`*.example.com`) is sent literally:
 * no server presents a certificate for it, so every connection fails verification (or reaches a default vhost).
 */
export const sniProblem = invariant('DR-14', (sni: string): string | undefined =>
  isWildcardHost(sni) ? `is the wildcard "${sni}"; a TLS client sends SNI literally, so it must name one concrete host` : undefined);
