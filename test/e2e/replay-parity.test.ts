// AKO's behaviour where inputs are incomplete, end to end through the embedded runtime (`replay`): forwarder →
// router → sync → Avi simulator. Expected names come from AKO's tests (see test/model/incomplete-inputs.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { replay, run } from '../../infra/local/commands/replay.ts';
import { parseStep } from '../../infra/local/steps.ts';
import { endpointSlice, ingress, namespace } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'ako-replay-parity-'));
const registryFile = join(dir, 'instances.yaml');
writeFileSync(
  registryFile,
  `instances:
  - namespace: avi-system
    set:
      AKOSettings.clusterName: demo
      AKOSettings.ipFamily: V4_V6
      AKOSettings.namespaceSelector.labelKey: app
      AKOSettings.namespaceSelector.labelValue: migrate
`,
);

const b64 = (s: string) => Buffer.from(s).toString('base64');
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUe3Rlc3Q=\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQ==\n-----END PRIVATE KEY-----\n';

const webService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'red', name: 'web' },
  spec: {
    type: 'ClusterIP',
    ipFamilies: ['IPv4', 'IPv6'],
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
  },
};
const v6Slice = {
  ...endpointSlice('red', 'web', ['ff06::1']),
  metadata: { namespace: 'red', name: 'web-v6', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv6',
};
const opaqueSecret = (cert = CERT) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'Opaque',
  metadata: { namespace: 'red', name: 'bar-tls' },
  data: { 'tls.crt': b64(cert), 'tls.key': b64(KEY) },
});
const secureIngress = {
  ...ingress('red', 'secure', 'bar.com', 'web'),
  spec: { ...ingress('red', 'secure', 'bar.com', 'web').spec, tls: [{ hosts: ['bar.com'], secretName: 'bar-tls' }] },
};
const passthrough = {
  ...ingress('red', 'pass', 'pass.com', 'web'),
  metadata: { namespace: 'red', name: 'pass', annotations: { 'passthrough.ako.vmware.com/enabled': 'true' } },
};
const sharedLb = (name: string, protocol: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'red', name, annotations: { 'ako.vmware.com/enable-shared-vip': 'shared' } },
  spec: { type: 'LoadBalancer', ports: [{ name: 'p', port: 8080, targetPort: 8080, protocol }] },
});
const del = (apiVersion: string, kind: string, name: string) => ({
  kind: 'Delete',
  target: { apiVersion, kind, namespace: 'red', name },
});

const step1 = [
  namespace('red', { app: 'migrate' }),
  webService,
  endpointSlice('red', 'web', ['10.244.1.5']),
  v6Slice,
  ingress('red', 'web', 'foo.com', 'web'), // shard 0
  opaqueSecret(),
  secureIngress, // bar.com → shard 1
  passthrough,
  ingress('red', 'nosvc', 'xyz.com', 'later'), // shard 3, Service missing
  sharedLb('svc-tcp', 'TCP'),
  endpointSlice('red', 'svc-tcp', ['10.244.1.7']),
  sharedLb('svc-udp', 'UDP'),
  endpointSlice('red', 'svc-udp', ['10.244.1.8']),
];
const step2 = [
  del('v1', 'Service', 'web'),
  del('v1', 'Secret', 'bar-tls'),
  del('networking.k8s.io/v1', 'Ingress', 'nosvc'),
];
const step3 = [webService, opaqueSecret()];

const toYaml = (docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');
// biome-ignore lint/suspicious/noExplicitAny: simulator JSON
type Obj = any;
const find = (objects: Record<string, unknown[]>, type: string, name: string): Obj =>
  (objects[type] as Obj[] | undefined)?.find((o) => o.name === name);
const names = (objects: Record<string, unknown[]>, type: string): string[] =>
  ((objects[type] ?? []) as Obj[]).map((o) => o.name).sort();
const vipOf = (objects: Record<string, unknown[]>, vsvip: string): string =>
  find(objects, 'vsvip', vsvip)?.vip?.[0]?.ip_address?.addr;

describe('replay: AKO parity where inputs are incomplete', () => {
  it('keeps VIPs across Service/Secret delete and re-create, builds passthrough redirect, shared VIP, dual stack, empty shard', async () => {
    const steps: Record<string, unknown[]>[] = [];
    const result = await replay(
      registryFile,
      [parseStep(toYaml(step1), 's1'), parseStep(toYaml(step2), 's2'), parseStep(toYaml(step3), 's3')],
      { afterStep: (_i, objects) => steps.push(objects) },
    );
    expect(result.deadLetters).toEqual([]);
    expect(result.refused).toEqual([]);
    const [s1, s2, s3] = steps as [Record<string, unknown[]>, Record<string, unknown[]>, Record<string, unknown[]>];

    // Step 1: everything AKO would make.
    expect(names(s1, 'virtualservice')).toEqual([
      'demo--Shared-L7-0',
      'demo--Shared-L7-1',
      'demo--Shared-L7-3',
      'demo--Shared-Passthrough-0',
      'demo--Shared-Passthrough-0-insecure',
      'demo--bar.com',
      'demo--red-shared',
    ]);
    // Dual stack (ipFamily V4_V6): both endpoints are servers.
    const webPool = find(s1, 'pool', 'demo--foo.com_-red-web');
    expect(webPool.servers.map((x: Obj) => x.ip)).toEqual([
      { addr: '10.244.1.5', type: 'V4' },
      { addr: 'ff06::1', type: 'V6' },
    ]);
    // Missing Service: the pool exists without servers.
    expect(find(s1, 'pool', 'demo--xyz.com_-red-nosvc').servers ?? []).toEqual([]);
    // Opaque TLS secret: certificate made, SNI child under shard 1.
    expect(find(s1, 'sslkeyandcertificate', 'demo--bar.com')).toBeDefined();
    // Passthrough: the insecure companion redirects pass.com with a 302.
    const redirect = find(s1, 'httppolicyset', 'demo--Shared-Passthrough-0-insecure').http_request_policy.rules[0];
    expect(redirect.match.host_hdr.value).toEqual(['pass.com']);
    expect(redirect.redirect_action.status_code).toBe('HTTP_REDIRECT_STATUS_CODE_302');
    // Shared VIP: one L4 VS with TCP and UDP 8080, one pool per Service.
    const l4 = find(s1, 'virtualservice', 'demo--red-shared');
    expect(l4.services.map((x: Obj) => x.port)).toEqual([8080, 8080]);
    expect(names(s1, 'pool').filter((n) => n.includes('-shared-'))).toEqual([
      'demo--red-svc-tcp-shared-TCP-8080',
      'demo--red-svc-udp-shared-UDP-8080',
    ]);

    // Step 2: Service, Secret and the only Ingress of shard 3 gone — every shard VS and VIP stays.
    for (const vs of ['demo--Shared-L7-0', 'demo--Shared-L7-1', 'demo--Shared-L7-3']) {
      expect(find(s2, 'virtualservice', vs), vs).toBeDefined();
      expect(vipOf(s1, vs), vs).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(vipOf(s2, vs), vs).toBe(vipOf(s1, vs));
    }
    expect(find(s2, 'pool', 'demo--foo.com_-red-web').servers ?? []).toEqual([]);
    expect(find(s2, 'virtualservice', 'demo--bar.com')).toBeUndefined();
    expect(names(s2, 'pool')).not.toContain('demo--xyz.com_-red-nosvc');

    // Step 3: Service and Secret back — same VIPs, servers and SNI child back.
    expect(vipOf(s3, 'demo--Shared-L7-0')).toBe(vipOf(s1, 'demo--Shared-L7-0'));
    expect(vipOf(s3, 'demo--Shared-L7-1')).toBe(vipOf(s1, 'demo--Shared-L7-1'));
    expect(find(s3, 'pool', 'demo--foo.com_-red-web').servers).toHaveLength(2);
    expect(find(s3, 'virtualservice', 'demo--bar.com')).toBeDefined();
  });
});

describe('replay: certificate data that is not PEM', () => {
  let err: string[];
  beforeEach(() => {
    err = [];
    vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it('records an InvalidCertificate Event on the Ingress and exits 1', async () => {
    const stepFile = join(dir, 'bad-cert.yaml');
    writeFileSync(
      stepFile,
      toYaml([
        namespace('red', { app: 'migrate' }),
        webService,
        endpointSlice('red', 'web', ['10.244.1.5']),
        opaqueSecret('tlsCert'),
        secureIngress,
      ]),
    );
    const out = join(dir, 'bad-cert.json');
    expect(await run(['--instances', registryFile, '--step', stepFile, '--out', out])).toBe(1);
    expect(err.join('\n')).toMatch(/Ingress red\/secure: InvalidCertificate: .*tls\.crt is not PEM/);
    const objects = JSON.parse(readFileSync(out, 'utf8'));
    expect(names(objects, 'sslkeyandcertificate')).not.toContain('demo--bar.com');
    expect(find(objects, 'virtualservice', 'demo--Shared-L7-1')).toBeDefined(); // the shard stays
  });
});
