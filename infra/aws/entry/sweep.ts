// Lambda entry of one instance's scheduled sweep. It does not sweep itself: it puts a `sweep` message on the
// instance's own FIFO queue, so the sweep runs inside the sync function, in line with the instance's other work
// (a sweep running beside a sync batch could rebuild a shard from an older view and undo a change).
import { SQSClient } from '@aws-sdk/client-sqs';
import { hashId, type InstanceMessage } from '../../../shared/events/index.ts';
import { createLogger } from '../../../shared/log.ts';
import { readSweepEnv } from '../adapters/env-config.ts';
import { createSqsSender } from '../adapters/sqs-sender.ts';

const env = readSweepEnv(process.env);
const sender = createSqsSender({ client: new SQSClient({}) });
const logger = createLogger({ stage: process.env.AKO_STAGE, instance: env.instanceId, function: 'sweep' });

/** One sweep per schedule tick: the deduplication id is the tick's minute, so a retried invocation adds nothing. */
export async function handler(event: { time?: string } = {}): Promise<{ queued: boolean }> {
  const requestedAt = event.time ?? new Date().toISOString();
  const message: InstanceMessage = { type: 'sweep', version: 1, cluster: env.clusterName, requestedAt };
  await sender.sendFifo(env.queueUrl, {
    body: JSON.stringify(message),
    groupId: '_sweep',
    dedupId: hashId('sweep', env.instanceId, requestedAt.slice(0, 16)),
  });
  logger.info('sweep queued', { operation: 'sweep', outcome: 'queued' });
  return { queued: true };
}
