import { type BuildContext, skip } from './context.ts';
import type { Backend, L7Host, L7Path } from './l7-parse.ts';
import { findServicePort, type PoolServer, poolServers, type ServicePortRef, serviceOf } from './servers.ts';
import type { ObjectKey } from './types.ts';
import { objectKey } from './types.ts';

/** A backend resolved against its Service: the servers its pool gets. */
export interface ResolvedBackend {
  backend: Backend;
  servers: PoolServer[];
  /** Undefined when the Service or its port does not exist (the pool is kept without servers). */
  port?: ServicePortRef;
}

/**
 * Resolves every backend of a path. A backend whose Service or port is unknown keeps its pool, with no servers,
 * as AKO does (the shard VS, its VIP and the path's policy stay, so a re-created Service finds the same VIP);
 * the problem is reported (ServiceNotFound / ServicePortNotFound). `sources` collects Service/slice/node keys.
 */
export function resolveBackends(ctx: BuildContext, h: L7Host, p: L7Path, sources: Set<ObjectKey>): ResolvedBackend[] {
  const out: ResolvedBackend[] = [];
  for (const b of p.backends) {
    const svc = serviceOf(ctx, h.namespace, b.service);
    if (!svc) {
      skip(
        ctx,
        h.source,
        `${b.field}.name`,
        `Service ${h.namespace}/${b.service} not found (host ${h.host}); its pool has no servers until it exists`,
        'ServiceNotFound',
      );
      out.push({ backend: b, servers: [] });
      continue;
    }
    sources.add(objectKey(svc));
    const port = findServicePort(svc, b);
    if (!port) {
      const want = b.portName ?? b.port ?? b.targetPort;
      skip(
        ctx,
        h.source,
        `${b.field}.port`,
        `Service ${h.namespace}/${b.service} has no port ${String(want)}; its pool has no servers until it does`,
        'ServicePortNotFound',
      );
      out.push({ backend: b, servers: [] });
      continue;
    }
    const res = poolServers(ctx, svc, port, { loadBalancerPool: false });
    for (const s of res.sources) sources.add(s);
    out.push({ backend: b, servers: res.servers, port });
  }
  return out;
}
