import type { KubeObject } from './types.ts';

/**
 * Avi-side objects a CRD may refer to, as read from the controller (the sync side reads them and passes
 * them in; the model stays pure). A name present in the set exists; `type` is the object's `type` field
 * where AKO checks it (application profiles), `createdBy` its `created_by`.
 */
export interface AviRefInfo {
  type?: string;
  createdBy?: string;
}

export type AviRefKind =
  | 'wafpolicy'
  | 'applicationprofile'
  | 'analyticsprofile'
  | 'errorpageprofile'
  | 'sslprofile'
  | 'sslkeyandcertificate'
  | 'httppolicyset'
  | 'vsdatascriptset'
  | 'healthmonitor'
  | 'applicationpersistenceprofile'
  | 'pkiprofile'
  | 'serviceenginegroup'
  | 'network'
  | 'icapprofile'
  | 'networksecuritypolicy'
  | 'networkprofile';

/** Per Avi type: the names that exist (a Set) or names with their type/created_by (a Map). */
export type AviRefs = Partial<Record<AviRefKind, ReadonlySet<string> | ReadonlyMap<string, AviRefInfo>>>;

/** One reference a CRD makes: the Avi type, the name, and the CRD field that holds it. */
export interface RefNeed {
  kind: AviRefKind;
  name: string;
  field: string;
}

/** AKO's allowed application profile types (lib.AllowedL7ApplicationProfile / AllowedL4ApplicationProfile). */
export const L7_APP_PROFILE_TYPE = 'APPLICATION_PROFILE_TYPE_HTTP';
export const L4_APP_PROFILE_TYPE = 'APPLICATION_PROFILE_TYPE_L4';

/**
 * The first reference that does not resolve, worded as AKO's checkRefOnController
 * (internal/k8s/crdcontroller.go): `<type> "<name>" not found on controller`, or null when all resolve.
 * Without `refs` (the caller could not read the controller) nothing is checked.
 */
export function refProblem(
  refs: AviRefs | undefined,
  needs: RefNeed[],
  createdBy: string,
  appProfileType = L7_APP_PROFILE_TYPE,
): string | null {
  if (!refs) return null;
  for (const n of needs) {
    if (!n.name) continue;
    const known = refs[n.kind];
    const has = known?.has(n.name) ?? false;
    if (!has) return `${n.kind} "${n.name}" not found on controller`;
    const info = known instanceof Map ? (known.get(n.name) as AviRefInfo | undefined) : undefined;
    if (n.kind === 'applicationprofile' && info?.type && info.type !== appProfileType) {
      return `${n.kind} "${n.name}" found on controller is invalid, must be of type: ${appProfileType}`;
    }
    if (info?.createdBy && info.createdBy === createdBy) {
      return `${n.kind} "${n.name}" Invalid operation, object referred is created by current AKO instance`;
    }
  }
  return null;
}

/** Status AKO writes on its CRDs (`status.status` Accepted/Rejected, `status.error`). */
export type CrState = 'Accepted' | 'Rejected';

/** One CR status the sync side may publish (only for CRs of the instance's own namespaces, or cluster-scoped ones it uses). */
export interface CrStatus {
  kind: 'HostRule' | 'HTTPRule' | 'AviInfraSetting' | 'L4Rule';
  namespace?: string;
  name: string;
  status: CrState;
  error: string;
}

export function crStatus(o: KubeObject, status: CrState, error = ''): CrStatus {
  return {
    kind: o.kind as CrStatus['kind'],
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
    status,
    error,
  };
}

/** `creationTimestamp` then `<ns>/<name>`: which of two CRs claiming the same thing came first. */
export function olderFirst(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Non-empty string values of a list field. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}
