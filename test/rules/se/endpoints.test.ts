import { codes, ERROR, one, only, run, se } from '../../support/rules';

/** A valid external TLS API entry; tests override one field at a time. */
const OK = { hosts: ['api.example.com'], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' };
const entry = (over: Record<string, unknown>) => se({ ...OK, ...over });
/** A ServiceEntry manifest with metadata labels. */
const labelled = (spec: Record<string, unknown>, labels: Record<string, string>) => {
  const m = se(spec);
  return { ...m, metadata: { ...m.metadata, labels } };
};

describe('SE-05 resolution shape', () => {
  test('workloadSelector together with endpoints is an error', () => {
    const v = one(run(entry({ resolution: 'STATIC', workloadSelector: { labels: { app: 'vm' } }, endpoints: [{ address: '10.0.0.1' }] })), 'SE-05');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.workloadSelector and spec.endpoints (1) are both set');
  });

  test('NONE with endpoints is an error', () => {
    expect(one(run(entry({ resolution: 'NONE', endpoints: [{ address: '10.0.0.1' }] })), 'SE-05').message).toContain('resolution NONE takes none');
  });

  test('STATIC with a hostname endpoint is an error naming the address', () => {
    const v = one(run(entry({ resolution: 'STATIC', endpoints: [{ address: 'db.example.com' }] })), 'SE-05');
    expect(v.message).toContain('spec.endpoints[0].address "db.example.com" is not an IP address or unix:// socket');
  });

  test('STATIC with a unix socket needs exactly one port', () => {
    const ports = [{ number: 443, name: 'https', protocol: 'TLS' }, { number: 80, name: 'http', protocol: 'HTTP' }];
    const v = one(run(entry({ resolution: 'STATIC', ports, endpoints: [{ address: 'unix:///var/run/api.sock' }] })), 'SE-05');
    expect(v.message).toContain('is a unix socket, which needs exactly one ServiceEntry port (spec.ports has 2)');
  });

  test('an endpoint port name that spec.ports does not declare is an error', () => {
    const v = one(run(entry({ resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', ports: { http: 8080 } }] })), 'SE-05');
    expect(v.message).toContain('spec.endpoints[0].ports names port "http", which spec.ports does not declare');
  });

  test('DNS with an unresolvable endpoint address is an error', () => {
    expect(one(run(entry({ endpoints: [{ address: 'unix:///x.sock' }] })), 'SE-05').message).toContain('is not an IP address or hostname, which resolution DNS requires');
  });

  test('DNS without endpoints and a wildcard host is an error', () => {
    expect(one(run(entry({ hosts: ['*.example.com'] })), 'SE-05').message).toContain('spec.hosts[0] "*.example.com" is a wildcard, which resolution DNS cannot resolve without endpoints');
  });

  test('DNS_ROUND_ROBIN with two endpoints is an error', () => {
    const v = one(run(entry({ resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] })), 'SE-05');
    expect(v.message).toContain('DNS_ROUND_ROBIN takes at most one');
  });

  test('DYNAMIC_DNS with addresses, a TCP port and MESH_INTERNAL on a waypoint is an error per problem', () => {
    const spec = { ...OK, hosts: ['*.example.com'], resolution: 'DYNAMIC_DNS', location: 'MESH_INTERNAL', addresses: ['240.0.0.1'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }] };
    const messages = only(run(labelled(spec, { 'istio.io/use-waypoint': 'waypoint' })), 'SE-05').map((v) => v.message);
    expect(messages).toEqual([
      'spec.addresses ["240.0.0.1"] is set but resolution DYNAMIC_DNS takes no addresses',
      'spec.ports[0] protocol "TCP" is not allowed with resolution DYNAMIC_DNS',
      'spec.location MESH_INTERNAL with resolution DYNAMIC_DNS is not allowed on an entry that uses a waypoint (istio.io/use-waypoint: "waypoint")',
    ]);
  });

  test('an unknown resolution is an error', () => {
    expect(one(run(entry({ resolution: 'ROUND_ROBIN' })), 'SE-05').message).toBe('spec.resolution "ROUND_ROBIN" is not a resolution');
  });

  test('STATIC with IP endpoints on declared ports, DNS with hostname endpoints, and DYNAMIC_DNS with wildcards pass', () => {
    expect(codes(run(
      entry({ resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', ports: { https: 8443 } }, { address: '2001:db8::2' }] }),
      entry({ endpoints: [{ address: 'eu.api.example.com' }, { address: '10.0.0.2' }] }),
      entry({ hosts: ['*.example.com'], resolution: 'DYNAMIC_DNS' }),
      entry({ resolution: 'STATIC', endpoints: [{ address: 'unix:///var/run/api.sock' }] }),
    ))).not.toContain('SE-05');
  });
});

describe('SE-09 endpoint grammar', () => {
  const staticEntry = (endpoints: unknown[]) => entry({ resolution: 'STATIC', endpoints });

  test('an endpoint without address or network is an error', () => {
    const v = one(run(staticEntry([{ labels: { app: 'vm' } }])), 'SE-09');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.endpoints[0] has neither address nor network');
  });

  test('a relative unix socket and a directory socket are errors', () => {
    const messages = only(run(staticEntry([{ address: 'unix://var/run/a.sock' }]), staticEntry([{ address: 'unix:///var/run/' }])), 'SE-09').map((v) => v.message);
    expect(messages).toEqual([
      'spec.endpoints[0].address "unix://var/run/a.sock" is not an absolute (unix:///path) or abstract (unix://@name) socket',
      'spec.endpoints[0].address "unix:///var/run/" names a directory, not a socket',
    ]);
  });

  test('a unix socket with ports is an error', () => {
    expect(one(run(staticEntry([{ address: 'unix:///var/run/a.sock', ports: { https: 443 } }])), 'SE-09').message).toContain('is a unix socket "unix:///var/run/a.sock" but lists ports');
  });

  test('a bad endpoint port name and an out-of-range endpoint port are errors', () => {
    const messages = only(run(staticEntry([{ address: '10.0.0.1', ports: { 'https_': 443, https: 70000 } }])), 'SE-09').map((v) => v.message);
    expect(messages).toEqual([
      'spec.endpoints[0].ports name "https_" is not a valid port name',
      'spec.endpoints[0].ports["https"] 70000 is outside 1-65535',
    ]);
  });

  test('a null endpoint and an oversized serviceAccount are errors', () => {
    const messages = only(run(staticEntry([null, { address: '10.0.0.1', serviceAccount: 'a'.repeat(254) }])), 'SE-09').map((v) => v.message);
    expect(messages).toEqual(['spec.endpoints[0] is null, not an endpoint', 'spec.endpoints[1].serviceAccount is 254 characters long']);
  });

  test('an IP endpoint, a network-only endpoint and an abstract socket pass', () => {
    expect(codes(run(staticEntry([{ address: '10.0.0.1', ports: { https: 8443 } }, { network: 'vpc-2' }, { address: 'unix://@api' }])))).not.toContain('SE-09');
  });
});
