// The ownership policy and the cold-start decision are pure: what may be written, and when the initial sync runs.
import { describe, expect, it } from 'vitest';
import { mayChange, mayCreate, ownershipOfRecord } from '../../shared/avi/policy.ts';
import { addressesOf, createControllerView, entryFromRecord } from '../../shared/avi/view.ts';
import { initialSyncDecision } from '../../shared/instance/cold-start.ts';

const ME = 'ako-c1';

describe('ownership policy', () => {
  it('objects with created_by: only ours may be changed, and a refusal names the owner', () => {
    expect(ownershipOfRecord('pool', { created_by: ME }, ME)).toEqual({ owned: true });
    expect(ownershipOfRecord('pool', { created_by: 'ako-c2' }, ME)).toMatchObject({
      owned: false,
      createdBy: 'ako-c2',
    });
    expect(ownershipOfRecord('pool', {}, ME)).toMatchObject({ owned: false });
    expect(ownershipOfRecord('pool', { created_by: ME }, undefined)).toMatchObject({ owned: false });
  });

  it('VsVips only through our VS: a VsVip another owner’s VS uses is refused, naming that owner', () => {
    const vsvip = { uuid: 'vsvip-1', name: 'c1--Shared-L7-0' };
    const theirs = { name: 'c1--Shared-L7-0', created_by: 'someone', vsvip_ref: '/api/vsvip/vsvip-1' };
    const ours = { name: 'c1--Shared-L7-0', created_by: ME, vsvip_ref: '/api/vsvip/vsvip-1' };
    expect(ownershipOfRecord('vsvip', vsvip, ME, { usedBy: [theirs] })).toMatchObject({
      owned: false,
      createdBy: 'someone',
    });
    expect(ownershipOfRecord('vsvip', vsvip, ME, { usedBy: [ours] })).toEqual({ owned: true });
    expect(ownershipOfRecord('vsvip', vsvip, ME, { usedBy: [], sameNameVs: theirs })).toMatchObject({ owned: false });
    // Unattached and not marked for this cluster: not ours.
    expect(ownershipOfRecord('vsvip', vsvip, ME, { usedBy: [], clusterName: 'c1' })).toMatchObject({ owned: false });
    const marked = { ...vsvip, markers: [{ key: 'clustername', values: ['c1'] }] };
    expect(ownershipOfRecord('vsvip', marked, ME, { usedBy: [], clusterName: 'c1' })).toEqual({ owned: true });
  });

  it('creates only with our created_by and only of types this product creates', () => {
    expect(mayCreate('pool', { created_by: ME }, ME)).toEqual({ owned: true });
    expect(mayCreate('pool', { created_by: 'x' }, ME)).toMatchObject({ owned: false });
    expect(mayCreate('vrfcontext', {}, ME)).toMatchObject({ owned: false });
  });

  it('planned updates/deletes are decided from the view without a read', () => {
    const view = createControllerView();
    view.set({ type: 'pool', name: 'p', tenant: 'admin', uuid: 'u1', createdBy: ME });
    view.set({ type: 'pool', name: 'q', tenant: 'admin', uuid: 'u2', createdBy: 'other' });
    expect(mayChange(view.get('admin/pool/p'), ME)).toEqual({ owned: true });
    expect(mayChange(view.get('admin/pool/q'), ME)).toMatchObject({ owned: false, createdBy: 'other' });
    expect(mayChange(undefined, ME)).toMatchObject({ owned: false });
  });
});

describe('controller view', () => {
  it('a listing is authoritative: stored records no longer seed entries the listing did not have', () => {
    const view = createControllerView();
    view.seed([{ type: 'pool', name: 'p', tenant: 'admin', uuid: 'u1', checksum: 'c' }], ME);
    expect(view.get('admin/pool/p')).toMatchObject({ uuid: 'u1', createdBy: ME, checksum: 'c' });
    view.replace([]);
    view.seed([{ type: 'pool', name: 'p', tenant: 'admin', uuid: 'u1', checksum: 'c' }], ME);
    expect(view.get('admin/pool/p')).toBeUndefined();
    expect(view.listed).toBe(true);
  });

  it('keeps a VsVip’s allocated addresses and FQDNs from the controller’s answer', () => {
    const e = entryFromRecord(
      'vsvip',
      {
        uuid: 'v1',
        name: 'vs',
        _last_modified: '123',
        vip: [{ vip_id: '0', ip_address: { addr: '10.0.0.5', type: 'V4' }, auto_allocate_ip: true }],
        dns_info: [{ fqdn: 'a.example.com' }],
      },
      { name: 'vs', tenant: 'admin' },
    );
    expect(e).toMatchObject({ uuid: 'v1', lastModified: '123', fqdns: ['a.example.com'] });
    expect(addressesOf(e.vip)).toEqual(['10.0.0.5']);
  });
});

describe('cold start decision', () => {
  it('waits for an inventory of every namespace, then runs; after the wait it runs anyway', () => {
    const base = { namespaces: ['a', 'b'], maxWaitMs: 30_000 };
    expect(initialSyncDecision({ ...base, inventoried: [], waitedMs: 0 })).toEqual({ due: false, missing: ['a', 'b'] });
    expect(initialSyncDecision({ ...base, inventoried: ['a'], waitedMs: 10 })).toEqual({ due: false, missing: ['b'] });
    expect(initialSyncDecision({ ...base, inventoried: ['a', 'b'], waitedMs: 10 })).toEqual({ due: true, missing: [] });
    expect(initialSyncDecision({ ...base, inventoried: ['a'], waitedMs: 30_000 })).toEqual({
      due: true,
      missing: ['b'],
    });
    // No namespace known and no inventory yet: nothing proves the view is complete.
    expect(initialSyncDecision({ namespaces: [], inventoried: [], waitedMs: 0, maxWaitMs: 30_000 }).due).toBe(false);
  });
});
