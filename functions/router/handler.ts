// Router Lambda: EventBridge event(s) → validated → route() → injected queue sender. Bad events and routing
// problems go to the dead-letter path; the rest of the batch carries on.
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { type InstanceMessage, parseBusEvent } from '../../shared/events/index.ts';
import { type Logger, redact } from '../../shared/log.ts';
import type { OwnerIndex } from '../../shared/registry/index.ts';
import { type QueueTarget, type RouteProblemReason, route } from './route.ts';

export type { Delivery, QueueTarget, RouteDecision, RouteProblem } from './route.ts';
export { route } from './route.ts';

/** What the router records instead of routing: an invalid event or a routing problem. */
export interface DeadLetterRecord {
  reason: 'invalid-event' | RouteProblemReason;
  /** Human-readable: names the failing field for invalid events, the cluster/namespace/instances otherwise. */
  message: string;
  eventId?: string;
  detailType?: string;
  cluster?: string;
  namespace?: string;
  instances?: string[];
  /** The event as received, with credential-like fields masked. */
  event: unknown;
}

export interface RouterDeps {
  index: OwnerIndex;
  send(target: QueueTarget, message: InstanceMessage, keys: { groupId: string; dedupId: string }): Promise<void>;
  publishDeadLetter(record: DeadLetterRecord): Promise<void>;
  logger: Logger;
}

export interface RouterResult {
  received: number;
  delivered: number;
  deadLettered: number;
  ignored: number;
}

type AnyBridgeEvent = EventBridgeEvent<string, unknown>;

/**
 * Handles one EventBridge event (Lambda target) or an array of them (the embedded bus may batch).
 * Send failures are retried by the caller: the handler throws after trying every delivery; FIFO deduplication ids
 * make the repeated sends harmless.
 */
export function createRouterHandler(deps: RouterDeps) {
  return middy<AnyBridgeEvent | AnyBridgeEvent[], RouterResult>().handler(async (input) => {
    const events = Array.isArray(input) ? input : [input];
    const result: RouterResult = { received: events.length, delivered: 0, deadLettered: 0, ignored: 0 };
    const sendErrors: unknown[] = [];
    for (const raw of events) {
      await routeOne(raw, deps, result, sendErrors);
    }
    if (sendErrors.length > 0) {
      const first = sendErrors[0];
      throw new Error(
        `router: ${sendErrors.length} queue send(s) failed; the event will be retried (first: ${first instanceof Error ? first.message : String(first)})`,
      );
    }
    return result;
  });
}

async function routeOne(raw: unknown, deps: RouterDeps, result: RouterResult, sendErrors: unknown[]): Promise<void> {
  const { logger } = deps;
  const envelope = (raw ?? {}) as Partial<AnyBridgeEvent>;
  const parsed = parseBusEvent(raw);
  if (!parsed.ok) {
    await deadLetter(deps, result, {
      reason: 'invalid-event',
      message: parsed.reason,
      ...(typeof envelope.id === 'string' ? { eventId: envelope.id } : {}),
      ...(typeof envelope['detail-type'] === 'string' ? { detailType: envelope['detail-type'] } : {}),
      event: redact(raw),
    });
    return;
  }
  const event = parsed.value;
  const decision = route(event, deps.index);
  for (const p of decision.problems) {
    await deadLetter(deps, result, {
      reason: p.reason,
      message: p.message,
      eventId: event.id,
      detailType: event.detailType,
      cluster: p.cluster,
      ...(p.namespace ? { namespace: p.namespace } : {}),
      ...(p.instances ? { instances: p.instances } : {}),
      event: redact(raw),
    });
  }
  if (decision.ignored && decision.deliveries.length === 0) {
    result.ignored++;
    logger.debug('event not routed', { eventId: event.id, detailType: event.detailType, why: decision.ignored });
  }
  await Promise.all(
    decision.deliveries.map(async (d) => {
      try {
        await deps.send(d.target, d.message, { groupId: d.groupId, dedupId: d.dedupId });
        result.delivered++;
        logger.debug('routed', {
          eventId: event.id,
          detailType: event.detailType,
          message: d.message.type,
          queue: d.target.queue,
          instance: d.target.instanceId,
          group: d.groupId,
        });
      } catch (err) {
        sendErrors.push(err);
        logger.error('queue send failed', {
          eventId: event.id,
          queue: d.target.queue,
          instance: d.target.instanceId,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }),
  );
}

async function deadLetter(deps: RouterDeps, result: RouterResult, record: DeadLetterRecord): Promise<void> {
  deps.logger.error('event dead-lettered', {
    reason: record.reason,
    detail: record.message,
    eventId: record.eventId,
    detailType: record.detailType,
    cluster: record.cluster,
    namespace: record.namespace,
    instances: record.instances,
  });
  try {
    await deps.publishDeadLetter(record);
    result.deadLettered++;
  } catch (err) {
    // Losing the record must not lose the rest of the batch; the log line above keeps the facts.
    deps.logger.error('dead-letter publish failed', {
      eventId: record.eventId,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
