import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { replay } from '../../infra/local/commands/replay.ts';
import { parseStep } from '../../infra/local/steps.ts';
import { endpointSlice, ingress, namespace, node, SEED_REGISTRY, service } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'ako-replay-'));
const registryFile = join(dir, 'instances.yaml');
writeFileSync(registryFile, SEED_REGISTRY);

const step1 = [
  namespace('red', { app: 'migrate' }),
  namespace('green', { key: 'value2' }),
  node('node-1', '192.168.10.11', '10.244.1.0/24'),
  service('red', 'web'),
  endpointSlice('red', 'web', ['10.244.1.5', '10.244.1.6']),
  service('green', 'web'),
  endpointSlice('green', 'web', ['10.244.1.7']),
  ingress('red', 'web', 'foo.com', 'web'),
  ingress('red', 'api', 'xyz.com', 'web'),
  ingress('green', 'web', 'bar.com', 'web'),
  ingress('green', 'shop', 'abc.com', 'web'),
];
const step2 = [
  { kind: 'Delete', target: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'red', name: 'api' } },
  ingress('green', 'web', 'baz.com', 'web'),
];

const toYaml = (docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');

describe('replay', () => {
  it('is identical across runs and independent of the order of documents within a step', async () => {
    const first = await replay(registryFile, [parseStep(toYaml(step1), 's1'), parseStep(toYaml(step2), 's2')]);
    const shuffled = await replay(registryFile, [
      parseStep(toYaml([...step1].reverse()), 's1'),
      parseStep(toYaml([...step2].reverse()), 's2'),
    ]);
    expect(first.deadLetters).toEqual([]);
    expect(JSON.stringify(shuffled.objects)).toBe(JSON.stringify(first.objects));
    const vsNames = (first.objects.virtualservice as { name: string }[]).map((v) => v.name);
    // xyz.com (shard 3) was deleted; abc.com → 4, bar.com and baz.com → 1 (spec shard vectors), foo.com → 0.
    expect(vsNames).toEqual(
      expect.arrayContaining(['demo--Shared-L7-0', 'demo--blue-Shared-L7-4', 'demo--blue-Shared-L7-1']),
    );
    const pools = (first.objects.pool as { name: string }[]).map((p) => p.name);
    expect(pools).toContain('demo--baz.com_-green-web');
    expect(pools).not.toContain('demo--bar.com_-green-web');
    expect(pools).not.toContain('demo--xyz.com_-red-api');
  });

  it('rejects a Delete document without a target name', () => {
    expect(() => parseStep('kind: Delete\ntarget: {apiVersion: v1, kind: Service}\n', 'bad.yaml')).toThrow(
      /bad.yaml: document 1: a Delete needs target.apiVersion, target.kind and target.name/,
    );
  });
});
