import { randomUUID } from 'node:crypto';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AppliedModel } from '../avi/types.ts';
import type { KubeObject, ObjectKey } from '../model/types.ts';
import { TTL_ATTRIBUTE } from './dynamo-table.ts';
import {
  advancesPosition,
  decideInventoryWrite,
  decideObjectWrite,
  inventoryTime,
  nextVersionState,
  type VersionEvent,
} from './ordering.ts';
import {
  checkDelete,
  checkInventory,
  checkNamespaceState,
  checkSequence,
  describeUpsert,
  namespaceOfKey,
  normalizeFailure,
  ownership,
} from './records.ts';
import type {
  FailureRecord,
  InstanceStore,
  NamespaceInventory,
  NamespaceOwnership,
  PutOutcome,
  StoredObject,
  StoreOpCounters,
} from './types.ts';

export interface DynamoStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  instanceId: string;
  /** Bodies above this many UTF-8 bytes are split into part items (DynamoDB items are limited to 400 KB). */
  inlineLimitBytes?: number;
  /** How long a tombstone is kept before DynamoDB TTL may remove it. Default 14 days (longer than SQS retention). */
  tombstoneTtlSeconds?: number;
  /** Attempts of a conditional write under contention before giving up. Default 20. */
  maxAttempts?: number;
  now?: () => Date;
  /**
   * Try the one-request conditional update first for a new key or the next stream sequence of the stored uid
   * (default true). Off: every object write is a consistent read followed by a conditional put (fewer failed
   * conditional writes on replays).
   */
  fastPath?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: items are schemaless records
type Item = Record<string, any>;

const DEFAULT_INLINE_LIMIT = 350_000;
const BATCH_WRITE_MAX = 25;

/**
 * The DynamoDB adapter. Every object write is a consistent read, the shared ordering decision, then a write
 * conditioned on the `seq` that was read; a lost race re-reads and decides again, so two writers can never
 * regress a resourceVersion. Bodies are JSON strings (no attribute-type surprises); large ones are split.
 */
export function createDynamoStore(opts: DynamoStoreOptions): InstanceStore {
  const { client, tableName, instanceId } = opts;
  if (!instanceId || instanceId.includes('#')) {
    throw new Error(`createDynamoStore: instanceId "${instanceId}" must be non-empty and must not contain "#"`);
  }
  const inlineLimit = opts.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT;
  const tombstoneTtl = opts.tombstoneTtlSeconds ?? 14 * 24 * 3600;
  const maxAttempts = opts.maxAttempts ?? 20;
  const now = opts.now ?? (() => new Date());
  const fastPath = opts.fastPath ?? true;
  const ops: StoreOpCounters = { reads: 0, writes: 0, conflicts: 0 };
  const pk = {
    obj: `${instanceId}#obj`,
    applied: `${instanceId}#applied`,
    ns: `${instanceId}#ns`,
    inv: `${instanceId}#inv`,
    fail: `${instanceId}#fail`,
    part: `${instanceId}#part`,
  };

  async function send<T>(kind: 'read' | 'write', cmd: unknown): Promise<T> {
    if (kind === 'read') ops.reads++;
    else ops.writes++;
    try {
      // biome-ignore lint/suspicious/noExplicitAny: one call site for every command type
      return (await client.send(cmd as any)) as T;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') {
        throw new Error(
          `DynamoDB table "${tableName}" not found; create it (createTable from shared/store, or deploy the stack)`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  const isConditionFailure = (err: unknown) => (err as Error)?.name === 'ConditionalCheckFailedException';

  async function getItem(p: string, sk: string): Promise<Item | undefined> {
    const out = await send<{ Item?: Item }>(
      'read',
      new GetCommand({ TableName: tableName, Key: { pk: p, sk }, ConsistentRead: true }),
    );
    return out.Item;
  }

  async function queryAll(p: string, prefix?: string, filterLive = false): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const values: Item = { ':pk': p };
      let cond = 'pk = :pk';
      if (prefix !== undefined) {
        cond += ' AND begins_with(sk, :prefix)';
        values[':prefix'] = prefix;
      }
      if (filterLive) values[':false'] = false;
      const out = await send<{ Items?: Item[]; LastEvaluatedKey?: Item }>(
        'read',
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: cond,
          ...(filterLive ? { FilterExpression: 'deleted = :false' } : {}),
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async function batchDelete(keys: { pk: string; sk: string }[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH_WRITE_MAX) {
      let requests: Item[] = keys.slice(i, i + BATCH_WRITE_MAX).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        const out = await send<{ UnprocessedItems?: Record<string, Item[]> }>(
          'write',
          new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
        );
        requests = out.UnprocessedItems?.[tableName] ?? [];
        if (attempt > 10 && requests.length > 0)
          throw new Error(`DynamoDB kept ${requests.length} deletes unprocessed`);
      }
    }
  }

  // --- bodies: inline JSON, or parts for large ones -------------------------------------------------------------

  /** Attributes carrying `value` (writes part items first when it is large). */
  async function bodyAttributes(value: unknown): Promise<Item> {
    const json = JSON.stringify(value);
    const bytes = Buffer.byteLength(json);
    if (bytes <= inlineLimit) return { body: json };
    const buf = Buffer.from(json);
    const partsId = randomUUID();
    let parts = 0;
    for (let off = 0; off < buf.length; off += inlineLimit, parts++) {
      const sk = `${partsId}#${String(parts).padStart(4, '0')}`;
      await send(
        'write',
        new PutCommand({ TableName: tableName, Item: { pk: pk.part, sk, data: buf.subarray(off, off + inlineLimit) } }),
      );
    }
    return { partsId, parts };
  }

  async function readBody<T>(item: Item): Promise<T | undefined> {
    if (typeof item.body === 'string') return JSON.parse(item.body) as T;
    if (!item.partsId) return undefined;
    const parts = await queryAll(pk.part, `${item.partsId}#`);
    if (parts.length !== item.parts) {
      throw new Error(`store: ${item.sk} has ${parts.length} of ${item.parts} parts; the record is incomplete`);
    }
    const json = Buffer.concat(parts.map((p) => Buffer.from(p.data as Uint8Array))).toString('utf8');
    return JSON.parse(json) as T;
  }

  async function dropParts(item: Item | undefined, keep?: string): Promise<void> {
    if (!item?.partsId || item.partsId === keep) return;
    const keys = Array.from({ length: Number(item.parts) }, (_, i) => ({
      pk: pk.part,
      sk: `${item.partsId}#${String(i).padStart(4, '0')}`,
    }));
    await batchDelete(keys);
  }

  /**
   * The body attributes of `value`, written at most once however many attempts a conditional write takes;
   * `release()` removes parts that ended up unused (the write was stale, duplicate or failed).
   */
  function lazyBody(value: unknown) {
    let attrs: Promise<Item> | undefined;
    let used = false;
    return {
      get: () => {
        attrs ??= bodyAttributes(value);
        return attrs;
      },
      markUsed: () => {
        used = true;
      },
      async release() {
        if (attrs && !used) await dropParts(await attrs);
      },
    };
  }

  /** Unconditional put of a body item; cleans up the parts of the item it replaced. */
  async function putBodyItem(p: string, sk: string, value: unknown, extra: Item = {}): Promise<void> {
    const attrs = await bodyAttributes(value);
    const out = await send<{ Attributes?: Item }>(
      'write',
      new PutCommand({ TableName: tableName, Item: { pk: p, sk, ...extra, ...attrs }, ReturnValues: 'ALL_OLD' }),
    );
    await dropParts(out.Attributes, attrs.partsId);
  }

  async function deleteBodyItem(p: string, sk: string): Promise<void> {
    const out = await send<{ Attributes?: Item }>(
      'write',
      new DeleteCommand({ TableName: tableName, Key: { pk: p, sk }, ReturnValues: 'ALL_OLD' }),
    );
    await dropParts(out.Attributes);
  }

  /**
   * Compare-and-set on one item: read it, let `decide` choose, write conditioned on the `seq` read.
   * `decide` returns the outcome and, for 'applied', the new attributes and whether they reuse the old body.
   */
  async function compareAndSet(
    p: string,
    sk: string,
    decide: (current: Item | undefined) => Promise<{ outcome: PutOutcome; item?: Item }>,
  ): Promise<PutOutcome> {
    for (let attempt = 1; ; attempt++) {
      const current = await getItem(p, sk);
      const { outcome, item } = await decide(current);
      if (outcome !== 'applied' || !item) return outcome;
      const seq = Number(current?.seq ?? 0);
      try {
        await send(
          'write',
          new PutCommand({
            TableName: tableName,
            Item: { ...item, pk: p, sk, seq: seq + 1 },
            ConditionExpression: current ? 'seq = :seq' : 'attribute_not_exists(pk)',
            ...(current ? { ExpressionAttributeValues: { ':seq': seq } } : {}),
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        ops.conflicts++;
        if (attempt >= maxAttempts) {
          throw new Error(`store: ${sk} is being written concurrently; gave up after ${attempt} attempts`, {
            cause: err,
          });
        }
        continue;
      }
      await dropParts(current, item.partsId);
      return 'applied';
    }
  }

  // --- objects ------------------------------------------------------------------------------------------------

  const objectSk = (key: ObjectKey) => {
    const [kind, ns, ...rest] = key.split('/');
    return `${ns}#${kind}#${rest.join('/')}`;
  };

  function versionOf(item: Item | undefined) {
    if (!item) return undefined;
    return {
      uid: String(item.uid ?? ''),
      resourceVersion: String(item.rv),
      deleted: Boolean(item.deleted),
      retiredUids: (item.retired as string[] | undefined) ?? [],
      ...(typeof item.ord === 'string' ? { sequence: item.ord } : {}),
    };
  }

  async function writeObjectEvent(
    key: ObjectKey,
    ev: VersionEvent,
    object: KubeObject | undefined,
  ): Promise<PutOutcome> {
    const namespace = namespaceOfKey(key);
    const sk = objectSk(key);
    const body = lazyBody(object);
    try {
      if (fastPath && ev.uid && (ev.sequence || !ev.deleted)) {
        const applied = await fastObjectWrite(sk, namespace, key, ev, body);
        if (applied) return 'applied';
      }
      let advance = false;
      const outcome = await compareAndSet(pk.obj, sk, async (current) => {
        const stored = versionOf(current);
        const outcome = decideObjectWrite(stored, ev);
        advance = outcome === 'duplicate' && advancesPosition(stored, ev);
        if (outcome !== 'applied') return { outcome };
        const next = nextVersionState(stored, ev);
        const item: Item = {
          key,
          ns: namespace,
          uid: next.uid,
          rv: next.resourceVersion,
          deleted: next.deleted,
          retired: next.retiredUids,
        };
        // `ord`: the stream sequence, a fixed-width string so DynamoDB's string `<` orders it in conditions.
        if (next.sequence) item.ord = next.sequence;
        if (ev.deleted) {
          // The tombstone keeps the last known body (same attributes, same parts) and may expire.
          if (current?.body !== undefined) item.body = current.body;
          if (current?.partsId) Object.assign(item, { partsId: current.partsId, parts: current.parts });
          item[TTL_ATTRIBUTE] = Math.floor(now().getTime() / 1000) + tombstoneTtl;
        } else {
          Object.assign(item, await body.get());
        }
        return { outcome, item };
      });
      if (outcome === 'applied' && !ev.deleted) body.markUsed();
      if (advance) await advanceObjectPosition(sk, ev.sequence!);
      return outcome;
    } finally {
      await body.release();
    }
  }

  /** Moves a stored object's stream position forward (a redelivered version at a later position); never back. */
  async function advanceObjectPosition(sk: string, sequence: string): Promise<void> {
    try {
      await send(
        'write',
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: pk.obj, sk },
          UpdateExpression: 'SET #ord = :ord ADD #seq :one',
          ConditionExpression: 'attribute_exists(pk) AND #ord < :ord',
          ExpressionAttributeNames: { '#ord': 'ord', '#seq': 'seq' },
          ExpressionAttributeValues: { ':ord': sequence, ':one': 1 },
        }),
      );
    } catch (err) {
      // Another writer moved it at least as far: nothing to do.
      if (!isConditionFailure(err)) throw err;
    }
  }

  /**
   * One request for the common case: an upsert of a new key, or a later stream sequence (upsert or delete) of the
   * stored uid that changes its version. The condition is a strict subset of decideObjectWrite's 'applied' cases,
   * so when it does not hold the full read-decide-write path runs and decides (stale, duplicate, re-created uid,
   * events without a sequence).
   */
  async function fastObjectWrite(
    sk: string,
    namespace: string,
    key: ObjectKey,
    ev: VersionEvent,
    body: ReturnType<typeof lazyBody>,
  ): Promise<boolean> {
    const names: Record<string, string> = {
      '#rv': 'rv',
      '#uid': 'uid',
      '#deleted': 'deleted',
      '#seq': 'seq',
    };
    const values: Item = {
      ':uid': ev.uid,
      ':rv': ev.resourceVersion,
      ':deleted': ev.deleted,
      ':one': 1,
    };
    const set = ['#rv = :rv', '#deleted = :deleted'];
    const remove: string[] = [];
    // A later sequence of the stored uid at another version (the same version is a duplicate: slow path decides).
    let later = '';
    if (ev.sequence) {
      names['#ord'] = 'ord';
      values[':ord'] = ev.sequence;
      set.push('#ord = :ord');
      later = '#uid = :uid AND #ord < :ord AND #rv <> :rv';
    }
    let condition: string;
    if (ev.deleted) {
      // Tombstone in place: the body stays, a TTL is added.
      names['#ttl'] = TTL_ATTRIBUTE;
      values[':ttl'] = Math.floor(now().getTime() / 1000) + tombstoneTtl;
      set.push('#ttl = :ttl');
      condition = `attribute_exists(pk) AND ${later}`;
    } else {
      Object.assign(names, {
        '#key': 'key',
        '#ns': 'ns',
        '#body': 'body',
        '#partsId': 'partsId',
        '#parts': 'parts',
        '#ttl': TTL_ATTRIBUTE,
      });
      Object.assign(values, { ':key': key, ':ns': namespace });
      set.push('#uid = :uid', '#key = :key', '#ns = :ns');
      const attrs = await body.get();
      if (attrs.body !== undefined) {
        values[':body'] = attrs.body;
        set.push('#body = :body');
        remove.push('#partsId', '#parts');
      } else {
        Object.assign(values, { ':partsId': attrs.partsId, ':parts': attrs.parts });
        set.push('#partsId = :partsId', '#parts = :parts');
        remove.push('#body');
      }
      remove.push('#ttl');
      condition = later ? `attribute_not_exists(pk) OR (${later})` : 'attribute_not_exists(pk)';
    }
    try {
      const out = await send<{ Attributes?: Item }>(
        'write',
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: pk.obj, sk },
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''} ADD #seq :one`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // The old item tells which large-body parts to remove; a delete keeps the body, so it needs nothing back.
          ReturnValues: ev.deleted ? 'NONE' : 'ALL_OLD',
        }),
      );
      if (!ev.deleted) {
        body.markUsed();
        await dropParts(out.Attributes, (await body.get()).partsId);
      }
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      ops.conflicts++;
      return false;
    }
  }

  async function toStored(item: Item): Promise<StoredObject> {
    const object = await readBody<KubeObject>(item);
    const rec: StoredObject = {
      key: String(item.key),
      uid: String(item.uid ?? ''),
      resourceVersion: String(item.rv),
      deleted: Boolean(item.deleted),
      retiredUids: (item.retired as string[] | undefined) ?? [],
    };
    if (typeof item.ord === 'string') rec.sequence = item.ord;
    if (object) rec.object = object;
    return rec;
  }

  const store: InstanceStore = {
    instanceId,
    ops,
    async upsertObject(obj, position) {
      const d = describeUpsert(obj);
      const seq = checkSequence(d.key, position);
      return writeObjectEvent(d.key, { uid: d.uid, resourceVersion: d.rv, deleted: false, ...seq }, obj);
    },
    async deleteObject(key, uid, resourceVersion, position) {
      checkDelete(key, resourceVersion);
      const seq = checkSequence(key, position);
      return writeObjectEvent(key, { uid: uid ?? '', resourceVersion, deleted: true, ...seq }, undefined);
    },
    async getObject(key) {
      const item = await getItem(pk.obj, objectSk(key));
      return item ? toStored(item) : undefined;
    },
    async listObjects(namespace) {
      const items = await queryAll(pk.obj, namespace === undefined ? undefined : `${namespace}#`, true);
      const out: KubeObject[] = [];
      for (const item of items) {
        const o = await readBody<KubeObject>(item);
        if (o) out.push(o);
      }
      return out;
    },
    async getApplied(modelName) {
      const item = await getItem(pk.applied, modelName);
      return item ? readBody<AppliedModel>(item) : undefined;
    },
    async putApplied(model) {
      await putBodyItem(pk.applied, model.name, model);
    },
    async deleteApplied(modelName) {
      await deleteBodyItem(pk.applied, modelName);
    },
    async listApplied() {
      const items = await queryAll(pk.applied);
      const out: AppliedModel[] = [];
      for (const item of items) {
        const m = await readBody<AppliedModel>(item);
        if (m) out.push(m);
      }
      return out;
    },
    async getOwnedNamespaces() {
      return (await store.listNamespaceStates()).filter((n) => n.state === 'owned').map((n) => n.namespace);
    },
    async setNamespaceOwned(namespace, owned) {
      await store.setNamespaceState(namespace, owned ? 'owned' : 'released');
    },
    async getNamespaceState(namespace) {
      const item = await getItem(pk.ns, namespace);
      return item ? toOwnership(item) : undefined;
    },
    async setNamespaceState(namespace, state, reason) {
      checkNamespaceState(namespace, state);
      const rec = ownership(namespace, state, now().toISOString(), reason);
      await send('write', new PutCommand({ TableName: tableName, Item: { pk: pk.ns, sk: namespace, ...rec } }));
    },
    async listNamespaceStates() {
      return (await queryAll(pk.ns)).map(toOwnership);
    },
    async purgeNamespaceObjects(namespace) {
      const items = await queryAll(pk.obj, `${namespace}#`);
      await batchDelete(items.map((i) => ({ pk: pk.obj, sk: String(i.sk) })));
      for (const item of items) await dropParts(item);
      return items.length;
    },
    async putInventory(inventory) {
      checkInventory(inventory);
      const at = inventoryTime(inventory.observedAt, inventory.namespace);
      const body = lazyBody(inventory);
      try {
        const outcome = await compareAndSet(pk.inv, inventory.namespace, async (current) => {
          const outcome = decideInventoryWrite(current ? Number(current.at) : undefined, at);
          if (outcome !== 'applied') return { outcome };
          return { outcome, item: { at, ...(await body.get()) } };
        });
        if (outcome === 'applied') body.markUsed();
        return outcome;
      } finally {
        await body.release();
      }
    },
    async getInventory(namespace) {
      const item = await getItem(pk.inv, namespace);
      return item ? readBody<NamespaceInventory>(item) : undefined;
    },
    async listInventories() {
      const out: NamespaceInventory[] = [];
      for (const item of await queryAll(pk.inv)) {
        const inv = await readBody<NamespaceInventory>(item);
        if (inv) out.push(inv);
      }
      return out;
    },
    async recordFailure(failure) {
      const f = normalizeFailure(failure);
      await putBodyItem(pk.fail, f.id, f);
    },
    async listFailures() {
      const out: FailureRecord[] = [];
      for (const item of await queryAll(pk.fail)) {
        const f = await readBody<FailureRecord>(item);
        if (f) out.push(f);
      }
      return out;
    },
    async clearFailure(id) {
      await deleteBodyItem(pk.fail, id);
    },
  };
  return store;
}

function toOwnership(item: Item): NamespaceOwnership {
  return ownership(String(item.namespace ?? item.sk), item.state, String(item.since), item.reason);
}
