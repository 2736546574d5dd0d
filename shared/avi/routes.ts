import type { StaticRoute } from '../model/types.ts';
import { stableStringify } from './checksum.ts';

type RouteLike = Record<string, unknown> & { labels?: unknown };

/** Is this controller route labelled with exactly this cluster's `clustername`? (`c1` never matches `c10`.) */
export function isClusterRoute(route: RouteLike, clusterName: string): boolean {
  const labels = Array.isArray(route.labels) ? route.labels : [];
  return labels.some(
    (l) =>
      l !== null &&
      typeof l === 'object' &&
      (l as { key?: unknown }).key === 'clustername' &&
      (l as { value?: unknown }).value === clusterName,
  );
}

/**
 * The VRF's routes after replacing this cluster's: every route not labelled with this cluster (users'
 * unlabelled routes, other clusters', routes with other labels) is kept as is and in place; ours follow.
 */
export function mergeStaticRoutes(current: unknown, clusterName: string, ours: StaticRoute[]): RouteLike[] {
  const existing = Array.isArray(current) ? (current as RouteLike[]) : [];
  const kept = existing.filter((r) => !isClusterRoute(r, clusterName));
  return [...kept, ...ours.map((r) => ({ ...r }) as unknown as RouteLike)];
}

/** True when the VRF already holds exactly this cluster's desired routes (no write needed). */
export function clusterRoutesMatch(current: unknown, clusterName: string, ours: StaticRoute[]): boolean {
  const existing = Array.isArray(current) ? (current as RouteLike[]) : [];
  const mine = existing.filter((r) => isClusterRoute(r, clusterName));
  if (mine.length !== ours.length) return false;
  const key = (r: unknown) => stableStringify(r);
  const a = mine.map(key).sort();
  const b = ours.map(key).sort();
  return a.every((x, i) => x === b[i]);
}
