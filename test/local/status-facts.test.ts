import { describe, expect, it } from 'vitest';
import { createClusterFacts } from '../../infra/local/status/cluster-facts.ts';
import { objectMappingOf } from '../../infra/local/status/object-mapping.ts';
import { buildOwnerIndex, parseRegistry } from '../../shared/registry/index.ts';

const registry = parseRegistry(
  `instances:
  - namespace: avi-system
    set: { AKOSettings.clusterName: demo, AKOSettings.primaryInstance: true, AKOSettings.namespaceSelector.labelKey: app, AKOSettings.namespaceSelector.labelValue: migrate, AKOSettings.blockedNamespaceList: [kube-system] }
`,
  { baseDir: process.cwd() },
);

describe('status page facts', () => {
  it('maps an Ingress to the VS, pools and VIP of the models it fed, by its own records', () => {
    const mapping = objectMappingOf([
      {
        name: 'admin/demo--Shared-L7-0',
        sources: ['Ingress/red/web', 'Service/red/web', 'EndpointSlice/red/web-abc', 'Ingress/red/api'],
        objects: [
          {
            type: 'vsvip',
            name: 'demo--Shared-L7-0',
            tenant: 'admin',
            uuid: 'v',
            checksum: '',
            vip: [{ vip_id: '0', ip_address: { addr: '10.0.0.7', type: 'V4' } }],
          },
          { type: 'pool', name: 'demo--foo.com_-red-web', tenant: 'admin', uuid: 'p1', checksum: '' },
          { type: 'pool', name: 'demo--foo.com_api-red-api', tenant: 'admin', uuid: 'p2', checksum: '' },
          { type: 'virtualservice', name: 'demo--Shared-L7-0', tenant: 'admin', uuid: 's', checksum: '' },
        ],
      },
    ]);
    expect(mapping.map((m) => m.object)).toEqual(['Ingress red/api', 'Ingress red/web', 'Service red/web']);
    expect(mapping[1]).toEqual({
      object: 'Ingress red/web',
      virtualServices: ['demo--Shared-L7-0'],
      pools: ['demo--foo.com_-red-web'],
      vips: ['10.0.0.7'],
    });
  });

  it('keeps the latest Warning per object and names the namespaces no instance selects, and why', () => {
    const facts = createClusterFacts(buildOwnerIndex(registry), () => new Date('2026-12-03T10:00:00Z'));
    const target = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' as const, namespace: 'red', name: 'web' };
    facts.statusUpdates([
      { instance: 'demo/avi-system', target, events: [{ type: 'Warning', reason: 'SecretNotFound', note: 'a' }] },
      { instance: 'demo/avi-system', target, events: [{ type: 'Warning', reason: 'ServiceNotFound', note: 'b' }] },
      {
        instance: 'demo/avi-system',
        target: { ...target, name: 'ok' },
        events: [{ type: 'Normal', reason: 'Synced', note: '' }],
      },
    ]);
    expect(facts.warnings(() => true)).toEqual([
      {
        instance: 'demo/avi-system',
        object: 'Ingress red/web',
        reason: 'ServiceNotFound',
        note: 'b',
        at: '2026-12-03T10:00:00.000Z',
      },
    ]);
    expect(facts.warnings(() => false)).toEqual([]); // the object is gone
    facts.namespaceSeen('demo', 'red', { app: 'migrate' });
    facts.namespaceSeen('demo', 'sandbox', {});
    facts.namespaceSeen('demo', 'kube-system', { app: 'migrate' });
    facts.namespaceSeen('other-cluster', 'x', {});
    expect(facts.unownedNamespaces()).toEqual([
      { cluster: 'demo', namespace: 'kube-system', why: 'blocked' },
      { cluster: 'demo', namespace: 'sandbox', why: 'no-match' },
    ]);
    facts.namespaceGone('demo', 'sandbox');
    expect(facts.unownedNamespaces().map((u) => u.namespace)).toEqual(['kube-system']);
  });
});
