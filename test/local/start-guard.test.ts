/**
 * `start` never pairs a real Avi Controller with the development cluster unless the user passes the demo flag:
 * the development cluster holds only the example manifests, so the instances' objects on that controller would
 * look deleted and be removed (issue: 7 virtual services → 0 with nothing printed).
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../infra/local/commands/start.ts';
import { startRuntime } from '../../infra/local/runtime.ts';
import { DEMO_DEV_CLUSTER_FLAG, devClusterWithRealControllerRefusal } from '../../infra/local/view-guard.ts';
import { parseRegistry } from '../../shared/registry/index.ts';

/** A registry like examples/instances.yaml whose instances name a real controller. */
function registryWithController(host: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ako-start-guard-'));
  for (const f of ['values-primary.yaml', 'values-blue.yaml']) copyFileSync(resolve('examples', f), join(dir, f));
  const file = join(dir, 'instances.yaml');
  writeFileSync(
    file,
    [
      'instances:',
      '  - namespace: avi-system',
      '    values: values-primary.yaml',
      '    set:',
      '      AKOSettings.clusterName: demo',
      '      AKOSettings.primaryInstance: true',
      `      ControllerSettings.controllerHost: ${host}`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('start with a real controller and no kubeconfig', () => {
  const saved = process.env.KUBECONFIG;
  afterEach(() => {
    vi.restoreAllMocks();
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  });

  async function runStart(argv: string[]): Promise<{ code: number; stderr: string }> {
    delete process.env.KUBECONFIG;
    const err: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const code = await run(argv);
    return { code, stderr: err.join('\n') };
  }

  it('--controller: exits 2 naming the demo flag and why, before starting anything', async () => {
    const { code, stderr } = await runStart([
      '--instances',
      'examples/instances.yaml',
      '--controller',
      'avi.prod.example.com',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('refusing to start');
    expect(stderr).toContain('avi.prod.example.com');
    expect(stderr).toContain(`--${DEMO_DEV_CLUSTER_FLAG}`);
    expect(stderr).toContain('--kubeconfig');
    expect(stderr).toMatch(/would look deleted and be removed/);
  });

  it('ControllerSettings.controllerHost in the registry: the same refusal', async () => {
    const { code, stderr } = await runStart(['--instances', registryWithController('10.10.10.10')]);
    expect(code).toBe(2);
    expect(stderr).toContain('10.10.10.10');
    expect(stderr).toContain(`--${DEMO_DEV_CLUSTER_FLAG}`);
  });

  it('the runtime itself refuses too (callers other than the CLI)', async () => {
    const registry = parseRegistry(
      'instances:\n  - namespace: avi-system\n    set:\n      AKOSettings.clusterName: demo\n      ControllerSettings.controllerHost: avi.example.com\n',
      { baseDir: process.cwd() },
    );
    await expect(startRuntime({ registry, sweeps: false })).rejects.toThrow(/refusing to start.*avi\.example\.com/s);
  });

  it('allows the simulator, a kubeconfig, or the explicit demo flag', () => {
    expect(devClusterWithRealControllerRefusal({})).toBeUndefined();
    expect(devClusterWithRealControllerRefusal({ controllerHost: 'avi', kubeconfig: '/k' })).toBeUndefined();
    expect(devClusterWithRealControllerRefusal({ controllerHost: 'avi', demo: true })).toBeUndefined();
    expect(devClusterWithRealControllerRefusal({ controllerHost: 'avi' })).toMatch(/refusing/);
  });
});
