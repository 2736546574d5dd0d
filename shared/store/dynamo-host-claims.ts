/**
 * Host claims of one cluster in the state table (partition `claims#<cluster>`, one item per host). Every change is
 * a conditional write on the item's version, so two instances claiming one host at once cannot both win.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type ClaimedObject, decideClaim, type HostClaim, type HostClaimRegistry } from '../instance/host-claims.ts';

export interface DynamoHostClaimsOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  cluster: string;
  /** Attempts of a conditional write under contention. Default 10. */
  maxAttempts?: number;
}

interface ClaimItem extends Omit<HostClaim, 'object'> {
  /** A map; a string (`Ingress shop/web`) in items written before claims carried the object's fields. */
  object: ClaimedObject | string;
  ver: number;
}

function objectOf(o: ClaimItem['object']): ClaimedObject {
  if (typeof o !== 'string') return { kind: o.kind, namespace: o.namespace, name: o.name };
  const [kind = '', ref = ''] = o.split(' ');
  const [namespace = '', name = ''] = ref.split('/');
  return { kind, namespace, name };
}

const isConflict = (err: unknown) =>
  err instanceof ConditionalCheckFailedException ||
  (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

/** The partition of a cluster's host claims (the sync functions' IAM policy names it). */
export function hostClaimsPartition(cluster: string): string {
  return `claims#${cluster}`;
}

export function createDynamoHostClaims(opts: DynamoHostClaimsOptions): HostClaimRegistry {
  const { client, tableName } = opts;
  const pk = hostClaimsPartition(opts.cluster);
  const attempts = opts.maxAttempts ?? 10;

  const read = async (host: string): Promise<ClaimItem | undefined> =>
    (await client.send(new GetCommand({ TableName: tableName, Key: { pk, sk: host }, ConsistentRead: true }))).Item as
      | ClaimItem
      | undefined;

  const claimOf = (i: ClaimItem): HostClaim => ({
    host: i.host,
    instance: i.instance,
    object: objectOf(i.object),
    model: i.model,
    waiters: i.waiters ?? [],
  });

  return {
    async claim(c) {
      for (let n = 0; n < attempts; n++) {
        const item = await read(c.host);
        const d = decideClaim(item ? claimOf(item) : undefined, c);
        if (!d.write) return d.claim;
        try {
          await client.send(
            new PutCommand({
              TableName: tableName,
              Item: { pk, sk: c.host, ...d.claim, ver: (item?.ver ?? 0) + 1 },
              ...(item
                ? { ConditionExpression: 'ver = :ver', ExpressionAttributeValues: { ':ver': item.ver } }
                : { ConditionExpression: 'attribute_not_exists(pk)' }),
            }),
          );
          return d.claim;
        } catch (err) {
          if (!isConflict(err)) throw err;
        }
      }
      throw new Error(`host claim for ${c.host}: still contended after ${attempts} attempts`);
    },

    async release(host, instance) {
      for (let n = 0; n < attempts; n++) {
        const item = await read(host);
        if (!item || item.instance !== instance) return undefined;
        try {
          await client.send(
            new DeleteCommand({
              TableName: tableName,
              Key: { pk, sk: host },
              ConditionExpression: 'ver = :ver',
              ExpressionAttributeValues: { ':ver': item.ver },
            }),
          );
          return claimOf(item);
        } catch (err) {
          if (!isConflict(err)) throw err;
        }
      }
      throw new Error(`host release of ${host}: still contended after ${attempts} attempts`);
    },

    async heldBy(instance) {
      const out: HostClaim[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: '#i = :i',
            ExpressionAttributeNames: { '#i': 'instance' },
            ExpressionAttributeValues: { ':pk': pk, ':i': instance },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const i of (page.Items ?? []) as ClaimItem[]) out.push(claimOf(i));
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
}
