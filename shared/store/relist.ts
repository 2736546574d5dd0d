import type { InstanceStore } from './types.ts';

/**
 * Stream sequences of the stored objects a relist (inventory) does not list, read from the store: only those can
 * be pruned, and whether one is older than the listing is decided by its last event's position in the stream.
 * Objects the listing names are returned unchanged (usually every object: no read at all).
 */
export async function withStreamSequences<T extends { key: string; kind: string; name: string; sequence?: string }>(
  store: Pick<InstanceStore, 'getObject'>,
  stored: T[],
  listed: { kind: string; name: string }[],
): Promise<T[]> {
  const names = new Set(listed.map((i) => `${i.kind}/${i.name}`));
  const out: T[] = [];
  for (const ref of stored) {
    if (names.has(`${ref.kind}/${ref.name}`) || ref.sequence) {
      out.push(ref);
      continue;
    }
    const rec = await store.getObject(ref.key);
    out.push(rec?.sequence ? { ...ref, sequence: rec.sequence } : ref);
  }
  return out;
}
