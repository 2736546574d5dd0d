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
export { type CurrentObject, objectId, type PlannedOperation, planOperations, tierOf } from './plan.ts';
export { type AviReconciler, createReconciler, type OwnedObject } from './reconciler.ts';
export { namedRefsIn, nameRef, parseRef, tenantOf } from './refs.ts';
export { backoffDelay, isRetryableStatus, isTransientFailure, parseRetryAfter } from './retry.ts';
export { clusterRoutesMatch, isClusterRoute, mergeStaticRoutes } from './routes.ts';
export * from './types.ts';
