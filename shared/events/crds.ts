// AKO's custom resources as they cross boundaries. Version 1 of the object-change contract carries them unchanged:
// `kind` is the CR kind, `apiVersion` the version the forwarder watches (`ako.vmware.com/<version>`), `object`
// the trimmed CR (metadata and spec; status is not forwarded). Namespaced CRs carry their namespace's labels like
// any object; AviInfraSetting (cluster-scoped) carries none and goes to every instance of the cluster.
import * as z from 'zod';

export const AKO_CR_GROUP = 'ako.vmware.com';

export type AkoCrKind = 'HostRule' | 'HTTPRule' | 'AviInfraSetting' | 'L4Rule';

export interface AkoCrKindInfo {
  kind: AkoCrKind;
  plural: string;
  namespaced: boolean;
  /** Versions AKO reads, preferred first. */
  versions: string[];
}

export const AKO_CR_KINDS: readonly AkoCrKindInfo[] = [
  { kind: 'HostRule', plural: 'hostrules', namespaced: true, versions: ['v1beta1', 'v1alpha1'] },
  { kind: 'HTTPRule', plural: 'httprules', namespaced: true, versions: ['v1beta1', 'v1alpha1'] },
  { kind: 'AviInfraSetting', plural: 'aviinfrasettings', namespaced: false, versions: ['v1beta1', 'v1alpha1'] },
  { kind: 'L4Rule', plural: 'l4rules', namespaced: true, versions: ['v1alpha2'] },
];

export function akoCrKind(kind: string): AkoCrKindInfo | undefined {
  return AKO_CR_KINDS.find((k) => k.kind === kind);
}

/** Annotation of a namespace naming the AviInfraSetting its objects use (AKO's namespace-scoped infra setting). */
export const INFRA_SETTING_NAMESPACE_ANNOTATION = 'aviinfrasetting.ako.vmware.com/name';

/**
 * A CR's status as AKO writes it and the owning instance asks the forwarder to write it: `Accepted`, or
 * `Rejected` with `error` saying why ('' when accepted).
 */
export const crStatusSchema = z.object({
  status: z.enum(['Accepted', 'Rejected']),
  error: z.string().max(4096).optional(),
});
export type CrStatus = z.infer<typeof crStatusSchema>;
