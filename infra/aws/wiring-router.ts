// Router dependencies in Lambda: the registry written next to the bundle at packaging time, queue URLs derived
// from the same names the stack gave the queues, SQS for delivery and for the dead-letter path.

import type { SQSClient } from '@aws-sdk/client-sqs';
import type { StatusUpdate } from '../../functions/forwarder/status.ts';
import { conflictStatusUpdates } from '../../functions/router/conflict-events.ts';
import type { RouterDeps } from '../../functions/router/handler.ts';
import type { Logger } from '../../shared/log.ts';
import { buildOwnerIndex } from '../../shared/registry/owner-index.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import { EnvConfigError, type RouterEnv } from './adapters/env-config.ts';
import { createSqsSender } from './adapters/sqs-sender.ts';
import { createStatusQueuePublisher } from './adapters/status-publisher.ts';
import { queueName, queueUrl } from './naming.ts';

/** Parses the registry file the packaging step wrote (`{"instances": [...]}`, credentials removed). */
export function parseRouterRegistry(text: string, where: string): { instances: InstanceConfig[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EnvConfigError(`router registry ${where} is not JSON; re-run \`npm run package\``);
  }
  const list = (json as { instances?: unknown })?.instances;
  if (!Array.isArray(list) || list.some((i) => typeof (i as InstanceConfig)?.id !== 'string')) {
    throw new EnvConfigError(`router registry ${where} has no valid instances list; re-run \`npm run package\``);
  }
  return { instances: list as InstanceConfig[] };
}

export function createRouterDeps(opts: {
  env: RouterEnv;
  registryText: string;
  sqs: SQSClient;
  logger: Logger;
}): RouterDeps {
  const registry = parseRouterRegistry(opts.registryText, opts.env.registryFile);
  const sender = createSqsSender({ client: opts.sqs });
  const urlOf = (queue: 'sync' | 'primary', cluster: string, instanceId: string) =>
    queueUrl(opts.env.queueUrlPrefix, queueName(opts.env.stackPrefix, queue, queue === 'sync' ? instanceId : cluster));
  const publishStatus = (cluster: string, updates: StatusUpdate[]) =>
    createStatusQueuePublisher<StatusUpdate>({
      sender,
      queueUrl: queueUrl(opts.env.queueUrlPrefix, queueName(opts.env.stackPrefix, 'status', cluster)),
    })(updates);
  return {
    index: buildOwnerIndex(registry),
    logger: opts.logger,
    async send(target, message, keys) {
      await sender.sendFifo(urlOf(target.queue, target.cluster, target.instanceId), {
        body: JSON.stringify(message),
        groupId: keys.groupId,
        dedupId: keys.dedupId,
      });
    },
    async publishDeadLetter(record) {
      await sender.sendStandard(opts.env.deadLetterQueueUrl, JSON.stringify(record));
      // Status stays untouched; Events on the namespace and the object say why (the forwarder records them).
      const updates = conflictStatusUpdates(record);
      if (updates.length && record.cluster) await publishStatus(record.cluster, updates);
    },
  };
}
