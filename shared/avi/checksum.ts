import { createHash } from 'node:crypto';
import type { AviObject } from '../model/types.ts';
import { parseRef } from './refs.ts';

/** JSON with keys sorted at every level and undefined dropped: equal data gives equal text. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableStringify(v))).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** Checksum of a desired body (normalized; covers `cloud_config_cksum` and every other field we send). */
export function bodyChecksum(body: Record<string, unknown>): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex').slice(0, 32);
}

/** The controller-side checksum field of a type, where AKO sets one. */
export function checksumField(type: string): string | undefined {
  if (type === 'vsvip') return 'vsvip_cloud_config_cksum';
  if (['virtualservice', 'pool', 'poolgroup', 'httppolicyset'].includes(type)) return 'cloud_config_cksum';
  return undefined;
}

/**
 * Does the controller's copy already hold what we want? By the AKO checksum field when the desired body has
 * one, otherwise every desired field must be present and equal (refs compared by type and name; the
 * private `key` is never echoed, so it is not compared).
 */
export function matchesCurrent(desired: AviObject, current: Record<string, unknown>): boolean {
  const field = checksumField(desired.type);
  if (field && typeof desired.body[field] === 'string') {
    return current[field] === desired.body[field] && current.created_by === desired.body.created_by;
  }
  return subsetEqual(desired.body, current, 0);
}

function subsetEqual(want: unknown, have: unknown, depth: number): boolean {
  if (typeof want === 'string') {
    if (want === '') return have === undefined || have === '' || have === null;
    if (typeof have !== 'string') return false;
    if (want === have) return true;
    if (want.includes('/api/')) {
      const a = parseRef(want);
      const b = parseRef(have);
      if (a && b && a.type === b.type) {
        if (a.uuid && b.uuid) return a.uuid === b.uuid;
        if (a.name !== undefined && b.name !== undefined) return a.name === b.name;
      }
    }
    return false;
  }
  if (Array.isArray(want)) {
    return (
      Array.isArray(have) && have.length === want.length && want.every((w, i) => subsetEqual(w, have[i], depth + 1))
    );
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    return Object.entries(want as Record<string, unknown>).every(
      ([k, v]) => v === undefined || (depth === 0 && k === 'key') || subsetEqual(v, h[k], depth + 1),
    );
  }
  return want === have;
}

/**
 * Stricter than `matchesCurrent`: every desired field compared, the AKO checksum field included (a hand edit
 * keeps the checksum field, so it alone does not prove the content).
 */
export function matchesExactly(desired: AviObject, current: Record<string, unknown>): boolean {
  return subsetEqual(desired.body, current, 0);
}
