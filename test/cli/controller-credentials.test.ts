// `start` against a controller over HTTPS with a cluster reached through a kubeconfig, credentials read the AKO
// way: the avi-secret Secret of each instance's namespace (a password for one instance, an authtoken for the other),
// the CA from the Secret's certificateAuthorityData, and the explicit insecure opt-out. Never a secret in the output.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'ako-serverless.mjs');
const PRIMARY_PASSWORD = 'Prim@ry-pass-7361';
const BLUE_TOKEN = 'blue-token-5f2c9a';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let sim: AviSim;
let dev: DevCluster;
let dir: string;
let kubeconfig: string;

function aviSecret(namespace: string, data: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: 'avi-secret', namespace },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

function setSecrets(withCa: boolean) {
  const ca: Record<string, string> = withCa ? { certificateAuthorityData: sim.ca! } : {};
  dev.apply(aviSecret('avi-system', { username: 'ako-primary', password: PRIMARY_PASSWORD, ...ca }));
  dev.apply(aviSecret('blue', { username: 'ako-blue', authtoken: BLUE_TOKEN, ...ca }));
}

beforeAll(async () => {
  sim = await startAviSim({ tls: true });
  sim.addLogin('ako-primary', { password: PRIMARY_PASSWORD });
  sim.addLogin('ako-blue', { token: BLUE_TOKEN });
  dev = await startDevCluster({ port: 0, routes: true, seedDir: join(ROOT, 'examples', 'manifests') });
  // The AKO namespaces exist in a cluster where AKO was installed.
  for (const name of ['avi-system', 'blue']) {
    if (!dev.list('v1', 'Namespace').some((n) => n.metadata.name === name)) {
      dev.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'ako-creds-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, dev.kubeconfig(), { mode: 0o600 });
});
afterAll(async () => {
  await sim?.close();
  await dev?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startOnce(extra: string[]): Promise<{ code: number | null; out: string; logs: string }> {
  const cwd = mkdtempSync(join(dir, 'run-'));
  const args = ['start', '--once', '--instances', join(ROOT, 'examples', 'instances.yaml')];
  const where = ['--kubeconfig', kubeconfig, '--controller', sim.url, '--status-port', '0'];
  const child = spawn(process.execPath, [BIN, ...args, ...where, ...extra], {
    cwd,
    env: { ...process.env, KUBECONFIG: '', CTRL_USERNAME: '', CTRL_PASSWORD: '', CTRL_AUTHTOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const logDir = join(cwd, '.ako-serverless', 'logs');
      const files = readdirSync(logDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      const logs = files.map((f) => readFileSync(join(f.parentPath, f.name), 'utf8')).join('');
      resolveRun({ code, out, logs });
    });
  });
}

function expectNoSecrets(text: string) {
  expect(text).not.toContain(PRIMARY_PASSWORD);
  expect(text).not.toContain(BLUE_TOKEN);
  expect(text).not.toContain(b64(PRIMARY_PASSWORD));
}

describe('start with credentials from avi-secret and a controller over HTTPS', () => {
  it('refuses an unverified certificate and says how to trust it', async () => {
    setSecrets(false);
    const r = await startOnce([]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('credentials:      demo/avi-system from Secret avi-system/avi-secret');
    expect(r.out).toContain(`TLS verification of ${sim.url} failed`);
    expect(r.out).toContain('certificateAuthorityData');
    expect(r.out).toContain('--controller-insecure-skip-tls-verify');
    expect(r.out).not.toContain('insecureSkipVerify');
    expectNoSecrets(r.out + r.logs);
  });

  it("trusts the CA from the Secret's certificateAuthorityData and logs in as each instance's user", async () => {
    setSecrets(true);
    sim.resetCounters();
    const r = await startOnce([]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('credentials:      demo/avi-system from Secret avi-system/avi-secret');
    expect(r.out).toContain('credentials:      demo/blue from Secret blue/avi-secret');
    const logins = sim
      .requestLog()
      .filter((e) => e.type === 'login' && e.status === 200)
      .map((e) => e.body as Record<string, string>);
    expect(logins).toContainEqual({ username: 'ako-primary', password: '***' });
    expect(logins).toContainEqual({ username: 'ako-blue', token: '***' });
    expect(sim.objects('virtualservice').length).toBeGreaterThan(0);
    expectNoSecrets(r.out + r.logs);
  });

  it('skips verification only with --controller-insecure-skip-tls-verify, and says so', async () => {
    setSecrets(false);
    const r = await startOnce(['--controller-insecure-skip-tls-verify']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("WARNING:          the controller's TLS certificate is NOT verified");
    expectNoSecrets(r.out + r.logs);
  });
});
