import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore, createTable } from '../../shared/store/index.ts';
import { describeStoreContract, ingress } from './contract.ts';
import { type LocalDynamo, startLocalDynamo } from './dynalite-server.ts';

const TABLE = 'ako-serverless-store-test';
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createTable(dynamo.client, TABLE);
});
afterAll(async () => {
  await dynamo?.close();
});

describeStoreContract({
  name: 'dynamodb (dynalite), conditional-update fast path',
  open: (instanceId) => createDynamoStore({ client: dynamo.doc, tableName: TABLE, instanceId }),
  propertyRuns: 15,
  // In order: one conditional UpdateItem. Redelivered: that update fails its condition, then a consistent GetItem.
  expectedOps: { upsert: { reads: 0, writes: 1 }, duplicate: { reads: 1, writes: 1 } },
});

describeStoreContract({
  name: 'dynamodb (dynalite), read-then-conditional-put',
  open: (instanceId) =>
    createDynamoStore({ client: dynamo.doc, tableName: TABLE, instanceId: `rp-${instanceId}`, fastPath: false }),
  propertyRuns: 15,
  expectedOps: { upsert: { reads: 1, writes: 1 }, duplicate: { reads: 1, writes: 0 } },
});

describe('DynamoDB adapter specifics', () => {
  const countParts = async (instanceId: string) => {
    const out = await dynamo.doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${instanceId}#part` },
      }),
    );
    return out.Count ?? 0;
  };

  it('createTable is idempotent', async () => {
    await createTable(dynamo.client, TABLE);
    await createTable(dynamo.doc, TABLE);
  });

  it('removes the parts of a large body once it is replaced or deleted', async () => {
    const instanceId = 'prod/parts';
    const s = createDynamoStore({ client: dynamo.doc, tableName: TABLE, instanceId, inlineLimitBytes: 1000 });
    await s.upsertObject(ingress('web', 'ns', 'u1', '1', { blob: 'y'.repeat(3500) }));
    expect(await countParts(instanceId)).toBe(4);
    await s.upsertObject(ingress('web', 'ns', 'u1', '2', { blob: 'y'.repeat(1500) }));
    expect(await countParts(instanceId)).toBe(2);
    // The tombstone keeps the body it already had, without copying the parts.
    await s.deleteObject('Ingress/ns/web', 'u1', '3');
    expect(await countParts(instanceId)).toBe(2);
    expect((await s.getObject('Ingress/ns/web'))?.object?.spec.blob).toHaveLength(1500);
    await s.purgeNamespaceObjects('ns');
    expect(await countParts(instanceId)).toBe(0);

    await s.putApplied({
      name: 'admin/vs',
      objects: [{ type: 'pool', name: 'p'.repeat(3000), tenant: 'admin', uuid: 'u', checksum: 'c' }],
    });
    expect(await countParts(instanceId)).toBeGreaterThan(0);
    await s.deleteApplied('admin/vs');
    expect(await countParts(instanceId)).toBe(0);
  });

  it('writes tombstones with a TTL and live objects without', async () => {
    const instanceId = 'prod/ttl';
    const now = new Date('2026-01-01T00:00:00Z');
    const s = createDynamoStore({
      client: dynamo.doc,
      tableName: TABLE,
      instanceId,
      now: () => now,
      tombstoneTtlSeconds: 60,
    });
    await s.upsertObject(ingress('web', 'ns', 'u1', '1'));
    const read = async () =>
      (
        await dynamo.doc.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `${instanceId}#obj` },
          }),
        )
      ).Items?.[0];
    expect((await read())?.ttl).toBeUndefined();
    await s.deleteObject('Ingress/ns/web', 'u1', '2');
    expect((await read())?.ttl).toBe(now.getTime() / 1000 + 60);
  });

  it('says which table is missing', async () => {
    const s = createDynamoStore({ client: dynamo.doc, tableName: 'no-such-table', instanceId: 'prod/x' });
    await expect(s.getObject('Ingress/ns/web')).rejects.toThrow(/table "no-such-table" not found/);
  });

  it('rejects an instance id that would collide with the key layout', () => {
    expect(() => createDynamoStore({ client: dynamo.doc, tableName: TABLE, instanceId: 'a#b' })).toThrow(
      /must not contain "#"/,
    );
  });
});
