// The whole local pipeline (dev cluster, forwarder, bus, router, queues, sync, Avi simulator) with AKO's CRD manifests
// and custom resources in the steps: CRs travel without dead letters and without disturbing the objects the
// Ingresses produce. (What each CR changes on the Avi side is the model's part.)
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { replay } from '../../infra/local/commands/replay.ts';
import { parseStep } from '../../infra/local/steps.ts';
import { endpointSlice, ingress, namespace, SEED_REGISTRY, service } from '../e2e/support.ts';

const CRD_DIR = join(__dirname, '../../examples/crds');
const crdDocs = readdirSync(CRD_DIR)
  .sort()
  .map((f) => readFileSync(join(CRD_DIR, f), 'utf8'))
  .join('\n---\n');
const toYaml = (docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');

describe('replay with AKO CRDs', () => {
  it('converges with HostRule, HTTPRule and AviInfraSetting objects and no dead letters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ako-crd-replay-'));
    const registryFile = join(dir, 'instances.yaml');
    writeFileSync(registryFile, SEED_REGISTRY);
    const base = [
      namespace('red', { app: 'migrate' }),
      service('red', 'web'),
      endpointSlice('red', 'web', ['10.244.1.5']),
      ingress('red', 'web', 'foo.com', 'web'),
    ];
    const rules = [
      {
        apiVersion: 'ako.vmware.com/v1beta1',
        kind: 'HostRule',
        metadata: { name: 'foo', namespace: 'red' },
        spec: { virtualhost: { fqdn: 'foo.com', wafPolicy: 'System-WAF-Policy' } },
      },
      {
        apiVersion: 'ako.vmware.com/v1beta1',
        kind: 'HTTPRule',
        metadata: { name: 'foo-paths', namespace: 'red' },
        spec: { fqdn: 'foo.com', paths: [{ target: '/', healthMonitors: ['System-HTTP'] }] },
      },
      {
        apiVersion: 'ako.vmware.com/v1beta1',
        kind: 'AviInfraSetting',
        metadata: { name: 'infra-a' },
        spec: { seGroup: { name: 'Default-Group' } },
      },
    ];
    const withCrs = await replay(registryFile, [
      parseStep(crdDocs, 'crds.yaml'),
      parseStep(toYaml(base), 'base.yaml'),
      parseStep(toYaml(rules), 'rules.yaml'),
    ]);
    expect(withCrs.deadLetters).toEqual([]);
    const vsNames = (withCrs.objects.virtualservice as { name: string }[]).map((v) => v.name);
    expect(vsNames).toContain('demo--Shared-L7-0');
    const pools = (withCrs.objects.pool as { name: string }[]).map((p) => p.name);
    expect(pools).toContain('demo--foo.com_-red-web');
  });
});
