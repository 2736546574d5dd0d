/**
 * Avi side of the product: a REST transport for one controller and the reconciler that applies models.
 *
 *   const budget = createRequestBudget();                       // one per controller, shared by its clients
 *   const client = createAviClient(clientOptionsFor(instance, { budget, logger }));
 *   const reconciler = createReconciler({ client, instance, logger });
 *   const { applied, operations, ok } = await reconciler.apply(model, lastApplied);
 *
 * The reconciler plans against its controller view (view.ts: objects carrying the instance's created_by plus the
 * VsVips of its VSes, listed once and kept current from write responses), lets the ownership policy (policy.ts)
 * decide what may be written, and writes with the cached `_last_modified` (412 → re-read that object, re-check,
 * retry). The client (client.ts) is transport: session, CSRF, version, tenant, retries, rate budget; its guarded
 * read-then-write helpers (guarded.ts) and VRF / SE-group merges (system-objects.ts) serve the other callers.
 */
export { createRequestBudget, type RequestBudget, type RequestBudgetOptions } from './budget.ts';
export { bodyChecksum, checksumField, matchesCurrent, stableStringify } from './checksum.ts';
export {
  type AviClient,
  type AviClientOptions,
  type AviClientStats,
  AviNotFoundError,
  AviOwnershipError,
  type AviRecord,
  type AviRequestOptions,
  BOOTSTRAP_AVI_VERSION,
  capVersion,
  compareVersions,
  createAviClient,
  MAX_AVI_VERSION,
  type Ownership,
} from './client.ts';
export type { ObjectTransport } from './guarded.ts';
export { clientOptionsFor } from './instance.ts';
export { type CurrentObject, objectId, type PlannedOperation, planOperations, tierOf } from './plan.ts';
export { mayChange, mayCreate, OWNED_TYPES, ownershipOfRecord, type VsVipEvidence } from './policy.ts';
export { type AviReconciler, createReconciler, type OwnedObject } from './reconciler.ts';
export { namedRefsIn, nameRef, parseRef, tenantOf } from './refs.ts';
export { backoffDelay, isRetryableStatus, isTransientFailure, parseRetryAfter } from './retry.ts';
export { clusterRoutesMatch, isClusterRoute, mergeStaticRoutes } from './routes.ts';
export * from './types.ts';
export {
  addressesOf,
  type ControllerView,
  createControllerView,
  entryFromRecord,
  listOwnedObjects,
  type ViewEntry,
} from './view.ts';
