import type { BuildContext } from './context.ts';
import { resolveBackends } from './l7-backends.ts';
import type { L7Host } from './l7-parse.ts';
import { pkiProfileName, sniHttpPolicySetName, sniPoolGroupName, sniPoolName, sniVsName } from './naming.ts';
import {
  certObject,
  type HttpRuleSpec,
  httpPolicySetObject,
  nameFits,
  obj,
  type PgMember,
  pkiProfileObject,
  poolGroupObject,
  poolObject,
  withCksum,
} from './objects.ts';
import { markers, ref, serviceMetadata } from './refs.ts';
import type { ResolvedCert } from './tls.ts';
import type { AviObject, ObjectKey } from './types.ts';
import { cmp } from './view-index.ts';

/** What one host of one Ingress/Route contributes to an SNI child or dedicated VS. */
export interface PathPieces {
  host: L7Host;
  /** pki profiles, pools and PGs, in create order */
  objects: AviObject[];
  rules: HttpRuleSpec[];
}

/** Pools and one PG per path (Exact → EQUALS, Prefix/ImplementationSpecific → BEGINS_WITH). */
export function pathPieces(
  ctx: BuildContext,
  tenant: string,
  h: L7Host,
  sources: Set<ObjectKey>,
  suffix = '',
  destinationCA?: string,
): PathPieces {
  const pkis: AviObject[] = [];
  const pools: AviObject[] = [];
  const pgs: AviObject[] = [];
  const rules: HttpRuleSpec[] = [];
  const ns = h.namespace;
  const host = h.host;
  for (const p of h.paths) {
    const pgName = sniPoolGroupName(ctx.instance, ns, host, p.path, h.objName) + suffix;
    if (!nameFits(ctx, h.source, p.field, 'poolgroup', pgName)) continue;
    const members: PgMember[] = [];
    for (const rb of resolveBackends(ctx, h, p, sources)) {
      const svc = h.kind === 'Route' ? rb.backend.service : undefined;
      const poolName = sniPoolName(ctx.instance, ns, host, p.path, h.objName, svc) + suffix;
      if (!nameFits(ctx, h.source, p.field, 'pool', poolName)) continue;
      const poolMarkers = {
        Namespace: ns,
        Host: [host],
        ServiceName: rb.backend.service,
        Path: [p.path],
        IngressName: [h.objName],
      };
      let pki: string | undefined;
      if (destinationCA && h.termination === 'reencrypt') {
        pki = pkiProfileName(poolName);
        pkis.push(pkiProfileObject(ctx, pki, tenant, destinationCA, poolMarkers));
      }
      pools.push(
        poolObject(ctx, {
          name: poolName,
          tenant,
          servers: rb.servers,
          markers: poolMarkers,
          metadata: { ingress_name: h.objName, namespace: ns, hostnames: [host], pool_ratio: rb.backend.weight },
          ...(h.termination === 'reencrypt' ? { reencrypt: pki ? { pkiProfile: pki } : {} } : {}),
        }),
      );
      members.push({ pool: poolName, ratio: rb.backend.weight });
    }
    if (members.length === 0) continue;
    pgs.push(
      poolGroupObject(ctx, pgName, tenant, members, false, {
        Namespace: ns,
        Host: [host],
        Path: [p.path],
        IngressName: [h.objName],
      }),
    );
    rules.push({ path: p.path, matchCriteria: p.pathType === 'Exact' ? 'EQUALS' : 'BEGINS_WITH', poolGroup: pgName });
  }
  return { host: h, objects: [...pkis, ...pools, ...pgs], rules };
}

export interface PathPolicies {
  /** pki profiles, pools, PGs, HTTP policy sets in create order */
  objects: AviObject[];
  /** http_policies entries for the VS that carries them */
  policies: Record<string, unknown>[];
}

/** One HTTP policy set per namespace (`<cluster>--<ns>-<host>`) with the path rules of all its pieces. */
export function assemblePolicies(ctx: BuildContext, tenant: string, host: string, pieces: PathPieces[]): PathPolicies {
  const byNs = new Map<string, PathPieces[]>();
  for (const p of pieces) {
    if (p.rules.length === 0) continue;
    const l = byNs.get(p.host.namespace);
    if (l) l.push(p);
    else byNs.set(p.host.namespace, [p]);
  }
  const sets: { name: string; firstPath: string; obj: AviObject }[] = [];
  for (const [ns, list] of [...byNs].sort((a, b) => cmp(a[0], b[0]))) {
    const src = list[0]!.host;
    const hpsName = sniHttpPolicySetName(ctx.instance, ns, host);
    const rules = list.flatMap((p) => p.rules);
    // Rule names are `<set>-<i>`; the longest index must fit as well.
    if (!nameFits(ctx, src.source, src.hostField, 'httppolicyset', `${hpsName}-${rules.length - 1}`)) continue;
    const set = httpPolicySetObject(ctx, hpsName, tenant, rules, {
      Namespace: ns,
      Host: [host],
      Path: rules.filter((r) => r.path).map((r) => r.path),
      IngressName: [...new Set(list.map((p) => p.host.objName))].sort(),
    });
    const first = (set.body.http_request_policy as { rules: { match?: { path: { match_str: string[] } } }[] }).rules[0];
    sets.push({ name: hpsName, firstPath: first?.match?.path.match_str[0] ?? '', obj: set });
  }
  // Path-less sets first, then by first path ascending (AKO's order on the VS).
  sets.sort((a, b) => {
    if (!a.firstPath !== !b.firstPath) return a.firstPath ? 1 : -1;
    return cmp(a.firstPath, b.firstPath) || cmp(a.name, b.name);
  });
  const kept = new Set(sets.map((s) => s.name));
  const pieceObjects = pieces.filter((p) => kept.has(sniHttpPolicySetName(ctx.instance, p.host.namespace, host)));
  const uniq = [...new Map(pieceObjects.flatMap((p) => p.objects).map((o) => [`${o.type}/${o.name}`, o])).values()];
  const order = { pkiprofile: 0, pool: 1, poolgroup: 2 } as Record<string, number>;
  uniq.sort((a, b) => (order[a.type] ?? 3) - (order[b.type] ?? 3));
  return {
    objects: [...uniq, ...sets.map((s) => s.obj)],
    policies: sets.map((s, i) => ({ index: 11 + i, http_policy_set_ref: ref.httpPolicySet(s.name) })),
  };
}

/** A secure host of one Ingress/Route with its key pair and path pieces. */
export interface SniTarget {
  cert: ResolvedCert;
  pieces: PathPieces;
}

/** SNI child VS `<cluster>--<host>` under `parentVs`, with its certificate(s), pools, PGs and policy sets. */
export function sniChildObjects(
  ctx: BuildContext,
  parentVs: string,
  tenant: string,
  host: string,
  targets: SniTarget[],
): AviObject[] {
  const first = targets[0];
  if (!first) return [];
  const src = first.pieces.host;
  const childName = sniVsName(ctx.instance, host);
  if (!nameFits(ctx, src.source, src.hostField, 'virtualservice', childName)) return [];
  if (!nameFits(ctx, src.source, src.hostField, 'sslkeyandcertificate', first.cert.name)) return [];
  const pp = assemblePolicies(
    ctx,
    tenant,
    host,
    targets.map((t) => t.pieces),
  );
  if (pp.policies.length === 0) return [];
  const cert = first.cert;
  const out: AviObject[] = [];
  if (cert.ca) out.push(certObject(ctx, cert.ca.name, tenant, cert.ca.certificate, undefined, { ca: true }));
  if (!cert.avi) {
    out.push(
      certObject(ctx, cert.name, tenant, cert.certificate, cert.key, {
        ...(cert.host ? { host: cert.host } : {}),
        ...(cert.ca ? { caCertName: cert.ca.name } : {}),
      }),
    );
  }
  out.push(...pp.objects);
  const namespaces = [...new Set(targets.map((t) => t.pieces.host.namespace))].sort();
  const nsIng = [...new Set(targets.map((t) => `${t.pieces.host.namespace}/${t.pieces.host.objName}`))].sort();
  const body: Record<string, unknown> = {
    name: childName,
    created_by: ctx.createdBy,
    type: 'VS_TYPE_VH_CHILD',
    vh_parent_vs_ref: ref.parentVs(parentVs),
    vh_domain_name: [host],
    application_profile_ref: ref.applicationProfile('System-Secure-HTTP'),
    network_profile_ref: ref.networkProfile('System-TCP-Proxy'),
    east_west_placement: false,
    ign_pool_net_reach: false,
    cloud_ref: ref.cloud(ctx.cloud),
    se_group_ref: ref.seGroup(ctx.seGroup),
    vrf_context_ref: ref.vrf(ctx.vrf),
    ssl_key_and_certificate_refs: [ref.sslCert(cert.name)],
    http_policies: pp.policies,
    markers: markers(ctx.cluster, { Namespace: namespaces[0]!, Host: [host] }),
    service_metadata: serviceMetadata({ namespace_ingress_name: nsIng, namespace: namespaces[0]!, hostnames: [host] }),
  };
  out.push(obj('virtualservice', childName, tenant, withCksum(body)));
  return out;
}
