/** The default k8s → Avi model (shared/model); handlers take it through deps so tests and benches can swap it. */
import { affectedModels, buildModels, buildSelectedModels, buildStaticRoutes } from '../../shared/model/index.ts';
import type { ModelApi } from '../../shared/model/types.ts';
import type { ModelFunctions } from './engine.ts';

export const defaultModel: ModelFunctions = { affectedModels, buildModels, buildSelectedModels };
export const defaultStaticRoutes: Pick<ModelApi, 'buildStaticRoutes'> = { buildStaticRoutes };
