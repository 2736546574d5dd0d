// What `start` prints while it runs, as a user sees it: a line naming the instance, the object and the cause of a
// failure; the level honoured; one JSON log file per run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'ako-serverless.mjs');
const INSTANCES = join(ROOT, 'examples', 'instances.yaml');

const SEED = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {app: migrate}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
    - host: web.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: no-such-service, port: {number: 80}}}}
`;

function startOnce(extra: string[]): { code: number | null; stdout: string; stderr: string; cwd: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'ako-term-'));
  mkdirSync(join(cwd, 'seed'));
  writeFileSync(join(cwd, 'seed', 'shop.yaml'), SEED);
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'start',
      '--once',
      '--instances',
      INSTANCES,
      '--seed',
      join(cwd, 'seed'),
      '--dev-cluster-port',
      '0',
      '--avi-sim-port',
      '0',
      '--status-port',
      '0',
      ...extra,
    ],
    { cwd, encoding: 'utf8', timeout: 120_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

describe('the terminal of start', () => {
  it('names the instance, the Ingress and ServiceNotFound; the run has its own JSON log file', () => {
    const r = startOnce([]);
    expect(r.stdout).toMatch(
      /^\d\d:\d\d:\d\d WARN\s+demo\/avi-system\s+Ingress shop\/web: ServiceNotFound — .*Service shop\/no-such-service not found/m,
    );
    // The Avi writes of the first sync, one line per model that changed.
    expect(r.stdout).toMatch(
      /^\d\d:\d\d:\d\d INFO\s+demo\/avi-system\s+Avi admin\/demo--Shared-L7-\d+: .* writes? to the controller$/m,
    );
    const logs = readdirSync(join(r.cwd, '.ako-serverless', 'logs'));
    expect(logs).toEqual([expect.stringMatching(/^run-\d{8}T\d{9}Z\.jsonl$/)]);
    expect(r.stdout).toContain(`logs:             ${join(r.cwd, '.ako-serverless', 'logs', logs[0]!)}`);
    const entries = readFileSync(join(r.cwd, '.ako-serverless', 'logs', logs[0]!), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; code?: string });
    expect(entries.some((e) => e.level === 'debug')).toBe(true); // the file keeps everything
    expect(entries.some((e) => e.code === 'ServiceNotFound')).toBe(true);
  });

  it('--log-level ERROR keeps warnings off the terminal, not out of the file', () => {
    const r = startOnce(['--log-level', 'ERROR']);
    expect(r.code).toBe(0);
    // No live WARN line (the summary after the first sync still lists the object's warning).
    expect(r.stdout).not.toMatch(/^\d\d:\d\d:\d\d (WARN|INFO)/m);
    const logs = readdirSync(join(r.cwd, '.ako-serverless', 'logs'));
    expect(readFileSync(join(r.cwd, '.ako-serverless', 'logs', logs[0]!), 'utf8')).toContain('ServiceNotFound');
  });

  it('refuses an unknown level with exit 2 naming the levels', () => {
    const r = startOnce(['--log-level', 'loud']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--log-level must be one of DEBUG, INFO, WARN, ERROR');
  });
});
