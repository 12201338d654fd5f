import { isHttpFamily, isTcpFamily, isTlsFamily, protocolOf, showProtocol } from '../../src/core/protocols';

test('protocol families', () => {
  expect(protocolOf({ protocol: 'grpc' })).toBe('GRPC');
  expect(protocolOf({})).toBe('');
  expect([isHttpFamily('GRPC'), isHttpFamily('TCP'), isTlsFamily('HTTPS'), isTcpFamily('TLS'), isTcpFamily('HTTP')]).toEqual([true, false, true, true, false]);
  expect(showProtocol('')).toBe('unset');
});
