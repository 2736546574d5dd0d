// The references of CRs read from a controller (the simulator) and fed back to the model: a missing one and an
// application profile of the wrong type reject the HostRule with AKO's checkRefOnController wording.
import { describe, expect, it } from 'vitest';
import { readAviRefs } from '../../shared/avi/avi-refs.ts';
import { buildCrStatuses, referencedAviObjects } from '../../shared/model/index.ts';
import { clientFor, withSim } from '../avi/helpers.ts';
import { hostRule, httpRule } from './crd-fixtures.ts';
import * as f from './fixtures.ts';

describe('CR references read from the controller', () => {
  it('lists what the CRs refer to, reads it, and validates with it', async () => {
    const good = hostRule('default', 'good', { fqdn: 'a.com', applicationProfile: 'System-Secure-HTTP' });
    const l4prof = hostRule('default', 'l4prof', { fqdn: 'b.com', applicationProfile: 'System-L4-Application' });
    const missingHm = httpRule('default', 'hm', 'a.com', [{ target: '/', healthMonitors: ['no-such-hm'] }]);
    const view = f.view([f.ns('default', { app: 'migrate' })], [good, l4prof, missingHm]);
    const wanted = referencedAviObjects(f.primary(), view);
    expect(Object.fromEntries([...wanted].map(([k, v]) => [k, [...v].sort()]))).toEqual({
      applicationprofile: ['System-L4-Application', 'System-Secure-HTTP'],
      healthmonitor: ['no-such-hm'],
    });
    await withSim({}, async (sim) => {
      const aviRefs = await readAviRefs(
        clientFor(sim, { owner: 'ako-cluster', clusterName: 'cluster' }),
        wanted,
        'admin',
      );
      expect(buildCrStatuses(f.primary(), view, { aviRefs })).toEqual([
        {
          kind: 'HTTPRule',
          namespace: 'default',
          name: 'hm',
          status: 'Rejected',
          error: 'healthmonitor "no-such-hm" not found on controller',
        },
        { kind: 'HostRule', namespace: 'default', name: 'good', status: 'Accepted', error: '' },
        {
          kind: 'HostRule',
          namespace: 'default',
          name: 'l4prof',
          status: 'Rejected',
          error:
            'applicationprofile "System-L4-Application" found on controller is invalid, must be of type: APPLICATION_PROFILE_TYPE_HTTP',
        },
      ]);
    });
  });
});
