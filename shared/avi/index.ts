/**
 * Avi side of the product: a REST client for one controller and the reconciler that applies models.
 *
 *   const budget = createRequestBudget();                       // one per controller, shared by its clients
 *   const client = createAviClient(clientOptionsFor(instance, { budget, logger }));
 *   const reconciler = createReconciler({ client, instance, logger });
 *   const { applied, operations, ok } = await reconciler.apply(model, lastApplied);
 *
 * The client refuses PUT/PATCH/DELETE on any object whose created_by is not the instance's (VsVips through
 * the VSes using them); the reconciler skips unchanged objects by checksum, so a no-op resync sends nothing.
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
export { clientOptionsFor } from './instance.ts';
export { type CurrentObject, objectId, type PlannedOperation, planOperations, tierOf } from './plan.ts';
export { type AviReconciler, createReconciler, type OwnedObject } from './reconciler.ts';
export { namedRefsIn, nameRef, parseRef, tenantOf } from './refs.ts';
export { backoffDelay, isRetryableStatus, isTransientFailure, parseRetryAfter } from './retry.ts';
export { clusterRoutesMatch, isClusterRoute, mergeStaticRoutes } from './routes.ts';
export * from './types.ts';
