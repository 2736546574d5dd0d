// The instance registry: AKO Helm values → InstanceConfig, whole-registry validation, and the ownership index.
export { checkChartKeys, isChartDefault } from './chart-check.ts';
export { AKO_ANNOTATIONS, type AnnotationEntry, CHART_KEYS, type ChartKey, type KeyStatus } from './chart-keys.ts';
export { akoDefaults, DEFAULT_AKO_NAMESPACE } from './defaults.ts';
export { formatProblem, type RegistryProblem, RegistryValidationError } from './errors.ts';
export { mergeValues, parseGoBool, setPath, splitSetKey, typeSetValue } from './helm.ts';
export {
  buildOwnerIndex,
  isPrimaryKind,
  type OwnerIndex,
  PRIMARY_KINDS,
  resolveByScan,
} from './owner-index.ts';
export { crossInstanceProblems, loadRegistryFile, type ParseRegistryOptions, parseRegistry } from './parse.ts';
export { type RegistryEntry, resolveInstance, resolveInstanceChecked } from './resolve.ts';
export { suggestKey } from './suggest.ts';
export type * from './types.ts';
