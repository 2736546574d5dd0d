// EVH models pushed through the reconciler to the Avi simulator (swagger validation, ref resolution,
// VH parent/child rules): primary and non-primary instances side by side.
import { describe, expect, it } from 'vitest';
import { createReconciler } from '../../shared/avi/index.ts';
import { buildModels } from '../../shared/model/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import { clientFor, withSim } from '../avi/helpers.ts';
import * as f from './fixtures.ts';

function objs(ns: string): KubeObject[] {
  return [
    f.aviClass(),
    ...f.avisvc(ns),
    f.tlsSecret(ns, 'my-secret'),
    f.ingress(ns, 'secure', [{ host: `foo.${ns}.com`, paths: [{ path: '/foo', service: 'avisvc' }] }], {
      tls: [{ hosts: [`foo.${ns}.com`], secretName: 'my-secret' }],
    }),
    f.ingress(ns, 'plain', [{ host: `bar.${ns}.com`, paths: [{ path: '/bar', service: 'avisvc' }] }]),
  ];
}

describe('EVH through the simulator', () => {
  it('primary and non-primary EVH models apply cleanly and the children hang off their own parents', async () => {
    await withSim({ vipNetwork: { name: 'net123', cidr: '10.250.250.0/24' } }, async (sim) => {
      const primary = f.primary({ 'AKOSettings.enableEVH': true, 'L7Settings.shardVSSize': 'SMALL' });
      const blue = f.blue({ 'AKOSettings.enableEVH': true, 'L7Settings.shardVSSize': 'SMALL' });
      const runs = [
        { inst: primary, view: f.view([f.ns('red', { app: 'migrate' })], objs('red')) },
        { inst: blue, view: f.view([f.ns('green', { key: 'value2' })], objs('green')) },
      ];
      for (const { inst, view } of runs) {
        const state = buildModels(inst, view, { dnsSubdomains: [] });
        expect(state.skipped).toEqual([]);
        const rec = createReconciler({
          client: clientFor(sim, { owner: inst.createdBy, clusterName: inst.clusterName }),
          instance: inst,
        });
        for (const m of state.models) {
          const res = await rec.apply(m, undefined);
          expect(res.operations.filter((o) => !o.ok)).toEqual([]);
        }
      }
      const vses = (sim.dump().virtualservice ?? []) as Record<string, unknown>[];
      const byName = new Map(vses.map((v) => [v.name as string, v]));
      expect(byName.get('cluster--Shared-L7-EVH-0')?.type).toBe('VS_TYPE_VH_PARENT');
      expect(byName.get('cluster--blue-Shared-L7-EVH-0')?.type).toBe('VS_TYPE_VH_PARENT');
      const children = vses.filter((v) => v.type === 'VS_TYPE_VH_CHILD');
      expect(children).toHaveLength(4);
      const parentUuid = (name: string) => byName.get(name)?.uuid as string;
      for (const c of children) {
        const host = (c.vh_matches as { host: string }[])[0]!.host;
        const parent = host.endsWith('.red.com') ? 'cluster--Shared-L7-EVH-0' : 'cluster--blue-Shared-L7-EVH-0';
        expect(String(c.vh_parent_vs_ref)).toContain(parentUuid(parent));
        expect(c.vh_type).toBe('VS_TYPE_VH_ENHANCED');
      }
    });
  });
});
