import { type BuildContext, skip } from './context.ts';
import type { Backend, L7Host, L7Path } from './l7-parse.ts';
import { findServicePort, type PoolServer, poolServers, type ServicePortRef, serviceOf } from './servers.ts';
import type { ObjectKey } from './types.ts';
import { objectKey } from './types.ts';

/** A backend resolved against its Service: the servers its pool gets. */
export interface ResolvedBackend {
  backend: Backend;
  servers: PoolServer[];
  port: ServicePortRef;
}

/**
 * Resolves every backend of a path; a backend whose Service or port is unknown is reported and dropped
 * (the other backends and paths still build). `sources` collects Service/slice/node keys.
 */
export function resolveBackends(ctx: BuildContext, h: L7Host, p: L7Path, sources: Set<ObjectKey>): ResolvedBackend[] {
  const out: ResolvedBackend[] = [];
  for (const b of p.backends) {
    const svc = serviceOf(ctx, h.namespace, b.service);
    if (!svc) {
      skip(ctx, h.source, `${b.field}.name`, `Service ${h.namespace}/${b.service} not found (host ${h.host})`);
      continue;
    }
    sources.add(objectKey(svc));
    const port = findServicePort(svc, b);
    if (!port) {
      const want = b.portName ?? b.port ?? b.targetPort;
      skip(ctx, h.source, `${b.field}.port`, `Service ${h.namespace}/${b.service} has no port ${String(want)}`);
      continue;
    }
    const res = poolServers(ctx, svc, port, { loadBalancerPool: false });
    for (const s of res.sources) sources.add(s);
    out.push({ backend: b, servers: res.servers, port });
  }
  return out;
}
