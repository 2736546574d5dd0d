/**
 * `start` killed with SIGKILL (no drain, no goodbye) in the middle of its first sync, and in the middle of a
 * namespace move, then started again on the same state directory: once it converges, the controller holds exactly
 * what a calm installation builds for the cluster — no object missing, no orphan left behind by the killed run —
 * without waiting for a sweep. The controller and the cluster live outside the killed process (as real ones do).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';
import { seededRandom } from '../../infra/local/event-bus.ts';
import { endpointSlice, ingress, namespace, service } from '../e2e/support.ts';
import { eventually, simFingerprint } from './support.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'ako-serverless.mjs');
const REGISTRY = join(ROOT, 'examples', 'instances.yaml');
const PER_NAMESPACE = 40;
const FOREIGN = { name: 'someone-elses-pool', created_by: 'a-person' };
const foreignCopy = new Map<AviSim, string>();
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let dir: string;
const closers: (() => Promise<void>)[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ako-kill-'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const close of closers.splice(0)) await close();
  if (dir && !process.env.KEEP_KILL_DIR) rmSync(dir, { recursive: true, force: true });
});

interface World {
  sim: AviSim;
  dev: DevCluster;
  kubeconfig: string;
}

/** A controller and a cluster that outlive any `start`: the cluster's namespaces, Services and Ingresses. */
async function world(
  shopLabels: Record<string, string>,
  reuse: { sim?: AviSim; port?: number; skip?: (ns: string, i: number) => boolean } = {},
): Promise<World> {
  const sim = reuse.sim ?? (await startAviSim({ tls: true }));
  const dev = await startDevCluster({ port: reuse.port ?? 0 });
  if (!reuse.sim) {
    closers.push(() => sim.close());
    // Someone else's object on the controller: no run may touch it.
    foreignCopy.set(sim, JSON.stringify(sim.create('pool', FOREIGN)));
  }
  closers.push(() => dev.close());
  for (const ns of ['avi-system', 'blue']) {
    dev.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    dev.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'avi-secret', namespace: ns },
      data: { username: b64('admin'), password: b64('admin'), certificateAuthorityData: b64(sim.ca!) },
    });
  }
  dev.apply(namespace('shop', shopLabels));
  dev.apply(namespace('blueshop', { key: 'value2' }));
  // The primary keeps a namespace of its own whatever happens to shop: its view is never empty.
  dev.apply(namespace('redshop', { app: 'migrate' }));
  for (const ns of ['shop', 'blueshop', 'redshop']) {
    dev.apply(service(ns, 'web'));
    dev.apply(endpointSlice(ns, 'web', ['10.0.0.1', '10.0.0.2']));
    for (let i = 0; i < PER_NAMESPACE; i++)
      if (!reuse.skip?.(ns, i)) dev.apply(ingress(ns, `ing-${i}`, `h${i}.${ns}.example.com`, 'web'));
  }
  const kubeconfig = join(mkdtempSync(join(dir, 'kc-')), 'kubeconfig');
  writeFileSync(kubeconfig, dev.kubeconfig(), { mode: 0o600 });
  return { sim, dev, kubeconfig };
}

interface Run {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function start(w: World, cwd: string, once: boolean): Run {
  const args = ['start', '--instances', REGISTRY, '--kubeconfig', w.kubeconfig, '--controller', w.sim.url];
  const child = spawn(process.execPath, [BIN, ...args, '--status-port', '0', ...(once ? ['--once'] : [])], {
    cwd,
    env: { ...process.env, KUBECONFIG: '', CTRL_USERNAME: '', CTRL_PASSWORD: '', CTRL_AUTHTOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, exit };
}

async function runOnce(w: World, cwd: string): Promise<string> {
  const r = start(w, cwd, true);
  const code = await r.exit;
  expect(code, r.out()).toBe(0);
  return r.out();
}

/** What a calm installation builds for the cluster as it is now: a fresh controller, a fresh state directory. */
async function calmState(shopLabels: Record<string, string>): Promise<string[]> {
  const w = await world(shopLabels);
  await runOnce(w, mkdtempSync(join(dir, 'calm-')));
  return simFingerprint(w.sim);
}

const pools = (sim: AviSim) => sim.objects('pool').filter((p) => String(p.created_by ?? '').startsWith('ako-'));

describe('SIGKILL of start, then start again', () => {
  it('killed mid-sync: the restart converges to the calm state, no orphan, nothing missing', async () => {
    const want = await calmState({ app: 'migrate' });
    expect(want.filter((l) => l.startsWith('pool ')).length).toBe(3 * PER_NAMESPACE);
    const w = await world({ app: 'migrate' });
    const cwd = mkdtempSync(join(dir, 'killed-'));
    const first = start(w, cwd, false);
    // Some of the first sync has been written, most has not.
    await eventually(() => pools(w.sim).length >= 15, 'first writes', 120_000);
    first.child.kill('SIGKILL');
    await first.exit;
    const written = pools(w.sim).length;
    expect(written).toBeLessThan(3 * PER_NAMESPACE);
    await runOnce(w, cwd);
    expect(simFingerprint(w.sim)).toEqual(want);
  });

  it('killed mid-move: the restart finishes the move, no orphan of the old owner, every Ingress served', async () => {
    const want = await calmMove();
    const w = await world({ app: 'migrate' });
    const cwd = mkdtempSync(join(dir, 'moved-'));
    await runOnce(w, cwd);
    const running = start(w, cwd, false);
    await eventually(() => running.out().includes('first sync converged'), 'the restart to settle', 120_000);
    // shop moves to the blue instance; the kill lands while the old owner is removing its objects.
    w.dev.apply(namespace('shop', { key: 'value2' }));
    await eventually(() => shopPools(w.sim, 'ako-demo').length < PER_NAMESPACE, 'the release to begin', 120_000);
    running.child.kill('SIGKILL');
    await running.exit;
    expect(shopPools(w.sim, 'ako-demo').length).toBeGreaterThan(0);
    await runOnce(w, cwd);
    expect(simFingerprint(w.sim)).toEqual(want);
  });

  // Kill points drawn from a seeded generator: mid-sync after k pools, then mid-move t ms after the relabel.
  for (const seed of [7, 101, 303]) {
    it(`seed ${seed}: killed at a random point of the first sync and again at a random point of a move`, async () => {
      const random = seededRandom(seed);
      const k = 1 + Math.floor(random() * (3 * PER_NAMESPACE - 10));
      const t = Math.floor(random() * 2000);
      const want = await calmMove();
      const w = await world({ app: 'migrate' });
      const cwd = mkdtempSync(join(dir, `seed-${seed}-`));
      const first = start(w, cwd, false);
      await eventually(() => pools(w.sim).length >= k, `${k} pools`, 120_000);
      first.child.kill('SIGKILL');
      await first.exit;
      const second = start(w, cwd, false);
      await eventually(() => second.out().includes('first sync converged'), 'the restart to settle', 120_000);
      w.dev.apply(namespace('shop', { key: 'value2' }));
      await new Promise((r) => setTimeout(r, t));
      second.child.kill('SIGKILL');
      await second.exit;
      if (process.env.CHAOS_REPORT)
        console.log(`sigkill seed ${seed}: killed after ${k} pools, then ${t} ms into the move`);
      await runOnce(w, cwd);
      expect(simFingerprint(w.sim)).toEqual(want);
      // Someone else's pool is exactly as it was created.
      expect(JSON.stringify(w.sim.objects('pool').find((p) => p.name === FOREIGN.name))).toBe(foreignCopy.get(w.sim));
    });
  }

  it('API server restored from a backup under a running start (fresh uids, resourceVersions from 1): converges to the restored cluster', async () => {
    // The backup lacks the last five Ingresses of blueshop (created after it was taken).
    const restored = (ns: string, i: number) => ns === 'blueshop' && i >= PER_NAMESPACE - 5;
    const calm = await world({ app: 'migrate' }, { skip: restored });
    await runOnce(calm, mkdtempSync(join(dir, 'calm-restore-')));
    const want = simFingerprint(calm.sim);
    const w = await world({ app: 'migrate' });
    const cwd = mkdtempSync(join(dir, 'restore-'));
    const running = start(w, cwd, false);
    await eventually(() => running.out().includes('first sync converged'), 'the first sync', 120_000);
    // Before the restore the controller serves the five Ingresses the backup lacks.
    expect(pools(w.sim)).toHaveLength(3 * PER_NAMESPACE);
    const port = Number(new URL(w.dev.url).port);
    await w.dev.close();
    const restoredAt = Date.now();
    // The same address, a new API server restored from the backup: new uids, resourceVersions restart.
    await world({ app: 'migrate' }, { sim: w.sim, port, skip: restored });
    await eventually(
      () => JSON.stringify(simFingerprint(w.sim)) === JSON.stringify(want),
      'the restored state',
      120_000,
    );
    if (process.env.CHAOS_REPORT) console.log(`api-server restore: converged ${Date.now() - restoredAt} ms after it`);
    running.child.kill('SIGINT');
    await running.exit;
    expect(simFingerprint(w.sim)).toEqual(want);
  });

  it('labels changed while nothing ran: the next start moves the namespace', async () => {
    const want = await calmMove();
    const w = await world({ app: 'migrate' });
    const cwd = mkdtempSync(join(dir, 'offline-'));
    await runOnce(w, cwd);
    w.dev.apply(namespace('shop', { key: 'value2' }));
    await runOnce(w, cwd);
    expect(simFingerprint(w.sim)).toEqual(want);
  });
});

/** The pools of namespace shop that an instance owns. */
const shopPools = (sim: AviSim, owner: string) =>
  sim.objects('pool').filter((p) => String(p.name).includes('-shop-') && p.created_by === owner);

let calmMoveState: Promise<string[]> | undefined;
/** The controller state of a calm move (computed once per file). */
const calmMove = () => {
  calmMoveState ??= computeCalmMove();
  return calmMoveState;
};

/** The controller state of a calm move: shop relabelled under a running `start`, which stops gracefully after. */
async function computeCalmMove(): Promise<string[]> {
  const w = await world({ app: 'migrate' });
  const cwd = mkdtempSync(join(dir, 'calm-move-'));
  const running = start(w, cwd, false);
  await eventually(() => running.out().includes('first sync converged'), 'the first sync', 120_000);
  w.dev.apply(namespace('shop', { key: 'value2' }));
  await eventually(
    () => shopPools(w.sim, 'ako-demo-blue').length === PER_NAMESPACE && shopPools(w.sim, 'ako-demo').length === 0,
    'the move',
    120_000,
  );
  // Settled: nothing changes for 3 s.
  let last = '';
  let stableSince = Date.now();
  await eventually(() => {
    const now = JSON.stringify(simFingerprint(w.sim));
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
    return Date.now() - stableSince > 3000;
  }, 'a settled controller');
  running.child.kill('SIGINT');
  await running.exit;
  return simFingerprint(w.sim);
}
