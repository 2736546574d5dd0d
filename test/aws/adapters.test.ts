// Request shapes of the AWS adapters (aws-sdk-client-mock), retries of partial failures, credentials caching and
// masking, and the Lambda environment reader.

import { inspect } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readInstanceFunctionEnv, readRouterEnv } from '../../infra/aws/adapters/env-config.ts';
import { createEventBridgePublisher, entrySize } from '../../infra/aws/adapters/eventbridge-publisher.ts';
import { createCredentialsLoader, parseCredentials } from '../../infra/aws/adapters/secrets.ts';
import { createSqsSender, fitId } from '../../infra/aws/adapters/sqs-sender.ts';
import { createStatusQueuePublisher, statusGroupOf } from '../../infra/aws/adapters/status-publisher.ts';

const sqs = mockClient(SQSClient);
const eb = mockClient(EventBridgeClient);
const sm = mockClient(SecretsManagerClient);
afterEach(() => {
  sqs.reset();
  eb.reset();
  sm.reset();
});

const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo';

describe('SQS sender', () => {
  it('sends a FIFO message with the group and deduplication ids it is given', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    const sender = createSqsSender({ client: new SQSClient({ region: 'eu-west-1' }) });
    await sender.sendFifo(URL, { body: '{"type":"sweep"}', groupId: 'team-a', dedupId: 'abc123' });
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: URL,
      MessageBody: '{"type":"sweep"}',
      MessageGroupId: 'team-a',
      MessageDeduplicationId: 'abc123',
    });
  });

  it('batches by ten and resends only the entries that failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: '3', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [], Failed: [] });
    const sender = createSqsSender({ client: new SQSClient({ region: 'eu-west-1' }) });
    const msgs = Array.from({ length: 12 }, (_, i) => ({ body: `m${i}`, groupId: 'g', dedupId: `d${i}` }));
    await sender.sendFifoBatch(URL, msgs);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => e.Id));
    expect(calls).toEqual([['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], ['3'], ['10', '11']]);
    const first = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!;
    expect(first).toEqual({ Id: '0', MessageBody: 'm0', MessageGroupId: 'g', MessageDeduplicationId: 'd0' });
  });

  it('gives up after the attempts, naming the failures, and stops at once on a sender fault', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'ServiceUnavailable', SenderFault: false }] });
    const sender = createSqsSender({ client: new SQSClient({ region: 'eu-west-1' }), maxAttempts: 2 });
    await expect(sender.sendFifoBatch(URL, [{ body: 'x', groupId: 'g', dedupId: 'd' }])).rejects.toThrow(
      /1 message\(s\) to .* failed after 2 attempts \(0: ServiceUnavailable\)/,
    );
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    sqs.reset();
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'InvalidParameterValue', SenderFault: true }] });
    await expect(sender.sendFifoBatch(URL, [{ body: 'x', groupId: 'g', dedupId: 'd' }])).rejects.toThrow(/rejected/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('refuses messages over 1 MiB before calling SQS', async () => {
    const sender = createSqsSender({ client: new SQSClient({ region: 'eu-west-1' }) });
    await expect(
      sender.sendFifo(URL, { body: 'x'.repeat(1024 * 1024 + 1), groupId: 'g', dedupId: 'd' }),
    ).rejects.toThrow(/at most 1048576/);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('keeps valid ids and hashes ids SQS would refuse', () => {
    expect(fitId('team-a')).toBe('team-a');
    expect(fitId('x'.repeat(129))).toMatch(/^[0-9a-f]{64}$/);
    expect(fitId('with space')).toMatch(/^[0-9a-f]{64}$/);
    expect(fitId('x'.repeat(129))).toBe(fitId('x'.repeat(129)));
  });

  it('sends standard-queue messages without FIFO ids', async () => {
    sqs.on(SendMessageCommand).resolves({});
    const sender = createSqsSender({ client: new SQSClient({ region: 'eu-west-1' }) });
    await sender.sendStandard('https://sqs/q', 'body');
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs/q',
      MessageBody: 'body',
    });
  });
});

describe('status queue publisher', () => {
  it('sends one message per object, grouped by object, each with a fresh deduplication id', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    let n = 0;
    const publish = createStatusQueuePublisher({
      sender: createSqsSender({ client: new SQSClient({ region: 'eu-west-1' }) }),
      queueUrl: URL,
      newId: () => `id-${++n}`,
    });
    const a = {
      target: { kind: 'Ingress', namespace: 'shop', name: 'web' },
      instance: 'demo/blue',
      loadBalancer: { ingress: [{ ip: '10.0.0.1' }] },
    };
    const b = {
      target: { kind: 'Service', namespace: 'shop', name: 'db' },
      instance: 'demo/blue',
      loadBalancer: { ingress: [] },
    };
    await publish([a, b]);
    await publish([a]); // the same status again later must not be deduplicated away
    await publish([]);
    const entries = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);
    expect(entries).toHaveLength(2);
    expect(entries[0]!.map((e) => [e.MessageGroupId, e.MessageDeduplicationId])).toEqual([
      ['Ingress/shop/web', 'id-1'],
      ['Service/shop/db', 'id-2'],
    ]);
    expect(JSON.parse(entries[0]![0]!.MessageBody!)).toEqual(a);
    expect(entries[1]![0]!.MessageDeduplicationId).toBe('id-3');
    expect(statusGroupOf({ kind: 'Namespace', name: 'shop' })).toBe('Namespace//shop');
  });
});

describe('EventBridge publisher', () => {
  it('puts events on the project bus with its source, ten per call, resending failed entries', async () => {
    eb.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }] })
      .resolves({ FailedEntryCount: 0, Entries: [] });
    const pub = createEventBridgePublisher({
      client: new EventBridgeClient({ region: 'eu-west-1' }),
      busName: 'ako-serverless-ci',
      source: 'ako-serverless.sync',
    });
    const events = Array.from({ length: 11 }, (_, i) => ({ detailType: 'sync-status', detail: { n: i } }));
    await pub.publish(events);
    const calls = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
    expect(calls.map((c) => c.length)).toEqual([10, 1, 1]);
    expect(calls[0]![0]).toEqual({
      EventBusName: 'ako-serverless-ci',
      Source: 'ako-serverless.sync',
      DetailType: 'sync-status',
      Detail: '{"n":0}',
    });
    expect(calls[1]![0]!.Detail).toBe('{"n":1}'); // the failed second entry, resent alone
  });

  it('fails after the attempts, with the error codes', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const pub = createEventBridgePublisher({
      client: new EventBridgeClient({ region: 'eu-west-1' }),
      busName: 'bus',
      source: 's',
      maxAttempts: 2,
    });
    await expect(pub.publish([{ detailType: 'x', detail: {} }])).rejects.toThrow(
      /failed after 2 attempts \(InternalFailure\)/,
    );
  });

  it('counts entry size as EventBridge does', () => {
    expect(entrySize({ Source: 'ab', DetailType: 'c', Detail: '{}' })).toBe(14 + 2 + 1 + 2);
  });
});

describe('controller credentials', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ako/ci/demo/blue/controller';

  it('reads the secret once and caches it; the password never prints', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"admin","password":"hunter2-pw"}' });
    const load = createCredentialsLoader({ client: new SecretsManagerClient({ region: 'eu-west-1' }), secretId: ARN });
    const a = await load();
    const b = await load();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ARN });
    expect(a).toBe(b);
    expect(a.username).toBe('admin');
    expect(a.password!.reveal()).toBe('hunter2-pw');
    expect(JSON.stringify(a)).not.toContain('hunter2');
    expect(inspect(a)).not.toContain('hunter2');
  });

  it('does not cache a failure and names the secret, not its value', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolves({ SecretString: '{"authtoken":"tok-123"}' });
    const load = createCredentialsLoader({ client: new SecretsManagerClient({ region: 'eu-west-1' }), secretId: ARN });
    await expect(load()).rejects.toThrow(`cannot read secret ${ARN}: AccessDeniedException`);
    expect((await load()).authtoken!.reveal()).toBe('tok-123');
  });

  it('explains a missing, non-JSON or incomplete value without echoing it', () => {
    expect(() => parseCredentials(ARN, undefined)).toThrow(/has no value yet/);
    expect(() => parseCredentials(ARN, 'hunter2-pw')).toThrow(/is not JSON/);
    let msg = '';
    try {
      parseCredentials(ARN, '{"username":"admin","pasword":"hunter2-pw"}');
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/needs "password" \(with "username"\) or "authtoken"/);
    expect(msg).not.toContain('hunter2');
  });
});

describe('Lambda environment', () => {
  const instance = {
    id: 'demo/blue',
    clusterName: 'demo',
    namespace: 'blue',
    primary: false,
    controller: { host: 'avi', version: '22.1.3', tenantName: 'admin' },
    credentials: {},
  };
  const env = {
    AKO_ROLE: 'sync',
    AKO_INSTANCE_ID: 'demo/blue',
    AKO_INSTANCE: JSON.stringify(instance),
    AKO_TABLE_NAME: 'table',
    AKO_EVENT_BUS: 'bus',
    AKO_KMS_KEY_ARN: 'arn:key',
    AKO_SECRET_ARN: 'arn:secret',
    AKO_DEAD_LETTER_QUEUE_URL: 'https://sqs/dlq.fifo',
    AKO_AVI_MAX_RPS: '3.2',
  };

  it('reads what the stack writes', () => {
    const cfg = readInstanceFunctionEnv(env);
    expect(cfg.instance.id).toBe('demo/blue');
    expect(cfg.aviMaxRps).toBe(3.2);
    expect(cfg.deadLetterQueueUrl).toBe('https://sqs/dlq.fifo');
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => readInstanceFunctionEnv({ ...env, AKO_TABLE_NAME: undefined })).toThrow(/AKO_TABLE_NAME is not set/);
    expect(() => readInstanceFunctionEnv({ ...env, AKO_INSTANCE: '{' })).toThrow(/AKO_INSTANCE is not JSON/);
    expect(() => readInstanceFunctionEnv({ ...env, AKO_INSTANCE_ID: 'demo/red' })).toThrow(
      /AKO_INSTANCE is demo\/blue but AKO_INSTANCE_ID is demo\/red/,
    );
    expect(() => readInstanceFunctionEnv({ ...env, AKO_AVI_MAX_RPS: '-1' })).toThrow(
      /AKO_AVI_MAX_RPS must be a positive number/,
    );
    expect(() => readRouterEnv({})).toThrow(/AKO_EVENT_BUS is not set/);
  });
});
