import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { KubeConfig } from '@kubernetes/client-node';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeRequester } from '../../functions/forwarder/kube.ts';
import { parseForwarderEnv } from '../../functions/forwarder/main.ts';
import { eventBridgePublisher } from '../../functions/forwarder/publishers/eventbridge.ts';
import { publisherFromPutEvents } from '../../functions/forwarder/publishers/types.ts';
import { startStatusQueueConsumer } from '../../functions/forwarder/status-queue.ts';
import { startDevCluster } from '../../infra/dev-cluster/index.ts';
import { silentLogger } from '../../shared/log.ts';
import { eventually } from './harness.ts';

const entry = (name: string) => ({
  Source: 'ako-serverless.forwarder',
  DetailType: 'object-change',
  Detail: JSON.stringify({ name }),
});

describe('EventBridge publisher', () => {
  const eb = mockClient(EventBridgeClient);
  afterEach(() => eb.reset());

  it('sends one PutEvents per batch on the configured bus and reports failed entries by index', async () => {
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [
        { EventId: 'e1' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
        { EventId: 'e3' },
      ],
    });
    const pub = eventBridgePublisher({
      client: new EventBridgeClient({ region: 'eu-west-1' }),
      eventBusName: 'ako-bus',
    });
    const out = await pub.putEvents([entry('a'), entry('b'), entry('c')]);
    expect(out.failed).toEqual([{ index: 1, code: 'ThrottlingException', message: 'Rate exceeded' }]);
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Entries: ['a', 'b', 'c'].map((n) => ({
        EventBusName: 'ako-bus',
        Source: 'ako-serverless.forwarder',
        DetailType: 'object-change',
        Detail: JSON.stringify({ name: n }),
      })),
    });
  });

  it('treats a failure count without entry results as every entry failed', async () => {
    const pub = publisherFromPutEvents(async () => ({ FailedEntryCount: 2 }));
    const out = await pub.putEvents([entry('a'), entry('b')]);
    expect(out.failed.map((f) => f.index)).toEqual([0, 1]);
  });
});

describe('forwarder container configuration', () => {
  it('reads the ConfigMap names and the short names', () => {
    expect(
      parseForwarderEnv({
        AKO_CLUSTER_NAME: 'demo',
        AKO_EVENT_BUS: 'ako-serverless-dev',
        AWS_REGION: 'eu-west-1',
        AKO_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:1:key/x',
        AKO_STATUS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q.fifo',
        AKO_HEALTH_PORT: '8080',
      }),
    ).toEqual({
      clusterName: 'demo',
      eventBusName: 'ako-serverless-dev',
      region: 'eu-west-1',
      kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/x',
      statusQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q.fifo',
      healthPort: 8080,
      fullSyncFrequencySeconds: 300,
    });
    expect(
      parseForwarderEnv({
        CLUSTER_NAME: 'c1',
        EVENT_BUS_NAME: 'b',
        AWS_REGION: 'us-east-1',
        FULL_SYNC_FREQUENCY: '60',
      }),
    ).toMatchObject({ clusterName: 'c1', eventBusName: 'b', fullSyncFrequencySeconds: 60 });
  });

  it('names the variable at fault', () => {
    expect(() => parseForwarderEnv({ AKO_EVENT_BUS: 'b', AWS_REGION: 'r' })).toThrow(
      /AKO_CLUSTER_NAME or CLUSTER_NAME/,
    );
    expect(() => parseForwarderEnv({ AKO_CLUSTER_NAME: 'bad name', AKO_EVENT_BUS: 'b', AWS_REGION: 'r' })).toThrow(
      /must match/,
    );
    expect(() =>
      parseForwarderEnv({ AKO_CLUSTER_NAME: 'c', AKO_EVENT_BUS: 'b', AWS_REGION: 'r', FULL_SYNC_FREQUENCY: 'often' }),
    ).toThrow(/FULL_SYNC_FREQUENCY/);
  });
});

describe('status queue consumer', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());

  it('long-polls the queue, applies updates and deletes applied and invalid messages', async () => {
    const dc = await startDevCluster();
    try {
      dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
      dc.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'lb', namespace: 'shop' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      });
      const update = {
        target: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'lb' },
        instance: 'demo/avi-system',
        loadBalancer: { ingress: [{ ip: '10.9.9.9' }] },
      };
      sqs
        .on(ReceiveMessageCommand)
        .resolvesOnce({
          Messages: [
            { MessageId: 'm1', ReceiptHandle: 'r1', Body: JSON.stringify(update) },
            { MessageId: 'm2', ReceiptHandle: 'r2', Body: '{"not":"a status"}' },
          ],
        })
        .resolves({ Messages: [] });
      sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [] });
      const kc = new KubeConfig();
      kc.loadFromString(dc.kubeconfig());
      const consumer = startStatusQueueConsumer({
        client: new SQSClient({ region: 'eu-west-1' }),
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/status.fifo',
        request: kubeRequester(kc),
        clusterName: 'demo',
        logger: silentLogger,
        waitTimeSeconds: 0,
      });
      await eventually(() => sqs.commandCalls(DeleteMessageBatchCommand).length > 0, 'delete');
      await consumer.stop();
      expect(dc.get('v1', 'Service', 'shop', 'lb')!.status.loadBalancer.ingress).toEqual([{ ip: '10.9.9.9' }]);
      const recv = sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
      expect(recv).toMatchObject({
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/status.fifo',
        MaxNumberOfMessages: 10,
      });
      const del = sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input;
      expect(del.Entries?.map((e) => e.ReceiptHandle)).toEqual(['r1', 'r2']);
    } finally {
      await dc.close();
    }
  });
});
