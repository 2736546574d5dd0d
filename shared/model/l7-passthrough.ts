import type { BuildContext } from './context.ts';
import { passthroughScript } from './datascript.ts';
import { resolveBackends } from './l7-backends.ts';
import type { L7Host } from './l7-parse.ts';
import { modelName, namePrefix, passthroughPoolGroupName, passthroughPoolName } from './naming.ts';
import {
  nameFits,
  obj,
  type PgMember,
  poolGroupObject,
  poolObject,
  redirectPolicySetObject,
  vsVipObject,
  withCksum,
} from './objects.ts';
import { markers, ref, serviceMetadata } from './refs.ts';
import type { AviModel, AviObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';

/**
 * Shared passthrough VS `<cluster>--[<akoNs>-]Shared-Passthrough-<n>`: port 443, L4 datascript choosing the PG
 * `<cluster>--<sni>`; an `-insecure` companion on port 80 when a host asks for the HTTP→HTTPS redirect.
 */
export function buildPassthroughModel(
  ctx: BuildContext,
  vsName: string,
  tenant: string,
  hosts: L7Host[],
): AviModel | undefined {
  const sources = new Set<ObjectKey>();
  const pools: AviObject[] = [];
  const pgs: AviObject[] = [];
  const fqdns: string[] = [];
  const redirectHosts: string[] = [];
  const byHost = new Map<string, L7Host[]>();
  for (const h of hosts) byHost.set(h.host, [...(byHost.get(h.host) ?? []), h]);
  for (const [host, hs] of byHost) {
    const pgName = passthroughPoolGroupName(ctx.instance, host);
    if (!nameFits(ctx, hs[0]!.source, hs[0]!.hostField, 'poolgroup', pgName)) continue;
    const members: PgMember[] = [];
    for (const h of hs) {
      for (const p of h.paths) {
        for (const rb of resolveBackends(ctx, h, p, sources)) {
          const poolName = passthroughPoolName(ctx.instance, host, rb.backend.service);
          if (!nameFits(ctx, h.source, p.field, 'pool', poolName)) continue;
          pools.push(
            poolObject(ctx, {
              name: poolName,
              tenant,
              servers: rb.servers,
              markers: { Host: [host], ServiceName: rb.backend.service },
              metadata: { namespace: h.namespace, hostnames: [host], pool_ratio: rb.backend.weight },
            }),
          );
          members.push({ pool: poolName, ratio: rb.backend.weight });
        }
      }
      sources.add(objectKey(h.source));
      if (h.redirect) redirectHosts.push(host);
    }
    if (members.length === 0) continue;
    pgs.push(poolGroupObject(ctx, pgName, tenant, members, false, { Host: [host] }));
    fqdns.push(host);
  }
  if (pgs.length === 0) return undefined;
  const objects: AviObject[] = [vsVipObject(ctx, vsName, tenant, fqdns)];
  objects.push(...new Map(pools.map((p) => [p.name, p])).values(), ...pgs);
  objects.push(
    obj('vsdatascriptset', vsName, tenant, {
      name: vsName,
      created_by: ctx.createdBy,
      tenant_ref: ref.tenant(tenant),
      datascript: [{ evt: 'VS_DATASCRIPT_EVT_L4_REQUEST', script: passthroughScript(namePrefix(ctx.instance)) }],
      pool_group_refs: pgs.map((p) => ref.poolGroup(p.name)),
      protocol_parser_refs: [ref.protocolParser('Default-TLS')],
      markers: markers(ctx.cluster),
    }),
  );
  const base = (name: string, port: number, profile: string): Record<string, unknown> => ({
    name,
    created_by: ctx.createdBy,
    cloud_ref: ref.cloud(ctx.cloud),
    tenant_ref: ref.tenant(tenant),
    application_profile_ref: ref.applicationProfile(profile),
    network_profile_ref: ref.networkProfile('System-TCP-Proxy'),
    se_group_ref: ref.seGroup(ctx.seGroup),
    vrf_context_ref: ref.vrf(ctx.vrf),
    vsvip_ref: ref.vsvip(vsName),
    type: 'VS_TYPE_NORMAL',
    services: [{ port, port_range_end: port, enable_ssl: false, enable_http2: false }],
  });
  objects.push(
    obj(
      'virtualservice',
      vsName,
      tenant,
      withCksum({
        ...base(vsName, 443, 'System-L4-Application'),
        vs_datascripts: [{ index: 0, vs_datascript_set_ref: ref.datascript(vsName) }],
        markers: markers(ctx.cluster),
        service_metadata: serviceMetadata(),
      }),
    ),
  );
  if (redirectHosts.length > 0) {
    const insecure = `${vsName}-insecure`;
    objects.push(redirectPolicySetObject(ctx, insecure, tenant, redirectHosts));
    objects.push(
      obj(
        'virtualservice',
        insecure,
        tenant,
        withCksum({
          ...base(insecure, 80, 'System-HTTP'),
          http_policies: [{ index: 11, http_policy_set_ref: ref.httpPolicySet(insecure) }],
          markers: markers(ctx.cluster),
          service_metadata: serviceMetadata({ passthrough_parent_ref: vsName }),
        }),
      ),
    );
  }
  return { name: modelName(tenant, vsName), tenant, objects, sources: [...sources].sort() };
}
