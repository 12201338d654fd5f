import { codes, run, se } from '../../support/rules';
import { toIstioObject } from '../../../src/engine/istio-object';
import { runRules } from '../../../src/engine/run';
import { SE_RULES } from '../../../src/rules/se';

/** A valid external TLS API entry; tests override one field at a time. */
const OK = { hosts: ['api.example.com'], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' };

test('the baseline entry passes every SE rule', () => {
  expect(codes(run(se(OK))).filter((c) => c.startsWith('SE-'))).toEqual([]);
});

test('malformed ServiceEntries do not crash any SE rule', () => {
  const junk = [
    { hosts: 'api.example.com', ports: { number: 443 }, addresses: '10.0.0.1', endpoints: 'x', exportTo: '~' },
    { hosts: [null, 1, {}], ports: [1, 'x', { number: '443', name: 7, protocol: 5 }], addresses: [null, 3], endpoints: [1, { address: 5, ports: [1], labels: 'x' }], resolution: 7, exportTo: [1, '~'] },
    { resolution: 'STATIC', endpoints: [{ address: 'unix://', ports: { '': 'x' } }], workloadSelector: 'x' },
  ];
  const objects = junk.map((spec, i) => toIstioObject(se(spec, { name: `junk-${i}` }), `junk${i}`)!);
  expect(() => runRules(objects, SE_RULES, { inventory: {} })).not.toThrow();
});
