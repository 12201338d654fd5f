import { codes, ERROR, one, only, run, se, WARNING } from '../../support/rules';

/** A valid external TLS API entry; tests override one field at a time. */
const OK = { hosts: ['api.example.com'], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'https', protocol: 'TLS' }], resolution: 'DNS' };
const entry = (over: Record<string, unknown>) => se({ ...OK, ...over });
/** A ServiceEntry manifest with metadata labels. */
const labelled = (spec: Record<string, unknown>, labels: Record<string, string>) => {
  const m = se(spec);
  return { ...m, metadata: { ...m.metadata, labels } };
};

describe('SE-01 hosts', () => {
  test('an empty host list is an error naming spec.hosts', () => {
    const v = one(run(entry({ hosts: [] })), 'SE-01');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.hosts is []');
  });

  test('missing hosts is an error', () => {
    const { hosts, ...rest } = OK;
    expect(one(run(se(rest)), 'SE-01').message).toContain('spec.hosts is missing');
  });

  test('a partial wildcard is a warning naming the host', () => {
    const v = one(run(entry({ hosts: ['*api.example.com'], resolution: 'NONE' })), 'SE-01');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.hosts[0] "*api.example.com" is a partial wildcard');
  });

  test('a "*.domain" wildcard passes', () => {
    expect(codes(run(entry({ hosts: ['*.example.com'], resolution: 'NONE' })))).not.toContain('SE-01');
  });

  test('DYNAMIC_DNS with an exact host is an error', () => {
    const v = one(run(entry({ hosts: ['api.example.com'], resolution: 'DYNAMIC_DNS' })), 'SE-01');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.hosts[0] "api.example.com" is not a "*.domain" wildcard');
  });

  test('DYNAMIC_DNS with a wildcard host passes', () => {
    expect(codes(run(entry({ hosts: ['*.example.com'], resolution: 'DYNAMIC_DNS' })))).not.toContain('SE-01');
  });

  test('a repeated host is a warning', () => {
    const v = one(run(entry({ hosts: ['api.example.com', 'API.example.com.'] })), 'SE-01');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.hosts[1] "API.example.com." repeats spec.hosts[0]');
  });

  test('non-string hosts do not crash the rule', () => {
    expect(() => run(entry({ hosts: [42, null] }))).not.toThrow();
  });
});

describe('SE-02 addresses', () => {
  test('an address that is not an IP is an error naming it', () => {
    const v = one(run(entry({ addresses: ['db.example.com'] })), 'SE-02');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.addresses[0] "db.example.com" is not an IP address or CIDR');
  });

  test('a CIDR with an out-of-range prefix is an error', () => {
    expect(one(run(entry({ addresses: ['10.0.0.0/33'], resolution: 'STATIC' })), 'SE-02').message).toContain('prefix length "33" is not 0-32');
  });

  test('a CIDR with DNS resolution is an error', () => {
    const v = one(run(entry({ addresses: ['10.0.0.0/16'], resolution: 'DNS' })), 'SE-02');
    expect(v.message).toContain('spec.addresses[0] "10.0.0.0/16" is a CIDR block, which resolution DNS cannot use');
  });

  test('IPv4, IPv6 and a CIDR with STATIC pass', () => {
    const report = run(entry({ addresses: ['240.240.0.1', '2001:db8::1', '10.0.0.0/16', '2001:db8::/32'], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] }));
    expect(codes(report)).not.toContain('SE-02');
  });

  test('a CIDR with resolution unset (NONE) passes', () => {
    const { resolution, ...rest } = OK;
    expect(codes(run(se({ ...rest, addresses: ['10.0.0.0/16'] })))).not.toContain('SE-02');
  });
});

describe('SE-03 ports', () => {
  test('two ports with the same number are an error naming both', () => {
    const v = one(run(entry({ ports: [{ number: 443, name: 'https', protocol: 'TLS' }, { number: 443, name: 'tls', protocol: 'TLS' }] })), 'SE-03');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('spec.ports[1] (443 "tls") reuses the number 443 of spec.ports[0]');
  });

  test('two ports with the same name are an error', () => {
    const v = one(run(entry({ ports: [{ number: 443, name: 'https', protocol: 'TLS' }, { number: 8443, name: 'https', protocol: 'TLS' }] })), 'SE-03');
    expect(v.message).toContain('reuses the name "https" of spec.ports[0]');
  });

  test('a port without a name or number, and a null port, are errors', () => {
    const found = only(run(entry({ ports: [{ number: 443, protocol: 'TLS' }, { name: 'x', protocol: 'TLS' }, null] })), 'SE-03');
    expect(found.map((v) => v.message)).toEqual([
      'spec.ports[0] (443) has no name',
      'spec.ports[1] ("x") has no number',
      'spec.ports[2] is null, not a port',
    ]);
  });

  test('distinct names and numbers pass', () => {
    expect(codes(run(entry({ ports: [{ number: 443, name: 'https', protocol: 'TLS' }, { number: 80, name: 'http', protocol: 'HTTP' }] })))).not.toContain('SE-03');
  });
});

describe('SE-04 TCP ports need addresses', () => {
  const tcp = { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'postgres', protocol: 'TCP' }], resolution: 'DNS' };

  test('a TCP port without addresses is a warning mentioning auto-allocation', () => {
    const v = one(run(se(tcp)), 'SE-04');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('spec.ports[0] (5432 "postgres") protocol "TCP" is TCP but spec.addresses is empty');
    expect(v.fix).toContain('ISTIO_META_DNS_AUTO_ALLOCATE');
  });

  test('a protocol-less port counts as TCP', () => {
    const v = one(run(se({ ...tcp, ports: [{ number: 5432, name: 'postgres' }] })), 'SE-04');
    expect(v.message).toContain('protocol unset');
  });

  test('addresses make it pass', () => {
    expect(codes(run(se({ ...tcp, addresses: ['240.240.0.10'] })))).not.toContain('SE-04');
  });

  test('the auto-allocation label makes it pass', () => {
    expect(codes(run(labelled(tcp, { 'networking.istio.io/enable-autoallocate-ip': 'true' })))).not.toContain('SE-04');
  });

  test('an allocated status address makes it pass', () => {
    expect(codes(run({ ...se(tcp), status: { addresses: [{ value: '240.240.0.10' }] } }))).not.toContain('SE-04');
  });

  test('HTTP and TLS ports pass', () => {
    expect(codes(run(se(OK)))).not.toContain('SE-04');
  });
});

describe('SE-06 several hosts', () => {
  const two = ['a.example.com', 'b.example.com'];

  test('several hosts with DNS on a TCP port are an error', () => {
    const v = one(run(entry({ hosts: two, ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], addresses: ['240.0.0.1'] })), 'SE-06');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('2 hosts with resolution DNS share spec.ports[0] (5432 "pg") protocol "TCP"');
  });

  test('a protocol-less port counts as opaque', () => {
    expect(one(run(entry({ hosts: two, ports: [{ number: 9000, name: 'raw' }] })), 'SE-06').message).toContain('protocol unset');
  });

  test('DNS with addresses, a TLS port and several hosts is a warning', () => {
    const v = one(run(entry({ hosts: two, addresses: ['240.0.0.1'] })), 'SE-06');
    expect(v.severity).toBe(WARNING);
    expect(v.message).toContain('share spec.addresses and the TCP-family spec.ports[0] (443 "https") protocol "TLS"');
  });

  test('several hosts on TLS without addresses pass, and so does resolution NONE on TCP', () => {
    expect(codes(run(
      entry({ hosts: two }),
      entry({ hosts: two, resolution: 'NONE', ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], addresses: ['240.0.0.1'] }),
    ))).not.toContain('SE-06');
  });
});

describe('SE-08 exportTo "~"', () => {
  test('"~" with another entry is an error naming the list', () => {
    const v = one(run(entry({ exportTo: ['~', '.'] })), 'SE-08');
    expect(v.severity).toBe(ERROR);
    expect(v.message).toBe('spec.exportTo ["~","."] combines "~" with "."');
  });

  test('"~" alone passes', () => {
    expect(codes(run(entry({ exportTo: ['~'] })))).not.toContain('SE-08');
  });

  test('an exportTo without "~" is left to X-05', () => {
    expect(codes(run(entry({ exportTo: ['.', 'shop'] })))).not.toContain('SE-08');
  });
});
