/**
 * The forwarder stamps every object change and inventory with its position in the forwarder's stream; whatever
 * order the bus delivers them in, the event with the latest position of an object carries the object's live state
 * and an inventory sorts after the object events it lists.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { STREAM_SEQUENCE_PATTERN } from '../../shared/events/index.ts';
import { type Detail, events, eventually, objectChanges, type Rig, startRig } from './harness.ts';

const svc = (labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's1', namespace: 'shop', labels },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
});

describe('stream sequence', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('every object change and inventory has a unique position; the latest one carries the live state', async () => {
    rig = await startRig({
      before: (dc) => {
        dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { app: 'a' } } });
        dc.apply(svc({ v: '1' }));
      },
    });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    for (const v of ['2', '3', '4']) dc.apply(svc({ v }));
    await eventually(
      () => objectChanges(pub).some((d: Detail) => d.name === 's1' && d.object?.metadata.labels?.v === '4'),
      'the last change published',
    );
    const inventories = () => events(pub).filter((e) => e.detailType === 'inventory' && e.detail.namespace === 'shop');
    const before = inventories().length;
    fwd.requestInventory();
    await eventually(() => inventories().length > before, 'the requested inventory');
    await fwd.drained();
    const all = events(pub).filter((e) => e.detailType === 'object-change' || e.detailType === 'inventory');
    const seqs = all.map((e) => e.detail.sequence as string);
    expect(seqs.every((s) => STREAM_SEQUENCE_PATTERN.test(s))).toBe(true);
    expect(new Set(seqs).size).toBe(seqs.length);
    const mine = objectChanges(pub).filter((d: Detail) => d.kind === 'Service' && d.name === 's1');
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const latest = [...mine].sort((a, b) => (a.sequence < b.sequence ? -1 : 1)).at(-1);
    expect(latest.object.metadata.labels).toEqual({ v: '4' });
    expect(latest.resourceVersion).toBe(dc.get('v1', 'Service', 'shop', 's1')!.metadata.resourceVersion);
    // The inventory requested after the changes is positioned after the object events it lists.
    const inv = inventories().at(-1)!;
    expect(inv.detail.sequence > latest.sequence).toBe(true);
  });
});
