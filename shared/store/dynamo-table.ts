import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Table layout (one table for every instance; all keys start with the instance id, e.g. `prod/avi-system`):
 *
 * | pk                      | sk                          | item                                    |
 * |-------------------------|-----------------------------|-----------------------------------------|
 * | `<instance>#obj`        | `<namespace>#<kind>#<name>` | one Kubernetes object or its tombstone  |
 * | `<instance>#applied`    | `<model name>`              | what was last applied for one model     |
 * | `<instance>#ns`         | `<namespace>`               | namespace ownership state               |
 * | `<instance>#inv`        | `<namespace>`               | latest inventory of one namespace       |
 * | `<instance>#fail`       | `<failure id>`              | one permanent failure                   |
 * | `<instance>#part`       | `<parts id>#<nnnn>`         | one slice of a body larger than 350 KB  |
 *
 * Cluster-scoped objects have an empty namespace (sk `#<kind>#<name>`), so `begins_with(sk, "<ns>#")` lists one
 * namespace and never matches a namespace that merely shares a prefix (`#` cannot occur in a namespace name).
 */
export const TTL_ATTRIBUTE = 'ttl';

type AnyDynamoClient = DynamoDBClient | DynamoDBDocumentClient;

export interface CreateTableOptions {
  /** Enable DynamoDB TTL on `ttl` (tombstones expire). Emulators without TTL support are tolerated. Default true. */
  ttl?: boolean;
  /** Give up waiting for ACTIVE after this many milliseconds. Default 60 s. */
  timeoutMs?: number;
}

/** Create the store table (on-demand billing) if it does not exist, and wait until it is ACTIVE. */
export async function createTable(client: AnyDynamoClient, tableName: string, opts: CreateTableOptions = {}) {
  const send = client.send.bind(client) as (cmd: unknown) => Promise<Record<string, unknown>>;
  try {
    await send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (err) {
    if ((err as Error).name !== 'ResourceInUseException') throw err;
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const out = (await send(new DescribeTableCommand({ TableName: tableName }))) as {
      Table?: { TableStatus?: string };
    };
    if (out.Table?.TableStatus === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`DynamoDB table ${tableName} did not become ACTIVE in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (opts.ttl ?? true) {
    try {
      await send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    } catch (err) {
      const name = (err as Error).name;
      // Local emulators (dynalite) lack TTL; an already-enabled TTL is fine too.
      if (name !== 'UnknownOperationException' && !/already enabled/i.test((err as Error).message)) throw err;
    }
  }
}
