/**
 * CloudWatch metrics of the instance functions, in embedded metric format (Powertools for AWS Lambda): one EMF
 * document per batch, dimension `Instance`. The template's alarms (stack-alarms.ts) read these names.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import type { AviClientStats } from '../../shared/avi/client.ts';
import type { BatchResponseWithHints } from '../../shared/instance/outage.ts';

export const METRICS_NAMESPACE = 'AkoServerless';

/** Metric names (the alarms and dashboards refer to them). */
export const METRIC = {
  messages: 'Messages',
  syncErrors: 'SyncErrors',
  outageRetries: 'OutageRetries',
  controllerRequests: 'ControllerRequests',
  controllerThrottled: 'Controller429',
  changeToAviMs: 'ChangeToAviLatency',
  deadLetters: 'DeadLetters',
} as const;

export interface BatchFigures {
  messages: number;
  /** Messages retried for a reason other than an outage. */
  syncErrors: number;
  outageRetries: number;
  controllerRequests: number;
  controller429: number;
  /** From the oldest message's SentTimestamp to the end of the batch, for the messages that were applied. */
  changeToAviMs?: number;
}

const count = (s: AviClientStats | undefined, status?: string) =>
  s ? (status ? (s.byStatus[status] ?? 0) : s.requests) : 0;

/** Pure: what one batch adds to the metrics. */
export function batchFigures(
  event: SQSEvent,
  response: BatchResponseWithHints,
  avi: { before?: AviClientStats; after?: AviClientStats },
  nowMs: number,
): BatchFigures {
  const records = event.Records ?? [];
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const outage = new Set((response.retryHints ?? []).filter((h) => h.outage).map((h) => h.itemIdentifier));
  const applied = records.filter((r) => !failed.has(r.messageId));
  const sent = applied.map((r) => Number(r.attributes?.SentTimestamp)).filter((t) => Number.isFinite(t) && t > 0);
  return {
    messages: records.length,
    syncErrors: [...failed].filter((id) => !outage.has(id)).length,
    outageRetries: [...failed].filter((id) => outage.has(id)).length,
    controllerRequests: count(avi.after) - count(avi.before),
    controller429: count(avi.after, '429') - count(avi.before, '429'),
    ...(sent.length ? { changeToAviMs: Math.max(0, nowMs - Math.min(...sent)) } : {}),
  };
}

export function createInstanceMetrics(instance: string, service: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service, defaultDimensions: { Instance: instance } });
}

export function publishBatchFigures(metrics: Metrics, f: BatchFigures): void {
  metrics.addMetric(METRIC.messages, MetricUnit.Count, f.messages);
  metrics.addMetric(METRIC.syncErrors, MetricUnit.Count, f.syncErrors);
  metrics.addMetric(METRIC.outageRetries, MetricUnit.Count, f.outageRetries);
  metrics.addMetric(METRIC.controllerRequests, MetricUnit.Count, f.controllerRequests);
  metrics.addMetric(METRIC.controllerThrottled, MetricUnit.Count, f.controller429);
  if (f.changeToAviMs !== undefined) metrics.addMetric(METRIC.changeToAviMs, MetricUnit.Milliseconds, f.changeToAviMs);
  metrics.publishStoredMetrics();
}

/** Wraps an SQS batch handler: one EMF document per batch (metrics never fail the batch). */
export function withBatchMetrics<C>(
  handler: (event: SQSEvent, context: C) => Promise<BatchResponseWithHints>,
  deps: { metrics: Metrics; aviStats?: () => AviClientStats; now?: () => number },
) {
  return async (event: SQSEvent, context: C): Promise<BatchResponseWithHints> => {
    const before = deps.aviStats?.();
    const response = await handler(event, context);
    try {
      const after = deps.aviStats?.();
      publishBatchFigures(
        deps.metrics,
        batchFigures(
          event,
          response,
          { ...(before ? { before } : {}), ...(after ? { after } : {}) },
          (deps.now ?? Date.now)(),
        ),
      );
    } catch {
      // A metric that cannot be written is not a reason to retry a batch.
    }
    return response;
  };
}
