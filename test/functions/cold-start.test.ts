/**
 * Cold start against a controller that already holds objects (embedded runtime, external simulator, fresh state
 * store each time): take-over writes nothing whose content matches and keeps every VIP; orphans carrying our
 * created_by are deleted at cold start (no sweep); a start stopped mid-sync converges with nothing missing or left over.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import type { Runtime } from '../../infra/local/runtime.ts';
import { createAviClient } from '../../shared/avi/index.ts';
import { SecretValue } from '../../shared/secret.ts';
import { endpointSlice, ingress, namespace, service, startTestRuntime } from '../e2e/support.ts';

function seedDir(ingresses: number): string {
  const docs: unknown[] = [namespace('red', { app: 'migrate' }), namespace('green', { key: 'value2' })];
  for (const ns of ['red', 'green']) docs.push(service(ns, 'web'), endpointSlice(ns, 'web', ['10.244.1.5']));
  for (let i = 0; i < ingresses; i++) {
    const ns = i % 2 ? 'green' : 'red';
    docs.push(ingress(ns, `ing-${i}`, `h${i}.example.com`, 'web'));
  }
  const dir = mkdtempSync(join(tmpdir(), 'ako-cold-'));
  writeFileSync(join(dir, 'seed.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }));
  return dir;
}

async function withSim(fn: (sim: AviSim) => Promise<void>) {
  const sim = await startAviSim({ port: 0, seed: 7 });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

// The development cluster stands in for the real one here (it is seeded with the same manifests each run), so the
// guard against a real controller with the demo cluster is lifted on purpose; credentials as AKO reads them.
const start = (sim: AviSim, dir: string) =>
  startTestRuntime(undefined, {
    controller: sim.url,
    seedDir: dir,
    demoDevClusterWithRealController: true,
    env: { CTRL_USERNAME: sim.username, CTRL_PASSWORD: 'admin' },
  });

async function converge(rt: Runtime) {
  await rt.waitForConvergence({ timeoutMs: 120_000 });
}

const vipsByName = (sim: AviSim) => new Map(sim.objects('vsvip').map((v) => [String(v.name), JSON.stringify(v.vip)]));
const ownedNames = (sim: AviSim, owners: Set<string>) =>
  Object.entries(sim.dump())
    .flatMap(([type, list]) =>
      list.filter((o) => type === 'vsvip' || owners.has(String(o.created_by))).map((o) => `${type}/${o.name}`),
    )
    .sort();

describe('cold start against a controller that already holds objects', () => {
  it('take-over: a fresh state store writes 0 objects whose content matches and changes no VIP', async () => {
    await withSim(async (sim) => {
      const dir = seedDir(12);
      const first = await start(sim, dir);
      await converge(first);
      await first.stop();
      const before = vipsByName(sim);
      const owners = new Set(first.registry.instances.map((i) => i.createdBy));
      const objects = ownedNames(sim, owners);
      expect(objects.filter((o) => o.startsWith('pool/')).length).toBe(12);

      sim.resetCounters();
      const second = await start(sim, dir);
      await converge(second);
      await second.stop();
      expect(sim.counters().writes).toBe(0);
      expect(vipsByName(sim)).toEqual(before);
      expect(ownedNames(sim, owners)).toEqual(objects);
    });
  });

  it('orphans carrying our created_by (and the VsVip only they used) are deleted at cold start, without a sweep', async () => {
    await withSim(async (sim) => {
      const dir = seedDir(2);
      const probe = await start(sim, dir);
      const primary = probe.registry.instances.find((i) => i.primary)!;
      await converge(probe);
      await probe.stop();
      // Left by an earlier installation: a VS of ours on its own VsVip, and a pool no model wants.
      const ours = createAviClient({
        host: sim.url,
        username: sim.username,
        password: new SecretValue('admin'),
        owner: primary.createdBy,
      });
      const vsvip = await ours.create('vsvip', {
        name: 'demo--old-Shared-L7-9',
        vip: [{ vip_id: '0', auto_allocate_ip: true }],
      });
      await ours.create('virtualservice', {
        name: 'demo--old-Shared-L7-9',
        created_by: primary.createdBy,
        vsvip_ref: `/api/vsvip/${vsvip.uuid}`,
        services: [{ port: 80 }],
      });
      await ours.create('pool', { name: 'demo--gone.example.com_-red-old', created_by: primary.createdBy });
      // Someone else's pool is never touched.
      const other = createAviClient({
        host: sim.url,
        username: sim.username,
        password: new SecretValue('admin'),
        owner: 'someone',
      });
      await other.create('pool', { name: 'demo--theirs.example.com_-red-old', created_by: 'someone' });

      const rt = await start(sim, dir);
      await converge(rt);
      await rt.stop();
      const names = (type: string) => sim.objects(type).map((o) => String(o.name));
      expect(names('virtualservice')).not.toContain('demo--old-Shared-L7-9');
      expect(names('vsvip')).not.toContain('demo--old-Shared-L7-9');
      expect(names('pool')).not.toContain('demo--gone.example.com_-red-old');
      expect(names('pool')).toContain('demo--theirs.example.com_-red-old');
      // The objects the cluster wants are still there.
      expect(
        names('pool').filter((n) => n.endsWith('.example.com_-red-ing-0') || n.endsWith('-green-ing-1')).length,
      ).toBe(2);
    });
  });

  it('a start stopped mid-sync, then a fresh start: converges with 0 orphans and 0 missing objects, no sweep needed', async () => {
    await withSim(async (sim) => {
      const dir = seedDir(60);
      // Reference: what a clean run leaves on a clean controller.
      const refSim = await startAviSim({ port: 0, seed: 7 });
      let reference: string[];
      try {
        const ref = await start(refSim, dir);
        await converge(ref);
        reference = ownedNames(refSim, new Set(ref.registry.instances.map((i) => i.createdBy)));
        await ref.stop();
      } finally {
        await refSim.close();
      }

      const first = await start(sim, dir);
      // Stop as soon as some objects were written (the in-memory state store is lost with it).
      for (let i = 0; i < 400 && sim.counters().writes < 20; i++) await new Promise((r) => setTimeout(r, 10));
      await first.stop();
      const owners = new Set(first.registry.instances.map((i) => i.createdBy));

      const second = await start(sim, dir);
      await converge(second);
      expect(ownedNames(sim, owners)).toEqual(reference);
      // Nothing left to repair: a sweep now writes nothing.
      sim.resetCounters();
      second.requestSweep();
      await converge(second);
      expect(sim.counters().writes).toBe(0);
      await second.stop();
    });
  });
});
