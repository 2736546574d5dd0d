/**
 * A namespace hand-off whose messages arrive in any order (EventBridge does not order the hold, the release, the
 * republished objects and the adopt). Each order must end with the namespace served by the new owner only, the
 * old owner's objects gone, and no message left failing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import type { InstanceMessage } from '../../shared/events/index.ts';
import {
  byName,
  endpointSlice,
  ingress,
  instanceFor,
  makeRig,
  nsMsg,
  objectMsg,
  type Rig,
  service,
} from './harness.ts';

let sim: AviSim;
let primary: Rig;
let blue: Rig;
const NS = 'moving';
const oldLabels = { app: 'migrate' };
const newLabels = { key: 'value2' };
const POOL = 'cluster--abc.com_foo-moving-mig';
const HANDOFF = 'h-1';
const BACK = 'h-2';

beforeEach(async () => {
  sim = await startAviSim();
  const p = instanceFor(sim, { namespace: 'avi-system', primary: true, labelKey: 'app', labelValue: 'migrate' });
  const b = instanceFor(sim, { namespace: 'blue', primary: false, labelKey: 'key', labelValue: 'value2' });
  primary = makeRig(sim, p);
  blue = makeRig(sim, b);
  expect(await primary.sync(objects(oldLabels))).toEqual([]);
  expect(byName(sim, 'pool').get(POOL)).toMatchObject({ created_by: 'ako-cluster' });
});
afterEach(async () => {
  await sim?.close();
});

function objects(labels: Record<string, string>): InstanceMessage[] {
  return [
    objectMsg(service(NS, 'avisvc'), { namespaceLabels: labels }),
    objectMsg(endpointSlice(NS, 'avisvc', ['5.5.5.5']), { namespaceLabels: labels }),
    objectMsg(ingress(NS, 'mig', [{ host: 'abc.com' }]), { namespaceLabels: labels }),
  ];
}
const withHandoff = (m: InstanceMessage, id: string): InstanceMessage => ({ ...m, handoffId: id }) as InstanceMessage;
const hold = (id = HANDOFF) => withHandoff(nsMsg('hold', NS), id);
const release = (id = HANDOFF, to = 'cluster/blue') => withHandoff(nsMsg('release', NS, to), id);
const adopt = (id = HANDOFF) => withHandoff(nsMsg('adopt', NS), id);

/** The old owner releases: its objects go and it confirms (the router turns that into the adopt). */
async function oldOwnerReleases(): Promise<void> {
  expect(await primary.sync([release()])).toEqual([]);
  expect(primary.published.some((e) => e.detailType === 'release-confirmed')).toBe(true);
}

function servedByNewOwnerOnly(): void {
  expect(byName(sim, 'pool').get(POOL)).toMatchObject({
    created_by: 'ako-cluster-blue',
    servers: [expect.objectContaining({ ip: { addr: '5.5.5.5', type: 'V4' } })],
  });
  const owners = [...byName(sim, 'virtualservice').values()]
    .filter((vs) => JSON.stringify(vs).includes('abc.com') || String(vs.name).includes('Shared'))
    .map((vs) => `${vs.name} ${vs.created_by}`);
  expect(owners.some((o) => o.startsWith('cluster--blue-Shared-L7-') && o.endsWith(' ako-cluster-blue'))).toBe(true);
  // Nothing of the moved namespace is left with the old owner.
  const leftovers = [...byName(sim, 'pool').values()].filter((p) => p.created_by === 'ako-cluster');
  expect(leftovers).toEqual([]);
}

describe('hand-off in any delivery order', () => {
  it('objects before the hold: the new owner waits for the old owner instead of failing on its names', async () => {
    // The republished objects overtake the hold: the pool name is still the old owner's.
    const failed = await blue.sync(objects(newLabels));
    expect(blue.deadLetters).toEqual([]);
    expect(byName(sim, 'pool').get(POOL)).toMatchObject({ created_by: 'ako-cluster' });
    // Failed messages come back from the queue; they must not have been written off as permanent.
    expect(await blue.sync([hold()])).toEqual([]);
    await oldOwnerReleases();
    expect(await blue.sync([adopt()])).toEqual([]);
    if (failed.length > 0) expect(await blue.sync(objects(newLabels))).toEqual([]);
    servedByNewOwnerOnly();
  });

  it('adopt before the hold: the late hold of the same hand-off does not take the namespace back', async () => {
    expect(await blue.sync(objects(newLabels).map((m) => m))).toBeDefined();
    await oldOwnerReleases();
    expect(await blue.sync([adopt()])).toEqual([]);
    expect(await blue.sync(objects(newLabels))).toEqual([]);
    servedByNewOwnerOnly();
    // The hold of this hand-off arrives last (delayed or delivered twice).
    expect(await blue.sync([hold()])).toEqual([]);
    expect((await blue.store.getNamespaceState(NS))?.state).toBe('owned');
    servedByNewOwnerOnly();
  });

  it('release before the hold and the objects: adopt, hold, objects in that order', async () => {
    await oldOwnerReleases();
    expect(await blue.sync([adopt()])).toEqual([]);
    expect(await blue.sync([hold()])).toEqual([]);
    expect(await blue.sync(objects(newLabels))).toEqual([]);
    servedByNewOwnerOnly();
  });

  it('a duplicated release after the adopt removes nothing of the new owner', async () => {
    expect(await blue.sync([hold(), ...objects(newLabels)])).toEqual([]);
    await oldOwnerReleases();
    expect(await blue.sync([adopt()])).toEqual([]);
    expect(await primary.sync([release()])).toEqual([]);
    servedByNewOwnerOnly();
  });

  it('a late adopt of a finished hand-off, after the namespace moved back, does not serve it twice', async () => {
    expect(await blue.sync([hold(), ...objects(newLabels)])).toEqual([]);
    await oldOwnerReleases();
    expect(await blue.sync([adopt()])).toEqual([]);
    servedByNewOwnerOnly();
    // The namespace moves back to the primary (hand-off h-2): blue releases, the primary adopts.
    expect(await primary.sync([hold(BACK), ...objects(oldLabels)])).toEqual([]);
    expect(await blue.sync([release(BACK, 'cluster/avi-system')])).toEqual([]);
    expect(await primary.sync([adopt(BACK)])).toEqual([]);
    expect(byName(sim, 'pool').get(POOL)).toMatchObject({ created_by: 'ako-cluster' });
    // A copy of h-1's adopt arrives late at blue.
    expect(await blue.sync([adopt()])).toEqual([]);
    expect((await blue.store.getNamespaceState(NS))?.state).toBe('released');
    expect(byName(sim, 'pool').get(POOL)).toMatchObject({ created_by: 'ako-cluster' });
    expect([...byName(sim, 'pool').values()].filter((p) => p.created_by === 'ako-cluster-blue')).toEqual([]);
  });

  it('a late release of a finished hand-off, after the namespace came back, does not drop it', async () => {
    await oldOwnerReleases();
    expect(await blue.sync([hold(), ...objects(newLabels), adopt()])).toEqual([]);
    // Back to the primary.
    expect(await primary.sync([hold(BACK), ...objects(oldLabels)])).toEqual([]);
    expect(await blue.sync([release(BACK, 'cluster/avi-system')])).toEqual([]);
    expect(await primary.sync([adopt(BACK)])).toEqual([]);
    expect(byName(sim, 'pool').get(POOL)).toMatchObject({ created_by: 'ako-cluster' });
    // A copy of h-1's release arrives late at the primary, which serves the namespace again.
    const confirmations = primary.published.filter((e) => e.detailType === 'release-confirmed').length;
    expect(await primary.sync([release()])).toEqual([]);
    expect((await primary.store.getNamespaceState(NS))?.state).toBe('owned');
    expect(byName(sim, 'pool').get(POOL)).toMatchObject({ created_by: 'ako-cluster' });
    expect(primary.published.filter((e) => e.detailType === 'release-confirmed')).toHaveLength(confirmations);
  });

  it('a repeated release of a namespace still released confirms again (the first confirmation may be lost)', async () => {
    await oldOwnerReleases();
    expect(await primary.sync([release()])).toEqual([]);
    const confirmations = primary.published.filter((e) => e.detailType === 'release-confirmed');
    expect(confirmations).toHaveLength(2);
    expect(confirmations[1]!.detail).toMatchObject({ namespace: NS, toInstance: 'cluster/blue', handoffId: HANDOFF });
  });

  describe('relist releases (a move whose messages were lost: a killed process, labels changed while nothing ran)', () => {
    const relist = (sequence: string, to = 'cluster/blue') =>
      ({
        type: 'release',
        version: 1,
        cluster: 'cluster',
        namespace: NS,
        relist: true,
        handoffTo: to,
        handoffId: `relist-${sequence}`,
        sequence,
      }) as InstanceMessage;
    /** The adopt the router sends on the release-confirmed the old owner published last. */
    const adoptFromConfirmation = (): InstanceMessage => {
      const c = primary.published.filter((e) => e.detailType === 'release-confirmed').at(-1)!.detail as Record<
        string,
        unknown
      >;
      return {
        type: 'adopt',
        version: 1,
        cluster: 'cluster',
        namespace: NS,
        from: 'cluster/avi-system',
        handoffId: c.handoffId,
        ...(c.relist ? { relist: true } : {}),
        ...(c.sequence ? { sequence: c.sequence } : {}),
      } as InstanceMessage;
    };

    it('the old owner still serving releases, and the owner held for the lost hand-off adopts', async () => {
      // The hold reached blue; the release never reached the primary.
      expect(await blue.sync([hold(), ...objects(newLabels)])).toEqual([]);
      expect(await primary.sync([relist('0001765000000000-000010')])).toEqual([]);
      expect(byName(sim, 'pool').has(POOL)).toBe(false);
      const confirmed = primary.published.filter((e) => e.detailType === 'release-confirmed').at(-1)!;
      expect(confirmed.detail).toMatchObject({ toInstance: 'cluster/blue', relist: true });
      expect(await blue.sync([adoptFromConfirmation()])).toEqual([]);
      servedByNewOwnerOnly();
    });

    it('an instance that released already confirms again; one that never had the namespace stays silent', async () => {
      await oldOwnerReleases();
      const before = primary.published.length;
      expect(await primary.sync([relist('0001765000000000-000011')])).toEqual([]);
      expect(primary.published.slice(before).map((e) => e.detailType)).toEqual(['release-confirmed']);
      const quiet = blue.published.length;
      expect(await blue.sync([relist('0001765000000000-000012', 'cluster/avi-system')])).toEqual([]);
      expect(blue.published.length).toBe(quiet);
    });

    it('a relist older than the hand-off that gave the namespace back is ignored', async () => {
      await oldOwnerReleases();
      expect(await blue.sync([hold(), ...objects(newLabels), adopt()])).toEqual([]);
      // Back to the primary at stream position 20; then a relist taken at position 15 (blue's era) arrives late.
      expect(await primary.sync([{ ...hold(BACK), sequence: '0001765000000000-000020' } as InstanceMessage])).toEqual(
        [],
      );
      expect(await blue.sync([release(BACK, 'cluster/avi-system')])).toEqual([]);
      expect(await primary.sync([adopt(BACK), ...objects(oldLabels)])).toEqual([]);
      expect(byName(sim, 'pool').get(POOL)).toMatchObject({ created_by: 'ako-cluster' });
      expect(await primary.sync([relist('0001765000000000-000015')])).toEqual([]);
      expect((await primary.store.getNamespaceState(NS))?.state).toBe('owned');
      expect(byName(sim, 'pool').get(POOL)).toMatchObject({ created_by: 'ako-cluster' });
    });
  });
});
