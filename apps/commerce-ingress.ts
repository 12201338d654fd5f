import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { Destination, HostTraffic, HttpMatch, IngressGateway, PortProtocol, RoutingApi, ServerTls } from '../src';

/**
 * Seed 001's Gateway API ingress ("Gateway API equivalent of the Istio Gateway/VirtualService combo"): the Gateway
 * `public-gateway` in istio-ingress terminates TLS for shop.example.com with the Secret shop-example-com-cert, and the
 * HTTPRoute `shop-route` in commerce sends `/api/` 90/10 to the Services shop-api and shop-api-canary on port 8080.
 *
 * One difference from the seed, on purpose: the listener admits routes from every namespace
 * (`allowedRoutes.namespaces.from: All`, what an Istio Gateway host without a namespace part means). The seed's
 * listener has no allowedRoutes, so it admits only routes of istio-ingress, and shop-route in commerce would never
 * attach (GA-03; test/apps-gateway-api.test.ts reproduces the seed exactly and shows the finding).
 */
export class CommerceIngressChart extends Chart {
  public readonly gateway: IngressGateway;
  public readonly route: HostTraffic;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'commerce', ...props });
    this.gateway = new IngressGateway(this, 'public-gateway', {
      routingApi: RoutingApi.GATEWAY_API,
      namespace: 'istio-ingress',
      servers: [{ name: 'https', port: 443, protocol: PortProtocol.HTTPS, hosts: ['shop.example.com'], tls: ServerTls.simple('shop-example-com-cert') }],
    });
    for (const name of ['shop-api', 'shop-api-canary']) {
      new ApiObject(this, name, {
        apiVersion: 'v1', kind: 'Service', metadata: { name },
        spec: { selector: { app: 'shop-api', track: name === 'shop-api' ? 'stable' : 'canary' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
      });
    }
    this.route = new HostTraffic(this, 'shop-route', {
      routingApi: RoutingApi.GATEWAY_API,
      host: 'shop-api',
      name: 'shop-route',
      gateways: [this.gateway.ref],
      hosts: ['shop.example.com'],
      httpRoutes: [{
        match: [HttpMatch.pathPrefix('/api/')],
        route: [Destination.host('shop-api', { port: 8080, weight: 90 }), Destination.host('shop-api-canary', { port: 8080, weight: 10 })],
      }],
    });
  }
}
