// The AKO-compatible model: Kubernetes objects of an instance's namespaces → the desired Avi objects.
export { affectedModels } from './affected.ts';
export { buildModels, buildSelectedModels } from './build.ts';
export { checksum } from './checksum.ts';
export { TENANT_ANNOTATION } from './context.ts';
export { HOSTRULE_KIND } from './crd-hostrule.ts';
export { HTTPRULE_KIND, PKI_AND_DEST_CA_ERROR } from './crd-httprule.ts';
export { INFRASETTING_ANNOTATION, INFRASETTING_KIND } from './crd-infrasetting.ts';
export { L4RULE_ANNOTATION, L4RULE_KIND } from './crd-l4rule.ts';
export type { AviRefInfo, AviRefKind, AviRefs, CrState, CrStatus } from './crd-refs.ts';
export { buildCrStatuses, referencedAviObjects } from './crd-status.ts';
export { passthroughScript, sharedVsScript } from './datascript.ts';
export * from './evh-naming.ts';
export { knownShardsOf } from './kept-shards.ts';
export { isL4Service, l4AutoFqdn, l4VsNameOf, SHARED_VIP_ANNOTATION, sharedVipKey } from './l4.ts';
export {
  AVI_INGRESS_CONTROLLER,
  ENABLE_TLS_ANNOTATION,
  hostProblem,
  PASSTHROUGH_ANNOTATION,
} from './l7-parse.ts';
export { sharedVsFqdn } from './l7-shared.ts';
export * from './naming.ts';
export { type InstancePartition, partitionByInstance } from './partition.ts';
export { goQueryEscape, markers, ref, serviceMetadata } from './refs.ts';
export { buildStaticRoutes, routeId, routeIdPrefix, staticRoutesEnabled } from './static-routes.ts';
export type * from './types.ts';
export { objectKey } from './types.ts';
export { applyChange, indexView, type ViewChange, type ViewIndex } from './view-index.ts';
