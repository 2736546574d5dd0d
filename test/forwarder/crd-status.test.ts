import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeRequester } from '../../functions/forwarder/kube.ts';
import {
  createStatusApplier,
  parseStatusUpdates,
  type StatusApplier,
  type StatusUpdate,
} from '../../functions/forwarder/status.ts';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';
import { parseManifests } from '../../infra/dev-cluster/seed.ts';

const CRD_DIR = join(__dirname, '../../examples/crds');
// biome-ignore lint/suspicious/noExplicitAny: manifests
const crd = (file: string): any => parseManifests(readFileSync(join(CRD_DIR, file), 'utf8'), file)[0]!.obj;

describe('status write-back of AKO custom resources', () => {
  let dc: DevCluster;
  let applier: StatusApplier;
  beforeEach(async () => {
    dc = await startDevCluster({ bookmarkIntervalMs: 0 });
    for (const f of ['hostrule.yaml', 'httprule.yaml', 'aviinfrasetting.yaml', 'l4rule.yaml']) dc.apply(crd(f));
    dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    dc.apply({
      apiVersion: 'ako.vmware.com/v1beta1',
      kind: 'HostRule',
      metadata: { name: 'shop-host', namespace: 'shop' },
      spec: { virtualhost: { fqdn: 'shop.example.com', wafPolicy: 'missing-waf' } },
    });
    dc.apply({
      apiVersion: 'ako.vmware.com/v1beta1',
      kind: 'AviInfraSetting',
      metadata: { name: 'infra-a' },
      spec: { seGroup: { name: 'se-a' } },
    });
    const kc = new KubeConfig();
    kc.loadFromString(dc.kubeconfig());
    applier = createStatusApplier(kubeRequester(kc));
  });
  afterEach(async () => {
    await dc.close();
  });

  const rejected: StatusUpdate = {
    target: { apiVersion: 'ako.vmware.com/v1beta1', kind: 'HostRule', namespace: 'shop', name: 'shop-host' },
    instance: 'dev/avi-system',
    crStatus: { status: 'Rejected', error: 'wafpolicy "missing-waf" not found on the controller' },
    events: [{ type: 'Warning', reason: 'Rejected', note: 'wafpolicy "missing-waf" not found on the controller' }],
  };

  it('writes status.status and status.error through /status once, leaving the spec alone', async () => {
    const before = dc.get('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host')!;
    const [r] = await applier.apply([rejected]);
    expect(r).toMatchObject({ outcome: 'patched', writes: 1, events: 1 });
    const after = dc.get('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host')!;
    expect(after.status).toEqual({ status: 'Rejected', error: 'wafpolicy "missing-waf" not found on the controller' });
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(dc.hooks.requests()['patch hostrules/status']).toBe(1);
    const ev = dc.list('events.k8s.io/v1', 'Event', 'shop');
    expect(ev.map((e) => [e.regarding.kind, e.regarding.name, e.reason])).toEqual([
      ['HostRule', 'shop-host', 'Rejected'],
    ]);

    const [again] = await applier.apply([rejected]);
    expect(again).toMatchObject({ outcome: 'unchanged', writes: 0 });
    expect(dc.hooks.requests()['patch hostrules/status']).toBe(1);

    // Accepted clears the error, as AKO does.
    const [ok] = await applier.apply([{ ...rejected, crStatus: { status: 'Accepted' }, events: [] }]);
    expect(ok!.outcome).toBe('patched');
    expect(dc.get('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host')!.status).toEqual({
      status: 'Accepted',
      error: '',
    });
  });

  it('writes the status of a cluster-scoped AviInfraSetting and records its events in default', async () => {
    const [r] = await applier.apply([
      {
        target: { apiVersion: 'ako.vmware.com/v1beta1', kind: 'AviInfraSetting', name: 'infra-a' },
        instance: 'dev/avi-system',
        crStatus: { status: 'Accepted', error: '' },
        events: [{ type: 'Normal', reason: 'Accepted', note: 'AviInfraSetting infra-a accepted' }],
      },
    ]);
    expect(r).toMatchObject({ outcome: 'patched', writes: 1, events: 1 });
    expect(dc.get('ako.vmware.com/v1beta1', 'AviInfraSetting', undefined, 'infra-a')!.status).toEqual({
      status: 'Accepted',
      error: '',
    });
    const ev = dc.list('events.k8s.io/v1', 'Event', 'default');
    expect(ev[0]!.regarding).toMatchObject({ kind: 'AviInfraSetting', name: 'infra-a' });
    expect(ev[0]!.regarding.namespace).toBeUndefined();
  });

  it('reports a missing CR, a re-created one and an apiVersion AKO does not use, and goes on with the rest', async () => {
    const uid = dc.get('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host')!.metadata.uid;
    const results = await applier.apply([
      { ...rejected, target: { ...rejected.target, name: 'nope' } },
      { ...rejected, target: { ...rejected.target, uid: 'another-uid' } },
      { ...rejected, target: { ...rejected.target, apiVersion: 'example.com/v1' } },
      { ...rejected, target: { ...rejected.target, uid }, events: [] },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['not-found', 'stale', 'failed', 'patched']);
    expect(results[2]!.message).toContain('ako.vmware.com/v1beta1');
  });

  it('reads the same CR through the older served version', async () => {
    const [r] = await applier.apply([
      { ...rejected, target: { ...rejected.target, apiVersion: 'ako.vmware.com/v1alpha1' }, events: [] },
    ]);
    expect(r!.outcome).toBe('patched');
    expect(dc.get('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host')!.status.status).toBe('Rejected');
  });

  it('parses CR status updates and still parses the older shapes (backward compatible)', () => {
    const parsed = parseStatusUpdates([
      rejected,
      {
        target: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'lb' },
        instance: 'dev/avi-system',
        loadBalancer: { ingress: [] },
      },
    ]);
    expect(parsed.ok).toBe(true);
    const bad = parseStatusUpdates({ ...rejected, crStatus: { status: 'Maybe' } });
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.reason).toContain('crStatus.status');
    const unknownKind = parseStatusUpdates({ ...rejected, target: { ...rejected.target, kind: 'SSORule' } });
    expect(unknownKind.ok).toBe(false);
  });
});
