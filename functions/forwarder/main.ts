/**
 * Container entry of the forwarder (one per cluster). Configuration from the environment:
 *   AKO_CLUSTER_NAME (or CLUSTER_NAME)        cluster name stamped on every event (required)
 *   AKO_EVENT_BUS (or EVENT_BUS_NAME)         EventBridge bus name or ARN (required)
 *   AWS_REGION                                region of the bus (required)
 *   AKO_KMS_KEY_ARN (or KMS_KEY_ID)           KMS key wrapping TLS data keys (without it, TLS keys are not sent)
 *   AKO_FULL_SYNC_FREQUENCY (or FULL_SYNC_FREQUENCY)  inventory period in seconds (default 300)
 *   AKO_STATUS_QUEUE_URL                      SQS FIFO queue of status updates to apply (optional)
 *   AKO_HEALTH_PORT                           port of /healthz and /readyz (optional)
 *   KUBECONFIG                                kubeconfig path; otherwise ~/.kube/config or the in-cluster account
 */
import { createServer, type Server } from 'node:http';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { KubeConfig } from '@kubernetes/client-node';
import { kmsKeyProvider } from '../../shared/crypto/index.ts';
import { createLogger } from '../../shared/log.ts';
import { startForwarder } from './index.ts';
import { kubeRequester } from './kube.ts';
import { eventBridgePublisher } from './publishers/eventbridge.ts';
import { startStatusQueueConsumer } from './status-queue.ts';

export class ForwarderConfigError extends Error {
  override name = 'ForwarderConfigError';
}

export interface ForwarderEnv {
  clusterName: string;
  eventBusName: string;
  region: string;
  kmsKeyId?: string;
  fullSyncFrequencySeconds: number;
  statusQueueUrl?: string;
  healthPort?: number;
}

function pick(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}

function required(env: NodeJS.ProcessEnv, ...names: string[]): string {
  const v = pick(env, ...names);
  if (v === undefined) {
    throw new ForwarderConfigError(
      `environment variable ${names.join(' or ')} is not set (see the forwarder ConfigMap)`,
    );
  }
  return v;
}

/** Reads and checks the configuration; throws ForwarderConfigError naming the variable at fault. */
export function parseForwarderEnv(env: NodeJS.ProcessEnv): ForwarderEnv {
  const clusterName = required(env, 'AKO_CLUSTER_NAME', 'CLUSTER_NAME');
  if (!/^[a-zA-Z0-9-_]+$/.test(clusterName)) {
    throw new ForwarderConfigError(
      `AKO_CLUSTER_NAME '${clusterName}' must match ^[a-zA-Z0-9-_]+$ (AKO's clusterName rule)`,
    );
  }
  const freqText = pick(env, 'AKO_FULL_SYNC_FREQUENCY', 'FULL_SYNC_FREQUENCY');
  const fullSyncFrequencySeconds = freqText === undefined ? 300 : Number(freqText);
  if (!Number.isFinite(fullSyncFrequencySeconds) || fullSyncFrequencySeconds < 0) {
    throw new ForwarderConfigError(`FULL_SYNC_FREQUENCY must be a number of seconds >= 0, got '${freqText}'`);
  }
  const portText = pick(env, 'AKO_HEALTH_PORT', 'HEALTH_PORT');
  const healthPort = portText === undefined ? undefined : Number(portText);
  if (healthPort !== undefined && !(Number.isInteger(healthPort) && healthPort > 0 && healthPort < 65536)) {
    throw new ForwarderConfigError(`AKO_HEALTH_PORT must be a port number, got '${portText}'`);
  }
  const kmsKeyId = pick(env, 'AKO_KMS_KEY_ARN', 'KMS_KEY_ID');
  const statusQueueUrl = pick(env, 'AKO_STATUS_QUEUE_URL', 'STATUS_QUEUE_URL');
  return {
    clusterName,
    eventBusName: required(env, 'AKO_EVENT_BUS', 'EVENT_BUS_NAME'),
    region: required(env, 'AWS_REGION', 'AWS_DEFAULT_REGION'),
    fullSyncFrequencySeconds,
    ...(kmsKeyId ? { kmsKeyId } : {}),
    ...(statusQueueUrl ? { statusQueueUrl } : {}),
    ...(healthPort ? { healthPort } : {}),
  };
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = createLogger({ component: 'forwarder' });
  let cfg: ForwarderEnv;
  try {
    cfg = parseForwarderEnv(env);
  } catch (err) {
    log.error('invalid configuration', { reason: err instanceof Error ? err.message : String(err) });
    process.exitCode = 2;
    return;
  }
  const kc = new KubeConfig();
  // KUBECONFIG, ~/.kube/config, or the pod's service account.
  kc.loadFromDefault();
  if (!cfg.kmsKeyId) log.warn('AKO_KMS_KEY_ARN is not set: TLS private keys will not be forwarded', {});
  const keyProvider = cfg.kmsKeyId
    ? kmsKeyProvider({ client: new KMSClient({ region: cfg.region }), keyId: cfg.kmsKeyId })
    : undefined;
  const fwd = await startForwarder({
    kubeConfig: kc,
    clusterName: cfg.clusterName,
    publisher: eventBridgePublisher({
      client: new EventBridgeClient({ region: cfg.region }),
      eventBusName: cfg.eventBusName,
    }),
    keyProvider,
    fullSyncFrequencySeconds: cfg.fullSyncFrequencySeconds,
    logger: log,
  });
  const statusConsumer = cfg.statusQueueUrl
    ? startStatusQueueConsumer({
        client: new SQSClient({ region: cfg.region }),
        queueUrl: cfg.statusQueueUrl,
        request: kubeRequester(kc),
        clusterName: cfg.clusterName,
        logger: log,
      })
    : undefined;
  let health: Server | undefined;
  if (cfg.healthPort) {
    health = createServer((req, res) => {
      const ok = req.url?.startsWith('/readyz') ? fwd.isReady() : true;
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
      res.end(ok ? 'ok' : 'not ready: initial lists in progress');
    }).listen(cfg.healthPort);
  }
  const shutdown = async (signal: string) => {
    log.info('shutting down', { signal });
    await statusConsumer?.stop();
    await fwd.stop();
    health?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await fwd.ready;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*[\\/]/, '/'));
if (invokedDirectly || process.env.AKO_FORWARDER_MAIN === '1') {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
