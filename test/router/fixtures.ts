import { busEvent, type ObjectChangeEvent } from '../../shared/events/index.ts';
import { buildOwnerIndex, parseRegistry } from '../../shared/registry/index.ts';

/** The seed's two instances in cluster demo, plus a NodePort cluster `np` with two instances. */
export const registry = parseRegistry(
  `
instances:
  - namespace: avi-system
    set:
      AKOSettings.clusterName: demo
      AKOSettings.primaryInstance: "true"
      AKOSettings.namespaceSelector.labelKey: app
      AKOSettings.namespaceSelector.labelValue: migrate
      AKOSettings.blockedNamespaceList: "{kube-system}"
  - namespace: blue
    set:
      AKOSettings.clusterName: demo
      AKOSettings.primaryInstance: "false"
      AKOSettings.namespaceSelector.labelKey: key
      AKOSettings.namespaceSelector.labelValue: value2
  - namespace: avi-system
    set:
      AKOSettings.clusterName: np
      L7Settings.serviceType: NodePort
      AKOSettings.namespaceSelector.labelKey: team
      AKOSettings.namespaceSelector.labelValue: a
  - namespace: team-b
    set:
      AKOSettings.clusterName: np
      AKOSettings.primaryInstance: "false"
      L7Settings.serviceType: NodePort
      AKOSettings.namespaceSelector.labelKey: team
      AKOSettings.namespaceSelector.labelValue: b
`,
  { baseDir: '/' },
);
export const index = buildOwnerIndex(registry);

let rv = 100;
export function change(
  partial: Partial<ObjectChangeEvent> & Pick<ObjectChangeEvent, 'kind' | 'name'>,
): ObjectChangeEvent {
  const resourceVersion = partial.resourceVersion ?? String(++rv);
  const namespace = partial.namespace;
  const base: ObjectChangeEvent = {
    version: 1,
    cluster: 'demo',
    apiVersion: partial.kind === 'Ingress' ? 'networking.k8s.io/v1' : 'v1',
    uid: `uid-${partial.kind}-${namespace ?? ''}-${partial.name}`,
    resourceVersion,
    op: 'upsert',
    namespaceLabels: {},
    ...partial,
  };
  if (base.op === 'upsert' && !partial.object) {
    base.object = {
      apiVersion: base.apiVersion,
      kind: base.kind,
      metadata: { name: base.name, ...(namespace ? { namespace } : {}), uid: base.uid, resourceVersion },
    };
  }
  return base;
}

export const objectEvent = (c: ObjectChangeEvent, id?: string) => busEvent('object-change', c, id ? { id } : {});
