// The Lambda environment written by infra/aws/stack.ts, read back with clear errors naming the variable.
import * as z from 'zod';
import type { InstanceConfig } from '../../../shared/registry/types.ts';

export class EnvConfigError extends Error {
  override name = 'EnvConfigError';
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') {
    throw new EnvConfigError(`environment variable ${name} is not set (it is written by the generated stack)`);
  }
  return v;
}

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new EnvConfigError(`environment variable ${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

// The stack writes the registry's InstanceConfig minus credentials; check the fields the entries rely on and keep
// the rest as written (the registry validated it at packaging time).
const instanceSchema = z.looseObject({
  id: z.string().min(1),
  clusterName: z.string().min(1),
  namespace: z.string().min(1),
  primary: z.boolean(),
  controller: z.looseObject({ host: z.string(), version: z.string(), tenantName: z.string() }),
  credentials: z.object({}).loose(),
});

export function parseInstanceJson(name: string, text: string): InstanceConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new EnvConfigError(
      `environment variable ${name} is not JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const r = instanceSchema.safeParse(json);
  if (!r.success) {
    throw new EnvConfigError(
      `environment variable ${name}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data as unknown as InstanceConfig;
}

export interface InstanceFunctionEnv {
  role: 'sync' | 'primary' | 'sweep';
  instance: InstanceConfig;
  tableName: string;
  busName: string;
  kmsKeyArn: string;
  secretArn: string;
  /** The function's own dead-letter queue (sync, primary). */
  deadLetterQueueUrl?: string;
  statusQueueUrl?: string;
  /** The sync function's own queue (the dead-letter redrive sends back to it). */
  syncQueueUrl?: string;
  aviMaxRps: number;
}

export function readInstanceFunctionEnv(env: Env): InstanceFunctionEnv {
  const role = required(env, 'AKO_ROLE');
  if (role !== 'sync' && role !== 'primary' && role !== 'sweep') {
    throw new EnvConfigError(
      `environment variable AKO_ROLE must be sync, primary or sweep, got ${JSON.stringify(role)}`,
    );
  }
  const instance = parseInstanceJson('AKO_INSTANCE', required(env, 'AKO_INSTANCE'));
  const id = required(env, 'AKO_INSTANCE_ID');
  if (instance.id !== id) throw new EnvConfigError(`AKO_INSTANCE is ${instance.id} but AKO_INSTANCE_ID is ${id}`);
  return {
    role,
    instance,
    tableName: required(env, 'AKO_TABLE_NAME'),
    busName: required(env, 'AKO_EVENT_BUS'),
    kmsKeyArn: required(env, 'AKO_KMS_KEY_ARN'),
    secretArn: required(env, 'AKO_SECRET_ARN'),
    ...(role !== 'sweep' ? { deadLetterQueueUrl: required(env, 'AKO_DEAD_LETTER_QUEUE_URL') } : {}),
    ...(env.AKO_STATUS_QUEUE_URL ? { statusQueueUrl: env.AKO_STATUS_QUEUE_URL } : {}),
    ...(role === 'sync' && env.AKO_SYNC_QUEUE_URL ? { syncQueueUrl: env.AKO_SYNC_QUEUE_URL } : {}),
    aviMaxRps: positive(env, 'AKO_AVI_MAX_RPS', 1),
  };
}

/** The scheduled sweep only needs to know which queue to put its `sweep` message on. */
export interface SweepEnv {
  instanceId: string;
  clusterName: string;
  queueUrl: string;
}

export function readSweepEnv(env: Env): SweepEnv {
  const instance = parseInstanceJson('AKO_INSTANCE', required(env, 'AKO_INSTANCE'));
  return { instanceId: instance.id, clusterName: instance.clusterName, queueUrl: required(env, 'AKO_SYNC_QUEUE_URL') };
}

export interface RouterEnv {
  busName: string;
  stackPrefix: string;
  queueUrlPrefix: string;
  registryFile: string;
  deadLetterQueueUrl: string;
}

export function readRouterEnv(env: Env): RouterEnv {
  return {
    busName: required(env, 'AKO_EVENT_BUS'),
    stackPrefix: required(env, 'AKO_STACK_PREFIX'),
    queueUrlPrefix: required(env, 'AKO_QUEUE_URL_PREFIX'),
    registryFile: env.AKO_REGISTRY_FILE || 'registry.json',
    deadLetterQueueUrl: required(env, 'AKO_DEAD_LETTER_QUEUE_URL'),
  };
}
