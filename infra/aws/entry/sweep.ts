// Lambda entry of one instance's scheduled sweep (orphans, drift, inventory prune).
import { createSweepHandler } from '../../../functions/sweep/handler.ts';
import { createLogger } from '../../../shared/log.ts';
import { readInstanceFunctionEnv } from '../adapters/env-config.ts';
import { createInstanceContext } from '../wiring-instance.ts';
import { lambdaClients } from './clients.ts';

const ctx = await createInstanceContext(
  readInstanceFunctionEnv(process.env),
  lambdaClients(),
  createLogger({ stage: process.env.AKO_STAGE }),
);

export const handler = createSweepHandler({
  instance: ctx.instance,
  store: ctx.store,
  reconciler: ctx.reconciler,
  publish: ctx.publish,
  logger: ctx.logger,
  now: ctx.now,
});
