// Versioned schemas for everything that crosses a boundary: forwarder → bus, functions → bus, router → instance queue.
// Every payload carries `version: 1`; a consumer rejects other versions with a reason naming `version`.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { KubeObject } from '../model/types.ts';

export const SCHEMA_VERSION = 1 as const;

/** EventBridge `source` of events published by the cluster forwarder. */
export const FORWARDER_SOURCE = 'ako-serverless.forwarder';
/** EventBridge `source` of events published by the functions (sync, primary, sweep). */
export const SYNC_SOURCE = 'ako-serverless.sync';

/** EventBridge `detail-type` of each event kind. */
export const DetailType = {
  objectChange: 'object-change',
  namespaceChanged: 'namespace-changed',
  inventory: 'inventory',
  releaseConfirmed: 'release-confirmed',
  sweepRequested: 'sweep-requested',
  syncStatus: 'sync-status',
} as const;
export type DetailTypeName = (typeof DetailType)[keyof typeof DetailType];

/** MessageGroupId used for cluster-scoped objects (namespaces never start with `_`). */
export const CLUSTER_GROUP = '_cluster';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

const version = z.literal(SCHEMA_VERSION, {
  error: (iss) => `unsupported schema version ${JSON.stringify(iss.input)}; this build reads version ${SCHEMA_VERSION}`,
});
const clusterName = z.string().regex(/^[a-zA-Z0-9-_]+$/, 'cluster name must match ^[a-zA-Z0-9-_]+$');
const nonEmpty = z.string().min(1);
/** Kubernetes namespace name ('' allowed only where a schema says cluster-scoped). */
const namespaceName = z.string().min(1).max(253);
const labels = z.record(z.string(), z.string());

/**
 * Position of an event in its forwarder's stream (added in schema version 1, optional): `<stream>-<n>`, both
 * fixed-width decimals, so plain string comparison orders them. `<stream>` is the forwarder's start time in ms
 * (a restarted forwarder starts a later stream, whose first action is a full relist), `<n>` a counter
 * assigned when the event is built from the forwarder's latest state. Kubernetes allows comparing
 * resourceVersions only for equality; this is what orders two events of one object.
 */
export const STREAM_SEQUENCE_PATTERN = /^\d{13}-\d{12}$/;
const streamSequence = z
  .string()
  .regex(
    STREAM_SEQUENCE_PATTERN,
    'sequence must be <13-digit stream>-<12-digit counter>, e.g. 1767225600000-000000000042',
  );

/** The stream sequence of event `n` of the forwarder stream started at `streamStartMs`. */
export function formatStreamSequence(streamStartMs: number, n: number): string {
  if (!Number.isSafeInteger(streamStartMs) || streamStartMs < 0 || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(`stream sequence: start ${streamStartMs} and counter ${n} must be non-negative integers`);
  }
  return `${String(streamStartMs).padStart(13, '0')}-${String(n).padStart(12, '0')}`;
}

export const kubeObjectSchema = z.looseObject({
  apiVersion: nonEmpty,
  kind: nonEmpty,
  metadata: z.looseObject({
    name: nonEmpty,
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
    labels: labels.optional(),
    annotations: labels.optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
  }),
  spec: z.any().optional(),
  status: z.any().optional(),
  data: z.record(z.string(), z.string()).optional(),
  type: z.string().optional(),
});

/**
 * TLS key material as it travels: AES-256-GCM ciphertext of the Secret's data, the data key wrapped by KMS (AWS)
 * or absent (local key file). Opaque to everyone but shared/crypto; extra fields are kept.
 */
export const encryptedSecretSchema = z.looseObject({
  keyId: nonEmpty,
  iv: nonEmpty,
  tag: nonEmpty,
  ciphertext: nonEmpty,
  wrappedKey: z.string().optional(),
});
export type EncryptedSecret = z.infer<typeof encryptedSecretSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Forwarder → bus

export const objectChangeSchema = z
  .object({
    version,
    cluster: clusterName,
    kind: nonEmpty,
    apiVersion: nonEmpty,
    /** Absent (or '') for cluster-scoped kinds. */
    namespace: z.string().optional(),
    name: nonEmpty,
    uid: nonEmpty,
    resourceVersion: nonEmpty,
    op: z.enum(['upsert', 'delete']),
    /** Labels of the object's namespace when the forwarder saw the change ({} for cluster-scoped). */
    namespaceLabels: labels,
    /** The trimmed object; absent on delete. */
    object: kubeObjectSchema.optional(),
    encryptedSecret: encryptedSecretSchema.optional(),
    /** Position in the forwarder's stream; orders events of one object (see STREAM_SEQUENCE_PATTERN). */
    sequence: streamSequence.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.op === 'upsert' && !e.object) {
      ctx.addIssue({ code: 'custom', path: ['object'], message: 'an upsert must carry the object' });
    }
    // Private keys never travel in clear: they belong in encryptedSecret.
    const data = e.object?.data;
    if (data) {
      for (const k of Object.keys(data)) {
        if (/(^|\.)key$/i.test(k)) {
          ctx.addIssue({
            code: 'custom',
            path: ['object', 'data', k],
            message: 'private key material must travel in encryptedSecret, not in clear',
          });
        }
      }
    }
  });
export type ObjectChangeEvent = z.infer<typeof objectChangeSchema> & { object?: KubeObject };

export const namespaceChangedSchema = z.object({
  version,
  cluster: clusterName,
  namespace: namespaceName,
  oldLabels: labels,
  newLabels: labels,
  /** The Namespace's resourceVersion after the change, when known (makes queue deduplication exact). */
  resourceVersion: z.string().optional(),
  /** The forwarder's stream position of the change: instances order ownership facts by it. */
  sequence: z.string().optional(),
});
export type NamespaceChangedEvent = z.infer<typeof namespaceChangedSchema>;

export const inventoryItemSchema = z.object({
  kind: nonEmpty,
  name: nonEmpty,
  uid: nonEmpty,
  resourceVersion: nonEmpty,
});
export type InventoryItem = z.infer<typeof inventoryItemSchema>;

export const inventorySchema = z.object({
  version,
  cluster: clusterName,
  /** '' for the cluster-scoped inventory (Nodes, CNI objects, IngressClasses). */
  namespace: z.string().max(253),
  /**
   * The namespace's labels, so the router can find the owner. When absent the inventory is sent to every
   * instance of the cluster (each keeps what concerns it).
   */
  namespaceLabels: labels.optional(),
  /** ISO-8601 time of the LIST this inventory reflects. */
  generatedAt: z.iso.datetime({ offset: true }),
  objects: z.array(inventoryItemSchema),
  /**
   * The forwarder's stream position when the listing was taken: an object whose last event is older and that
   * the listing lacks was deleted; one with a newer event is newer than the listing.
   */
  sequence: streamSequence.optional(),
});
export type InventoryEvent = z.infer<typeof inventorySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Functions → bus

/** The old owner has removed a namespace's Avi objects; the router now lets the new owner adopt it. */
export const releaseConfirmedSchema = z.object({
  version,
  cluster: clusterName,
  namespace: namespaceName,
  /** Instance id (`<cluster>/<akoNamespace>`) that released the namespace. */
  fromInstance: nonEmpty,
  /** Instance id that takes the namespace over, when there is one. */
  toInstance: z.string().min(1).optional(),
  /**
   * Identifies one hand-off (set by the router on hold and release, echoed by the releasing instance in
   * release-confirmed, carried on to adopt). An adopter ignores an adopt whose handoffId is not that of its latest
   * hold for the namespace: the namespace moved again meanwhile.
   */
  handoffId: z.string().optional(),
  /** Echoed from a relist release: the adopt that follows is the owner's own truth, not one step of a move. */
  relist: z.boolean().optional(),
  /** Echoed stream position of the namespace state the release was decided on. */
  sequence: z.string().optional(),
});
export type ReleaseConfirmedEvent = z.infer<typeof releaseConfirmedSchema>;

/** Ask for a sweep of one instance, or of every instance of a cluster (scheduler, operator). */
export const sweepRequestedSchema = z.object({
  version,
  cluster: clusterName,
  instance: z.string().min(1).optional(),
  requestedAt: z.iso.datetime({ offset: true }),
  /** Rebuild only these models of the instance (e.g. after a host it waited for was released), not a full sweep. */
  models: z.array(z.string().min(1)).max(100).optional(),
});
export type SweepRequestedEvent = z.infer<typeof sweepRequestedSchema>;

/** Outcome of one unit of work in a function (for status views and alarms; never carries secrets). */
export const syncStatusSchema = z.object({
  version,
  cluster: clusterName,
  instance: nonEmpty,
  operation: nonEmpty,
  outcome: z.enum(['applied', 'unchanged', 'skipped', 'failed', 'released', 'adopted', 'swept']),
  namespace: z.string().optional(),
  model: z.string().optional(),
  object: z.string().optional(),
  reason: z.string().optional(),
  at: z.iso.datetime({ offset: true }),
});
export type SyncStatusEvent = z.infer<typeof syncStatusSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Router → instance queue (discriminated on `type`)

export const objectMessageSchema = z.object({
  type: z.literal('object'),
  version,
  change: objectChangeSchema,
});
/** The namespace is moving to this instance: keep its objects but build nothing until `adopt`. */
export const holdMessageSchema = z.object({
  type: z.literal('hold'),
  version,
  cluster: clusterName,
  namespace: namespaceName,
  /** The instance releasing it. */
  from: z.string().optional(),
  /**
   * Identifies one hand-off (set by the router on hold and release, echoed by the releasing instance in
   * release-confirmed, carried on to adopt). An adopter ignores an adopt whose handoffId is not that of its latest
   * hold for the namespace: the namespace moved again meanwhile.
   */
  handoffId: z.string().optional(),
  /** Stream position of the namespace state this decision was made on (orders it against later facts). */
  sequence: z.string().optional(),
});
/** Remove every Avi object of the namespace carrying this instance's created_by, then confirm. */
export const releaseMessageSchema = z.object({
  type: z.literal('release'),
  version,
  cluster: clusterName,
  namespace: namespaceName,
  /** Instance id to hand the namespace to (echoed in release-confirmed). */
  handoffTo: z.string().optional(),
  /**
   * Identifies one hand-off (set by the router on hold and release, echoed by the releasing instance in
   * release-confirmed, carried on to adopt). An adopter ignores an adopt whose handoffId is not that of its latest
   * hold for the namespace: the namespace moved again meanwhile.
   */
  handoffId: z.string().optional(),
  /** Stream position of the namespace state this decision was made on (orders it against later facts). */
  sequence: z.string().optional(),
  /**
   * Sent because a relisted Namespace names another owner (not as one step of a move): release only what is still
   * served, and confirm (a namespace already released confirms again: the first confirmation may have been lost
   * with a killed process).
   */
  relist: z.boolean().optional(),
});
/** The namespace is now this instance's: build its models. */
export const adoptMessageSchema = z.object({
  type: z.literal('adopt'),
  version,
  cluster: clusterName,
  namespace: namespaceName,
  from: z.string().optional(),
  /**
   * Identifies one hand-off (set by the router on hold and release, echoed by the releasing instance in
   * release-confirmed, carried on to adopt). An adopter ignores an adopt whose handoffId is not that of its latest
   * hold for the namespace: the namespace moved again meanwhile.
   */
  handoffId: z.string().optional(),
  /** Stream position of the namespace state this decision was made on (orders it against later facts). */
  sequence: z.string().optional(),
  /** Follows a relist release: adopt even when held for another hand-off (the relist is the truth). */
  relist: z.boolean().optional(),
});
export const inventoryMessageSchema = z.object({
  type: z.literal('inventory'),
  version,
  inventory: inventorySchema,
});
export const sweepMessageSchema = z.object({
  type: z.literal('sweep'),
  version,
  cluster: clusterName,
  requestedAt: z.iso.datetime({ offset: true }),
  /** Rebuild only these models (an incremental rebuild: deletes nothing a normal change would not). */
  models: z.array(z.string().min(1)).max(100).optional(),
});

export const instanceMessageSchema = z.discriminatedUnion('type', [
  objectMessageSchema,
  holdMessageSchema,
  releaseMessageSchema,
  adoptMessageSchema,
  inventoryMessageSchema,
  sweepMessageSchema,
]);
export type ObjectMessage = z.infer<typeof objectMessageSchema> & { change: ObjectChangeEvent };
export type HoldMessage = z.infer<typeof holdMessageSchema>;
export type ReleaseMessage = z.infer<typeof releaseMessageSchema>;
export type AdoptMessage = z.infer<typeof adoptMessageSchema>;
export type InventoryMessage = z.infer<typeof inventoryMessageSchema>;
export type SweepMessage = z.infer<typeof sweepMessageSchema>;
export type InstanceMessage =
  | ObjectMessage
  | HoldMessage
  | ReleaseMessage
  | AdoptMessage
  | InventoryMessage
  | SweepMessage;

// ---------------------------------------------------------------------------------------------------------------
// Validation helpers: typed value or a rejection whose reason names the failing field.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `a.b[0].c: message` for the first issues of a zod error (paths prefixed with `prefix`). */
export function describeIssues(error: z.ZodError, prefix: string[] = []): string {
  return error.issues
    .slice(0, 5)
    .map((iss) => `${formatPath([...prefix, ...iss.path])}: ${iss.message}`)
    .join('; ');
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const s = String(p);
      out += /^[A-Za-z_$][\w$-]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
    }
  }
  return out || '(root)';
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, prefix: string[]): Parsed<T> {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: describeIssues(r.error, prefix) };
}

/** Validates a router → instance message (e.g. an SQS record body already JSON-parsed). */
export function parseInstanceMessage(input: unknown): Parsed<InstanceMessage> {
  return parseWith(instanceMessageSchema, input, []) as Parsed<InstanceMessage>;
}

/** Validates an SQS record body (JSON text) as an instance message. */
export function parseInstanceMessageBody(body: string): Parsed<InstanceMessage> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `body: not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  return parseInstanceMessage(json);
}

const detailSchemas = {
  [DetailType.objectChange]: objectChangeSchema,
  [DetailType.namespaceChanged]: namespaceChangedSchema,
  [DetailType.inventory]: inventorySchema,
  [DetailType.releaseConfirmed]: releaseConfirmedSchema,
  [DetailType.sweepRequested]: sweepRequestedSchema,
  [DetailType.syncStatus]: syncStatusSchema,
} as const;

const sourceOf: Record<DetailTypeName, string> = {
  [DetailType.objectChange]: FORWARDER_SOURCE,
  [DetailType.namespaceChanged]: FORWARDER_SOURCE,
  [DetailType.inventory]: FORWARDER_SOURCE,
  [DetailType.releaseConfirmed]: SYNC_SOURCE,
  [DetailType.sweepRequested]: SYNC_SOURCE,
  [DetailType.syncStatus]: SYNC_SOURCE,
};

/** A validated bus event: `detailType` discriminates `detail`. */
export type BusEvent =
  | { id: string; source: string; detailType: 'object-change'; detail: ObjectChangeEvent }
  | { id: string; source: string; detailType: 'namespace-changed'; detail: NamespaceChangedEvent }
  | { id: string; source: string; detailType: 'inventory'; detail: InventoryEvent }
  | { id: string; source: string; detailType: 'release-confirmed'; detail: ReleaseConfirmedEvent }
  | { id: string; source: string; detailType: 'sweep-requested'; detail: SweepRequestedEvent }
  | { id: string; source: string; detailType: 'sync-status'; detail: SyncStatusEvent };

/** Detail payload type per detail-type (for publishers). */
export interface DetailOf {
  'object-change': ObjectChangeEvent;
  'namespace-changed': NamespaceChangedEvent;
  inventory: InventoryEvent;
  'release-confirmed': ReleaseConfirmedEvent;
  'sweep-requested': SweepRequestedEvent;
  'sync-status': SyncStatusEvent;
}

/**
 * Validates an EventBridge event (`{id, source, 'detail-type', detail, ...}`) and its detail.
 * Returns the typed event, or `{ok: false, reason}` naming the failing field (`detail.object.metadata.name: ...`)
 * so the caller can dead-letter it and carry on with the rest of its batch.
 */
export function parseBusEvent(event: unknown): Parsed<BusEvent> {
  if (event === null || typeof event !== 'object') return { ok: false, reason: '(root): event is not an object' };
  const e = event as Record<string, unknown>;
  const detailType = e['detail-type'];
  if (typeof detailType !== 'string' || !(detailType in detailSchemas)) {
    return {
      ok: false,
      reason: `detail-type: unknown event kind ${JSON.stringify(detailType)}; expected one of ${Object.keys(detailSchemas).join(', ')}`,
    };
  }
  const kind = detailType as DetailTypeName;
  const source = e.source;
  if (source !== sourceOf[kind]) {
    return {
      ok: false,
      reason: `source: ${JSON.stringify(source)} may not publish '${kind}' events (expected '${sourceOf[kind]}')`,
    };
  }
  let detail = e.detail;
  if (typeof detail === 'string') {
    // Some delivery paths hand the detail over as JSON text.
    try {
      detail = JSON.parse(detail);
    } catch {
      return { ok: false, reason: 'detail: not a JSON object' };
    }
  }
  // Another version's fields mean nothing to this build: say only that.
  const v = (detail as { version?: unknown } | null)?.version;
  if (detail !== null && typeof detail === 'object' && v !== SCHEMA_VERSION) {
    return {
      ok: false,
      reason: `detail.version: unsupported schema version ${JSON.stringify(v) ?? 'undefined'}; this build reads version ${SCHEMA_VERSION}`,
    };
  }
  const schema = detailSchemas[kind] as z.ZodType<unknown>;
  const parsed = parseWith(schema, detail, ['detail']);
  if (!parsed.ok) return parsed;
  const id = typeof e.id === 'string' ? e.id : '';
  return { ok: true, value: { id, source, detailType: kind, detail: parsed.value } as BusEvent };
}

/** Builds an EventBridge-shaped event (the embedded bus and tests use it; PutEvents takes the same fields). */
export function busEvent<K extends DetailTypeName>(
  detailType: K,
  detail: DetailOf[K],
  opts: { id?: string; time?: string; account?: string; region?: string } = {},
): {
  version: '0';
  id: string;
  'detail-type': K;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: DetailOf[K];
} {
  return {
    version: '0',
    id: opts.id ?? hashId('event', detailType, JSON.stringify(detail)),
    'detail-type': detailType,
    source: sourceOf[detailType],
    account: opts.account ?? '000000000000',
    time: opts.time ?? new Date(0).toISOString(),
    region: opts.region ?? 'local',
    resources: [],
    detail,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Queue keys

/** SHA-256 hex of the parts joined unambiguously (64 chars: within SQS's 128-char deduplication id limit). */
export function hashId(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex');
}

/** FIFO deduplication id of an object change: the same (kind, uid, resourceVersion, op) is one message. */
export function objectDedupId(change: Pick<ObjectChangeEvent, 'kind' | 'uid' | 'resourceVersion' | 'op'>): string {
  return hashId(change.kind, change.uid, change.resourceVersion, change.op);
}

/** FIFO message group: the object's namespace, or `_cluster` for cluster-scoped objects. */
export function groupIdFor(namespace: string | undefined): string {
  return namespace ? namespace : CLUSTER_GROUP;
}
