import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../infra/local/commands/validate.ts';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const example = join(import.meta.dirname, '../../examples/instances.yaml');

describe('ako-serverless validate', () => {
  it('prints the example registry as a table (the seed: primary in avi-system, non-primary in blue)', async () => {
    expect(await run(['--instances', example])).toBe(0);
    const [header, primary, blue] = out.join('\n').split('\n');
    expect(header).toMatch(
      /^CLUSTER\s+NAMESPACE\s+PRIMARY\s+SELECTOR\s+SERVICE TYPE\s+SHARD SIZE\s+CREATED_BY\s+SHARED-VS PREFIX$/,
    );
    expect(primary!.split(/\s{2,}/)).toEqual([
      'demo',
      'avi-system',
      'yes',
      'app=migrate',
      'ClusterIP',
      'LARGE',
      'ako-demo',
      'demo--Shared-L7-',
    ]);
    expect(blue!.split(/\s{2,}/)).toEqual([
      'demo',
      'blue',
      'no',
      'key=value2',
      'ClusterIP',
      'LARGE',
      'ako-demo-blue',
      'demo--blue-Shared-L7-',
    ]);
  });

  it('prints JSON with --output json, credentials masked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-'));
    const file = join(dir, 'r.yaml');
    writeFileSync(file, 'instances:\n  - set: { AKOSettings.clusterName: c, avicredentials.password: hunter2 }\n');
    expect(await run(['--instances', file, '--output', 'json'])).toBe(0);
    const text = out.join('\n');
    expect(text).not.toContain('hunter2');
    const json = JSON.parse(text);
    expect(json.valid).toBe(true);
    expect(json.instances[0].credentials.password).toBe('***');
    expect(json.instances[0].createdBy).toBe('ako-c');
  });

  it('lists every problem and exits 2 on an invalid registry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'validate-'));
    const file = join(dir, 'r.yaml');
    writeFileSync(
      file,
      `instances:
  - namespace: a
    set: { AKOSettings.clusterName: c, L7Settings.shardVSSize: HUGE, avicredentials.password: hunter2 }
  - namespace: b
    set: { AKOSettings.clusterName: c, L7Settings.serviceType: NodePort }
`,
    );
    expect(await run(['--instances', file])).toBe(2);
    const text = err.join('\n');
    expect(text).toMatch(/4 problems/);
    expect(text).toMatch(/instance c\/a \(instances\[0\]\): L7Settings\.shardVSSize/);
    expect(text).toMatch(/AKOSettings\.primaryInstance: cluster c has 2 primary instances/);
    expect(text).toMatch(/L7Settings\.serviceType/);
    expect(text).toMatch(/AKOSettings\.namespaceSelector/);
    expect(text).not.toContain('hunter2');
    expect(await run(['--instances', file, '--output', 'json'])).toBe(2);
    expect(JSON.parse(out.join('\n')).problems).toHaveLength(4);
  });

  it('usage errors exit 2', async () => {
    expect(await run([])).toBe(2);
    expect(await run(['--instances', example, '--output', 'xml'])).toBe(2);
    expect(await run(['--bogus'])).toBe(2);
  });
});
