import { describe, expect, it } from 'vitest';
import { type Delivery, route } from '../../functions/router/route.ts';
import { type BusEvent, parseBusEvent } from '../../shared/events/index.ts';
import { change, index, objectEvent } from './fixtures.ts';

const parsed = (raw: unknown): BusEvent => {
  const r = parseBusEvent(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};
const decide = (raw: unknown) => route(parsed(raw), index);
const where = (d: Delivery) => `${d.target.queue}:${d.target.instanceId}`;

describe('routing AKO custom resources', () => {
  it('an AviInfraSetting (cluster-scoped) goes to every instance of its cluster', () => {
    const c = change({ kind: 'AviInfraSetting', apiVersion: 'ako.vmware.com/v1beta1', name: 'infra-blue' });
    const d = decide(objectEvent(c));
    expect(d.problems).toEqual([]);
    expect(d.deliveries.map(where)).toEqual(['sync:demo/avi-system', 'sync:demo/blue']);
    expect(d.deliveries.every((x) => x.groupId === '_cluster')).toBe(true);
  });

  it('its deletion goes to every instance too', () => {
    const c = change({
      kind: 'AviInfraSetting',
      apiVersion: 'ako.vmware.com/v1beta1',
      name: 'infra-blue',
      op: 'delete',
    });
    expect(decide(objectEvent(c)).deliveries.map(where)).toEqual(['sync:demo/avi-system', 'sync:demo/blue']);
  });

  it('a HostRule follows its namespace owner like any object, and nowhere when nobody owns it', () => {
    const mine = change({
      kind: 'HostRule',
      apiVersion: 'ako.vmware.com/v1beta1',
      namespace: 'team',
      name: 'shop-host',
      namespaceLabels: { key: 'value2' },
    });
    const d = decide(objectEvent(mine));
    expect(d.deliveries.map(where)).toEqual(['sync:demo/blue']);
    expect(d.deliveries[0]!.groupId).toBe('team');
    const nobody = change({ ...mine, namespaceLabels: { other: 'x' }, resourceVersion: '999' });
    const n = decide(objectEvent(nobody));
    expect(n.deliveries).toEqual([]);
    expect(n.ignored).toContain('no owner');
  });

  it('another cluster-scoped custom resource is still refused with a reason', () => {
    const c = change({ kind: 'GatewayClass', apiVersion: 'networking.x-k8s.io/v1alpha1', name: 'gc' });
    const d = decide(objectEvent(c));
    expect(d.deliveries).toEqual([]);
    expect(d.problems[0]).toMatchObject({ reason: 'unroutable-kind' });
    expect(d.problems[0]!.message).toContain('AviInfraSetting');
  });
});
