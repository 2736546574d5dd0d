// `plan` against a development cluster and the Avi simulator over real HTTP: read-only, and what it lists
// matches what a sync then does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';
import { run as runPlan } from '../../infra/local/commands/plan.ts';
import { buildPlan, type Plan, type PlanAction } from '../../infra/local/plan/index.ts';
import { startRuntime } from '../../infra/local/runtime.ts';
import { createAviClient } from '../../shared/avi/index.ts';
import { silentLogger } from '../../shared/log.ts';
import { parseRegistry } from '../../shared/registry/index.ts';
import { SecretValue } from '../../shared/secret.ts';
import { endpointSlice, ingress, namespace, node, SEED_REGISTRY, service } from '../e2e/support.ts';

const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEplanTestSecretKeyMaterial\n-----END PRIVATE KEY-----\n';
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBplanTestCert\n-----END CERTIFICATE-----\n';

function tlsSecret(ns: string, name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { namespace: ns, name },
    data: {
      'tls.crt': Buffer.from(CERT_PEM).toString('base64'),
      'tls.key': Buffer.from(KEY_PEM).toString('base64'),
    },
  };
}

function tlsIngress(ns: string, name: string, host: string, svc: string, secret: string) {
  const ing = ingress(ns, name, host, svc) as ReturnType<typeof ingress> & { spec: Record<string, unknown> };
  ing.spec.tls = [{ hosts: [host], secretName: secret }];
  return ing;
}

const registry = parseRegistry(SEED_REGISTRY, { baseDir: process.cwd() });
const id = (a: { op: string; type: string; name: string }) => `${a.op} ${a.type} ${a.name}`;
const ops = (plan: Plan, instance: string) => plan.instances.find((i) => i.instance === instance)!.actions;
const writesTo = (sim: AviSim) =>
  sim.requestLog().filter((r) => r.method !== 'GET' && r.path.startsWith('/api/') && r.path !== '/api/initial-data');

// A story on one simulator: the plan of an empty controller first, then after a sync; not shuffled.
describe('plan (read-only) against a development cluster and the simulator', { shuffle: false }, () => {
  let dev: DevCluster;
  let sim: AviSim;
  let kubeconfigFile: string;
  let kc: KubeConfig;
  const plan = () => buildPlan({ registry, kubeConfig: kc, controller: sim.url });

  beforeAll(async () => {
    dev = await startDevCluster();
    sim = await startAviSim();
    const dir = mkdtempSync(join(tmpdir(), 'ako-plan-'));
    kubeconfigFile = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigFile, dev.kubeconfig());
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfigFile);
    dev.apply(namespace('red', { app: 'migrate' }));
    dev.apply(namespace('green', { key: 'value2' }));
    dev.apply(node('node-1', '192.168.10.11', '10.244.1.0/24'));
    for (const ns of ['red', 'green']) {
      dev.apply(service(ns, 'web'));
      dev.apply(endpointSlice(ns, 'web', ['10.244.1.5']));
    }
    dev.apply(service('red', 'api'));
    dev.apply(endpointSlice('red', 'api', ['10.244.1.9']));
    // foo.com → LARGE shard 0, bar.com → shard 1 (FNV-1a test vectors of the spec).
    dev.apply(ingress('red', 'web', 'foo.com', 'web'));
    dev.apply(ingress('green', 'web', 'bar.com', 'web'));
  });

  afterAll(async () => {
    await sim?.close();
    await dev?.close();
  });

  it('an empty controller: every object is a create, per instance with its created_by, and nothing is written', async () => {
    sim.resetCounters();
    const p = await plan();
    expect(p.namespaceConflicts).toEqual([]);
    const primary = ops(p, 'demo/avi-system');
    const blue = ops(p, 'demo/blue');
    expect(primary.every((a) => a.op === 'create')).toBe(true);
    expect(blue.every((a) => a.op === 'create')).toBe(true);
    expect(primary.map(id)).toEqual(
      expect.arrayContaining([
        'create vsvip demo--Shared-L7-0',
        'create pool demo--foo.com_-red-web',
        'create virtualservice demo--Shared-L7-0',
      ]),
    );
    expect(blue.map(id)).toEqual(
      expect.arrayContaining(['create pool demo--bar.com_-green-web', 'create virtualservice demo--blue-Shared-L7-1']),
    );
    const createdBy = (a: PlanAction) =>
      a.op === 'create' ? (a.body as { created_by?: string }).created_by : undefined;
    expect(primary.filter((a) => a.type === 'virtualservice').map(createdBy)).toEqual(['ako-demo']);
    expect(blue.filter((a) => a.type === 'virtualservice').map(createdBy)).toEqual(['ako-demo-blue']);
    // Dependencies first: the VsVip before the VS, pools before the VS.
    const names = primary.map(id);
    expect(names.indexOf('create vsvip demo--Shared-L7-0')).toBeLessThan(
      names.indexOf('create virtualservice demo--Shared-L7-0'),
    );
    expect(names.indexOf('create pool demo--foo.com_-red-web')).toBeLessThan(
      names.indexOf('create virtualservice demo--Shared-L7-0'),
    );
    // The primary's static route to node-1's pod CIDR.
    const routes = p.instances.find((i) => i.instance === 'demo/avi-system')!.staticRoutes;
    expect(routes?.op).toBe('update');
    expect(routes?.add.map((r) => `${r.prefix.ip_addr.addr}/${r.prefix.mask} via ${r.next_hop.addr}`)).toEqual([
      '10.244.1.0/24 via 192.168.10.11',
    ]);
    expect(p.instances.find((i) => i.instance === 'demo/blue')!.staticRoutes).toBeUndefined();
    expect(sim.counters().writes).toBe(0);
    expect(writesTo(sim)).toEqual([]);
  });

  // A story: the plan after one sync, then after changes made on top of it; not shuffled.
  describe('after a sync by the runtime', { shuffle: false }, () => {
    beforeAll(async () => {
      const rt = await startRuntime({
        registry,
        kubeconfig: kubeconfigFile,
        controller: sim.url,
        // A real controller needs credentials (the simulator's default login), here from AKO's CTRL_* variables.
        env: { CTRL_USERNAME: 'admin', CTRL_PASSWORD: 'admin' },
        stateDir: mkdtempSync(join(tmpdir(), 'ako-plan-rt-')),
        logger: silentLogger,
        sweeps: false,
        queue: { backoffMs: () => 20, maxReceiveCount: 5 },
      });
      try {
        await rt.waitForConvergence({ timeoutMs: 60_000 });
        expect(rt.deadLetters()).toEqual([]);
      } finally {
        await rt.stop();
      }
      // Foreign objects under the cluster's prefix: someone else's, and one without created_by.
      sim.create('pool', { name: 'demo--handmade-pool', created_by: 'someone-else' });
      sim.create('pool', { name: 'demo--no-owner-pool' });
      sim.create('pool', { name: 'demo--other-cluster', created_by: 'ako-other' });
    });

    it('plans nothing to do, and sends no write', async () => {
      sim.resetCounters();
      const p = await plan();
      for (const i of p.instances) {
        expect(i.actions).toEqual([]);
        expect(i.conflicts).toEqual([]);
        expect(i.unchanged).toBeGreaterThan(0);
      }
      expect(p.instances.find((i) => i.instance === 'demo/avi-system')!.staticRoutes?.op).toBe('none');
      expect(sim.counters().writes).toBe(0);
      expect(writesTo(sim)).toEqual([]);
    });

    it('a changed Ingress (another backend Service) is an update of its pool with the server diff', async () => {
      dev.apply(ingress('red', 'web', 'foo.com', 'api'));
      try {
        const p = await plan();
        expect(ops(p, 'demo/blue')).toEqual([]);
        const primary = ops(p, 'demo/avi-system');
        expect(primary.every((a) => a.op === 'update')).toBe(true);
        const pool = primary.find((a) => a.type === 'pool' && a.name === 'demo--foo.com_-red-web');
        expect(pool?.op).toBe('update');
        if (pool?.op !== 'update') return;
        expect(pool.reason).toBe('changed');
        expect(pool.changes).toContainEqual({ path: 'servers[0].ip.addr', before: '10.244.1.5', after: '10.244.1.9' });
        // The controller's own fields (uuid, url, _last_modified, defaults) never show up as changes.
        const paths = pool.changes.map((c) => c.path);
        expect(paths.filter((x) => /^(uuid|url|_last_modified|tenant_ref)$/.test(x))).toEqual([]);
        expect(sim.counters().writes).toBe(0);
      } finally {
        dev.apply(ingress('red', 'web', 'foo.com', 'web'));
      }
    });

    it('a deleted Ingress: its objects are deletes, foreign objects never are', async () => {
      dev.delete('networking.k8s.io/v1', 'Ingress', 'green', 'web');
      try {
        sim.resetCounters();
        const p = await plan();
        expect(ops(p, 'demo/avi-system')).toEqual([]);
        const blue = ops(p, 'demo/blue');
        expect(blue.map(id)).toContain('delete pool demo--bar.com_-green-web');
        // The emptied shard VS and its VIP stay, as AKO keeps them (and as the sync function does).
        expect(blue.map(id)).not.toContain('delete virtualservice demo--blue-Shared-L7-1');
        expect(blue.map(id)).not.toContain('delete vsvip demo--blue-Shared-L7-1');
        // Referrers before what they refer to: the shard's pool group drops the pool before the pool goes.
        const names = blue.map(id);
        expect(names.indexOf('update poolgroup demo--blue-Shared-L7-1')).toBeGreaterThanOrEqual(0);
        expect(names.indexOf('update poolgroup demo--blue-Shared-L7-1')).toBeLessThan(
          names.indexOf('delete pool demo--bar.com_-green-web'),
        );
        const all = p.instances.flatMap((i) => i.actions.map((a) => a.name));
        expect(all).not.toContain('demo--handmade-pool');
        expect(all).not.toContain('demo--no-owner-pool');
        expect(all).not.toContain('demo--other-cluster');
        expect(sim.counters().writes).toBe(0);
      } finally {
        dev.apply(ingress('green', 'web', 'bar.com', 'web'));
      }
    });

    it('an object edited on the controller shows as drift with the field that differs', async () => {
      const pool = sim.objects('pool').find((o) => o.name === 'demo--bar.com_-green-web')!;
      const hand = createAviClient({
        host: sim.url,
        username: 'admin',
        password: new SecretValue('admin'),
        owner: 'ako-demo-blue',
      });
      // A hand edit keeps AKO's cloud_config_cksum, so only a field comparison can see it.
      await hand.update('pool', String(pool.uuid), (cur) => ({
        ...cur,
        servers: [{ ...(cur.servers as Record<string, unknown>[])[0], ip: { addr: '10.9.9.9', type: 'V4' } }],
      }));
      // An object carrying the instance's created_by that no model wants.
      sim.create('pool', { name: 'demo--stale-pool', created_by: 'ako-demo-blue' });
      sim.resetCounters();
      const p = await plan();
      const blue = ops(p, 'demo/blue');
      const update = blue.find((a) => a.op === 'update' && a.name === 'demo--bar.com_-green-web');
      expect(update?.op === 'update' && update.reason).toBe('drift');
      expect(update?.op === 'update' && update.changes).toEqual([
        { path: 'servers[0].ip.addr', before: '10.9.9.9', after: '10.244.1.5' },
      ]);
      expect(blue.map(id)).toContain('delete pool demo--stale-pool');
      expect(sim.counters().writes).toBe(0);
    });

    it('an object of a wanted name that the instance does not own is a conflict, not a create or delete', async () => {
      dev.apply(namespace('teal', { app: 'migrate' }));
      dev.apply(service('teal', 'web'));
      dev.apply(endpointSlice('teal', 'web', ['10.244.1.7']));
      dev.apply(ingress('teal', 'web', 'foo.com', 'web'));
      sim.create('pool', { name: 'demo--foo.com_-teal-web', created_by: 'someone-else' });
      const p = await plan();
      const primary = p.instances.find((i) => i.instance === 'demo/avi-system')!;
      expect(primary.conflicts.map((c) => `${c.type} ${c.name}`)).toEqual(['pool demo--foo.com_-teal-web']);
      expect(primary.conflicts[0]!.reason).toMatch(/someone-else/);
      expect(primary.actions.map((a) => a.name)).not.toContain('demo--foo.com_-teal-web');
      dev.delete('networking.k8s.io/v1', 'Ingress', 'teal', 'web');
    });
  });
});

describe('plan: ownership conflicts, secrets and the command line', () => {
  let dev: DevCluster;
  let sim: AviSim;
  let kubeconfigFile: string;

  beforeAll(async () => {
    dev = await startDevCluster();
    sim = await startAviSim();
    kubeconfigFile = join(mkdtempSync(join(tmpdir(), 'ako-plan-')), 'kubeconfig');
    writeFileSync(kubeconfigFile, dev.kubeconfig());
    // Both selectors match: AKO's documented misconfiguration; neither instance may sync it.
    dev.apply(namespace('both', { app: 'migrate', key: 'value2' }));
    dev.apply(service('both', 'web'));
    dev.apply(endpointSlice('both', 'web', ['10.244.2.5']));
    dev.apply(ingress('both', 'web', 'both.com', 'web'));
    dev.apply(namespace('red', { app: 'migrate' }));
    dev.apply(service('red', 'web'));
    dev.apply(endpointSlice('red', 'web', ['10.244.1.5']));
    dev.apply(tlsSecret('red', 'foo-tls'));
    dev.apply(tlsIngress('red', 'secure', 'secure.foo.com', 'web', 'foo-tls'));
  });

  afterAll(async () => {
    await sim?.close();
    await dev?.close();
  });

  it('lists a namespace two instances claim as a conflict and plans nothing for it', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigFile);
    const p = await buildPlan({ registry, kubeConfig: kc, controller: sim.url });
    expect(p.namespaceConflicts.map((c) => c.namespace)).toEqual(['both']);
    expect(p.namespaceConflicts[0]!.reason).toMatch(/demo\/avi-system.*demo\/blue|demo\/blue.*demo\/avi-system/);
    const all = p.instances.flatMap((i) => i.actions.map((a) => a.name));
    expect(all.some((n) => n.includes('both.com'))).toBe(false);
  });

  it('prints JSON with TLS private keys masked, and writes nothing', async () => {
    sim.resetCounters();
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    let code: number;
    try {
      code = await runPlan([
        '--instances',
        writeRegistry(),
        '--kubeconfig',
        kubeconfigFile,
        '--controller',
        sim.url,
        '--output',
        'json',
      ]);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).not.toContain('planTestSecretKeyMaterial');
    expect(text).not.toContain(Buffer.from(KEY_PEM).toString('base64'));
    const out = JSON.parse(text) as Plan & { totals: { create: number } };
    const cert = out.instances
      .flatMap((i) => i.actions)
      .find((a) => a.op === 'create' && a.type === 'sslkeyandcertificate');
    expect(cert?.op === 'create' && (cert.body as { key?: string }).key).toBe('(sensitive value)');
    expect(out.totals.create).toBeGreaterThan(0);
    expect(sim.counters().writes).toBe(0);
    expect(writesTo(sim)).toEqual([]);
  });

  it('prints a table ending with the totals', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      const code = await runPlan([
        '--instances',
        writeRegistry(),
        '--kubeconfig',
        kubeconfigFile,
        '--controller',
        sim.url,
      ]);
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = lines.join('\n');
    expect(text).toMatch(/\+ create +sslkeyandcertificate/);
    expect(text).toMatch(/! namespace both: claimed by/);
    expect(text).toMatch(/^Plan: \d+ to create, 0 to update, 0 to delete, 1 conflict\.$/m);
    expect(text).not.toContain('planTestSecretKeyMaterial');
  });

  it('without a kubeconfig (flag or KUBECONFIG) says so and exits 2', async () => {
    const saved = process.env.KUBECONFIG;
    delete process.env.KUBECONFIG;
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    try {
      const code = await runPlan(['--instances', writeRegistry(), '--controller', sim.url]);
      expect(code).toBe(2);
    } finally {
      spy.mockRestore();
      if (saved !== undefined) process.env.KUBECONFIG = saved;
    }
    expect(errors.join('\n')).toMatch(/--kubeconfig FILE or set KUBECONFIG/);
  });

  it('an unreachable controller fails with exit 1 and says what to check', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    try {
      const code = await runPlan([
        '--instances',
        writeRegistry(),
        '--kubeconfig',
        kubeconfigFile,
        '--controller',
        'http://127.0.0.1:1',
      ]);
      expect(code).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/cannot read the controller http:\/\/127\.0\.0\.1:1 .*check --controller/);
  });

  it('a kubeconfig that cannot be read is bad usage (exit 2)', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    try {
      const missing = join(tmpdir(), 'ako-plan-no-such-kubeconfig');
      const code = await runPlan(['--instances', writeRegistry(), '--kubeconfig', missing, '--controller', sim.url]);
      expect(code).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/cannot read kubeconfig/);
  });

  it('without a controller (flag or registry) says so and exits 2', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    try {
      const code = await runPlan(['--instances', writeRegistry(), '--kubeconfig', kubeconfigFile]);
      expect(code).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/--controller HOST/);
  });
});

function writeRegistry(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ako-plan-reg-')), 'instances.yaml');
  writeFileSync(file, SEED_REGISTRY);
  return file;
}
