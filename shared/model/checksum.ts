import { createHash } from 'node:crypto';
import { fnv1a32 } from './naming.ts';

/**
 * AKO sends a uint32 checksum as a decimal string in `cloud_config_cksum`; the reconciler compares it to
 * skip unchanged objects. Ours is the first 32 bits of an MD5 over the body's JSON (built in a fixed key
 * order, so stable).
 */
export function checksum(body: Record<string, unknown>): string {
  return String(createHash('md5').update(JSON.stringify(body)).digest().readUInt32BE(0));
}

/**
 * Checksum of a body with one long list (a shared pool group's members, a VsVip's FQDNs) from per-item
 * hashes folded in order: re-assembling a shard after one change does not re-serialise thousands of
 * unchanged entries. Order-sensitive, like the list it stands for.
 */
export function checksumWithList(head: Record<string, unknown>, itemHashes: readonly number[]): string {
  let acc = 0;
  for (const h of itemHashes) acc = (Math.imul(acc ^ h, 0x01000193) + 0x9e3779b9) >>> 0;
  const text = `${JSON.stringify(head)}\u0000${itemHashes.length}:${acc}`;
  return String(createHash('md5').update(text).digest().readUInt32BE(0));
}

/** Hash of one list item's JSON text. */
export function itemHash(text: string): number {
  return fnv1a32(text);
}
