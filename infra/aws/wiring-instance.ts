// Dependencies of the per-instance Lambdas (sync, primary, sweep) built from the environment the stack wrote:
// controller credentials from Secrets Manager (read once per cold start), the Avi client and reconciler, the
// DynamoDB store under the instance's key prefix, the KMS key provider, the EventBridge publisher and the
// function's own dead-letter queue.

import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StatusUpdate } from '../../functions/forwarder/status.ts';
import type { PublishedEvent } from '../../functions/sync/engine.ts';
import type { DeadLetterRecord } from '../../functions/sync/handler.ts';
import { type AviClient, type AviReconciler, createAviClient, createReconciler } from '../../shared/avi/index.ts';
import { type KeyProvider, kmsKeyProvider } from '../../shared/crypto/index.ts';
import { SYNC_SOURCE } from '../../shared/events/index.ts';
import type { HostClaimRegistry } from '../../shared/instance/host-claims.ts';
import type { Logger } from '../../shared/log.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import { createDynamoStore } from '../../shared/store/dynamo.ts';
import { createDynamoHostClaims } from '../../shared/store/dynamo-host-claims.ts';
import type { InstanceStore } from '../../shared/store/types.ts';
import type { InstanceFunctionEnv } from './adapters/env-config.ts';
import { createEventBridgePublisher } from './adapters/eventbridge-publisher.ts';
import { createCredentialsLoader } from './adapters/secrets.ts';
import { createSqsSender } from './adapters/sqs-sender.ts';
import { createStatusQueuePublisher } from './adapters/status-publisher.ts';

export interface AwsClients {
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  secrets: SecretsManagerClient;
  dynamo: DynamoDBClient;
  kms: KMSClient;
}

export interface InstanceContext {
  instance: InstanceConfig;
  aviClient: AviClient;
  reconciler: AviReconciler;
  store: InstanceStore;
  /** The cluster's host claims (sync functions; first claimant keeps a host). */
  hostClaims?: HostClaimRegistry;
  keyProvider: KeyProvider;
  publish(event: PublishedEvent): Promise<void>;
  deadLetter(record: DeadLetterRecord): Promise<void>;
  /** Status updates to the cluster's status queue (absent when the function has none configured). */
  publishStatus?: (updates: StatusUpdate[]) => Promise<void>;
  logger: Logger;
  now(): Date;
}

/**
 * Store id of a function's state. The primary keeps its own state (nodes, routes) apart from the instance's sync
 * state; both sit under the instance id, which the IAM LeadingKeys condition (`<instanceId>#*`, and
 * `<instanceId>/primary#*` for the primary) enforces.
 */
export function storeIdFor(role: InstanceFunctionEnv['role'], instanceId: string): string {
  return role === 'primary' ? `${instanceId}/primary` : instanceId;
}

export async function createInstanceContext(
  env: InstanceFunctionEnv,
  clients: AwsClients,
  logger: Logger,
): Promise<InstanceContext> {
  const credentials = await createCredentialsLoader({ client: clients.secrets, secretId: env.secretArn })();
  const instance: InstanceConfig = { ...env.instance, credentials };
  const log = logger.child({ instance: instance.id, function: env.role });
  const aviClient = createAviClient({
    host: instance.controller.host,
    ...(credentials.username ? { username: credentials.username } : {}),
    ...(credentials.password ? { password: credentials.password } : {}),
    ...(credentials.authtoken ? { authtoken: credentials.authtoken } : {}),
    ...(credentials.certificateAuthorityData ? { certificateAuthorityData: credentials.certificateAuthorityData } : {}),
    ...(instance.controller.version ? { version: instance.controller.version } : {}),
    tenant: instance.controller.tenantName,
    owner: instance.createdBy,
    clusterName: instance.clusterName,
    // This copy's share of the controller's request budget (the stack divides it by the reserved concurrency).
    ratePerSecond: env.aviMaxRps,
    logger: log,
  });
  const sender = createSqsSender({ client: clients.sqs });
  const publisher = createEventBridgePublisher({
    client: clients.eventBridge,
    busName: env.busName,
    source: SYNC_SOURCE,
  });
  return {
    instance,
    aviClient,
    reconciler: createReconciler({ client: aviClient, instance, logger: log }),
    store: createDynamoStore({
      client: DynamoDBDocumentClient.from(clients.dynamo),
      tableName: env.tableName,
      instanceId: storeIdFor(env.role, instance.id),
    }),
    ...(env.role === 'sync'
      ? {
          hostClaims: createDynamoHostClaims({
            client: DynamoDBDocumentClient.from(clients.dynamo),
            tableName: env.tableName,
            cluster: instance.clusterName,
          }),
        }
      : {}),
    keyProvider: kmsKeyProvider({ client: clients.kms, keyId: env.kmsKeyArn }),
    publish: (event) => publisher.publish([event]),
    ...(env.statusQueueUrl
      ? { publishStatus: createStatusQueuePublisher<StatusUpdate>({ sender, queueUrl: env.statusQueueUrl }) }
      : {}),
    async deadLetter(record) {
      if (!env.deadLetterQueueUrl) {
        log.error('dead letter (no dead-letter queue configured)', {
          reason: record.reason,
          messageId: record.messageId,
        });
        return;
      }
      await sender.sendFifo(env.deadLetterQueueUrl, {
        body: JSON.stringify(record),
        groupId: record.groupId || 'dead-letter',
        dedupId: createHash('sha256').update(`${record.messageId}\n${record.reason}`).digest('hex'),
      });
    },
    logger: log,
    now: () => new Date(),
  };
}
