/**
 * Field-level differences between a desired Avi body and the controller's copy. Only fields we send are
 * compared (the controller adds uuids, urls, defaults and timestamps); refs are compared by type and name.
 * Pure functions.
 */
import { parseRef } from '../../../shared/avi/index.ts';

export interface FieldChange {
  /** JSON-path-like, e.g. `servers[1].ip.addr`. */
  path: string;
  /** The controller's value (undefined: absent). */
  before?: unknown;
  /** The desired value (undefined: removed). */
  after?: unknown;
}

/** Shown in place of secret values (TLS private keys, passphrases). */
export const MASKED = '(sensitive value)';

/** Fields that carry secrets anywhere in a body. */
const SECRET_FIELDS = new Set(['key', 'passphrase', 'key_passphrase', 'password']);

/** A copy of a body with secret fields masked (for printing creates). */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_FIELDS.has(k) && v !== undefined && v !== '' ? MASKED : maskSecrets(v),
      ]),
    );
  }
  return value;
}

/** A ref in whatever form (`/api/pool?name=x`, `https://h/api/pool/uuid#x`) as `pool:x` for display. */
function refLabel(value: string): string | undefined {
  if (!value.includes('/api/')) return undefined;
  const r = parseRef(value);
  if (!r?.type) return undefined;
  return `${r.type}:${r.name ?? r.uuid ?? ''}`;
}

function sameScalar(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  if (typeof want === 'string') {
    if (want === '') return have === undefined || have === null || have === '';
    if (typeof have !== 'string') return false;
    const a = refLabel(want);
    const b = refLabel(have);
    if (a && b) {
      const ra = parseRef(want);
      const rb = parseRef(have);
      if (ra?.uuid && rb?.uuid) return ra.uuid === rb.uuid;
      return a === b;
    }
  }
  return false;
}

/** Display form of a value: refs as `type:name`, secrets masked. */
function shown(value: unknown, secret: boolean): unknown {
  if (value === undefined) return undefined;
  if (secret) return MASKED;
  if (typeof value === 'string') return refLabel(value) ?? value;
  if (Array.isArray(value) || (value && typeof value === 'object')) return maskSecrets(value);
  return value;
}

/**
 * Differences between `desired` and `current`, limited to the fields `desired` sets. `ignore` names top-level
 * fields left out (e.g. the checksum field, which only restates the rest). The private key is never echoed by
 * the controller, so it cannot be compared and is skipped.
 */
export function diffBody(
  desired: Record<string, unknown>,
  current: Record<string, unknown>,
  ignore: ReadonlySet<string> = new Set(),
): FieldChange[] {
  const out: FieldChange[] = [];
  const walk = (want: unknown, have: unknown, path: string, secret: boolean) => {
    if (want === undefined) return;
    if (Array.isArray(want)) {
      if (!Array.isArray(have)) {
        if (!(want.length === 0 && (have === undefined || have === null))) {
          out.push({ path, before: shown(have, secret), after: shown(want, secret) });
        }
        return;
      }
      const n = Math.max(want.length, have.length);
      for (let i = 0; i < n; i++) {
        const p = `${path}[${i}]`;
        if (i >= want.length) out.push({ path: p, before: shown(have[i], secret) });
        else if (i >= have.length) out.push({ path: p, after: shown(want[i], secret) });
        else walk(want[i], have[i], p, secret);
      }
      return;
    }
    if (want !== null && typeof want === 'object') {
      if (have === null || typeof have !== 'object' || Array.isArray(have)) {
        out.push({ path, before: shown(have, secret), after: shown(want, secret) });
        return;
      }
      for (const [k, v] of Object.entries(want as Record<string, unknown>)) {
        walk(v, (have as Record<string, unknown>)[k], path ? `${path}.${k}` : k, secret || SECRET_FIELDS.has(k));
      }
      return;
    }
    if (!sameScalar(want, have)) out.push({ path, before: shown(have, secret), after: shown(want, secret) });
  };
  for (const [k, v] of Object.entries(desired)) {
    if (ignore.has(k)) continue;
    // The controller never returns private keys; a change there shows up as the certificate's change.
    if (k === 'key') continue;
    walk(v, current[k], k, SECRET_FIELDS.has(k));
  }
  return out;
}
