import type { BuildContext } from './context.ts';
import { resolveBackends } from './l7-backends.ts';
import type { L7Host } from './l7-parse.ts';
import { insecurePoolName } from './naming.ts';
import { nameFits, type PgMember, poolObject, prebuildMember } from './objects.ts';
import type { AviObject, ObjectKey } from './types.ts';

/** The insecure pools of one host and their shared-PG members (label lower(host+path), ratio = weight). */
export function insecurePieces(
  ctx: BuildContext,
  tenant: string,
  h: L7Host,
  sources: Set<ObjectKey>,
  allow: boolean,
): { pools: AviObject[]; members: PgMember[] } {
  const pools: AviObject[] = [];
  const members: PgMember[] = [];
  for (const p of h.paths) {
    for (const rb of resolveBackends(ctx, h, p, sources)) {
      const svc = h.kind === 'Route' ? rb.backend.service : undefined;
      const name = insecurePoolName(ctx.instance, h.host, p.path, h.namespace, h.objName, svc);
      if (!nameFits(ctx, h.source, p.field, 'pool', name)) continue;
      pools.push(
        poolObject(ctx, {
          name,
          tenant,
          servers: rb.servers,
          markers: {
            Namespace: h.namespace,
            Host: [h.host],
            ...(svc ? { ServiceName: svc } : {}),
            Path: [p.path],
            IngressName: [h.objName],
          },
          metadata: {
            ingress_name: h.objName,
            namespace: h.namespace,
            hostnames: [h.host],
            pool_ratio: rb.backend.weight,
            insecureedgetermallow: allow,
          },
        }),
      );
      members.push(
        prebuildMember({ pool: name, ratio: rb.backend.weight, priorityLabel: (h.host + p.path).toLowerCase() }),
      );
    }
  }
  return { pools, members };
}
