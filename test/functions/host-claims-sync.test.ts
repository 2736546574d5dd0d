/**
 * Host claims through the sync function: two instances of one cluster on one simulator, sharing one registry.
 * The first claimant of a host serves it; the other serves nothing for it and is named in a permanent failure;
 * when the holder stops serving the host (its Ingress deleted, or deleteConfig), the waiter is asked to rebuild
 * exactly the model that wanted it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import type { InstanceMessage } from '../../shared/events/index.ts';
import { createMemoryHostClaims, type HostClaimRegistry } from '../../shared/instance/host-claims.ts';
import { byName, endpointSlice, ingress, instanceFor, makeRig, objectMsg, type Rig, service } from './harness.ts';

let sim: AviSim;
let claims: HostClaimRegistry;
let primary: Rig;
let blue: Rig;
const HOST = 'same.example.com';
const red = { app: 'migrate' };
const blueLabels = { key: 'value2' };

function app(ns: string, labels: Record<string, string>, ip: string): InstanceMessage[] {
  return [
    objectMsg(service(ns, 'svc'), { namespaceLabels: labels }),
    objectMsg(endpointSlice(ns, 'svc', [ip]), { namespaceLabels: labels }),
    objectMsg(ingress(ns, 'web', [{ host: HOST, path: '/', service: 'svc' }]), { namespaceLabels: labels }),
  ];
}

const poolsFor = () => [...byName(sim, 'pool').values()].filter((p) => String(p.name).includes(HOST));

beforeEach(async () => {
  sim = await startAviSim();
  claims = createMemoryHostClaims();
  const p = instanceFor(sim, { namespace: 'avi-system', primary: true, labelKey: 'app', labelValue: 'migrate' });
  const b = instanceFor(sim, { namespace: 'blue', primary: false, labelKey: 'key', labelValue: 'value2' });
  primary = makeRig(sim, p, { hostClaims: claims });
  blue = makeRig(sim, b, { hostClaims: claims });
});
afterEach(async () => {
  await sim?.close();
});

describe('host claims in the sync function', () => {
  it('the second instance serves nothing for a held host and says who holds it', async () => {
    expect(await primary.sync(app('red', red, '10.1.0.1'))).toEqual([]);
    expect(await blue.sync(app('blueteam', blueLabels, '10.2.0.1'))).toEqual([]);
    expect(poolsFor().map((p) => `${p.name} ${p.created_by}`)).toEqual([`cluster--${HOST}_-red-web ako-cluster`]);
    const failures = await blue.store.listFailures();
    expect(failures).toContainEqual(
      expect.objectContaining({
        objectKey: 'Ingress/blueteam/web',
        reason: expect.stringContaining(
          `host ${HOST} is already served by Ingress red/web of instance cluster/avi-system`,
        ),
      }),
    );
  });

  it('when the holder deletes its Ingress, the waiter is asked to rebuild that model, and then serves the host', async () => {
    expect(await primary.sync(app('red', red, '10.1.0.1'))).toEqual([]);
    expect(await blue.sync(app('blueteam', blueLabels, '10.2.0.1'))).toEqual([]);
    const del = objectMsg(ingress('red', 'web', [{ host: HOST, path: '/', service: 'svc' }]), {
      namespaceLabels: red,
      op: 'delete',
    });
    expect(await primary.sync([del])).toEqual([]);
    const nudge = primary.published.find((e) => e.detailType === 'sweep-requested');
    expect(nudge?.detail).toMatchObject({ cluster: 'cluster', instance: 'cluster/blue' });
    const models = (nudge!.detail as { models: string[] }).models;
    expect(models).toHaveLength(1);
    expect(models[0]).toMatch(/^admin\/cluster--blue-Shared-L7-\d+$/);
    // The router turns it into a sweep message with those models.
    expect(
      await blue.sync([
        {
          type: 'sweep',
          version: 1,
          cluster: 'cluster',
          requestedAt: '2026-01-01T00:00:00Z',
          models,
        } as InstanceMessage,
      ]),
    ).toEqual([]);
    expect(poolsFor().map((p) => `${p.name} ${p.created_by}`)).toEqual([
      `cluster--${HOST}_-blueteam-web ako-cluster-blue`,
    ]);
  });

  it("deleteConfig gives the instance's hosts back to the cluster", async () => {
    const p = instanceFor(sim, {
      namespace: 'avi-system',
      primary: true,
      labelKey: 'app',
      labelValue: 'migrate',
      set: { 'AKOSettings.deleteConfig': true },
    });
    expect(await primary.sync(app('red', red, '10.1.0.1'))).toEqual([]);
    expect(await blue.sync(app('blueteam', blueLabels, '10.2.0.1'))).toEqual([]);
    const deleting = makeRig(sim, p, { hostClaims: claims, store: primary.store });
    expect(await deleting.sync(app('red', red, '10.1.0.1'))).toEqual([]);
    expect(await claims.heldBy('cluster/avi-system')).toEqual([]);
    expect(deleting.published.find((e) => e.detailType === 'sweep-requested')?.detail).toMatchObject({
      instance: 'cluster/blue',
    });
  });
});
