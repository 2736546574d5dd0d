// The embedded runtime with an avi-secret in the development cluster: the instance logs in to the embedded
// simulator as the Secret's user, the other instance as the simulator's default user, and the sync converges.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime } from '../../infra/local/runtime.ts';
import { createLogger } from '../../shared/log.ts';
import { loadRegistryFile } from '../../shared/registry/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ako-creds-rt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded runtime reads avi-secret', () => {
  it("logs in as the Secret's user and converges; the password is nowhere in the logs", async () => {
    const seed = join(dir, 'seed');
    mkdirSync(seed);
    copyFileSync(join(process.cwd(), 'examples', 'manifests', 'demo.yaml'), join(seed, 'demo.yaml'));
    writeFileSync(
      join(seed, 'avi-secret.yaml'),
      [
        'apiVersion: v1',
        'kind: Namespace',
        'metadata: {name: avi-system}',
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: avi-secret, namespace: avi-system}',
        'type: Opaque',
        'stringData: {username: ako-primary, password: "Pr1mary-S3cret"}',
      ].join('\n'),
    );
    const lines: string[] = [];
    const rt = await startRuntime({
      registry: loadRegistryFile(join(process.cwd(), 'examples', 'instances.yaml')),
      seedDir: seed,
      stateDir: join(dir, 'state'),
      sweeps: false,
      queue: { backoffMs: () => 20 },
      logger: createLogger({}, { level: 'debug', write: (l) => lines.push(l) }),
    });
    try {
      expect(Object.fromEntries(rt.credentialSources)).toEqual({
        'demo/avi-system': 'Secret avi-system/avi-secret',
        'demo/blue': "the embedded simulator's user admin",
      });
      await rt.waitForConvergence({ timeoutMs: 120_000 });
      expect(rt.deadLetters()).toEqual([]);
      const logins = rt
        .aviSim!.requestLog()
        .filter((e) => e.type === 'login' && e.status === 200)
        .map((e) => (e.body as { username: string }).username);
      expect(new Set(logins)).toEqual(new Set(['ako-primary', 'admin']));
      expect(rt.aviSim!.objects('virtualservice').some((v) => v.created_by === 'ako-demo')).toBe(true);
      expect(lines.join('\n')).not.toContain('Pr1mary-S3cret');
    } finally {
      await rt.stop();
    }
  });
});
