import * as fc from 'fast-check';
import { ExternalSpec, externalSpec, externalWarnings } from './arbitraries';
import { check, expectDeterministic, harness, params, RUNS, same, schemaIssues, synthIstio, timeoutFor, warningMismatch, yamlSample } from './harness';
import { ExternalDependency, PortProtocol } from '../../src/constructs/external-dependency';

const HTTP = [PortProtocol.HTTP, PortProtocol.HTTP2, PortProtocol.GRPC] as string[];
const TLS = [PortProtocol.HTTPS, PortProtocol.TLS] as string[];

function build(spec: ExternalSpec) {
  const h = harness(spec.chartNamespace);
  if (spec.inventory) {
    // The hosts are defined by the ServiceEntry itself; the inventory declares the exportTo namespaces.
    const ns = spec.props.namespace ?? spec.chartNamespace ?? 'default';
    h.rules.inventory = { namespaces: [...new Set([ns, ...(spec.props.exportTo ?? []).filter((e) => e !== '.' && e !== '*')])] };
  }
  const construct = new ExternalDependency(h.chart, 'external', spec.props);
  return { h, construct };
}

describe(`ExternalDependency: valid props (${RUNS} runs)`, () => {
  test('passes the CRD schema and our rules, keeps the entry private by default, routes only its own hosts, synthesizes deterministically', async () => {
    await fc.assert(fc.asyncProperty(externalSpec, yamlSample, async (spec, compareYaml) => {
      const { h } = build(spec);
      const manifests = synthIstio(h);

      same(schemaIssues(manifests), [], 'CRD schema issues');
      const mismatch = warningMismatch(h.warnings, externalWarnings(spec));
      if (mismatch) throw new Error(mismatch);

      const p = spec.props;
      const istio = manifests.filter((m) => m.apiVersion === 'networking.istio.io/v1');
      const [se, ...rest] = istio;
      same(se.kind, 'ServiceEntry', 'first object');
      same(se.spec.hosts, p.hosts, 'ServiceEntry hosts');
      same(se.spec.location, 'MESH_EXTERNAL', 'location');
      same(se.spec.exportTo, p.exportTo ?? ['.'], 'ServiceEntry exportTo (private by default)');
      same(se.spec.ports.map((x: any) => x.number), p.ports.map((x) => x.number), 'ports');

      const http = p.ports.filter((x) => HTTP.includes(x.protocol));
      const tls = p.ports.filter((x) => TLS.includes(x.protocol));
      const resilient = p.timeout !== undefined || p.retries !== undefined;
      const policy = p.connectionPool || p.outlierDetection || p.loadBalancer || p.tlsOrigination;
      const drs = rest.filter((m) => m.kind === 'DestinationRule');
      const vss = rest.filter((m) => m.kind === 'VirtualService');
      // Apply order: ServiceEntry, then per host its DestinationRule before its VirtualService.
      same(rest.map((m) => m.kind), p.hosts.flatMap((host) => [
        ...(policy ? ['DestinationRule'] : []),
        ...((http.length > 0 && resilient) || (tls.length > 0 && !host.startsWith('*')) ? ['VirtualService'] : []),
      ]), 'per-host objects in apply order');
      same(drs.map((d) => d.spec.host), policy ? p.hosts : [], 'DestinationRule hosts');
      for (const vs of vss) {
        same(vs.spec.hosts.length, 1, 'one host per VirtualService');
        const [host] = vs.spec.hosts;
        check(p.hosts.includes(host), `VirtualService host ${host} is one of the dependency's hosts`);
        same(vs.spec.exportTo, p.exportTo ?? ['.'], 'VirtualService exportTo');
        for (const r of [...(vs.spec.http ?? []), ...(vs.spec.tls ?? [])]) {
          for (const d of r.route) {
            same(d.destination.host, host, 'destination host');
            // With several ports every destination names one of the ServiceEntry's ports.
            if (p.ports.length > 1) check(p.ports.some((x) => x.number === d.destination.port?.number), 'destination names one of the ports');
          }
        }
        for (const r of vs.spec.tls ?? []) same(r.match[0].sniHosts, [host], 'SNI routing on the host');
      }
      // TLS origination verifies the server unless insecureSkipVerify was asked for.
      for (const dr of drs) {
        for (const pls of dr.spec.trafficPolicy.portLevelSettings ?? []) {
          same(pls.tls.mode, 'SIMPLE', 'TLS mode');
          if (!pls.tls.insecureSkipVerify) check(Boolean(pls.tls.caCertificates ?? pls.tls.credentialName), 'the server is verified against a CA');
        }
      }

      expectDeterministic(h, manifests, build(spec).h, compareYaml);
    }), params());
  }, timeoutFor(15));
});
