export { createDynamoStore, type DynamoStoreOptions } from './dynamo.ts';
export { createDynamoHostClaims, type DynamoHostClaimsOptions, hostClaimsPartition } from './dynamo-host-claims.ts';
export { type CreateTableOptions, createTable, TTL_ATTRIBUTE } from './dynamo-table.ts';
export { createMemoryStore, type MemoryStoreOptions } from './memory.ts';
export { compareResourceVersions, decideObjectWrite, RETIRED_UID_LIMIT } from './ordering.ts';
export * from './types.ts';
