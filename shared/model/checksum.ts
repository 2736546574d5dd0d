import { fnv1a32 } from './naming.ts';

/**
 * AKO sends a uint32 checksum as a decimal string in `cloud_config_cksum`; the reconciler compares it to
 * skip unchanged objects. Ours is FNV-1a over the body's JSON (built in a fixed key order, so stable).
 */
export function checksum(body: Record<string, unknown>): string {
  return String(fnv1a32(JSON.stringify(body)));
}
