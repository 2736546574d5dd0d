/**
 * CRs through the sync function: with `cloudFacts` wired (CR references read from the controller), a HostRule
 * naming an Avi object the controller lacks is rejected by the model and the shard still applies; a valid one
 * changes the SNI child on the controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { crdFactsReader } from '../../shared/avi/avi-refs.ts';
import type { KeyProvider } from '../../shared/crypto/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import {
  byName,
  endpointSlice,
  ingress,
  instanceFor,
  makeRig,
  objectMsg,
  type Rig,
  service,
  tempKeyProvider,
  tlsSecret,
} from './harness.ts';

let sim: AviSim;
let rig: Rig;
let keys: KeyProvider;
const NS = 'red';
const labels = { app: 'migrate' };
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUe3Rlc3Q=\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

beforeAll(async () => {
  sim = await startAviSim();
  keys = tempKeyProvider();
  const inst = instanceFor(sim, { namespace: 'avi-system', primary: true, labelKey: 'app', labelValue: 'migrate' });
  rig = makeRig(sim, inst, { keyProvider: keys, cloudFacts: (view) => crdFactsReader(rig.client, inst)(view) });
});
afterAll(async () => {
  await sim?.close();
});

function hostRule(virtualhost: Record<string, unknown>, rv: string): KubeObject {
  return {
    apiVersion: 'ako.vmware.com/v1beta1',
    kind: 'HostRule',
    metadata: { name: 'hr', namespace: NS, resourceVersion: rv, uid: 'hr-uid' },
    spec: { virtualhost },
  };
}

describe('HostRule through the sync function', () => {
  it('a missing reference rejects the rule, not the shard; a valid one reaches the SNI child', async () => {
    const sec = await tlsSecret(NS, 'cert', CERT, KEY, keys);
    const failed = await rig.sync([
      objectMsg(service(NS, 'avisvc'), { namespaceLabels: labels }),
      objectMsg(endpointSlice(NS, 'avisvc', ['1.1.1.1']), { namespaceLabels: labels }),
      objectMsg(sec.object, { namespaceLabels: labels, encryptedSecret: sec.encryptedSecret }),
      objectMsg(ingress(NS, 'ing', [{ host: 'secure.com' }], [{ hosts: ['secure.com'], secretName: 'cert' }]), {
        namespaceLabels: labels,
      }),
      objectMsg(hostRule({ fqdn: 'secure.com', applicationProfile: 'no-such-profile' }, '1'), {
        namespaceLabels: labels,
      }),
    ]);
    expect(failed).toEqual([]);
    const child = byName(sim, 'virtualservice').get('cluster--secure.com');
    expect(child).toBeDefined();
    expect(String(child?.application_profile_ref)).toContain('System-Secure-HTTP');

    expect(
      await rig.sync([
        objectMsg(hostRule({ fqdn: 'secure.com', applicationProfile: 'System-HTTP' }, '2'), {
          namespaceLabels: labels,
        }),
      ]),
    ).toEqual([]);
    const after = byName(sim, 'virtualservice').get('cluster--secure.com');
    const prof = sim.objects('applicationprofile').find((p) => p.name === 'System-HTTP');
    expect(String(after?.application_profile_ref)).toContain(String(prof?.uuid));
  });
});
