import { Testing } from 'cdk8s';
import { DestinationRule, Gateway, ServiceEntry, VirtualService } from '../imports/istio-networking.istio.io';

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
