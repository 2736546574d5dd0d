import type { AviModel, AviType, StaticRoute } from '../model/types.ts';

/** What the reconciler recorded for one object it applied. */
export interface AppliedObject {
  type: AviType;
  name: string;
  tenant: string;
  uuid: string;
  /** Checksum of the desired body that was last written (normalized), used to skip unchanged objects. */
  checksum: string;
  /**
   * Dependency tier (0 VsVip, 1 CA cert, 2 cert, 3 pool, 4 pool group, 5 HTTP policy set, 6 datascript,
   * 7 L4 policy set, 8 VS, 9 SNI child VS), so a later delete can run top-down without the body.
   */
  tier?: number;
  /** The controller's `_last_modified` after our last write (guards the next PUT without a read). */
  lastModified?: string;
  /** VsVip only: the addresses the controller allocated, per vip_id, as our own write/list returned them. */
  vip?: AppliedVip[];
  /** VsVip only: the FQDNs of its dns_info. */
  fqdns?: string[];
}

/** One VIP of a VsVip as the controller holds it (addresses we must keep on the next PUT). */
export interface AppliedVip {
  vip_id: string;
  ip_address?: { addr: string; type: string };
  ip6_address?: { addr: string; type: string };
  floating_ip?: { addr: string; type: string };
  floating_ip6?: { addr: string; type: string };
}

export interface AppliedModel {
  name: string;
  objects: AppliedObject[];
}

export type OperationKind = 'create' | 'update' | 'delete' | 'skip' | 'adopt';

export interface OperationResult {
  op: OperationKind;
  type: AviType | 'vrfcontext' | 'serviceenginegroup';
  name: string;
  tenant: string;
  ok: boolean;
  status?: number;
  /** transient: retry later (5xx/429/timeouts); permanent: needs a human (validation, ownership collision). */
  failure?: 'transient' | 'permanent';
  message?: string;
  /** The controller's uuid of the object, when known. */
  uuid?: string;
  /** Ownership collision: the `created_by` of whoever holds the name (when it has one). */
  heldBy?: string;
}

export interface ApplyResult {
  /** What is now on the controller for this model (undefined when the model was deleted entirely). */
  applied: AppliedModel | undefined;
  operations: OperationResult[];
  ok: boolean;
}

/** The reconciler, bound to one instance (its created_by) and one controller client. */
export interface Reconciler {
  /** Make the controller match `desired`, given what was last applied. */
  apply(desired: AviModel, lastApplied: AppliedModel | undefined): Promise<ApplyResult>;
  /** Remove everything of a model that was applied before. */
  remove(lastApplied: AppliedModel): Promise<ApplyResult>;
  /** Read-merge-write of this cluster's static routes in a VRF (other clusters' and users' routes kept). */
  syncStaticRoutes(vrfName: string, routes: StaticRoute[]): Promise<OperationResult>;
}

export class AviError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly method: string,
    readonly objectType: string | undefined,
    readonly objectName: string | undefined,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'AviError';
  }
}
