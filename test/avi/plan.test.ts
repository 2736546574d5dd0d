import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyChecksum, matchesCurrent, objectId, planOperations, tierOf } from '../../shared/avi/index.ts';
import type { AppliedModel } from '../../shared/avi/types.ts';
import type { AviModel } from '../../shared/model/types.ts';
import { l4Model, sharedModel } from './fixtures.ts';

const shared = () =>
  sharedModel({
    cluster: 'c1',
    createdBy: 'ako-c1',
    vsName: 'c1--Shared-L7-0',
    hosts: [{ host: 'foo.com', path: '/foo', ns: 'default', ing: 'ing1', servers: ['10.0.0.1'] }],
    sni: [{ host: 'sec.com', path: '/a', ns: 'default', ing: 'ing2', servers: ['10.0.0.2'], cert: 'x' }],
  });

/** What the reconciler would record after applying `m` fully. */
function appliedOf(m: AviModel): AppliedModel {
  return {
    name: m.name,
    objects: m.objects.map((o, i) => ({
      type: o.type,
      name: o.name,
      tenant: o.tenant,
      uuid: `${o.type}-${i}`,
      checksum: bodyChecksum(o.body),
      tier: tierOf(o.type, o.body),
    })),
  };
}

const typeOrder = [
  'vsvip',
  'sslkeyandcertificate',
  'pool',
  'poolgroup',
  'httppolicyset',
  'vsdatascriptset',
  'l4policyset',
  'virtualservice',
];

describe('planOperations', () => {
  it('creates everything bottom-up on first apply: VsVip, certs, pools, PGs, HTTPPS, DS, L4PS, VS, SNI child last', () => {
    const plan = planOperations(shared(), undefined);
    expect(plan.every((p) => p.op === 'create')).toBe(true);
    const names = plan.map((p) => (p.op === 'delete' ? '' : `${p.object.type}:${p.object.name}`));
    expect(names[0]).toBe('vsvip:c1--Shared-L7-0');
    expect(names[1]).toBe('sslkeyandcertificate:c1--sec.com');
    expect(names.at(-2)).toBe('virtualservice:c1--Shared-L7-0');
    expect(names.at(-1)).toBe('virtualservice:c1--sec.com');
    const types = plan.map((p) => (p.op === 'delete' ? '' : p.object.type));
    const ranks = types.map((t) => typeOrder.indexOf(t));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('plans nothing but skips for an unchanged model (no-op resync = zero writes)', () => {
    const m = shared();
    const plan = planOperations(m, appliedOf(m));
    expect(plan.map((p) => p.op)).toEqual(m.objects.map(() => 'skip'));
  });

  it('updates only the changed object and reuses its uuid', () => {
    const m = shared();
    const applied = appliedOf(m);
    const changed = structuredClone(m);
    const p = changed.objects.find((o) => o.type === 'pool')!;
    (p.body.servers as unknown[]).push({ ip: { addr: '10.0.0.9', type: 'V4' }, port: 8080 });
    p.body.cloud_config_cksum = '999';
    const plan = planOperations(changed, applied);
    const writes = plan.filter((x) => x.op !== 'skip');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ op: 'update', object: { type: 'pool', name: p.name } });
    const idx = m.objects.findIndex((o) => o.name === p.name && o.type === 'pool');
    expect(writes[0]!.op === 'update' && writes[0]!.uuid).toBe(`pool-${idx}`);
  });

  it('deletes removed objects top-down after the updates, child VS before its cert/HTTPPS/PG/pool', () => {
    const m = shared();
    const applied = appliedOf(m);
    const without = sharedModel({
      cluster: 'c1',
      createdBy: 'ako-c1',
      vsName: 'c1--Shared-L7-0',
      hosts: [{ host: 'foo.com', path: '/foo', ns: 'default', ing: 'ing1', servers: ['10.0.0.1'] }],
    });
    const plan = planOperations(without, applied);
    const firstDelete = plan.findIndex((p) => p.op === 'delete');
    expect(plan.slice(0, firstDelete).every((p) => p.op !== 'delete')).toBe(true);
    const deletes = plan.slice(firstDelete).map((p) => (p.op === 'delete' ? `${p.target.type}:${p.target.name}` : '?'));
    expect(deletes).toEqual([
      'virtualservice:c1--sec.com',
      'httppolicyset:c1--default-sec.com',
      'httppolicyset:c1--Shared-L7-0',
      'poolgroup:c1--default-sec.com_a-ing2',
      'pool:c1--default-sec.com_a-ing2',
      'sslkeyandcertificate:c1--sec.com',
    ]);
    // The parent VS drops its redirect policy (update) before that policy is deleted.
    const vsUpdate = plan.findIndex((p) => p.op === 'update' && p.object.type === 'virtualservice');
    expect(vsUpdate).toBeGreaterThan(-1);
    expect(vsUpdate).toBeLessThan(firstDelete);
  });

  it('never deletes a VsVip still used by a desired VS (shared VsVip is trimmed instead)', () => {
    const m = shared();
    const applied = appliedOf(m);
    const desired = structuredClone(m);
    desired.objects = desired.objects.filter((o) => o.type !== 'vsvip');
    const plan = planOperations(desired, applied);
    expect(plan.some((p) => p.op === 'delete' && p.target.type === 'vsvip')).toBe(false);
  });

  it('removes a whole model top-down: VS before VsVip, PG before pool', () => {
    const m = l4Model({ cluster: 'c1', createdBy: 'ako-c1', ns: 'red', svc: 'web', port: 80, servers: ['1.1.1.1'] });
    const plan = planOperations(undefined, appliedOf(m));
    expect(plan.map((p) => (p.op === 'delete' ? p.target.type : p.op))).toEqual([
      'virtualservice',
      'l4policyset',
      'pool',
      'vsvip',
    ]);
  });

  it('with the controller state: re-creates what vanished, skips what already matches, rewrites drift', () => {
    const m = shared();
    const applied = appliedOf(m);
    const current = new Map<string, { uuid: string; body: Record<string, unknown> }>();
    m.objects.forEach((o, i) => {
      current.set(objectId(o), { uuid: `${o.type}-${i}`, body: { ...o.body } });
    });
    const pool = m.objects.find((o) => o.type === 'pool')!;
    current.delete(objectId(pool));
    const ds = m.objects.find((o) => o.type === 'vsdatascriptset')!;
    current.get(objectId(ds))!.body = { ...ds.body, datascript: [] };
    // Forget the applied record of one object that is nonetheless there: adopted as a skip when it matches.
    const pg = m.objects.find((o) => o.type === 'poolgroup')!;
    applied.objects = applied.objects.filter((a) => a.name !== pg.name || a.type !== 'poolgroup');
    const plan = planOperations(m, applied, current);
    const byName = new Map(
      plan.map((p) => [p.op === 'delete' ? p.target.name : `${p.object.type}:${p.object.name}`, p.op]),
    );
    expect(byName.get(`pool:${pool.name}`)).toBe('create');
    expect(byName.get(`vsdatascriptset:${ds.name}`)).toBe('update');
    expect(byName.get(`poolgroup:${pg.name}`)).toBe('skip');
    expect(plan.filter((p) => p.op !== 'skip')).toHaveLength(2);
  });

  it('orders any mix of applied and desired objects: every referenced object is written before its referrer', () => {
    const models = [
      shared(),
      l4Model({ cluster: 'c1', createdBy: 'ako-c1', ns: 'red', svc: 'web', port: 80, servers: ['1.1.1.1'] }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        (m, keepDesired, keepApplied) => {
          const desired = { ...m, objects: m.objects.filter((_, i) => keepDesired[i]) };
          const full = appliedOf(m);
          const applied = { ...full, objects: full.objects.filter((_, i) => keepApplied[i]) };
          const plan = planOperations(desired, applied);
          const pos = new Map<string, number>();
          plan.forEach((p, i) => {
            if (p.op !== 'delete') pos.set(`${p.object.type}/${p.object.name}`, i);
          });
          for (const [i, p] of plan.entries()) {
            if (p.op === 'delete') continue;
            for (const s of JSON.stringify(p.object.body).matchAll(/\/api\/([a-z]+)\/?\?name=([^"]+)/g)) {
              const at = pos.get(`${s[1]}/${s[2]}`);
              if (at !== undefined) expect(at).toBeLessThan(i);
            }
          }
          // Each desired object appears once; each applied-but-not-desired once as a delete.
          expect(plan.filter((p) => p.op !== 'delete')).toHaveLength(desired.objects.length);
        },
      ),
    );
  });
});

describe('matchesCurrent', () => {
  it('compares by cloud_config_cksum where the type has one', () => {
    const m = shared();
    const pool = m.objects.find((o) => o.type === 'pool')!;
    expect(matchesCurrent(pool, { ...pool.body, servers: [] })).toBe(true);
    expect(matchesCurrent(pool, { ...pool.body, cloud_config_cksum: 'other' })).toBe(false);
  });
  it('compares refs by type and name, ignores the redacted key and server-set fields', () => {
    const m = shared();
    const cert = m.objects.find((o) => o.type === 'sslkeyandcertificate')!;
    expect(matchesCurrent(cert, { ...cert.body, key: '<sensitive>', uuid: 'x', _last_modified: '1' })).toBe(true);
    const ds = m.objects.find((o) => o.type === 'vsdatascriptset')!;
    const onController = {
      ...ds.body,
      tenant_ref: 'https://h/api/tenant/admin#admin',
      pool_group_refs: ['https://h/api/poolgroup/poolgroup-1#c1--Shared-L7-0'],
    };
    expect(matchesCurrent(ds, onController)).toBe(true);
    expect(
      matchesCurrent(ds, { ...onController, pool_group_refs: ['https://h/api/poolgroup/poolgroup-1#other'] }),
    ).toBe(false);
  });
});
