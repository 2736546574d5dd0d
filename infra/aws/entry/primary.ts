// Lambda entry of a cluster's primary function (static routes, VRF and SE group label), primary instance only.
import { createPrimaryHandler } from '../../../functions/primary/handler.ts';
import { createLogger } from '../../../shared/log.ts';
import { readInstanceFunctionEnv } from '../adapters/env-config.ts';
import { createInstanceContext } from '../wiring-instance.ts';
import { lambdaClients } from './clients.ts';

const ctx = await createInstanceContext(
  readInstanceFunctionEnv(process.env),
  lambdaClients(),
  createLogger({ stage: process.env.AKO_STAGE }),
);

export const handler = createPrimaryHandler({
  instance: ctx.instance,
  store: ctx.store,
  reconciler: ctx.reconciler,
  aviClient: ctx.aviClient,
  publish: ctx.publish,
  deadLetter: ctx.deadLetter,
  logger: ctx.logger,
  now: ctx.now,
});
