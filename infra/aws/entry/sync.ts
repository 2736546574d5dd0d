// Lambda entry of one instance's sync function (SQS FIFO event source, partial batch responses).

import { runSweep } from '../../../functions/sweep/sweep.ts';
import { createSyncHandler } from '../../../functions/sync/handler.ts';
import { createStatusReporter } from '../../../functions/sync/status.ts';
import { crdFactsReader } from '../../../shared/avi/avi-refs.ts';
import { createLogger } from '../../../shared/log.ts';
import { readInstanceFunctionEnv } from '../adapters/env-config.ts';
import { createInstanceContext } from '../wiring-instance.ts';
import { lambdaClients } from './clients.ts';

// Cold start: credentials are read once here and cached for the life of this Lambda environment.
const ctx = await createInstanceContext(
  readInstanceFunctionEnv(process.env),
  lambdaClients(),
  createLogger({ stage: process.env.AKO_STAGE }),
);

export const handler = createSyncHandler({
  instance: ctx.instance,
  store: ctx.store,
  reconciler: ctx.reconciler,
  keyProvider: ctx.keyProvider,
  publish: ctx.publish,
  deadLetter: ctx.deadLetter,
  logger: ctx.logger,
  now: ctx.now,
  // A `sweep` message (router, on sweep-requested) runs in line with the instance's other work.
  sweep: (engine, ws) => runSweep(engine, ws, { avi: ctx.reconciler }),
  // Cold start with an empty state store: write nothing before the first inventories, then everything once.
  initialSync: {},
  // The Avi objects the instance's CRs refer to (WAF policy, SE group, ...): a missing one rejects the CR.
  cloudFacts: crdFactsReader(ctx.aviClient, ctx.instance),
  // Ingress/Service/Route status back to the cluster through its status queue (the forwarder applies it).
  ...(ctx.publishStatus
    ? {
        statusReporter: createStatusReporter({
          instance: ctx.instance,
          publish: ctx.publishStatus,
        }),
      }
    : {}),
});
