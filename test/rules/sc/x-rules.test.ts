import { codes, ERROR, one, only, run, sc } from '../../support/rules';

/** The cross-cutting rules that read Sidecars too (X-01 durations, X-02 ports, X-12 annotations). */
const sidecar = (spec: unknown, annotations?: Record<string, string>) => sc(spec, { namespace: 'shop', ...(annotations ? { annotations } : {}) });
const EGRESS = { egress: [{ hosts: ['./*'] }] };

test('X-12: istio.io/dry-run on a Sidecar is an error', () => {
  const v = one(run(sidecar(EGRESS, { 'istio.io/dry-run': 'true' })), 'X-12');
  expect(v.severity).toBe(ERROR);
  expect(v.message).toBe('metadata.annotations["istio.io/dry-run"] is only supported on AuthorizationPolicy, not on a Sidecar');
  expect(codes(run(sidecar(EGRESS, { team: 'shop' })))).not.toContain('X-12');
});

test('X-01: connection-pool durations below 1ms are errors, TCP idleTimeout 0s passes', () => {
  const v = one(run(sidecar({ ...EGRESS, inboundConnectionPool: { tcp: { connectTimeout: '500us', idleTimeout: '0s' } } })), 'X-01');
  expect(v.message).toBe('spec.inboundConnectionPool.tcp.connectTimeout "500us" is shorter than 1ms');
});

test('X-02: port numbers outside 1-65535 are errors, except port 0 of a unix-socket egress listener and targetPort 0', () => {
  const messages = only(run(sidecar({
    ingress: [{ port: { number: 0, protocol: 'HTTP', name: 'in' } }],
    egress: [
      { port: { number: 70000, protocol: 'HTTP', name: 'big' }, hosts: ['./*'] },
      { port: { number: 0, protocol: 'HTTP', name: 'uds', targetPort: 0 }, bind: 'unix:///var/run/out.sock', hosts: ['./*'] },
    ],
  })), 'X-02').map((x) => x.message);
  expect(messages).toEqual(['spec.ingress[0].port.number 0 is outside 1-65535', 'spec.egress[0].port.number 70000 is outside 1-65535']);
});
