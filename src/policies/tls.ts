import { checkHost, checkOptions, enforce, propError } from '../core/enforce';
import { buildValue } from '../core/problems';
import { credentialConflictProblem } from '../core/tls';

/** Options of {@link TlsOrigination.simple}. */
export interface SimpleTlsOptions {
  /**
   * SNI sent to the server.
   * @default - the external host
   */
  readonly sni?: string;
  /**
   * Path (in the proxy) of the CA bundle that verifies the server certificate.
   * @default '/etc/ssl/certs/ca-certificates.crt' - the proxy image's system trust store (unless `credentialName` is set)
   */
  readonly caCertificates?: string;
  /**
   * Kubernetes Secret (in the proxy's namespace) holding the CA bundle, instead of `caCertificates`. Istio
   * hands it to sidecars only when the DestinationRule has a workloadSelector, which `ExternalDependency` does
   * not set: there only gateways use it, and rule DR-15 warns. Prefer `caCertificates` for sidecars.
   * @default - none
   */
  readonly credentialName?: string;
  /**
   * Subject alternative names the server certificate must carry; at least one (an empty list would accept any
   * server name).
   * @default - the external host
   */
  readonly subjectAltNames?: string[];
}

/** Options of {@link TlsOrigination.insecureSkipVerify}. */
export interface InsecureTlsOptions {
  /**
   * SNI sent to the server.
   * @default - the external host
   */
  readonly sni?: string;
}

/** Options of {@link TlsOrigination.mutual}: the client certificate, and how the server is verified. */
export interface MutualTlsOptions extends SimpleTlsOptions {
  /**
   * Path (in the proxy) of the client certificate. Set it with `privateKey`, or use `credentialName`.
   * @default - from `credentialName`
   */
  readonly clientCertificate?: string;
  /**
   * Path (in the proxy) of the client's private key. Set it with `clientCertificate`, or use `credentialName`.
   * @default - from `credentialName`
   */
  readonly privateKey?: string;
}

/** The CA bundle of the Istio proxy image, used to verify servers when no CA is given. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The rendered DestinationRule `ClientTLSSettings` (wire names). */
export interface RenderedClientTls {
  readonly mode: 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL' | 'DISABLE';
  readonly clientCertificate?: string;
  readonly privateKey?: string;
  readonly sni?: string;
  readonly caCertificates?: string;
  readonly credentialName?: string;
  readonly subjectAltNames?: string[];
  readonly insecureSkipVerify?: boolean;
}

/**
 * The TLS a client proxy uses towards a destination (DestinationRule `trafficPolicy.tls`, Istio
 * `ClientTLSSettings`): TLS origination with mode `SIMPLE` (the application speaks plain HTTP and the proxy opens
 * TLS to the server) or `MUTUAL` (with a client certificate), Istio mutual TLS (`ISTIO_MUTUAL`), or, by explicit
 * choice, none (`DISABLE`).
 *
 * Secure by default: the server certificate is verified (against `caCertificates`, `credentialName`, or the
 * proxy's system CA bundle, emitted explicitly as `caCertificates`) and its SAN must match the host; only {@link TlsOrigination.insecureSkipVerify} turns
 * verification off, and says so in the manifest.
 *
 * Invalid options make an invalid value: the construct that takes it raises the problem as an IstioValidationError
 * naming its path and prop (see the rule reference for the codes); any other use of it throws the factory's error.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
 */
export class TlsOrigination {
  /** The CA bundle of the Istio proxy image, used to verify servers when no CA is given (same as {@link SYSTEM_CA_BUNDLE}, for jsii languages). */
  public static readonly SYSTEM_CA_BUNDLE: string = SYSTEM_CA_BUNDLE;

  /** TLS with server verification (the right choice for almost every external API). */
  public static simple(options: SimpleTlsOptions = {}): TlsOrigination {
    return buildValue(TlsOrigination, () => {
      const path = 'TlsOrigination.simple';
      checkOptions(options, { path, prop: 'options' }, 'Pass options such as TlsOrigination.simple({ sni: "api.example.com" }), or no argument.');
      checkVerification('SIMPLE', options, path);
      return new TlsOrigination('SIMPLE', options);
    });
  }

  /**
   * Mutual TLS with a client certificate of your own (mode `MUTUAL`): `clientCertificate` and `privateKey` files,
   * or a `credentialName` Secret holding certificate, key and CA. The server is verified as for {@link simple}.
   */
  public static mutual(options: MutualTlsOptions): TlsOrigination {
    return buildValue(TlsOrigination, () => {
      const path = 'TlsOrigination.mutual';
      checkOptions(options, { path, prop: 'options' }, 'Pass options such as TlsOrigination.mutual({ credentialName: "client-credential" }).');
      for (const prop of ['clientCertificate', 'privateKey'] as const) {
        if (options[prop] !== undefined && (typeof options[prop] !== 'string' || options[prop]!.trim() === '')) {
          propError({ path, prop }, { value: options[prop], expected: 'a non-empty file path', fix: `Give the path of the ${prop === 'privateKey' ? 'key' : 'certificate'} in the proxy, or use credentialName.` });
        }
      }
      const files = options.clientCertificate !== undefined || options.privateKey !== undefined;
      if (options.credentialName === undefined && (options.clientCertificate === undefined || options.privateKey === undefined)) {
        propError({ path, prop: files ? (options.clientCertificate === undefined ? 'clientCertificate' : 'privateKey') : 'credentialName' }, {
          value: options, shown: files ? 'one of clientCertificate/privateKey' : '{}', expected: 'clientCertificate and privateKey, or credentialName',
          message: 'mutual TLS needs a client certificate: clientCertificate with privateKey, or a credentialName Secret',
          fix: 'Set clientCertificate and privateKey (files mounted in the proxy), or credentialName (a Secret with tls.crt, tls.key, ca.crt).',
        });
      }
      enforce(credentialConflictProblem, [{ mode: 'MUTUAL', clientCertificate: options.clientCertificate, privateKey: options.privateKey, credentialName: options.credentialName }], {
        path, prop: 'credentialName', value: 'credentialName + clientCertificate/privateKey', allowed: 'one source of client material',
        message: (problem) => `the options ${problem}`, fix: 'Give the client certificate either as files (clientCertificate, privateKey) or as a Secret (credentialName), not both.',
      });
      checkVerification('MUTUAL', options, path);
      return new TlsOrigination('MUTUAL', options);
    });
  }

  /**
   * Istio mutual TLS with the workload certificates Istio issues (mode `ISTIO_MUTUAL`): what mesh traffic uses
   * under PeerAuthentication, stated explicitly (e.g. Bookinfo's `destination-rule-all-mtls`).
   */
  public static istioMutual(): TlsOrigination {
    return new TlsOrigination('ISTIO_MUTUAL', {});
  }

  /**
   * No TLS from the client proxy (mode `DISABLE`): plain text to the destination. Only by this explicit choice;
   * under strict mTLS rule DR-16 refuses it.
   */
  public static disable(): TlsOrigination {
    return new TlsOrigination('DISABLE', {});
  }

  /**
   * TLS with Istio's own defaults (mode `SIMPLE` and nothing else, as Istio's egress TLS-origination task writes it):
   * the proxy sends the host as SNI and, with `VERIFY_CERTIFICATE_AT_CLIENT` (on by default since Istio 1.20),
   * verifies the server against its system CA bundle, but checks no subject alternative name. Rule DR-15 warns;
   * prefer {@link simple}, which states the CA and the SAN in the manifest.
   */
  public static simpleWithIstioDefaults(): TlsOrigination {
    return new TlsOrigination('SIMPLE_DEFAULTS', {});
  }

  /** TLS without verifying the server certificate. Only for tests against self-signed servers. */
  public static insecureSkipVerify(options: InsecureTlsOptions = {}): TlsOrigination {
    return buildValue(TlsOrigination, () => {
      checkOptions(options, { path: 'TlsOrigination.insecureSkipVerify', prop: 'options' }, 'Pass options such as TlsOrigination.insecureSkipVerify({ sni: "api.example.com" }), or no argument.');
      if (options.sni !== undefined) checkHost(options.sni, { path: 'TlsOrigination.insecureSkipVerify', prop: 'sni' });
      return new TlsOrigination('INSECURE', options);
    });
  }

  private constructor(private readonly mode: 'SIMPLE' | 'SIMPLE_DEFAULTS' | 'INSECURE' | 'MUTUAL' | 'ISTIO_MUTUAL' | 'DISABLE', private readonly options: MutualTlsOptions) {}

  /**
   * Whether the proxy originates TLS it configures itself (SIMPLE or MUTUAL, verified or not), so an SNI is sent.
   * @internal
   */
  public get _originates(): boolean {
    return this.mode === 'SIMPLE' || this.mode === 'SIMPLE_DEFAULTS' || this.mode === 'INSECURE' || this.mode === 'MUTUAL';
  }

  /**
   * The SNI sent for `host`: the `sni` option, else the host.
   * @internal
   */
  public _sni(host: string): string {
    return this.options.sni ?? host;
  }

  /**
   * The client TLS settings for `host`.
   * @internal
   */
  public _render(host: string): RenderedClientTls {
    const o = this.options;
    if (this.mode === 'ISTIO_MUTUAL' || this.mode === 'DISABLE') return { mode: this.mode };
    if (this.mode === 'SIMPLE_DEFAULTS') return { mode: 'SIMPLE' };
    if (this.mode === 'INSECURE') {
      return { mode: 'SIMPLE', sni: o.sni ?? host, insecureSkipVerify: true };
    }
    return {
      mode: this.mode,
      ...(o.clientCertificate !== undefined ? { clientCertificate: o.clientCertificate, privateKey: o.privateKey } : {}),
      sni: o.sni ?? host,
      ...(o.credentialName ? {} : { caCertificates: o.caCertificates ?? SYSTEM_CA_BUNDLE }),
      ...(o.credentialName ? { credentialName: o.credentialName } : {}),
      subjectAltNames: [...(o.subjectAltNames ?? [host])],
    };
  }
}

/** Checks how a SIMPLE or MUTUAL client verifies the server: CA source (DR-14), SNI grammar, a non-empty SAN list. */
function checkVerification(mode: 'SIMPLE' | 'MUTUAL', options: SimpleTlsOptions, path: string): void {
  for (const prop of ['caCertificates', 'credentialName'] as const) {
    if (options[prop] !== undefined && typeof options[prop] !== 'string') propError({ path, prop }, { value: options[prop], expected: 'a string', fix: `Set ${prop} to a string, or leave it out.` });
    // Emitted as `""`, which names no file (or Secret): refused rather than sent to Istio as a setting that looks set.
    if (options[prop] !== undefined && options[prop]!.trim() === '') {
      propError({ path, prop }, {
        value: options[prop], expected: prop === 'caCertificates' ? 'a non-empty file path' : 'a non-empty Secret name', message: `${prop} is empty`,
        fix: prop === 'caCertificates' ? `Give the CA bundle's path, or leave caCertificates out to use the system bundle (${SYSTEM_CA_BUNDLE}).` : 'Name the Secret, or leave credentialName out.',
      });
    }
  }
  enforce(credentialConflictProblem, [{ mode, caCertificates: options.caCertificates, credentialName: options.credentialName }], {
    path, prop: 'caCertificates', value: 'caCertificates + credentialName', allowed: 'one CA source',
    message: () => 'both caCertificates and credentialName are set', fix: 'Give the CA either as a file path (caCertificates) or as a Secret (credentialName), not both.',
  });
  if (options.sni !== undefined) checkHost(options.sni, { path, prop: 'sni' });
  if (options.subjectAltNames !== undefined && (!Array.isArray(options.subjectAltNames) || options.subjectAltNames.length === 0)) {
    propError({ path, prop: 'subjectAltNames' }, {
      value: options.subjectAltNames, shown: '[]', expected: 'at least one name, or leave it out',
      message: 'subjectAltNames is empty, which would accept any server name', fix: 'List the names the server certificate must carry, or leave subjectAltNames out to use the host.',
    });
  }
}
