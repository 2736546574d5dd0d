// Packaging stops on an invalid registry with the validator's message: through the osls variable adapter, and
// once through a real `osls package` run (slow: about 10 s).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const fixture = (name: string) => join(root, 'test/aws/fixtures', name);
const adapter = createRequire(import.meta.url)('../../infra/aws/serverless-stack.cjs') as {
  functions: (ctx: unknown) => Promise<Record<string, unknown>>;
};

const ctx = (instances: string, extra: Record<string, unknown> = {}) => ({
  options: { stage: 'ci' },
  resolveConfigurationProperty: async (path: string[]) => {
    const key = path.join('.');
    if (key === 'custom.ako') return { instances, ...extra };
    if (key === 'service') return 'ako-serverless';
    return undefined;
  },
  resolveVariable: async () => undefined,
});

describe('packaging an invalid registry', () => {
  it('fails variable resolution with every problem the validator found', async () => {
    await expect(adapter.functions(ctx(fixture('invalid-two-primaries.yaml')))).rejects.toThrow(
      /^Cannot resolve variable at "functions": invalid instance registry .*invalid-two-primaries\.yaml \(1 problem\):\n {2}- .*cluster demo has 2 primary instances/,
    );
  });

  it('fails with the budget message when the controller budget is too small', async () => {
    await expect(adapter.functions(ctx(fixture('two-clusters.yaml'), { controllerConcurrency: '3' }))).rejects.toThrow(
      /Raise it with --param controllerConcurrency=<n>/,
    );
  });

  it('fails when a registry file does not exist, naming it', async () => {
    await expect(adapter.functions(ctx(fixture('missing.yaml')))).rejects.toThrow(
      /cannot read .*missing\.yaml: ENOENT/,
    );
  });

  describe('osls package', () => {
    const home = mkdtempSync(join(tmpdir(), 'ako-osls-home-'));
    afterAll(() => rmSync(home, { recursive: true, force: true }));

    it('exits non-zero and prints the validator’s message (no credentials, no network needed)', () => {
      const run = spawnSync(
        process.execPath,
        [
          join(root, 'node_modules/osls/bin/serverless.js'),
          'package',
          '--stage',
          'ci',
          '--region',
          'eu-west-1',
          '--package',
          join(home, 'out'),
          '--param',
          `instances=${fixture('invalid-two-primaries.yaml')}`,
        ],
        { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home }, timeout: 120_000 },
      );
      const output = `${run.stdout}\n${run.stderr}`;
      expect(run.status).not.toBe(0);
      expect(output).toContain('cluster demo has 2 primary instances');
      expect(output).not.toMatch(/credentials/i);
    });
  });
});
