import { Testing } from 'cdk8s';
import { DestinationRule, Gateway, ServiceEntry, VirtualService } from '../imports/istio-networking.istio.io';
import { Gateway as GatewayApiGateway, HttpRoute, TcpRoute, TlsRoute } from '../imports/gateway-gateway.networking.k8s.io';

test.each([
  ['DestinationRule', DestinationRule],
  ['Gateway', Gateway],
  ['ServiceEntry', ServiceEntry],
  ['VirtualService', VirtualService],
] as const)('imported %s is emitted as networking.istio.io/v1', (kind, Kind) => {
  expect(Kind.GVK).toEqual({ apiVersion: 'networking.istio.io/v1', kind });
  const chart = Testing.chart();
  new (Kind as any)(chart, 'o', { metadata: { name: 'o' } });
  expect(Testing.synth(chart)[0]).toMatchObject({ apiVersion: 'networking.istio.io/v1', kind });
});

test.each([
  ['Gateway', GatewayApiGateway],
  ['HTTPRoute', HttpRoute],
  ['TCPRoute', TcpRoute],
  ['TLSRoute', TlsRoute],
] as const)('imported Gateway API %s is emitted as gateway.networking.k8s.io/v1', (kind, Kind) => {
  expect(Kind.GVK).toEqual({ apiVersion: 'gateway.networking.k8s.io/v1', kind });
  const chart = Testing.chart();
  new (Kind as any)(chart, 'o', { metadata: { name: 'o' } });
  expect(Testing.synth(chart)[0]).toMatchObject({ apiVersion: 'gateway.networking.k8s.io/v1', kind });
});
