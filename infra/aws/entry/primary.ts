// Lambda entry of a cluster's primary function (static routes, VRF and SE group label), primary instance only.
import type { Context, SQSEvent } from 'aws-lambda';
import { createPrimaryHandler } from '../../../functions/primary/handler.ts';
import type { BatchResponseWithHints } from '../../../shared/instance/outage.ts';
import { createLogger } from '../../../shared/log.ts';
import { readInstanceFunctionEnv } from '../adapters/env-config.ts';
import { createInstanceMetrics, withBatchMetrics } from '../metrics.ts';
import { withOutageBackoff } from '../outage-backoff.ts';
import { createInstanceContext } from '../wiring-instance.ts';
import { lambdaClients } from './clients.ts';

const clients = lambdaClients();
const ctx = await createInstanceContext(
  readInstanceFunctionEnv(process.env),
  clients,
  createLogger({ stage: process.env.AKO_STAGE }),
);

const primaryHandler = createPrimaryHandler({
  instance: ctx.instance,
  store: ctx.store,
  reconciler: ctx.reconciler,
  aviClient: ctx.aviClient,
  publish: ctx.publish,
  deadLetter: ctx.deadLetter,
  logger: ctx.logger,
  now: ctx.now,
});

// Outage retries come back after a capped back-off (outage-backoff.ts); one EMF metrics document per batch.
export const handler = withOutageBackoff(
  withBatchMetrics(
    (event: SQSEvent, context: Context) => primaryHandler(event, context) as Promise<BatchResponseWithHints>,
    { metrics: createInstanceMetrics(ctx.instance.id, 'primary'), aviStats: () => ctx.aviClient.stats() },
  ),
  { sqs: clients.sqs, logger: ctx.logger },
);
