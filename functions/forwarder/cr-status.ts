/**
 * Status of AKO's custom resources (HostRule, HTTPRule, AviInfraSetting, L4Rule) as AKO writes it:
 * `status.status` is `Accepted` or `Rejected`, `status.error` says why a rule was rejected ('' when accepted).
 * Pure helpers for the status applier (status.ts).
 */
import { type CrStatus, crStatusSchema } from '../../shared/events/crds.ts';
import { AKO_CRD_KINDS, AKO_GROUP } from './crds.ts';

export { crStatusSchema };
export const AKO_CR_STATUS_KINDS = ['HostRule', 'HTTPRule', 'AviInfraSetting', 'L4Rule'] as const;

/** The collection prefix of a custom resource kind at the apiVersion the update names (AKO's group only). */
export function crPathInfo(kind: string, apiVersion: string): { prefix: string; plural: string; namespaced: boolean } {
  const c = AKO_CRD_KINDS.find((k) => k.kind === kind);
  if (!c) throw new Error(`no status write-back for kind ${kind}`);
  const [group, version] = apiVersion.split('/');
  if (group !== AKO_GROUP || !version || !c.versions.includes(version)) {
    throw new Error(
      `${kind} status: apiVersion ${apiVersion} is not one AKO uses (${c.versions.map((v) => `${AKO_GROUP}/${v}`).join(', ')})`,
    );
  }
  return { prefix: `/apis/${AKO_GROUP}/${version}`, plural: c.plural, namespaced: c.namespaced };
}

// biome-ignore lint/suspicious/noExplicitAny: live Kubernetes JSON
type Live = Record<string, any>;

/** The merge patch of `status` that makes the live object carry `want`, or undefined when it already does. */
export function crStatusPatch(want: CrStatus, live: Live): Record<string, unknown> | undefined {
  const error = want.error ?? '';
  const cur = live.status ?? {};
  if (cur.status === want.status && (cur.error ?? '') === error) return undefined;
  return { status: want.status, error };
}
