// The AWS half of outages, dead letters and metrics: request shapes against the SDK (mocked, as only the shape can
// be checked without AWS), EMF documents as CloudWatch parses them from stdout, and the template's alarms.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchFigures, createInstanceMetrics, METRIC, publishBatchFigures } from '../../infra/aws/metrics.ts';
import {
  outageVisibilityChanges,
  queueUrlOfArn,
  receivesToOutlast,
  withOutageBackoff,
} from '../../infra/aws/outage-backoff.ts';
import { judgeDeadLetter, REDRIVE_COUNT_ATTRIBUTE, redriveDeadLetters } from '../../infra/aws/redrive.ts';
import { buildStack, DEFAULT_STACK_OPTIONS, instanceIds } from '../../infra/aws/stack.ts';
import { silentLogger } from '../../shared/log.ts';
import { parseRegistry } from '../../shared/registry/index.ts';

const sqs = mockClient(SQSClient);
afterEach(() => {
  sqs.reset();
  vi.restoreAllMocks();
});

const ARN = 'arn:aws:sqs:eu-west-1:123456789012:ako-dev-sync-demo-blue.fifo';
const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ako-dev-sync-demo-blue.fifo';

function record(id: string, receives: number, sentAt = 1_000): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify({ type: 'object', change: { kind: 'Ingress', namespace: 'shop', name: id } }),
    attributes: {
      ApproximateReceiveCount: String(receives),
      SentTimestamp: String(sentAt),
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: String(sentAt),
      MessageGroupId: 'shop',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: ARN,
    awsRegion: 'eu-west-1',
  } as SQSRecord;
}

describe('outage back-off on AWS', () => {
  it('turns a queue ARN into its URL', () => {
    expect(queueUrlOfArn(ARN)).toBe(URL);
    expect(() => queueUrlOfArn('arn:aws:sns:eu-west-1:1:x')).toThrow(/not an SQS queue ARN/);
  });

  it('delays outage retries 10 s doubling to 5 min by receive count; other failures keep the visibility timeout', () => {
    const event: SQSEvent = { Records: [record('a', 1), record('b', 4), record('c', 9), record('d', 1)] };
    const changes = outageVisibilityChanges(event, {
      batchItemFailures: [
        { itemIdentifier: 'a' },
        { itemIdentifier: 'b' },
        { itemIdentifier: 'c' },
        { itemIdentifier: 'd' },
      ],
      retryHints: [
        { itemIdentifier: 'a', outage: true, reason: 'HTTP 503' },
        { itemIdentifier: 'b', outage: true, reason: 'HTTP 503' },
        { itemIdentifier: 'c', outage: true, reason: 'HTTP 503' },
        { itemIdentifier: 'd', outage: false, reason: 'HTTP 412' },
      ],
    });
    expect(changes).toEqual([
      {
        queueUrl: URL,
        entries: [
          { Id: 'm0', ReceiptHandle: 'rh-a', VisibilityTimeout: 10 },
          { Id: 'm1', ReceiptHandle: 'rh-b', VisibilityTimeout: 80 },
          { Id: 'm2', ReceiptHandle: 'rh-c', VisibilityTimeout: 300 },
        ],
      },
    ]);
  });

  it('sizes the receive budget to outlast a 30-minute outage: 10+20+40+80+160+5×300 s = 1,810 s in 10 waits', () => {
    expect(receivesToOutlast(30 * 60_000)).toBe(11);
    expect(receivesToOutlast(60_000)).toBe(4); // 10+20+40 = 70 s
  });

  it('sends ChangeMessageVisibilityBatch for the outage retries and returns only batchItemFailures to Lambda', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const handler = withOutageBackoff(
      async () => ({
        batchItemFailures: [{ itemIdentifier: 'a' }],
        retryHints: [{ itemIdentifier: 'a', outage: true, reason: 'transport error ECONNREFUSED' }],
      }),
      { sqs: new SQSClient({ region: 'eu-west-1' }), logger: silentLogger },
    );
    const out = await handler({ Records: [record('a', 2)] }, {});
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      QueueUrl: URL,
      Entries: [{ Id: 'm0', ReceiptHandle: 'rh-a', VisibilityTimeout: 20 }],
    });
  });
});

describe('dead-letter redrive on AWS', () => {
  it('redrives original messages, keeps the function’s own rejection records and messages redriven too often', () => {
    const original = JSON.stringify({ type: 'object', change: { kind: 'Ingress', namespace: 'shop', name: 'web' } });
    expect(judgeDeadLetter(original, 0)).toEqual({
      redrive: true,
      object: 'Ingress/shop/web',
      reason: 'receives exhausted (transient failure)',
    });
    expect(judgeDeadLetter(original, 3).redrive).toBe(false);
    const rejected = JSON.stringify({ instance: 'demo/blue', messageId: 'm', reason: 'invalid message', body: {} });
    expect(judgeDeadLetter(rejected, 0)).toMatchObject({ redrive: false, reason: 'rejected: invalid message' });
    expect(judgeDeadLetter('not json', 0).redrive).toBe(false);
  });

  it('sends a redriven message back to its group with a counted attribute, then deletes it from the DLQ', async () => {
    const body = JSON.stringify({ type: 'object', change: { kind: 'Ingress', namespace: 'shop', name: 'web' } });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'd1', ReceiptHandle: 'r1', Body: body, Attributes: { MessageGroupId: 'shop' } },
          {
            MessageId: 'd2',
            ReceiptHandle: 'r2',
            Body: JSON.stringify({ instance: 'demo/blue', messageId: 'x', reason: 'invalid message', body: {} }),
          },
        ],
      })
      .resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({});
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const logged: Record<string, unknown>[] = [];
    const logger = { ...silentLogger, warn: (_m: string, f?: Record<string, unknown>) => void logged.push(f ?? {}) };
    const r = await redriveDeadLetters({
      sqs: new SQSClient({ region: 'eu-west-1' }),
      deadLetterQueueUrl: `${URL}-dlq`,
      queueUrl: URL,
      instance: 'demo/blue',
      logger,
    });
    expect(r).toEqual({ redriven: 1, kept: 1 });
    const sent = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({
      QueueUrl: URL,
      MessageBody: body,
      MessageGroupId: 'shop',
      MessageDeduplicationId: 'redrive-1-d1',
      MessageAttributes: { [REDRIVE_COUNT_ATTRIBUTE]: { DataType: 'Number', StringValue: '1' } },
    });
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input).toEqual({
      QueueUrl: `${URL}-dlq`,
      Entries: [{ Id: 'm0', ReceiptHandle: 'r1' }],
    });
    // Every dead letter is logged with its object (when it has one) and reason.
    expect(logged).toEqual([
      expect.objectContaining({ object: 'Ingress/shop/web', outcome: 'redriven' }),
      expect.objectContaining({ outcome: 'kept', reason: 'rejected: invalid message' }),
    ]);
  });
});

describe('CloudWatch metrics (embedded metric format)', () => {
  it('counts a batch: messages, sync errors apart from outage retries, controller requests and 429s, latency', () => {
    const f = batchFigures(
      { Records: [record('a', 1, 1_000), record('b', 1, 2_000), record('c', 1, 3_000)] },
      {
        batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }],
        retryHints: [
          { itemIdentifier: 'b', outage: true, reason: 'HTTP 503' },
          { itemIdentifier: 'c', outage: false, reason: 'HTTP 412' },
        ],
      },
      {
        before: { requests: 10, byStatus: { '429': 1 } } as never,
        after: { requests: 17, byStatus: { '429': 3 } } as never,
      },
      5_000,
    );
    expect(f).toEqual({
      messages: 3,
      syncErrors: 1,
      outageRetries: 1,
      controllerRequests: 7,
      controller429: 2,
      changeToAviMs: 4_000,
    });
  });

  it('writes one EMF document with the Instance and service dimensions', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    publishBatchFigures(createInstanceMetrics('demo/blue', 'sync'), {
      messages: 3,
      syncErrors: 1,
      outageRetries: 0,
      controllerRequests: 7,
      controller429: 2,
      changeToAviMs: 40,
    });
    const emf = lines.map((l) => l.trim()).filter((l) => l.startsWith('{') && l.includes('_aws'));
    expect(emf).toHaveLength(1);
    const doc = JSON.parse(emf[0]!);
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('AkoServerless');
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'Instance']));
    expect(doc.Instance).toBe('demo/blue');
    expect(doc[METRIC.syncErrors]).toBe(1);
    expect(doc[METRIC.controllerThrottled]).toBe(2);
    expect(directive.Metrics).toEqual(expect.arrayContaining([{ Name: METRIC.changeToAviMs, Unit: 'Milliseconds' }]));
  });
});

describe('alarms in the generated template', () => {
  const registry = parseRegistry(
    `instances:
  - namespace: avi-system
    set: { AKOSettings.clusterName: demo, AKOSettings.primaryInstance: true, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: a }
  - namespace: blue
    set: { AKOSettings.clusterName: demo, AKOSettings.primaryInstance: false, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: v }
`,
    { baseDir: process.cwd() },
  );
  const alarms = (topic?: string) =>
    Object.entries(
      buildStack(registry, { ...DEFAULT_STACK_OPTIONS, stage: 't', ...(topic ? { alarmTopicArn: topic } : {}) })
        .resources.Resources,
    ).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');

  it('alarms on every dead-letter queue, and on sync errors and controller 429s per instance', () => {
    const byId = new Map(alarms());
    const blue = instanceIds('demo/blue');
    const dlq = byId.get(`${blue.dlq}DepthAlarm`)!.Properties!;
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [blue.dlq, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(byId.get(blue.syncErrorsAlarm)!.Properties).toMatchObject({
      Namespace: 'AkoServerless',
      MetricName: 'SyncErrors',
      Dimensions: [
        { Name: 'service', Value: 'sync' },
        { Name: 'Instance', Value: 'demo/blue' },
      ],
    });
    expect(byId.get(blue.throttledAlarm)!.Properties).toMatchObject({ MetricName: 'Controller429' });
    expect(byId.has('RouterEventDlqDepthAlarm')).toBe(true);
    expect([...byId.keys()].filter((k) => k.startsWith('StatusDlq'))).toHaveLength(1);
    expect([...byId.keys()].filter((k) => k.startsWith('PrimaryDlq'))).toHaveLength(1);
    expect(dlq.AlarmActions).toBeUndefined();
  });

  it('notifies the SNS topic given as alarmTopicArn', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:ako-alarms';
    for (const [, a] of alarms(topic))
      expect(a.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
  });
});
