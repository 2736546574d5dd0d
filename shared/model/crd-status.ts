import type { InstanceConfig } from '../registry/types.ts';
import { createContext } from './context.ts';
import { hostRules } from './crd-hostrule.ts';
import { httpRules } from './crd-httprule.ts';
import { infraSettingStatuses } from './crd-infrasetting.ts';
import { l4RuleStatuses } from './crd-l4rule.ts';
import type { AviRefKind, AviRefs, CrStatus } from './crd-refs.ts';
import type { CloudFacts, ClusterView } from './types.ts';
import { cmp, indexView } from './view-index.ts';

/**
 * The status AKO would write on each CR the instance sees (`status.status` Accepted/Rejected, `status.error`).
 * The view holds only the instance's own namespaces, so a CR of another instance's namespace never gets a
 * status from this one; AviInfraSettings (cluster-scoped) are reported only when one of the instance's
 * IngressClasses, namespaces or Services refers to them.
 */
export function buildCrStatuses(instance: InstanceConfig, view: ClusterView, facts?: CloudFacts): CrStatus[] {
  const ctx = createContext(instance, indexView(view), facts);
  const out = [
    ...hostRules(ctx).statuses,
    ...httpRules(ctx).statuses,
    ...infraSettingStatuses(ctx),
    ...l4RuleStatuses(ctx),
  ];
  return out.sort((a, b) => cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name));
}

/**
 * The Avi objects (type → names) the instance's CRs refer to: what the sync side reads from the controller
 * (by name, in the instance's tenant) to pass back as `facts.aviRefs`. Found by running the same validation
 * with a reference set that records every name it is asked about.
 */
export function referencedAviObjects(
  instance: InstanceConfig,
  view: ClusterView,
  facts?: CloudFacts,
): Map<AviRefKind, Set<string>> {
  const asked = new Map<AviRefKind, Set<string>>();
  const recorder = new Proxy({} as AviRefs, {
    get(_t, kind: string) {
      return {
        has(name: string) {
          const k = kind as AviRefKind;
          let s = asked.get(k);
          if (!s) {
            s = new Set();
            asked.set(k, s);
          }
          s.add(name);
          return true;
        },
      };
    },
  });
  buildCrStatuses(instance, view, { ...facts, aviRefs: recorder });
  return asked;
}
