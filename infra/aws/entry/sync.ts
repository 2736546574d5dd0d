// Lambda entry of one instance's sync function (SQS FIFO event source, partial batch responses).

import type { Context, SQSEvent } from 'aws-lambda';
import { runSweep } from '../../../functions/sweep/sweep.ts';
import type { SyncEngine, WorkingSet } from '../../../functions/sync/engine.ts';
import { createSyncHandler } from '../../../functions/sync/handler.ts';
import { createStatusReporter } from '../../../functions/sync/status.ts';
import { crdFactsReader } from '../../../shared/avi/avi-refs.ts';
import type { BatchResponseWithHints } from '../../../shared/instance/outage.ts';
import { createLogger } from '../../../shared/log.ts';
import { readInstanceFunctionEnv } from '../adapters/env-config.ts';
import { createInstanceMetrics, withBatchMetrics } from '../metrics.ts';
import { withOutageBackoff } from '../outage-backoff.ts';
import { redriveDeadLetters } from '../redrive.ts';
import { createInstanceContext } from '../wiring-instance.ts';
import { lambdaClients } from './clients.ts';

// Cold start: credentials are read once here and cached for the life of this Lambda environment.
const env = readInstanceFunctionEnv(process.env);
const clients = lambdaClients();
const ctx = await createInstanceContext(env, clients, createLogger({ stage: process.env.AKO_STAGE }));

/** After a sweep that reached the controller: dead letters of an outage go back to the queue (redrive.ts). */
async function sweepThenRedrive(engine: SyncEngine, ws: WorkingSet) {
  const report = await runSweep(engine, ws, { avi: ctx.reconciler });
  const controllerAnswered = !report.partial.some((p) => p.startsWith('cannot list the controller'));
  if (controllerAnswered && env.deadLetterQueueUrl && env.syncQueueUrl) {
    try {
      await redriveDeadLetters({
        sqs: clients.sqs,
        deadLetterQueueUrl: env.deadLetterQueueUrl,
        queueUrl: env.syncQueueUrl,
        instance: ctx.instance.id,
        logger: ctx.logger,
      });
    } catch (err) {
      ctx.logger.warn('dead-letter redrive failed; the next sweep tries again', {
        operation: 'redrive',
        outcome: 'retry',
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return report;
}

const syncHandler = createSyncHandler({
  instance: ctx.instance,
  store: ctx.store,
  reconciler: ctx.reconciler,
  keyProvider: ctx.keyProvider,
  publish: ctx.publish,
  deadLetter: ctx.deadLetter,
  logger: ctx.logger,
  now: ctx.now,
  // A `sweep` message (router, on sweep-requested) runs in line with the instance's other work.
  sweep: sweepThenRedrive,
  // Cold start with an empty state store: write nothing before the first inventories, then everything once.
  initialSync: {},
  // The Avi objects the instance's CRs refer to (WAF policy, SE group, ...): a missing one rejects the CR.
  cloudFacts: crdFactsReader(ctx.aviClient, ctx.instance),
  // A host another instance of the cluster serves is not served here (the first claimant keeps it).
  ...(ctx.hostClaims ? { hostClaims: ctx.hostClaims } : {}),
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

// Outage retries come back after a capped back-off (outage-backoff.ts); one EMF metrics document per batch.
export const handler = withOutageBackoff(
  withBatchMetrics(
    (event: SQSEvent, context: Context) => syncHandler(event, context) as Promise<BatchResponseWithHints>,
    {
      metrics: createInstanceMetrics(ctx.instance.id, 'sync'),
      aviStats: () => ctx.aviClient.stats(),
    },
  ),
  { sqs: clients.sqs, logger: ctx.logger },
);
