// Routing of AKO's cluster-scoped custom resources. An AviInfraSetting belongs to no namespace: whichever instance
// has an IngressClass (spec.parameters) or a namespace (annotation aviinfrasetting.ako.vmware.com/name) naming it
// applies it, and only the instance's model can tell which ones do — so every instance of the cluster receives it,
// as every instance receives IngressClasses. Namespaced custom resources (HostRule, HTTPRule, L4Rule) follow their
// namespace's owner like any object.

import { akoCrKind } from '../../shared/events/crds.ts';

/** Cluster-scoped AKO custom resources (AviInfraSetting) are sent to every instance of their cluster. */
export function isEveryInstanceCrKind(kind: string): boolean {
  const info = akoCrKind(kind);
  return info !== undefined && !info.namespaced;
}
