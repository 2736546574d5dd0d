/**
 * A restored or rebuilt Kubernetes API server (fresh uids, resourceVersions restarted far below the old ones)
 * under the same clusterName converges through the sync function as soon as the forwarder relists it: events
 * are ordered by the forwarder's stream, never by comparing resourceVersions, and the new listing is the truth.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { formatStreamSequence, type InstanceMessage } from '../../shared/events/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import {
  byName,
  endpointSlice,
  ingress,
  instanceFor,
  inventoryMsg,
  makeRig,
  objectMsg,
  service,
} from '../functions/harness.ts';

const NS = 'restorens';
const L = { app: 'x' };
const OLD_STREAM = 1_767_225_600_000;
const NEW_STREAM = OLD_STREAM + 3_600_000;

let sim: AviSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function at(o: KubeObject, uid: string, rv: string): KubeObject {
  return { ...o, metadata: { ...o.metadata, uid, resourceVersion: rv } };
}

/** A forwarder's stream: each message gets the next position of the stream started at `start`. */
function stream(start: number) {
  let n = 0;
  return {
    upsert: (o: KubeObject) => objectMsg(o, { namespaceLabels: L, sequence: formatStreamSequence(start, ++n) }),
    listing: (objects: KubeObject[]): InstanceMessage => {
      const m = inventoryMsg(NS, objects, '2026-01-01T00:00:00Z') as Extract<InstanceMessage, { type: 'inventory' }>;
      return { ...m, inventory: { ...m.inventory, sequence: formatStreamSequence(start, ++n) } };
    },
  };
}

describe('API server restore / rebuild under the same clusterName', () => {
  it('fresh uids and restarted resourceVersions win over the old ones; the relist removes what is gone', async () => {
    sim = await startAviSim();
    const rig = makeRig(sim, instanceFor(sim, { namespace: 'avi-system', primary: true }));
    const before = stream(OLD_STREAM);
    expect(
      await rig.sync([
        before.upsert(at(service(NS, 'web'), 'svc-old', '90210')),
        before.upsert(at(endpointSlice(NS, 'web', ['1.1.1.1']), 'eps-old', '90211')),
        before.upsert(at(ingress(NS, 'app', [{ host: 'app.example.com', service: 'web' }]), 'app-old', '90212')),
        before.upsert(at(ingress(NS, 'gone', [{ host: 'gone.example.com', service: 'web' }]), 'gone-old', '90213')),
      ]),
    ).toEqual([]);
    expect(byName(sim, 'pool').has('cluster--app.example.com_foo-restorens-app')).toBe(true);
    expect(byName(sim, 'pool').has('cluster--gone.example.com_foo-restorens-gone')).toBe(true);

    // The API server is restored from an older backup: everything has new uids and small resourceVersions,
    // the Ingress moved to another host, the endpoints changed, and `gone` does not exist there.
    const after = stream(NEW_STREAM);
    const restored = [
      at(service(NS, 'web'), 'svc-new', '12'),
      at(endpointSlice(NS, 'web', ['2.2.2.2']), 'eps-new', '13'),
      at(ingress(NS, 'app', [{ host: 'app2.example.com', service: 'web' }]), 'app-new', '14'),
    ];
    expect(await rig.sync(restored.map((o) => after.upsert(o)))).toEqual([]);
    expect(await rig.sync([after.listing(restored)])).toEqual([]);

    const pools = byName(sim, 'pool');
    expect(pools.has('cluster--app.example.com_foo-restorens-app')).toBe(false);
    const pool = pools.get('cluster--app2.example.com_foo-restorens-app');
    expect(pool).toMatchObject({ created_by: 'ako-cluster' });
    expect((pool!.servers as { ip: { addr: string } }[]).map((s) => s.ip.addr)).toEqual(['2.2.2.2']);
    expect(pools.has('cluster--gone.example.com_foo-restorens-gone')).toBe(false);

    // A late event of the old stream (a redelivery after the restore) changes nothing.
    const late = stream(OLD_STREAM);
    const stale = at(ingress(NS, 'app', [{ host: 'app.example.com', service: 'web' }]), 'app-old', '90299');
    for (let i = 0; i < 10; i++) late.upsert(stale);
    expect(await rig.sync([late.upsert(stale)])).toEqual([]);
    expect(byName(sim, 'pool').has('cluster--app.example.com_foo-restorens-app')).toBe(false);
    expect(byName(sim, 'pool').has('cluster--app2.example.com_foo-restorens-app')).toBe(true);
  });
});
