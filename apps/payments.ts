import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ExternalDependency, PortProtocol } from '../src';

/**
 * Seed 001 ("Istio Traffic Management in Practice"), payments namespace: the external payment gateway
 * `api.pgprovider.example` registered with a ServiceEntry (TLS on 443, DNS resolution) and routed by SNI.
 *
 * Changed from the seed: `exportTo: ['.']` (the library's secure default) keeps the entry private to the
 * payments namespace.
 */
export class PaymentsChart extends Chart {
  public readonly gateway: ExternalDependency;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'payments', ...props });
    this.gateway = new ExternalDependency(this, 'payment-gateway', {
      name: 'external-payment-gateway',
      hosts: ['api.pgprovider.example'],
      ports: [{ number: 443, name: 'https', protocol: PortProtocol.TLS }],
    });
  }
}
