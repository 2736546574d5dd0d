// The path back to the cluster in AWS: status updates go to the cluster's status FIFO queue, which the forwarder
// long-polls (functions/forwarder/status-queue.ts). One message per object, grouped by object so that updates to
// one object are applied in order; every message gets a fresh deduplication id, because publishing A, B and then A
// again within five minutes must not drop the last A.
import { randomUUID } from 'node:crypto';
import type { SqsSender } from './sqs-sender.ts';

export interface StatusTargetLike {
  kind: string;
  namespace?: string;
  name: string;
}

/** Message group of one object's status: `<kind>/<namespace>/<name>`. */
export function statusGroupOf(target: StatusTargetLike): string {
  return `${target.kind}/${target.namespace ?? ''}/${target.name}`;
}

export function createStatusQueuePublisher<U extends { target: StatusTargetLike }>(opts: {
  sender: SqsSender;
  queueUrl: string;
  newId?: () => string;
}): (updates: U[]) => Promise<void> {
  const newId = opts.newId ?? randomUUID;
  return async (updates) => {
    if (updates.length === 0) return;
    await opts.sender.sendFifoBatch(
      opts.queueUrl,
      updates.map((u) => ({ body: JSON.stringify(u), groupId: statusGroupOf(u.target), dedupId: newId() })),
    );
  };
}
