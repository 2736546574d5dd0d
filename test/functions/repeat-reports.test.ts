/**
 * A problem is reported once, not at every rebuild of its model: each report is a Kubernetes Event, a failure
 * record (a DynamoDB write on AWS) and a bus event. A resolved problem is forgotten at once (the next one is
 * reported straight away) and its failure record is cleared by the next build of every object (sweep, cold start).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import {
  endpointSlice,
  ingress,
  instanceFor,
  inventoryMsg,
  makeRig,
  objectMsg,
  type Rig,
  service,
  sweepMsg,
} from './harness.ts';

let sim: AviSim;
let rig: Rig;
const labels = { app: 'migrate' };
const WEB = 'Ingress/shop/web';

/** sync-status `failed` events published for the object. */
const failedReports = () =>
  rig.published.filter(
    (e) => e.detailType === 'sync-status' && e.detail.outcome === 'failed' && e.detail.object === WEB,
  ).length;
const recordOfWeb = async () => (await rig.store.listFailures()).filter((f) => f.objectKey === WEB);
const web = () => ingress('shop', 'web', [{ host: 'web.example.com', path: '/', service: 'backend' }]);
const backend = () => [service('shop', 'backend'), endpointSlice('shop', 'backend', ['10.0.0.9'])];

/** The rig's clock (harness `now`): the listing is fresh. */
const LISTED_AT = '2026-01-01T00:00:00Z';
/** A sweep on a complete view: the forwarder's listings (the namespace, cluster-scoped kinds), then the sweep. */
const sweep = (listed: ReturnType<typeof web>[]) =>
  rig.sync([inventoryMsg('shop', listed, LISTED_AT), inventoryMsg('', [], LISTED_AT), sweepMsg()]);

beforeEach(async () => {
  sim = await startAviSim();
  rig = makeRig(
    sim,
    instanceFor(sim, { namespace: 'avi-system', primary: true, labelKey: 'app', labelValue: 'migrate' }),
  );
});
afterEach(async () => {
  await sim?.close();
});

describe('skipped objects are reported once per problem', () => {
  it('a rebuild that finds the same problem reports nothing new; after a fix, a new break is reported at once', async () => {
    expect(await rig.sync([objectMsg(web(), { namespaceLabels: labels })])).toEqual([]);
    expect(failedReports()).toBe(1);
    expect(await recordOfWeb()).toEqual([expect.objectContaining({ reason: expect.stringMatching(/backend/) })]);

    // The same Ingress again (a new resourceVersion, the Service still missing): rebuilt, not reported again.
    expect(await rig.sync([objectMsg(web(), { namespaceLabels: labels })])).toEqual([]);
    expect(failedReports()).toBe(1);

    // The Service appears (the Ingress is served), then goes again: reported at once, not after the interval.
    expect(await rig.sync(backend().map((o) => objectMsg(o, { namespaceLabels: labels })))).toEqual([]);
    expect([...sim.objects('pool')].map((p) => p.name)).toContain('cluster--web.example.com_-shop-web');
    const gone = objectMsg(service('shop', 'backend'), { op: 'delete', namespaceLabels: labels });
    expect(await rig.sync([gone])).toEqual([]);
    expect(failedReports()).toBe(2);
  });

  it('the failure record of a fixed problem is cleared by the next build of every object; a lasting one is kept', async () => {
    expect(await rig.sync([objectMsg(web(), { namespaceLabels: labels })])).toEqual([]);
    expect(await sweep([web()])).toEqual([]);
    expect(await recordOfWeb()).toHaveLength(1);
    expect(failedReports()).toBe(1);

    expect(await rig.sync(backend().map((o) => objectMsg(o, { namespaceLabels: labels })))).toEqual([]);
    expect(await recordOfWeb()).toHaveLength(1); // an incremental build does not see every object
    expect(await sweep([web(), ...backend()])).toEqual([]);
    expect(await recordOfWeb()).toEqual([]);
  });
});
