import { akoCrKind } from '../events/crds.ts';
import type { AviRefInfo, AviRefKind, AviRefs } from '../model/crd-refs.ts';
import { referencedAviObjects } from '../model/crd-status.ts';
import type { CloudFacts, ClusterView } from '../model/types.ts';
import type { InstanceConfig } from '../registry/types.ts';
import type { AviClient } from './client.ts';

/**
 * Reads the Avi objects CRs refer to (by name, as AKO's checkRefOnController does) and returns them as the
 * model's `facts.aviRefs`. A name the controller does not have is simply absent (the CR is then rejected);
 * a failed read throws, so a caller never rejects CRs on a partial view.
 */
export async function readAviRefs(
  client: AviClient,
  wanted: ReadonlyMap<AviRefKind, ReadonlySet<string>>,
  tenant: string,
): Promise<AviRefs> {
  const out: AviRefs = {};
  for (const [kind, names] of wanted) {
    const found = new Map<string, AviRefInfo>();
    for (const name of names) {
      const rec = await client.getByName(kind, name, { tenant });
      if (!rec) continue;
      found.set(name, {
        ...(typeof rec.type === 'string' ? { type: rec.type } : {}),
        ...(typeof rec.created_by === 'string' ? { createdBy: rec.created_by } : {}),
      });
    }
    out[kind] = found;
  }
  return out;
}

/**
 * The sync engine's `cloudFacts` for CRs: reads the Avi objects the view's CRs refer to (in the instance's
 * tenant) before each build. Nothing is read when the view has no CR references.
 */
export function crdFactsReader(
  client: AviClient,
  instance: InstanceConfig,
): (view: ClusterView) => Promise<CloudFacts> {
  return async (view) => {
    // Most instances have no CRs: skip the validation pass (and any controller read) entirely.
    if (!view.objects.some((o) => akoCrKind(o.kind))) return {};
    const wanted = referencedAviObjects(instance, view);
    if (wanted.size === 0) return {};
    return { aviRefs: await readAviRefs(client, wanted, instance.controller.tenantName || 'admin') };
  };
}
