import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { resolveInstance } from '../../shared/registry/index.ts';

describe('scheduled sweep entry (AWS)', () => {
  it('queues one sweep message on the instance FIFO queue instead of sweeping beside the sync function', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    const instance = resolveInstance({
      namespace: 'blue',
      set: {
        'AKOSettings.clusterName': 'demo',
        'AKOSettings.primaryInstance': false,
        'AKOSettings.namespaceSelector.labelKey': 'key',
        'AKOSettings.namespaceSelector.labelValue': 'value2',
      },
    });
    process.env.AKO_INSTANCE = JSON.stringify({ ...instance, credentials: {} });
    process.env.AKO_SYNC_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ako-demo-blue-sync.fifo';
    const { handler } = await import('../../infra/aws/entry/sweep.ts');
    await handler({ time: '2026-11-24T01:00:00Z' });
    await handler({ time: '2026-11-24T01:00:00Z' }); // a retried invocation of the same tick
    const calls = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ako-demo-blue-sync.fifo',
      MessageGroupId: '_sweep',
    });
    expect(JSON.parse(calls[0]!.MessageBody!)).toEqual({
      type: 'sweep',
      version: 1,
      cluster: 'demo',
      requestedAt: '2026-11-24T01:00:00Z',
    });
    // Same tick, same deduplication id: SQS keeps one.
    expect(calls[1]!.MessageDeduplicationId).toBe(calls[0]!.MessageDeduplicationId);
    sqs.restore();
  });
});
