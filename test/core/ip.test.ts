import { addressProblem, isIpAddress } from '../../src/core/ip';

test('addresses: IPs and CIDRs as Go reads them', () => {
  expect(['10.0.0.1', '10.0.0.0/16', '2001:db8::/32', '::1'].map(addressProblem)).toEqual([undefined, undefined, undefined, undefined]);
  expect(addressProblem('')).toBe('is empty');
  expect(addressProblem('example.com')).toBe('is not an IP address or CIDR');
  expect(addressProblem('10.0.0.0/33')).toBe('is a CIDR whose prefix length "33" is not 0-32');
  expect(addressProblem('10.0.0/8')).toContain('is not an IP address');
  expect(isIpAddress('fe80::1%eth0')).toBe(false);
});
