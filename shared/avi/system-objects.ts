/**
 * Merges into system objects other owners share: one cluster's static routes in a VRF (other routes kept) and the
 * SE group's `clustername` label (refused when labelled for another cluster). Read-merge-write with the read
 * `_last_modified`; 412 → re-read and retry.
 */
import type { AviClient, AviRecord } from './client.ts';
import { AviOwnershipError, type ObjectTransport } from './guarded.ts';
import { clusterRoutesMatch, mergeStaticRoutes } from './routes.ts';
import { AviError } from './types.ts';

export function createSystemObjects(
  t: ObjectTransport,
  opts: { owner?: string; maxConflictRetries: number },
): Pick<AviClient, 'syncStaticRoutes' | 'setSeGroupClusterLabel'> {
  const rewrite = async (
    type: 'vrfcontext' | 'serviceenginegroup',
    name: string,
    o: { tenant?: string; cloudName?: string },
    change: (current: AviRecord) => Record<string, unknown> | undefined,
  ): Promise<{ changed: boolean; uuid: string }> => {
    const tenant = o.tenant ?? 'admin';
    const query = o.cloudName ? { 'cloud_ref.name': o.cloudName } : undefined;
    for (let attempt = 1; ; attempt++) {
      const current = await t.getByName(type, name, { tenant, ...(query ? { query } : {}) });
      if (!current?.uuid)
        throw new AviError(`GET ${type} ${name}: HTTP 404: ${type} ${name} not found`, 404, 'GET', type, name, false);
      const next = change(current);
      if (!next) return { changed: false, uuid: current.uuid };
      try {
        await t.request('PUT', type, current.uuid, {
          tenant,
          body: { ...next, _last_modified: current._last_modified },
          name,
        });
        return { changed: true, uuid: current.uuid };
      } catch (e) {
        if (e instanceof AviError && e.status === 412 && attempt < opts.maxConflictRetries) {
          await t.conflictPause(attempt);
          continue;
        }
        throw e;
      }
    }
  };

  return {
    syncStaticRoutes(vrfName, clusterName, routes, o = {}) {
      if (!clusterName) throw new Error('syncStaticRoutes: clusterName is required');
      return rewrite('vrfcontext', vrfName, o, (current) => {
        if (clusterRoutesMatch(current.static_routes, clusterName, routes)) return undefined;
        const { url: _url, ...rest } = current;
        return { ...rest, static_routes: mergeStaticRoutes(current.static_routes, clusterName, routes) };
      });
    },
    setSeGroupClusterLabel(segName, clusterName, present, o = {}) {
      return rewrite('serviceenginegroup', segName, o, (current) => {
        const labels = Array.isArray(current.labels) ? (current.labels as { key?: unknown; value?: unknown }[]) : [];
        const cluster = labels.filter((l) => l?.key === 'clustername');
        const other = cluster.find((l) => l.value !== clusterName);
        if (other) {
          throw new AviOwnershipError(
            'PUT',
            'serviceenginegroup',
            segName,
            opts.owner,
            undefined,
            `it is labelled clustername=${String(other.value)}, not ${clusterName}`,
          );
        }
        const has = cluster.length > 0;
        if (has === present) return undefined;
        const { url: _url, ...rest } = current;
        return {
          ...rest,
          labels: present
            ? [...labels, { key: 'clustername', value: clusterName }]
            : labels.filter((l) => l?.key !== 'clustername'),
        };
      });
    },
  };
}
