import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { CallTarget, EgressLockdown, ExternalDependency, PortProtocol } from '../src';

/**
 * Seed 001 ("Istio Traffic Management in Practice"), payments namespace: the external payment gateway
 * `api.pgprovider.example` registered with a ServiceEntry (TLS on 443, DNS resolution), in the seed's high-security
 * variant: all outbound traffic through the egress gateway ("the single audit point for external calls"), the
 * namespace locked down to REGISTRY_ONLY, and a NetworkPolicy that lets its pods out only to Istio's namespace and DNS.
 *
 * Changed from the seed: `exportTo: ['.']` (the library's secure default) keeps the entry private to the
 * payments namespace.
 */
export class PaymentsChart extends Chart {
  public readonly gateway: ExternalDependency;
  public readonly lockdown: EgressLockdown;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'payments', ...props });
    this.gateway = new ExternalDependency(this, 'payment-gateway', {
      name: 'external-payment-gateway',
      hosts: ['api.pgprovider.example'],
      ports: [{ number: 443, name: 'https', protocol: PortProtocol.TLS }],
      egressGateway: {},
    });
    this.lockdown = new EgressLockdown(this, 'lockdown', { calls: [CallTarget.of(this.gateway)], networkPolicy: true });
  }
}
