// Host claims (first claimant keeps a host), one contract for the in-memory registry and the DynamoDB one
// (dynalite, conditional writes).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryHostClaims, type HostClaimRegistry } from '../../shared/instance/host-claims.ts';
import { createDynamoHostClaims, createTable, hostClaimsPartition } from '../../shared/store/index.ts';
import { type LocalDynamo, startLocalDynamo } from './dynalite-server.ts';

const TABLE = 'ako-serverless-claims-test';
let dynamo: LocalDynamo;
let clusters = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createTable(dynamo.client, TABLE);
});
afterAll(async () => {
  await dynamo?.close();
});

const red = {
  instance: 'demo/avi-system',
  object: { kind: 'Ingress', namespace: 'red', name: 'web' },
  model: 'admin/demo--Shared-L7-3',
};
const blue = {
  instance: 'demo/blue',
  object: { kind: 'Ingress', namespace: 'blueteam', name: 'web' },
  model: 'admin/demo--blue-Shared-L7-3',
};

function contract(name: string, open: () => HostClaimRegistry) {
  describe(`host claims: ${name}`, () => {
    it('the first claimant keeps the host; a later one is told who holds it and waits', async () => {
      const r = open();
      expect(await r.claim({ host: 'a.example.com', ...red })).toEqual({ host: 'a.example.com', ...red, waiters: [] });
      const seen = await r.claim({ host: 'a.example.com', ...blue });
      expect(seen).toMatchObject({ instance: red.instance, object: red.object });
      expect(seen.waiters).toEqual([{ instance: blue.instance, model: blue.model }]);
      // Asking again changes nothing; the holder asking again keeps it.
      expect((await r.claim({ host: 'a.example.com', ...blue })).waiters).toHaveLength(1);
      expect((await r.claim({ host: 'a.example.com', ...red })).instance).toBe(red.instance);
      expect((await r.heldBy(red.instance)).map((c) => c.host)).toEqual(['a.example.com']);
      expect(await r.heldBy(blue.instance)).toEqual([]);
    });

    it('the same object moving to another model of the holder updates the claim; another object of it too', async () => {
      const r = open();
      await r.claim({ host: 'd.example.com', ...red });
      const moved = await r.claim({ host: 'd.example.com', ...red, model: 'admin/demo--Shared-L7-5' });
      expect(moved).toMatchObject({ instance: red.instance, model: 'admin/demo--Shared-L7-5' });
      const other = { kind: 'Route', namespace: 'red', name: 'web2' };
      expect((await r.claim({ host: 'd.example.com', ...red, object: other })).object).toEqual(other);
      expect((await r.heldBy(red.instance)).map((c) => c.object)).toEqual([other]);
    });

    it('only the holder releases; the released claim names its waiters, and the next claimant takes the host', async () => {
      const r = open();
      await r.claim({ host: 'b.example.com', ...red });
      await r.claim({ host: 'b.example.com', ...blue });
      expect(await r.release('b.example.com', blue.instance)).toBeUndefined();
      const released = await r.release('b.example.com', red.instance);
      expect(released?.waiters).toEqual([{ instance: blue.instance, model: blue.model }]);
      expect(await r.release('b.example.com', red.instance)).toBeUndefined();
      expect((await r.claim({ host: 'b.example.com', ...blue })).instance).toBe(blue.instance);
    });

    it('two instances claiming one host at once: exactly one holds it', async () => {
      const r = open();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          r.claim({
            host: 'c.example.com',
            ...(i % 2 ? blue : red),
            object: { kind: 'Ingress', namespace: `ns${i}`, name: 'web' },
          }),
        ),
      );
      const holders = new Set(results.map((c) => c.instance));
      expect(holders.size).toBe(1);
      const holder = [...holders][0]!;
      expect((await r.heldBy(holder)).map((c) => c.host)).toEqual(['c.example.com']);
      expect(await r.heldBy(holder === red.instance ? blue.instance : red.instance)).toEqual([]);
    });
  });
}

contract('in memory', () => createMemoryHostClaims());

it('DynamoDB: a claim written before claims carried the object as fields is read with its fields', async () => {
  const cluster = `c${++clusters}`;
  await dynamo.doc.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        pk: hostClaimsPartition(cluster),
        sk: 'old.example.com',
        host: 'old.example.com',
        instance: red.instance,
        object: 'Ingress red/web',
        model: red.model,
        waiters: [],
        ver: 1,
      },
    }),
  );
  const r = createDynamoHostClaims({ client: dynamo.doc, tableName: TABLE, cluster });
  expect(await r.heldBy(red.instance)).toEqual([{ host: 'old.example.com', ...red, waiters: [] }]);
});
contract('DynamoDB (dynalite)', () =>
  createDynamoHostClaims({ client: dynamo.doc, tableName: TABLE, cluster: `c${++clusters}` }),
);
