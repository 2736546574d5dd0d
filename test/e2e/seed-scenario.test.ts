// The user's document, end to end through the embedded runtime: the same handlers the cloud runs,
// the development cluster's watch API and the Avi simulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime.ts';
import { byName, endpointSlice, ingress, names, namespace, node, service, startTestRuntime } from './support.ts';

// A story (the user guide's scenario): naming checks, then a namespace moved there and back, then a deletion;
// not shuffled.
describe('multiple AKO instances: the seed scenario through the embedded runtime', { shuffle: false }, () => {
  let rt: Runtime;
  const dev = () => rt.devClusters.get('demo')!;
  const sim = () => rt.aviSim!;

  beforeAll(async () => {
    rt = await startTestRuntime();
    const d = dev();
    d.apply(namespace('red', { app: 'migrate' }));
    d.apply(namespace('green', { key: 'value2' }));
    d.apply(node('node-1', '192.168.10.11', '10.244.1.0/24'));
    for (const ns of ['red', 'green']) {
      d.apply(service(ns, 'web'));
      d.apply(endpointSlice(ns, 'web', ['10.244.1.5']));
    }
    // foo.com: FNV-1a 32 = 1101858200 → LARGE shard 0; bar.com: 1912621137 → shard 1 (spec test vectors).
    d.apply(ingress('red', 'web', 'foo.com', 'web'));
    d.apply(ingress('green', 'web', 'bar.com', 'web'));
    await rt.waitForConvergence({ timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await rt?.stop();
  });

  it('the primary names its shared VS <cluster>--Shared-L7-<n> and stamps ako-<cluster>', () => {
    const vs = byName(sim().objects('virtualservice'), 'demo--Shared-L7-0');
    expect(vs).toMatchObject({ created_by: 'ako-demo', type: 'VS_TYPE_VH_PARENT' });
    expect(byName(sim().objects('pool'), 'demo--foo.com_-red-web')).toMatchObject({ created_by: 'ako-demo' });
  });

  it('the non-primary in blue names its shared VS <cluster>--blue-Shared-L7-<n> and stamps ako-<cluster>-blue', () => {
    const vs = byName(sim().objects('virtualservice'), 'demo--blue-Shared-L7-1');
    expect(vs).toMatchObject({ created_by: 'ako-demo-blue', type: 'VS_TYPE_VH_PARENT' });
    expect(byName(sim().objects('pool'), 'demo--bar.com_-green-web')).toMatchObject({ created_by: 'ako-demo-blue' });
    expect(names(sim().objects('virtualservice'))).not.toContain('demo--Shared-L7-1');
  });

  it('pool servers come from the EndpointSlice (ClusterIP mode)', () => {
    const pool = byName(sim().objects('pool'), 'demo--foo.com_-red-web') as {
      servers?: { ip: { addr: string }; port: number }[];
    };
    expect(pool.servers?.map((s) => `${s.ip.addr}:${s.port}`)).toEqual(['10.244.1.5:8080']);
  });

  it('static routes come only from the primary, labelled with the cluster', () => {
    const vrf = byName(sim().objects('vrfcontext'), 'global') as { static_routes?: Record<string, unknown>[] };
    const routes = (vrf.static_routes ?? []).filter((r) =>
      (r.labels as { key: string; value: string }[] | undefined)?.some(
        (l) => l.key === 'clustername' && l.value === 'demo',
      ),
    );
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({
      prefix: { ip_addr: { addr: '10.244.1.0', type: 'V4' }, mask: 24 },
      next_hop: { addr: '192.168.10.11', type: 'V4' },
    });
    const blue = rt.aviClients.get('demo/blue')!.stats();
    expect(blue.writesByType.vrfcontext ?? 0).toBe(0);
    expect(blue.writesByType.serviceenginegroup ?? 0).toBe(0);
  });

  it('relabeling a namespace moves its objects to the other instance without a name collision', async () => {
    sim().resetCounters();
    dev().label('v1', 'Namespace', undefined, 'green', { key: null, app: 'migrate' });
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    const pool = byName(sim().objects('pool'), 'demo--bar.com_-green-web');
    expect(pool).toMatchObject({ created_by: 'ako-demo' });
    expect(byName(sim().objects('virtualservice'), 'demo--Shared-L7-1')).toMatchObject({ created_by: 'ako-demo' });
    const blueLeft = sim()
      .objects('pool')
      .concat(sim().objects('poolgroup'), sim().objects('vsdatascriptset'))
      .filter((o) => o.created_by === 'ako-demo-blue' && JSON.stringify(o).includes('bar.com'));
    expect(blueLeft).toEqual([]);
    const collisions = Object.entries(sim().counters().byKey).filter(([k]) => k.endsWith(' 409'));
    expect(collisions).toEqual([]);
    expect(rt.deadLetters()).toEqual([]);
  });

  it("moving the namespace straight back restores the first owner (within the queues' deduplication window)", async () => {
    dev().label('v1', 'Namespace', undefined, 'green', { app: null, key: 'value2' });
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    expect(byName(sim().objects('pool'), 'demo--bar.com_-green-web')).toMatchObject({ created_by: 'ako-demo-blue' });
    expect(byName(sim().objects('virtualservice'), 'demo--blue-Shared-L7-1')).toMatchObject({
      created_by: 'ako-demo-blue',
    });
    expect(rt.deadLetters()).toEqual([]);
  });

  it('deleting an Ingress removes exactly its objects', async () => {
    const before = sim().objects('pool');
    const keep = byName(before, 'demo--bar.com_-green-web');
    dev().delete('networking.k8s.io/v1', 'Ingress', 'red', 'web');
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    const after = sim().objects('pool');
    expect(names(after)).not.toContain('demo--foo.com_-red-web');
    expect(byName(after, 'demo--bar.com_-green-web')?.uuid).toBe(keep?.uuid);
    expect(rt.deadLetters()).toEqual([]);
  });
});
