import { parseRequestUri } from '../../src/schema/cel-url';
import { validateManifest } from '../../src/schema/crd-validator';

describe('parseRequestUri (Kubernetes CEL isURL / url)', () => {
  test('absolute URIs and absolute paths parse, with scheme, host, port and path', () => {
    expect(parseRequestUri('oci://ghcr.io/acme/filter:1.0')).toEqual({ scheme: 'oci', host: 'ghcr.io', hostname: 'ghcr.io', port: '', path: '/acme/filter:1.0' });
    expect(parseRequestUri('https://example.com:8443/a?b=c')).toEqual({ scheme: 'https', host: 'example.com:8443', hostname: 'example.com', port: '8443', path: '/a' });
    expect(parseRequestUri('http://[::1]:80/x')?.hostname).toBe('::1');
    expect(parseRequestUri('/var/local/filter.wasm')?.scheme).toBe('');
    expect(parseRequestUri('file:///opt/filter.wasm')?.scheme).toBe('file');
  });

  test('relative references, empty strings, spaces and control characters do not', () => {
    expect(['', 'example.com/filter', 'http://exa mple.com', 'http://example.com/\u0001', 'http:', 'http://#%blah$#@'].map(parseRequestUri))
      .toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('WasmPlugin url rule (uses isURL / url().getScheme())', () => {
  const wasm = (url: string) => ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'w' }, spec: { url } });

  test.each(['oci://ghcr.io/acme/filter:1', 'https://example.com/filter.wasm', 'file:///opt/filter.wasm', 'ghcr.io/acme/filter:1'])('accepts %s', (url) => {
    expect(validateManifest(wasm(url))).toEqual([]);
  });

  test('refuses a scheme the rule does not allow', () => {
    const issues = validateManifest(wasm('ftp://example.com/filter.wasm'));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('spec.url');
    expect(issues[0].rule).toContain('isURL(self)');
  });
});
