import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { planCrdWatches, readAkoCrs, type ServedResources, watchedCrdKind } from '../../functions/forwarder/crds.ts';
import type { WatchedKind } from '../../functions/forwarder/kinds.ts';
import { kubeRequester } from '../../functions/forwarder/kube.ts';
import type { DevCluster } from '../../infra/dev-cluster/index.ts';
import { startDevCluster } from '../../infra/dev-cluster/index.ts';
import { parseManifests } from '../../infra/dev-cluster/seed.ts';
import { AKO_CR_KINDS } from '../../shared/events/crds.ts';
import { createLogger } from '../../shared/log.ts';
import { type Detail, events, eventually, objectChanges, type Rig, startRig } from './harness.ts';

const CRD_DIR = join(__dirname, '../../examples/crds');
// biome-ignore lint/suspicious/noExplicitAny: manifests
const crd = (file: string): any => parseManifests(readFileSync(join(CRD_DIR, file), 'utf8'), file)[0]!.obj;
const installCrds = (dc: DevCluster) => {
  for (const f of ['hostrule.yaml', 'httprule.yaml', 'aviinfrasetting.yaml', 'l4rule.yaml']) dc.apply(crd(f));
};

const shop = (dc: DevCluster) =>
  dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { app: 'migrate' } } });
const hostRule = (name: string, fqdn: string) => ({
  apiVersion: 'ako.vmware.com/v1beta1',
  kind: 'HostRule',
  metadata: { name, namespace: 'shop' },
  spec: { virtualhost: { fqdn, wafPolicy: 'waf-shop' } },
});
const infraSetting = (name: string, seGroup: string) => ({
  apiVersion: 'ako.vmware.com/v1beta1',
  kind: 'AviInfraSetting',
  metadata: { name },
  spec: { seGroup: { name: seGroup }, network: { vipNetworks: [{ networkName: 'vip-a' }] } },
});
const changesOf = (rig: Rig, kind: string, name: string): Detail[] =>
  objectChanges(rig.pub).filter((d) => d.kind === kind && d.name === name);

describe('forwarder: AKO custom resources', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('keeps working on a cluster without the CRDs', async () => {
    rig = await startRig({ before: shop, forwarder: { crdDiscoverySeconds: 0 } });
    await rig.fwd.ready;
    expect(rig.fwd.metrics().kinds).not.toContain('HostRule');
    rig.dc.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ port: 80 }] },
    });
    await eventually(() => changesOf(rig!, 'Service', 'web').length > 0, 'the Service event');
  });

  it('publishes namespaced CRs with their namespace labels and AviInfraSetting cluster-wide', async () => {
    rig = await startRig({
      before: (dc) => {
        shop(dc);
        installCrds(dc);
        dc.apply(hostRule('shop-host', 'shop.example.com'));
        dc.apply(infraSetting('infra-a', 'se-a'));
      },
      forwarder: { crdDiscoverySeconds: 0 },
    });
    await rig.fwd.ready;
    expect(rig.fwd.metrics().kinds).toEqual(
      expect.arrayContaining(['HostRule', 'HTTPRule', 'AviInfraSetting', 'L4Rule']),
    );
    await eventually(() => changesOf(rig!, 'AviInfraSetting', 'infra-a').length > 0, 'the AviInfraSetting event');
    await eventually(() => changesOf(rig!, 'HostRule', 'shop-host').length > 0, 'the HostRule event');
    const hr = changesOf(rig, 'HostRule', 'shop-host')[0];
    expect(hr).toMatchObject({
      apiVersion: 'ako.vmware.com/v1beta1',
      namespace: 'shop',
      namespaceLabels: { app: 'migrate', 'kubernetes.io/metadata.name': 'shop' },
      op: 'upsert',
    });
    expect(hr.object.spec.virtualhost).toEqual({ fqdn: 'shop.example.com', wafPolicy: 'waf-shop', fqdnType: 'Exact' });
    const infra = changesOf(rig, 'AviInfraSetting', 'infra-a')[0];
    expect(infra.namespace).toBeUndefined();
    expect(infra.namespaceLabels).toEqual({});
    expect(infra.object.spec.seGroup).toEqual({ name: 'se-a' });

    // The start-up inventories list the CRs: cluster-scoped ones under '', namespaced ones under their namespace.
    rig.fwd.requestInventory();
    await eventually(
      () => events(rig!.pub).some((e) => e.detailType === 'inventory' && e.detail.namespace === 'shop'),
      'the shop inventory',
    );
    const inventories = events(rig.pub).filter((e) => e.detailType === 'inventory');
    const cluster = inventories.find((e) => e.detail.namespace === '')!.detail;
    expect(cluster.objects.map((o: Detail) => `${o.kind}/${o.name}`)).toContain('AviInfraSetting/infra-a');
    const ns = inventories.find((e) => e.detail.namespace === 'shop')!.detail;
    expect(ns.objects.map((o: Detail) => `${o.kind}/${o.name}`)).toContain('HostRule/shop-host');
  });

  it('forwards the namespace annotation that selects an AviInfraSetting', async () => {
    rig = await startRig({ before: shop, forwarder: { crdDiscoverySeconds: 0 } });
    await rig.fwd.ready;
    rig.dc.annotate('v1', 'Namespace', undefined, 'shop', {
      'aviinfrasetting.ako.vmware.com/name': 'infra-a',
      'example.com/unrelated': 'x',
    });
    const annotated = () =>
      objectChanges(rig!.pub).filter(
        (d) => d.kind === 'Namespace' && d.name === 'shop' && d.object.metadata.annotations,
      );
    await eventually(() => annotated().length > 0, 'the annotated Namespace');
    expect(annotated()[0].object.metadata.annotations).toEqual({ 'aviinfrasetting.ako.vmware.com/name': 'infra-a' });
  });

  it('does not republish a CR whose status alone changed (the write-back makes no loop)', async () => {
    rig = await startRig({
      before: (dc) => {
        shop(dc);
        installCrds(dc);
        dc.apply(hostRule('shop-host', 'shop.example.com'));
      },
      forwarder: { crdDiscoverySeconds: 0 },
    });
    await rig.fwd.ready;
    await eventually(() => changesOf(rig!, 'HostRule', 'shop-host').length === 1, 'the HostRule event');
    rig.dc.setStatus('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host', { status: 'Accepted', error: '' });
    rig.dc.apply(hostRule('other', 'other.example.com'));
    await eventually(() => changesOf(rig!, 'HostRule', 'other').length === 1, 'a later HostRule event');
    await rig.fwd.drained();
    expect(changesOf(rig, 'HostRule', 'shop-host')).toHaveLength(1);
    // A namespace label change moves the CRs with it, like any object.
    rig.dc.label('v1', 'Namespace', undefined, 'shop', { app: 'blue' });
    await eventually(
      () => changesOf(rig!, 'HostRule', 'shop-host').some((d) => d.namespaceLabels.app === 'blue'),
      'the HostRule republished with the new labels',
    );
  });

  it('starts watching a CRD installed after start, and reports its CRs deleted when the CRD goes', async () => {
    rig = await startRig({ before: shop, forwarder: { crdDiscoverySeconds: 0.05 } });
    await rig.fwd.ready;
    expect(rig.fwd.metrics().kinds).not.toContain('HostRule');
    rig.dc.apply(crd('hostrule.yaml'));
    await eventually(() => rig!.fwd.metrics().kinds.includes('HostRule'), 'the HostRule watch');
    rig.dc.apply(hostRule('late', 'late.example.com'));
    await eventually(() => changesOf(rig!, 'HostRule', 'late').length > 0, 'the late HostRule');
    rig.dc.delete('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'hostrules.ako.vmware.com');
    await eventually(() => changesOf(rig!, 'HostRule', 'late').some((d) => d.op === 'delete'), 'the HostRule deletion');
    await eventually(() => !rig!.fwd.metrics().kinds.includes('HostRule'), 'the HostRule watch to stop');
    const del = changesOf(rig, 'HostRule', 'late').find((d) => d.op === 'delete');
    expect(del.namespaceLabels.app).toBe('migrate');
    // Installed again: watched again.
    rig.dc.apply(crd('hostrule.yaml'));
    rig.dc.apply(hostRule('again', 'again.example.com'));
    await eventually(() => changesOf(rig!, 'HostRule', 'again').length > 0, 'the HostRule after re-install');
  });

  it('finds a CRD installed after start at once through its watch on CustomResourceDefinitions', async () => {
    // No periodic discovery: only the CRD watch can find it.
    rig = await startRig({ before: shop, forwarder: { crdDiscoverySeconds: 0 } });
    await rig.fwd.ready;
    await eventually(() => (rig!.dc.hooks.requests()['watch customresourcedefinitions'] ?? 0) > 0, 'the CRD watch');
    rig.dc.apply(crd('aviinfrasetting.yaml'));
    rig.dc.apply(infraSetting('infra-late', 'se-late'));
    await eventually(() => changesOf(rig!, 'AviInfraSetting', 'infra-late').length > 0, 'the AviInfraSetting');
    // A CRD of another group changes nothing.
    rig.dc.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      },
    });
    rig.dc.delete('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'aviinfrasettings.ako.vmware.com');
    await eventually(
      () => changesOf(rig!, 'AviInfraSetting', 'infra-late').some((d) => d.op === 'delete'),
      'the AviInfraSetting deletion',
    );
    expect(rig.fwd.metrics().kinds).not.toContain('Widget');
  });

  it('stops watching a kind served only at a version it does not read, without reporting its objects deleted', async () => {
    rig = await startRig({
      before: (dc) => {
        shop(dc);
        dc.apply(crd('hostrule.yaml'));
        dc.apply(hostRule('kept', 'kept.example.com'));
      },
      forwarder: { crdDiscoverySeconds: 0 },
    });
    await rig.fwd.ready;
    await eventually(() => changesOf(rig!, 'HostRule', 'kept').length > 0, 'the HostRule');
    const v1Only = crd('hostrule.yaml');
    v1Only.spec.versions = [{ ...v1Only.spec.versions[0], name: 'v1' }];
    rig.dc.apply(v1Only);
    await eventually(() => !rig!.fwd.metrics().kinds.includes('HostRule'), 'the HostRule watch to stop');
    // Served again at v1beta1: watched again; discovery rounds run one after another, so any deletion the stop
    // reported would have been queued before the marker below.
    rig.dc.apply(crd('hostrule.yaml'));
    rig.dc.apply(hostRule('marker', 'marker.example.com'));
    await eventually(() => changesOf(rig!, 'HostRule', 'marker').length > 0, 'the marker HostRule');
    await rig.fwd.drained();
    expect(changesOf(rig, 'HostRule', 'kept').map((d) => d.op)).toEqual(['upsert']);
  });

  it('leaves out a CR kind it may not list, and watches it once listing works', async () => {
    const lines: Detail[] = [];
    const logger = createLogger({}, { level: 'warn', write: (l) => lines.push(JSON.parse(l)) });
    rig = await startRig({
      before: (dc) => {
        shop(dc);
        installCrds(dc);
        dc.apply(hostRule('shop-host', 'shop.example.com'));
        // The probe of the first discovery round is refused (as RBAC without list on hostrules would).
        dc.hooks.failNextList('hostrules', { count: 1, code: 403, message: 'hostrules.ako.vmware.com is forbidden' });
      },
      forwarder: { crdDiscoverySeconds: 0.05, logger },
    });
    await rig.fwd.ready;
    await eventually(() => changesOf(rig!, 'HostRule', 'shop-host').length > 0, 'the HostRule after the refusal');
    const refused = lines.filter((l) => l.msg.startsWith('cannot list an AKO custom resource'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ kind: 'HostRule', status: 403, outcome: 'skipped' });
    expect(refused[0].action).toContain('hostrules.ako.vmware.com');
  });

  it('does not publish CRs when the CRD watching is turned off', async () => {
    rig = await startRig({
      before: (dc) => {
        shop(dc);
        installCrds(dc);
        dc.apply(hostRule('shop-host', 'shop.example.com'));
      },
      forwarder: { crds: false },
    });
    await rig.fwd.ready;
    expect(rig.fwd.metrics().kinds).not.toContain('HostRule');
  });
});

describe('readAkoCrs (one-shot read for plan)', () => {
  it('lists the CRs of the kinds served, trimmed, and nothing when none is installed', async () => {
    const dc = await startDevCluster({ bookmarkIntervalMs: 0 });
    try {
      const kc = new KubeConfig();
      kc.loadFromString(dc.kubeconfig());
      const request = kubeRequester(kc);
      expect(await readAkoCrs(request)).toEqual({ kinds: [], objects: [] });
      shop(dc);
      dc.apply(crd('hostrule.yaml'));
      dc.apply(crd('aviinfrasetting.yaml'));
      dc.apply(hostRule('shop-host', 'shop.example.com'));
      dc.setStatus('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host', { status: 'Accepted' });
      dc.apply(infraSetting('infra-a', 'se-a'));
      const read = await readAkoCrs(request);
      expect(read.kinds.map((k) => k.apiVersion + ' ' + k.kind)).toEqual([
        'ako.vmware.com/v1beta1 HostRule',
        'ako.vmware.com/v1beta1 AviInfraSetting',
      ]);
      expect(read.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
        'HostRule/shop/shop-host',
        'AviInfraSetting//infra-a',
      ]);
      expect(read.objects[0]!.status).toBeUndefined();
      expect(read.objects[0]!.apiVersion).toBe('ako.vmware.com/v1beta1');
    } finally {
      await dc.close();
    }
  });
});

describe('planCrdWatches', () => {
  const served = (entries: Record<string, string[]>): ServedResources =>
    new Map(Object.entries(entries).map(([v, ps]) => [v, new Set(ps)]));
  const hostRule = AKO_CR_KINDS.find((k) => k.kind === 'HostRule')!;

  it('watches each kind at the most preferred version served', () => {
    const plan = planCrdWatches(
      served({ v1beta1: ['hostrules'], v1alpha1: ['hostrules', 'aviinfrasettings'], v1alpha2: [] }),
      new Map(),
    );
    expect(plan.start.map((k) => k.apiVersion)).toEqual(['ako.vmware.com/v1beta1', 'ako.vmware.com/v1alpha1']);
    expect(plan.start.map((k) => k.kind)).toEqual(['HostRule', 'AviInfraSetting']);
    expect(plan.start[1]!.namespaced).toBe(false);
    expect(plan.stop).toEqual([]);
  });

  it('moves to a newer version and stops kinds no longer served', () => {
    const watching = new Map<string, WatchedKind>([
      ['HostRule', watchedCrdKind(hostRule, 'v1alpha1')],
      ['L4Rule', watchedCrdKind(AKO_CR_KINDS.find((k) => k.kind === 'L4Rule')!, 'v1alpha2')],
    ]);
    const plan = planCrdWatches(served({ v1beta1: ['hostrules'], v1alpha1: ['hostrules'], v1alpha2: [] }), watching);
    expect(plan.stop.map((s) => `${s.kind.kind}@${s.kind.version} gone=${s.gone}`)).toEqual([
      'HostRule@v1alpha1 gone=false',
      'L4Rule@v1alpha2 gone=true',
    ]);
    expect(plan.start.map((k) => `${k.kind}@${k.version}`)).toEqual(['HostRule@v1beta1']);
  });

  it('keeps the objects of a kind served only at a version AKO does not read', () => {
    const watching = new Map<string, WatchedKind>([['HostRule', watchedCrdKind(hostRule, 'v1beta1')]]);
    const plan = planCrdWatches(served({ v1beta1: [], v1alpha1: [], v1alpha2: [], v1: ['hostrules'] }), watching);
    expect(plan.stop.map((s) => `${s.kind.kind} gone=${s.gone}`)).toEqual(['HostRule gone=false']);
    expect(plan.start).toEqual([]);
  });

  it('changes nothing while what is watched is still served', () => {
    const watching = new Map<string, WatchedKind>([['HostRule', watchedCrdKind(hostRule, 'v1beta1')]]);
    expect(planCrdWatches(served({ v1beta1: ['hostrules'], v1alpha1: [], v1alpha2: [] }), watching)).toEqual({
      start: [],
      stop: [],
    });
  });
});
