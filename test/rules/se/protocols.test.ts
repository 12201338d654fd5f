import { codes, ERROR, only, run, se, WARNING } from '../../support/rules';

/** An entry for `host` port 443 with `protocol`, in namespace `ns`. */
const entry = (name: string, protocol: string | undefined, extra: Record<string, unknown> = {}, ns = 'shop') => se({
  hosts: ['api.example.com'], location: 'MESH_EXTERNAL', resolution: 'DNS',
  ports: [{ number: 443, name: 'https', ...(protocol ? { protocol } : {}) }], ...extra,
}, { name, namespace: ns });

describe('SE-07 one protocol per host and port', () => {
  test('the same host and port with different protocols is an error on both entries', () => {
    const found = only(run(entry('a', 'TLS'), entry('b', 'HTTPS')), 'SE-07');
    expect(found.map((v) => [v.severity, v.path])).toEqual([[ERROR, 'obj0'], [ERROR, 'obj1']]);
    expect(found[0].message).toBe('spec.ports[0] (host "api.example.com", port 443) declares protocol "TLS" but ServiceEntry "shop/b" ("HTTPS") declares the same host and port with another protocol');
    expect(found[0].value).toBe('api.example.com:443');
  });

  test('a protocol-less port conflicts with a declared protocol', () => {
    const v = only(run(entry('a', undefined), entry('b', 'TLS')), 'SE-07')[0];
    expect(v.severity).toBe(ERROR);
    expect(v.message).toContain('declares protocol unset but ServiceEntry "shop/b" ("TLS")');
  });

  test('an exact duplicate is a warning', () => {
    const found = only(run(entry('a', 'TLS'), entry('b', 'tls')), 'SE-07');
    expect(found.map((v) => v.severity)).toEqual([WARNING, WARNING]);
    expect(found[1].message).toBe('spec.ports[0] (host "api.example.com", port 443) protocol "TLS" is declared again by ServiceEntry "shop/a"');
  });

  test('hosts compare case-insensitively and without the trailing dot', () => {
    const report = run(entry('a', 'TLS'), entry('b', 'HTTPS', { hosts: ['API.example.com.'] }));
    expect(only(report, 'SE-07')).toHaveLength(2);
  });

  test('an entry exported to one namespace meets only entries visible there', () => {
    const found = only(run(entry('a', 'TLS', { exportTo: ['ops'] }, 'shop'), entry('b', 'HTTPS', { exportTo: ['.'] }, 'ops'), entry('c', 'HTTP', { exportTo: ['.'] }, 'billing')), 'SE-07');
    expect(found.map((v) => v.path)).toEqual(['obj0', 'obj1']);
  });

  test('entries private to different namespaces do not meet', () => {
    expect(codes(run(entry('a', 'TLS', { exportTo: ['.'] }, 'shop'), entry('b', 'HTTPS', { exportTo: ['.'] }, 'billing')))).not.toContain('SE-07');
  });

  test('a private entry meets a public one in its namespace', () => {
    const found = only(run(entry('a', 'TLS', { exportTo: ['.'] }, 'shop'), entry('b', 'HTTPS', {}, 'billing')), 'SE-07');
    expect(found.map((v) => [v.severity, v.path])).toEqual([[ERROR, 'obj0'], [ERROR, 'obj1']]);
    expect(found[0].message).toContain('ServiceEntry "billing/b" ("HTTPS")');
  });

  test('a hidden entry ("~") meets nobody', () => {
    expect(codes(run(entry('a', 'TLS', { exportTo: ['~'] }), entry('b', 'HTTPS')))).not.toContain('SE-07');
  });

  test('different ports or hosts pass', () => {
    expect(codes(run(
      entry('a', 'TLS'),
      entry('b', 'HTTP', { ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] }),
      entry('c', 'HTTPS', { hosts: ['other.example.com'] }),
    ))).not.toContain('SE-07');
  });

  test('a single entry with a host listed twice is not a duplicate of itself', () => {
    expect(codes(run(entry('a', 'TLS', { hosts: ['api.example.com', 'api.example.com'] })))).not.toContain('SE-07');
  });
});

test('SE-07 names at most three other entries and counts the rest', () => {
  const report = run(entry('a', 'TLS'), ...['b', 'c', 'd', 'e', 'f'].map((n) => entry(n, 'HTTPS')));
  const first = only(report, 'SE-07')[0];
  expect(first.message).toContain('ServiceEntry "shop/b" ("HTTPS"), ServiceEntry "shop/c" ("HTTPS"), ServiceEntry "shop/d" ("HTTPS") and 2 more declare the same host and port');
  expect(only(report, 'SE-07').filter((v) => v.severity === ERROR)).toHaveLength(6);
});
