// Names of the AWS resources generated from the registry. Shared by the template generator and the Lambda entries
// (the router computes queue URLs from them), so both sides always agree.
//
// Logical ids and physical names must stay stable when the registry changes: adding an instance must never rename
// (and so make CloudFormation replace) another instance's queue. Each name therefore derives from the instance id or
// cluster name alone, plus a short hash of it so that ids differing only in punctuation never collide.
import { createHash } from 'node:crypto';

/** AWS limits on physical names. */
export const MAX_QUEUE_NAME = 80;
export const MAX_FUNCTION_NAME = 64;

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Cuts `stem` so that `stem + suffix` fits in `max` characters (never cutting the suffix). */
function fitName(stem: string, suffix: string, max: number): string {
  const room = max - suffix.length;
  return `${stem.slice(0, Math.max(0, room)).replace(/-+$/, '')}${suffix}`;
}

/** Alphanumeric key of an instance for logical ids and function keys, e.g. `DemoBlue3f1a2b4c`. */
export function instanceKey(instanceId: string): string {
  return `${pascal(instanceId).slice(0, 60)}${shortHash(instanceId)}`;
}

/** Alphanumeric key of a cluster, e.g. `Demo8c2d...`. */
export function clusterKey(clusterName: string): string {
  return `${pascal(clusterName).slice(0, 60)}${shortHash(`cluster:${clusterName}`)}`;
}

/** `<service>-<stage>`: the prefix of every physical name in one deployment. */
export function stackPrefix(service: string, stage: string): string {
  return `${slug(service)}-${slug(stage)}`;
}

export type QueueRole = 'sync' | 'primary' | 'status';

function queueStem(prefix: string, role: QueueRole, owner: string): string {
  return `${prefix}-${role}-${slug(owner)}`;
}

/** FIFO queue of an instance (`sync`), a cluster's primary (`primary`) or a cluster's status path (`status`). */
export function queueName(prefix: string, role: QueueRole, owner: string): string {
  return fitName(queueStem(prefix, role, owner), `-${shortHash(`${role}:${owner}`)}.fifo`, MAX_QUEUE_NAME);
}

/** Dead-letter queue of `queueName(prefix, role, owner)` (FIFO too: a FIFO queue's DLQ must be FIFO). */
export function deadLetterQueueName(prefix: string, role: QueueRole, owner: string): string {
  return fitName(queueStem(prefix, role, owner), `-${shortHash(`${role}:${owner}`)}-dlq.fifo`, MAX_QUEUE_NAME);
}

/** Queue URL from the account's queue URL prefix (`https://sqs.<region>.amazonaws.com/<account>/`). */
export function queueUrl(urlPrefix: string, name: string): string {
  return `${urlPrefix.endsWith('/') ? urlPrefix : `${urlPrefix}/`}${name}`;
}

export type FunctionRole = 'sync' | 'sweep' | 'primary';

/** Physical Lambda name of a per-instance (`sync`, `sweep`) or per-cluster (`primary`) function. */
export function functionName(prefix: string, role: FunctionRole, owner: string): string {
  return fitName(`${prefix}-${role}-${slug(owner)}`, `-${shortHash(`${role}:${owner}`)}`, MAX_FUNCTION_NAME);
}

/** Secrets Manager name of an instance's controller credentials. */
export function secretName(service: string, stage: string, instanceId: string): string {
  return `${slug(service)}/${slug(stage)}/${instanceId}/controller`;
}

/** Physical name of the router (one per deployment). */
export function routerFunctionName(prefix: string): string {
  return fitName(`${prefix}-router`, `-${shortHash(`router:${prefix}`)}`, MAX_FUNCTION_NAME);
}
