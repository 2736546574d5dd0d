// Reading each instance's avi-secret from its cluster over the Kubernetes API (the development API server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';
import { kubeRequestFor, resolveLocalCredentials } from '../../infra/local/credentials.ts';
import { createLogger } from '../../shared/log.ts';
import { parseRegistry } from '../../shared/registry/index.ts';
import { SEED_REGISTRY } from '../e2e/support.ts';

const registry = parseRegistry(SEED_REGISTRY, { baseDir: process.cwd() });
const b64 = (s: string) => Buffer.from(s).toString('base64');
let dev: DevCluster;

function secret(namespace: string, data: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'avi-secret', namespace }, data };
}

beforeAll(async () => {
  dev = await startDevCluster({ port: 0 });
  for (const name of ['avi-system', 'blue']) dev.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
});
afterAll(async () => {
  await dev.close();
});

function resolveWith(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const logger = createLogger({}, { level: 'debug', write: (l) => lines.push(l) });
  const kube = new Map([['demo', kubeRequestFor({ devUrl: dev.url })]]);
  return { lines, result: resolveLocalCredentials({ registry, kube, env, logger }) };
}

describe('credentials of a local run', () => {
  it("reads each instance's avi-secret from its own namespace and logs only where they came from", async () => {
    expect(registry.instances.map((i) => i.id)).toEqual(['demo/avi-system', 'demo/blue']);
    dev.apply(secret('avi-system', { username: b64('ako-primary'), password: b64('pw-primary-93') }));
    dev.apply(secret('blue', { username: b64('ako-blue'), authtoken: b64('tok-blue-71') }));
    const { lines, result } = resolveWith();
    const resolved = await result;
    expect(resolved.get('demo/avi-system')?.source).toBe('Secret avi-system/avi-secret');
    expect(resolved.get('demo/avi-system')?.credentials.password?.reveal()).toBe('pw-primary-93');
    expect(resolved.get('demo/blue')?.credentials.username).toBe('ako-blue');
    expect(resolved.get('demo/blue')?.credentials.authtoken?.reveal()).toBe('tok-blue-71');
    const log = lines.join('\n');
    expect(log).toContain('Secret blue/avi-secret');
    expect(log).not.toMatch(/pw-primary-93|tok-blue-71/);
  });

  it('prefers the CTRL_* environment over the Secret, even one that cannot be decoded', async () => {
    dev.apply(secret('avi-system', { username: b64('ako-primary'), password: b64('pw-primary-93') }));
    dev.apply(secret('blue', { username: b64('ako-blue'), password: 'not base64!' }));
    const resolved = await resolveWith({ CTRL_USERNAME: 'from-env', CTRL_PASSWORD: 'x' }).result;
    expect(resolved.get('demo/avi-system')?.credentials.username).toBe('from-env');
    expect(resolved.get('demo/blue')?.credentials.username).toBe('from-env');
  });

  it('names the instance and its namespace when there are none, and a Secret it cannot decode', async () => {
    dev.delete('v1', 'Secret', 'blue', 'avi-secret');
    dev.apply(secret('avi-system', { username: b64('ako-primary'), password: b64('pw-primary-93') }));
    await expect(resolveWith().result).rejects.toThrow(
      /^instance demo\/blue: no controller credentials; create Secret avi-secret in namespace blue /,
    );
    dev.apply(secret('blue', { username: b64('ako-blue'), password: 'not base64!' }));
    await expect(resolveWith().result).rejects.toThrow('Secret blue/avi-secret: data.password is not base64');
  });
});
