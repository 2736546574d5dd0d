// The AWS deployment as a pure function of the registry: serverless `functions` and CloudFormation `resources`.
// serverless.yml pulls both in through infra/aws/serverless-stack.cjs; tests call buildStack directly.

import { KMS_ENCRYPTION_CONTEXT } from '../../shared/crypto/index.ts';
import { DetailType, FORWARDER_SOURCE, SYNC_SOURCE } from '../../shared/events/index.ts';
import type { InstanceConfig, Registry } from '../../shared/registry/types.ts';
import { hostClaimsPartition } from '../../shared/store/dynamo-host-claims.ts';
import { TTL_ATTRIBUTE } from '../../shared/store/dynamo-table.ts';
import { type ConcurrencyPlan, type FunctionBudget, planConcurrency } from './budget.ts';
import {
  getAtt,
  kmsStatement,
  lambdaRole,
  logsStatement,
  policyDocument,
  putEventsStatement,
  queueConsumerStatement,
  queueSenderStatement,
  ref,
  type Statement,
  secretReadStatement,
  sub,
  tableStatement,
} from './iam.ts';
import {
  clusterKey,
  deadLetterQueueName,
  functionName,
  instanceKey,
  queueName,
  routerFunctionName,
  secretName,
  stackPrefix,
} from './naming.ts';
import { receivesToOutlast } from './outage-backoff.ts';
import { deadLetterAlarm, instanceAlarms } from './stack-alarms.ts';

export interface StackOptions {
  service: string;
  stage: string;
  controllerConcurrency: number;
  controllerRequestsPerSecond: number;
  /** Days the bus archive keeps events for replay. */
  archiveRetentionDays: number;
  /** Sync/primary/sweep function timeout; queue visibility timeouts are six times this (AWS guidance). */
  functionTimeoutSeconds: number;
  memorySize: number;
  /** Receives before a message moves to its dead-letter queue. */
  maxReceiveCount: number;
  /** SNS topic the alarms notify (none: the alarms only change state). */
  alarmTopicArn?: string;
}

export const DEFAULT_STACK_OPTIONS: Omit<StackOptions, 'stage'> = {
  service: 'ako-serverless',
  controllerConcurrency: 10,
  controllerRequestsPerSecond: 32,
  archiveRetentionDays: 7,
  functionTimeoutSeconds: 60,
  memorySize: 512,
  // Outage retries back off 10 s → 5 min (outage-backoff.ts): 11 receives outlast a 30-minute controller outage.
  maxReceiveCount: receivesToOutlast(30 * 60_000),
};

/** A serverless (v3 syntax) function definition. */
export interface ServerlessFunction {
  name: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  reservedConcurrency?: number;
  environment: Record<string, unknown>;
  package: { patterns: string[] };
  events?: unknown[];
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string[];
}

export interface GeneratedStack {
  functions: Record<string, ServerlessFunction>;
  resources: { Resources: Record<string, CfnResource>; Outputs: Record<string, unknown> };
  /** The registry as the router reads it (credentials removed); written next to the router bundle. */
  routerRegistry: { instances: InstanceConfig[] };
}

/** Tag put in each generated resource's Metadata so the template checker can map resources back to the registry. */
export const METADATA_KEY = 'AkoServerless';

/** Logical ids of the shared resources. */
export const SHARED = {
  bus: 'EventBus',
  archive: 'EventArchive',
  routerDlq: 'RouterEventDlq',
  routerDlqPolicy: 'RouterEventDlqPolicy',
  table: 'StateTable',
  key: 'TlsKey',
  keyAlias: 'TlsKeyAlias',
  routerRole: 'RouterRole',
} as const;

/** Logical ids of one instance's resources. */
export function instanceIds(instanceId: string) {
  const k = instanceKey(instanceId);
  return {
    queue: `SyncQueue${k}`,
    dlq: `SyncDlq${k}`,
    secret: `ControllerSecret${k}`,
    syncRole: `SyncRole${k}`,
    sweepRole: `SweepRole${k}`,
    syncFunction: `sync${k}`,
    sweepFunction: `sweep${k}`,
    syncErrorsAlarm: `SyncErrorsAlarm${k}`,
    throttledAlarm: `Controller429Alarm${k}`,
  };
}

/** Logical ids of one cluster's resources. */
export function clusterIds(clusterName: string) {
  const k = clusterKey(clusterName);
  return {
    statusQueue: `StatusQueue${k}`,
    statusDlq: `StatusDlq${k}`,
    primaryQueue: `PrimaryQueue${k}`,
    primaryDlq: `PrimaryDlq${k}`,
    primaryRole: `PrimaryRole${k}`,
    primaryFunction: `primary${k}`,
    forwarderPolicy: `ForwarderPolicy${k}`,
  };
}

/** Store partition keys of an instance start with `<instanceId>#` (see shared/store); the `#` keeps `a/b` from matching `a/bc`. */
export function leadingKeys(instanceId: string): string[] {
  return [`${instanceId}#*`];
}

/** The instance's configuration as a sync function sees it in its environment: everything but the credentials. */
export function publicInstance(instance: InstanceConfig): InstanceConfig {
  return { ...instance, credentials: {} };
}

const HANDLERS = {
  router: 'dist/router/index.handler',
  sync: 'dist/sync/index.handler',
  primary: 'dist/primary/index.handler',
  sweep: 'dist/sweep/index.handler',
} as const;

function fifoQueue(
  name: string,
  opts: { visibilityTimeout?: number; dlq?: string; maxReceiveCount?: number },
  meta: object,
) {
  const props: Record<string, unknown> = {
    QueueName: name,
    FifoQueue: true,
    ContentBasedDeduplication: false,
    SqsManagedSseEnabled: true,
  };
  if (opts.visibilityTimeout !== undefined) props.VisibilityTimeout = opts.visibilityTimeout;
  if (opts.dlq) {
    props.RedrivePolicy = { deadLetterTargetArn: getAtt(opts.dlq, 'Arn'), maxReceiveCount: opts.maxReceiveCount ?? 5 };
  } else {
    props.MessageRetentionPeriod = 1_209_600; // 14 days: the longest SQS keeps anything
  }
  return { Type: 'AWS::SQS::Queue', Properties: props, Metadata: { [METADATA_KEY]: meta } } satisfies CfnResource;
}

function sqsEvent(queueLogicalId: string, budget: FunctionBudget | undefined) {
  return {
    sqs: {
      arn: getAtt(queueLogicalId, 'Arn'),
      batchSize: 10,
      functionResponseType: 'ReportBatchItemFailures',
      ...(budget?.eventSourceMaximum ? { maximumConcurrency: budget.eventSourceMaximum } : {}),
    },
  };
}

/** Sweep period: the instance's fullSyncFrequency (seconds) rounded up to whole minutes; undefined when disabled. */
export function sweepRate(instance: InstanceConfig): string | undefined {
  if (!instance.fullSyncFrequency || instance.fullSyncFrequency <= 0) return undefined;
  const minutes = Math.max(1, Math.ceil(instance.fullSyncFrequency / 60));
  return minutes === 1 ? 'rate(1 minute)' : `rate(${minutes} minutes)`;
}

export function buildStack(registry: Registry, options: StackOptions): GeneratedStack {
  const prefix = stackPrefix(options.service, options.stage);
  const plan: ConcurrencyPlan = planConcurrency(registry.instances, options);
  const instances = [...registry.instances].sort((a, b) => a.id.localeCompare(b.id));
  const clusters = [...new Set(instances.map((i) => i.clusterName))].sort();
  const visibility = options.functionTimeoutSeconds * 6;

  const R: Record<string, CfnResource> = {};
  const F: Record<string, ServerlessFunction> = {};
  const outputs: Record<string, unknown> = {};

  // ---- shared: bus + archive, router DLQ, state table, TLS key
  R[SHARED.bus] = { Type: 'AWS::Events::EventBus', Properties: { Name: prefix } };
  R[SHARED.archive] = {
    Type: 'AWS::Events::Archive',
    Properties: {
      SourceArn: getAtt(SHARED.bus, 'Arn'),
      RetentionDays: options.archiveRetentionDays,
      Description: `All events of ${prefix}, kept for replay`,
    },
  };
  R[SHARED.routerDlq] = {
    Type: 'AWS::SQS::Queue',
    Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
  };
  R[SHARED.routerDlqPolicy] = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [ref(SHARED.routerDlq)],
      PolicyDocument: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['sqs:SendMessage'],
          Resource: getAtt(SHARED.routerDlq, 'Arn'),
          Condition: {
            ArnLike: {
              'aws:SourceArn': sub(`arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${prefix}/*`),
            },
          },
        },
      ]),
    },
  };
  R[SHARED.table] = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      SSESpecification: { SSEEnabled: true },
    },
  };
  R[SHARED.key] = {
    Type: 'AWS::KMS::Key',
    Properties: {
      Description: `${prefix}: wraps the data keys that encrypt TLS private keys in transit and at rest`,
      EnableKeyRotation: true,
      KeyPolicy: policyDocument([
        {
          Sid: 'AccountAdministersKeyAndDelegatesUseToIam',
          Effect: 'Allow',
          Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
          Action: [
            'kms:DescribeKey',
            'kms:GetKeyPolicy',
            'kms:PutKeyPolicy',
            'kms:GetKeyRotationStatus',
            'kms:EnableKeyRotation',
            'kms:DisableKeyRotation',
            'kms:EnableKey',
            'kms:DisableKey',
            'kms:UpdateKeyDescription',
            'kms:ListResourceTags',
            'kms:TagResource',
            'kms:UntagResource',
            'kms:ScheduleKeyDeletion',
            'kms:CancelKeyDeletion',
            'kms:Encrypt',
            'kms:Decrypt',
            'kms:GenerateDataKey',
          ],
          // A key policy applies to its own key; AWS requires Resource "*" here.
          Resource: '*',
        },
      ]),
    },
  };
  R[SHARED.keyAlias] = {
    Type: 'AWS::KMS::Alias',
    Properties: { AliasName: `alias/${prefix}-tls`, TargetKeyId: ref(SHARED.key) },
  };

  const commonEnv = {
    AKO_STAGE: options.stage,
    AKO_EVENT_BUS: ref(SHARED.bus),
    AKO_TABLE_NAME: ref(SHARED.table),
    AKO_KMS_KEY_ARN: getAtt(SHARED.key, 'Arn'),
    LOG_LEVEL: 'info',
  };

  // ---- per cluster: status queue (forwarder long-polls it), forwarder policy, primary function
  for (const cluster of clusters) {
    const ids = clusterIds(cluster);
    R[ids.statusDlq] = fifoQueue(deadLetterQueueName(prefix, 'status', cluster), {}, { cluster, role: 'status-dlq' });
    R[ids.statusQueue] = fifoQueue(
      queueName(prefix, 'status', cluster),
      { visibilityTimeout: 60, dlq: ids.statusDlq, maxReceiveCount: options.maxReceiveCount },
      { cluster, role: 'status-queue' },
    );
    R[ids.forwarderPolicy] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `Forwarder of cluster ${cluster}: publish its events, read its status queue, wrap TLS keys`,
        PolicyDocument: policyDocument([
          putEventsStatement(SHARED.bus, FORWARDER_SOURCE),
          queueConsumerStatement(ids.statusQueue),
          kmsStatement(SHARED.key, ['kms:GenerateDataKey'], KMS_ENCRYPTION_CONTEXT),
        ]),
      },
      Metadata: { [METADATA_KEY]: { cluster, role: 'forwarder-policy' } },
    };
    outputs[`ForwarderPolicyArn${clusterKey(cluster)}`] = {
      Description: `Attach to the forwarder's IAM role (IRSA) or user in cluster ${cluster}`,
      Value: ref(ids.forwarderPolicy),
    };
    outputs[`StatusQueueUrl${clusterKey(cluster)}`] = {
      Description: `Status queue of cluster ${cluster} (forwarder AKO_STATUS_QUEUE_URL)`,
      Value: ref(ids.statusQueue),
    };

    const primary = instances.find((i) => i.clusterName === cluster && i.primary);
    if (!primary) continue;
    const pIds = instanceIds(primary.id);
    R[ids.primaryDlq] = fifoQueue(
      deadLetterQueueName(prefix, 'primary', cluster),
      {},
      {
        cluster,
        instance: primary.id,
        role: 'primary-dlq',
      },
    );
    R[ids.primaryQueue] = fifoQueue(
      queueName(prefix, 'primary', cluster),
      { visibilityTimeout: visibility, dlq: ids.primaryDlq, maxReceiveCount: options.maxReceiveCount },
      { cluster, instance: primary.id, role: 'primary-queue' },
    );
    const name = functionName(prefix, 'primary', cluster);
    const budget = plan.primary.get(cluster);
    R[ids.primaryRole] = lambdaRole('primary', [
      logsStatement(name),
      queueConsumerStatement(ids.primaryQueue),
      queueSenderStatement([ids.primaryDlq]),
      secretReadStatement(pIds.secret),
      tableStatement(SHARED.table, leadingKeys(`${primary.id}/primary`)),
      putEventsStatement(SHARED.bus, SYNC_SOURCE),
    ]);
    F[ids.primaryFunction] = {
      name,
      handler: HANDLERS.primary,
      role: ids.primaryRole,
      description: `Static routes and SE group label of cluster ${cluster} (primary instance ${primary.id})`,
      timeout: options.functionTimeoutSeconds,
      memorySize: options.memorySize,
      ...(budget ? { reservedConcurrency: budget.reserved } : {}),
      environment: {
        ...commonEnv,
        AKO_ROLE: 'primary',
        AKO_INSTANCE_ID: primary.id,
        AKO_INSTANCE: JSON.stringify(publicInstance(primary)),
        AKO_SECRET_ARN: ref(pIds.secret),
        AKO_DEAD_LETTER_QUEUE_URL: ref(ids.primaryDlq),
        AKO_AVI_MAX_RPS: String(budget?.requestsPerSecond ?? 1),
      },
      package: { patterns: ['dist/primary/**'] },
      events: [sqsEvent(ids.primaryQueue, budget)],
    };
  }

  // ---- per instance: FIFO queue + DLQ, credentials secret, sync function, scheduled sweep
  for (const inst of instances) {
    const ids = instanceIds(inst.id);
    const status = clusterIds(inst.clusterName).statusQueue;
    R[ids.dlq] = fifoQueue(deadLetterQueueName(prefix, 'sync', inst.id), {}, { instance: inst.id, role: 'sync-dlq' });
    R[ids.queue] = fifoQueue(
      queueName(prefix, 'sync', inst.id),
      { visibilityTimeout: visibility, dlq: ids.dlq, maxReceiveCount: options.maxReceiveCount },
      { instance: inst.id, role: 'sync-queue' },
    );
    R[ids.secret] = {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Name: secretName(options.service, options.stage, inst.id),
        Description: `Avi Controller credentials of AKO instance ${inst.id} (JSON: username, password or authtoken, certificateAuthorityData). Set the value after deploying.`,
      },
      Metadata: { [METADATA_KEY]: { instance: inst.id, role: 'controller-secret' } },
    };

    const instanceEnv = {
      ...commonEnv,
      AKO_INSTANCE_ID: inst.id,
      AKO_INSTANCE: JSON.stringify(publicInstance(inst)),
      AKO_SECRET_ARN: ref(ids.secret),
      AKO_STATUS_QUEUE_URL: ref(status),
    };
    const ownData: Statement[] = [
      secretReadStatement(ids.secret),
      // Its own state, and the cluster's host claims (shared by the cluster's instances: first claimant keeps a host).
      tableStatement(SHARED.table, [...leadingKeys(inst.id), hostClaimsPartition(inst.clusterName)]),
      kmsStatement(SHARED.key, ['kms:Decrypt'], KMS_ENCRYPTION_CONTEXT),
      putEventsStatement(SHARED.bus, SYNC_SOURCE),
      queueSenderStatement([status]),
    ];

    const syncName = functionName(prefix, 'sync', inst.id);
    const syncBudget = plan.sync.get(inst.id);
    R[ids.syncRole] = lambdaRole('sync', [
      logsStatement(syncName),
      queueConsumerStatement(ids.queue),
      // The redrive step after a sweep: read the dead letters, send outage ones back to the queue (redrive.ts).
      queueConsumerStatement(ids.dlq),
      queueSenderStatement([ids.dlq, ids.queue]),
      ...ownData,
    ]);
    F[ids.syncFunction] = {
      name: syncName,
      handler: HANDLERS.sync,
      role: ids.syncRole,
      description: `Sync of AKO instance ${inst.id}${inst.primary ? ' (primary)' : ''}`,
      timeout: options.functionTimeoutSeconds,
      memorySize: options.memorySize,
      ...(syncBudget ? { reservedConcurrency: syncBudget.reserved } : {}),
      environment: {
        ...instanceEnv,
        AKO_ROLE: 'sync',
        AKO_DEAD_LETTER_QUEUE_URL: ref(ids.dlq),
        AKO_SYNC_QUEUE_URL: ref(ids.queue),
        AKO_AVI_MAX_RPS: String(syncBudget?.requestsPerSecond ?? 1),
      },
      package: { patterns: ['dist/sync/**'] },
      events: [sqsEvent(ids.queue, syncBudget)],
    };

    const sweepName = functionName(prefix, 'sweep', inst.id);
    const sweepBudget = plan.sweep.get(inst.id);
    const rate = sweepRate(inst);
    // Least privilege: the sweep only enqueues a `sweep` message; the sync function does the work in order.
    R[ids.sweepRole] = lambdaRole('sweep', [logsStatement(sweepName), queueSenderStatement([ids.queue])]);
    F[ids.sweepFunction] = {
      name: sweepName,
      handler: HANDLERS.sweep,
      role: ids.sweepRole,
      description: `Periodic sweep of AKO instance ${inst.id} (orphans, drift)`,
      timeout: Math.max(options.functionTimeoutSeconds, 300),
      memorySize: options.memorySize,
      ...(sweepBudget ? { reservedConcurrency: sweepBudget.reserved } : {}),
      environment: {
        AKO_STAGE: options.stage,
        LOG_LEVEL: commonEnv.LOG_LEVEL,
        AKO_INSTANCE_ID: inst.id,
        AKO_INSTANCE: instanceEnv.AKO_INSTANCE,
        AKO_ROLE: 'sweep',
        AKO_SYNC_QUEUE_URL: ref(ids.queue),
      },
      package: { patterns: ['dist/sweep/**'] },
      ...(rate ? { events: [{ schedule: { rate: [rate], input: { instance: inst.id } } }] } : {}),
    };
  }

  // ---- router: every forwarder/sync event → the owning instance's queue (or the cluster's primary queue)
  const routerName = routerFunctionName(prefix);
  const instanceQueues = instances.map((i) => instanceIds(i.id).queue);
  const primaryQueues = clusters.filter((c) => instances.some((i) => i.clusterName === c && i.primary));
  R[SHARED.routerRole] = lambdaRole('router', [
    logsStatement(routerName),
    queueSenderStatement([
      ...instanceQueues,
      ...primaryQueues.map((c) => clusterIds(c).primaryQueue),
      ...clusters.map((c) => clusterIds(c).statusQueue),
      SHARED.routerDlq,
    ]),
    putEventsStatement(SHARED.bus, SYNC_SOURCE),
  ]);
  F.router = {
    name: routerName,
    handler: HANDLERS.router,
    role: SHARED.routerRole,
    description: 'Routes cluster events to the owning AKO instance (registry index)',
    timeout: 30,
    memorySize: options.memorySize,
    environment: {
      AKO_STAGE: options.stage,
      AKO_EVENT_BUS: ref(SHARED.bus),
      AKO_STACK_PREFIX: prefix,
      AKO_QUEUE_URL_PREFIX: sub('https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/'),
      AKO_REGISTRY_FILE: 'registry.json',
      AKO_DEAD_LETTER_QUEUE_URL: ref(SHARED.routerDlq),
      LOG_LEVEL: 'info',
    },
    package: { patterns: ['dist/router/**'] },
    events: [
      {
        eventBridge: {
          eventBus: ref(SHARED.bus),
          // Only what the router routes: sync-status events (one per applied model) must not invoke it.
          pattern: {
            source: [FORWARDER_SOURCE, SYNC_SOURCE],
            'detail-type': [
              DetailType.objectChange,
              DetailType.namespaceChanged,
              DetailType.inventory,
              DetailType.releaseConfirmed,
              DetailType.sweepRequested,
            ],
          },
          retryPolicy: { maximumEventAge: 3600, maximumRetryAttempts: 20 },
          deadLetterQueueArn: getAtt(SHARED.routerDlq, 'Arn'),
        },
      },
    ],
  };

  // ---- alarms: dead letters anywhere, sync errors and controller 429s per instance
  const topic = options.alarmTopicArn || undefined;
  const alarms = [
    deadLetterAlarm(SHARED.routerDlq, 'router', topic),
    ...clusters.map((c) => deadLetterAlarm(clusterIds(c).statusDlq, `status of cluster ${c}`, topic)),
    ...clusters
      .filter((c) => R[clusterIds(c).primaryDlq])
      .map((c) => deadLetterAlarm(clusterIds(c).primaryDlq, `primary of cluster ${c}`, topic)),
    ...instances.flatMap((i) => [
      deadLetterAlarm(instanceIds(i.id).dlq, `sync of ${i.id}`, topic),
      ...instanceAlarms(i.id, instanceIds(i.id), topic),
    ]),
  ];
  for (const [id, alarm] of alarms) R[id] = alarm;

  outputs.EventBusName = { Description: 'Forwarder AKO_EVENT_BUS', Value: ref(SHARED.bus) };
  outputs.TlsKeyArn = { Description: 'Forwarder AKO_KMS_KEY_ARN (wraps TLS keys)', Value: getAtt(SHARED.key, 'Arn') };

  return {
    functions: F,
    resources: { Resources: R, Outputs: outputs },
    routerRegistry: { instances: instances.map(publicInstance) },
  };
}
