// EVH mode (AKOSettings.enableEVH): one parent VS per shard (`<cluster>--<akoNs->Shared-L7-EVH-<infra->n`,
// VS_TYPE_VH_PARENT, vh_type VS_TYPE_VH_ENHANCED) and one child VS per host, secure or not, selected by
// vh_matches; certificates sit on the parent; pools, pool groups and policy sets have hashed names.
// As internal/nodes/avi_model_evh_nodes.go (ConstructAviL7SharedVsNodeForEvh, BuildPolicyPGPoolsForEVH,
// BuildModelGraphForSecureEVH/InsecureEVH) and internal/rest/avi_evh_obj.go (AviVsBuildForEvh, AviVsChildEvhBuild).
import type { BuildContext } from './context.ts';
import { crRef, hostRuleVsFields } from './crd-apply.ts';
import { hostRuleFor } from './crd-hostrule.ts';
import {
  evhCaCertName,
  evhCertName,
  evhChildName,
  evhHttpPolicySetName,
  evhPkiProfileName,
  evhPoolGroupName,
  evhPoolName,
} from './evh-naming.ts';
import { resolveBackends } from './l7-backends.ts';
import type { L7Host } from './l7-parse.ts';
import { sharedVsFqdn } from './l7-shared.ts';
import { evhEncode, modelName } from './naming.ts';
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
  redirectPolicySetObject,
  vsVipObject,
  withCksum,
} from './objects.ts';
import { markers, ref, serviceMetadata } from './refs.ts';
import { resolveCert } from './tls.ts';
import type { AviModel, AviObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';
import { cmp } from './view-index.ts';

export interface HostPieces {
  host: L7Host;
  objects: AviObject[];
  rules: HttpRuleSpec[];
}

/** Pools and pool groups of one host of one Ingress/Route, with EVH names (lib.go GetEvhPoolName/GetEvhPGName). */
export function evhPieces(
  ctx: BuildContext,
  tenant: string,
  h: L7Host,
  sources: Set<ObjectKey>,
  destinationCA?: string,
  dedicated = false,
): HostPieces {
  const pkis: AviObject[] = [];
  const pools: AviObject[] = [];
  const pgs: AviObject[] = [];
  const rules: HttpRuleSpec[] = [];
  const ns = h.namespace;
  for (const p of h.paths) {
    const pgName = evhPoolGroupName(ctx.instance, ns, h.host, p.path, h.objName, dedicated);
    const members: PgMember[] = [];
    for (const rb of resolveBackends(ctx, h, p, sources)) {
      const svc = rb.backend.service;
      const poolName = evhPoolName(ctx.instance, ns, h.host, p.path, h.objName, svc, dedicated);
      const poolMarkers = { Namespace: ns, Host: [h.host], ServiceName: svc, Path: [p.path], IngressName: [h.objName] };
      let pki: string | undefined;
      if (destinationCA && h.termination === 'reencrypt') {
        pki = evhPkiProfileName(ctx.instance, poolName);
        pkis.push(pkiProfileObject(ctx, pki, tenant, destinationCA, poolMarkers));
      }
      pools.push(
        poolObject(ctx, {
          name: poolName,
          tenant,
          servers: rb.servers,
          markers: poolMarkers,
          metadata: { ingress_name: h.objName, namespace: ns, hostnames: [h.host], pool_ratio: rb.backend.weight },
          ...(h.termination === 'reencrypt' ? { reencrypt: pki ? { pkiProfile: pki } : {} } : {}),
        }),
      );
      members.push({ pool: poolName, ratio: rb.backend.weight });
    }
    if (members.length === 0) continue;
    pgs.push(
      poolGroupObject(ctx, pgName, tenant, members, false, {
        Namespace: ns,
        Host: [h.host],
        Path: [p.path],
        IngressName: [h.objName],
      }),
    );
    rules.push({ path: p.path, matchCriteria: p.pathType === 'Exact' ? 'EQUALS' : 'BEGINS_WITH', poolGroup: pgName });
  }
  return { host: h, objects: [...pkis, ...pools, ...pgs], rules };
}

/** avi_evh_obj.go AviVsChildEvhBuild: one vh_match per domain, path `/` BEGINS_WITH, rule `VHMATCHRULENAME`. */
export function vhMatches(domains: string[]): Record<string, unknown>[] {
  return domains.map((host) => ({
    host,
    rules: [
      {
        name: 'VHMATCHRULENAME',
        matches: { path: { match_criteria: 'BEGINS_WITH', match_case: 'SENSITIVE', match_str: ['/'] } },
      },
    ],
  }));
}

/** The certificate refs and objects of a secure host (Secret / inline key pair / HostRule Avi certificate). */
interface HostCert {
  objects: AviObject[];
  ref?: string;
}

export function hostCert(
  ctx: BuildContext,
  tenant: string,
  hosts: L7Host[],
  sources: Set<ObjectKey>,
): HostCert | undefined {
  const secure = hosts.find((h) => h.tls);
  if (!secure) return { objects: [] };
  const cert = resolveCert(ctx, secure, sources);
  if (!cert) return undefined;
  if (cert.avi) return { objects: [], ref: crRef('sslkeyandcertificate', cert.name) };
  const objects: AviObject[] = [];
  // lib.go GetTLSKeyCertNodeName: the router default certificate keeps its own (hashed) name.
  const name = cert.host ? evhCertName(ctx.instance, secure.host) : evhEncode(ctx.instance, cert.name);
  let caName: string | undefined;
  if (cert.ca) {
    caName = evhCaCertName(ctx.instance, secure.host);
    objects.push(certObject(ctx, caName, tenant, cert.ca.certificate, undefined, { ca: true }));
  }
  objects.push(
    certObject(ctx, name, tenant, cert.certificate, cert.key, {
      ...(cert.host ? { host: cert.host } : {}),
      ...(caName ? { caCertName: caName } : {}),
    }),
  );
  return { objects, ref: ref.sslCert(name) };
}

/** A host's EVH child and what hangs off it; undefined when the host produced nothing. */
function evhChild(
  ctx: BuildContext,
  parent: string,
  tenant: string,
  host: string,
  hosts: L7Host[],
  sources: Set<ObjectKey>,
): { objects: AviObject[]; certs: AviObject[]; certRef?: string; child: AviObject; aliases: string[] } | undefined {
  const first = hosts[0]!;
  const childName = evhChildName(ctx.instance, host);
  if (!nameFits(ctx, first.source, first.hostField, 'virtualservice', childName)) return undefined;
  const cert = hostCert(ctx, tenant, hosts, sources);
  // A secure host whose key pair cannot be built is dropped with its paths (BuildModelGraphForSecureEVH).
  const usable = cert ? hosts : hosts.filter((h) => !h.tls);
  if (usable.length === 0) return undefined;
  const pieces = usable.map((h) =>
    evhPieces(ctx, tenant, h, sources, h.tls?.kind === 'inline' ? h.tls.destinationCA : undefined),
  );
  const byNs = new Map<string, HostPieces[]>();
  for (const p of pieces) {
    if (p.rules.length === 0) continue;
    const l = byNs.get(p.host.namespace);
    if (l) l.push(p);
    else byNs.set(p.host.namespace, [p]);
  }
  if (byNs.size === 0) return undefined;
  const objects: AviObject[] = [];
  const seen = new Set<string>();
  for (const p of pieces) {
    for (const o of p.objects) {
      const k = `${o.type}/${o.name}`;
      if (seen.has(k)) continue;
      seen.add(k);
      objects.push(o);
    }
  }
  const sets: { name: string; firstPath: string }[] = [];
  for (const [ns, list] of [...byNs].sort((a, b) => cmp(a[0], b[0]))) {
    const name = evhHttpPolicySetName(ctx.instance, ns, host);
    const rules = list.flatMap((p) => p.rules);
    const set = httpPolicySetObject(ctx, name, tenant, rules, {
      Namespace: ns,
      Host: [host],
      Path: rules.filter((r) => r.path).map((r) => r.path),
      IngressName: [...new Set(list.map((p) => p.host.objName))].sort(),
    });
    const firstRule = (set.body.http_request_policy as { rules: { match?: { path: { match_str: string[] } } }[] })
      .rules[0];
    sets.push({ name, firstPath: firstRule?.match?.path.match_str[0] ?? '' });
    objects.push(set);
  }
  const redirect = cert?.ref !== undefined && usable.some((h) => h.tls && h.redirect);
  const hr = hostRuleFor(ctx, host, tenant);
  const aliases = hr?.aliases.filter((a) => a !== host) ?? [];
  const domains = [host, ...aliases];
  if (redirect) objects.push(redirectPolicySetObject(ctx, childName, tenant, domains));
  // avi_obj_vs.go AviVsHttpPSAdd: path-less sets (the redirect) first from 11, then by first path.
  const ordered = orderedPolicySets(redirect ? childName : undefined, sets);
  const namespaces = [...new Set(usable.map((h) => h.namespace))].sort();
  const nsIng = [...new Set(usable.map((h) => `${h.namespace}/${h.objName}`))].sort();
  let body: Record<string, unknown> = {
    name: childName,
    created_by: ctx.createdBy,
    network_profile_ref: ref.networkProfile('System-TCP-Proxy'),
    application_profile_ref: ref.applicationProfile('System-HTTP'),
    east_west_placement: false,
    cloud_ref: ref.cloud(ctx.cloud),
    se_group_ref: ref.seGroup(ctx.seGroup),
    service_metadata: withHostMap(
      serviceMetadata({ namespace_ingress_name: nsIng, namespace: namespaces[0]!, hostnames: [host] }),
      host,
      nsIng,
    ),
    error_page_profile_ref: '',
    vh_type: 'VS_TYPE_VH_ENHANCED',
    min_pools_up: 1,
    vrf_context_ref: ref.vrf(ctx.vrf),
    type: 'VS_TYPE_VH_CHILD',
    vh_parent_vs_ref: ref.parentVs(parent),
    ign_pool_net_reach: false,
    vh_matches: vhMatches(domains),
    markers: markers(ctx.cluster, { Namespace: namespaces[0]!, Host: domains }),
    http_policies: ordered.map((s, i) => ({ index: 11 + i, http_policy_set_ref: ref.httpPolicySet(s.name) })),
  };
  let certRef = cert?.ref;
  if (hr) {
    body = hostRuleVsFields(hr, body, host, true);
    // manipulateEvhNodeForSSL: the child's SSL profile moves to the parent; the certificates sit there too.
    delete body.ssl_profile_ref;
    if (hr.sslKeyCerts[0] && certRef) certRef = crRef('sslkeyandcertificate', hr.sslKeyCerts[0]);
    if (hr.overwrite) {
      const keep = new Set(
        ((body.http_policies as { http_policy_set_ref: string }[]) ?? []).map((p) => p.http_policy_set_ref),
      );
      for (let i = objects.length - 1; i >= 0; i--) {
        const o = objects[i]!;
        if (o.type === 'httppolicyset' && !keep.has(ref.httpPolicySet(o.name))) objects.splice(i, 1);
      }
    }
  }
  const child = obj('virtualservice', childName, tenant, withCksum(body));
  const certs = hr?.sslKeyCerts[0] ? [] : (cert?.objects ?? []);
  return { objects, certs, ...(certRef ? { certRef } : {}), child, aliases };
}

/** service_metadata with host_namespace_ingress_name `{host: [ns/ing...]}` (EVH children carry it). */
function withHostMap(md: string, host: string, nsIng: string[]): string {
  const o = JSON.parse(md) as Record<string, unknown>;
  o.host_namespace_ingress_name = { [host]: nsIng };
  return JSON.stringify(o);
}

/**
 * One EVH parent model: VsVip, certificates, then per host its pools, pool groups, policy sets and child
 * VS, and the parent VS (children refer to the parent by name, so the parent is created before them).
 */
export function buildEvhModel(
  ctx: BuildContext,
  parent: string,
  tenant: string,
  hosts: L7Host[],
): AviModel | undefined {
  const sources = new Set<ObjectKey>();
  const byHost = new Map<string, L7Host[]>();
  for (const h of hosts) {
    sources.add(objectKey(h.source));
    const l = byHost.get(h.host);
    if (l) l.push(h);
    else byHost.set(h.host, [h]);
  }
  const certs: AviObject[] = [];
  const certRefs: string[] = [];
  const hostObjects: AviObject[] = [];
  const children: AviObject[] = [];
  const fqdns: string[] = [];
  const auto = sharedVsFqdn(ctx, parent, tenant);
  if (auto) fqdns.push(auto);
  let sslProfile: string | undefined;
  for (const [host, list] of byHost) {
    const c = evhChild(ctx, parent, tenant, host, list, sources);
    if (!c) continue;
    fqdns.push(host, ...c.aliases);
    certs.push(...c.certs);
    if (c.certRef && !certRefs.includes(c.certRef)) certRefs.push(c.certRef);
    hostObjects.push(...c.objects);
    children.push(c.child);
    const hr = hostRuleFor(ctx, host, tenant);
    if (hr?.sslProfile) sslProfile = crRef('sslprofile', hr.sslProfile);
  }
  if (children.length === 0) return undefined;
  const uniqCerts = [...new Map(certs.map((o) => [o.name, o])).values()];
  const vs: Record<string, unknown> = {
    name: parent,
    network_profile_ref: ref.networkProfile('System-TCP-Proxy'),
    application_profile_ref: ref.applicationProfile('System-HTTP'),
    created_by: ctx.createdBy,
    cloud_ref: ref.cloud(ctx.cloud),
    service_metadata: serviceMetadata(),
    se_group_ref: ref.seGroup(ctx.seGroup),
    vrf_context_ref: ref.vrf(ctx.vrf),
    markers: markers(ctx.cluster),
    vsvip_ref: ref.vsvip(parent),
    tenant_ref: ref.tenant(tenant),
    type: 'VS_TYPE_VH_PARENT',
    services: [
      { port: 80, enable_ssl: false, enable_http2: false },
      { port: 443, enable_ssl: true, enable_http2: false },
    ],
    ...(certRefs.length > 0 ? { ssl_key_and_certificate_refs: certRefs } : {}),
    ...(sslProfile ? { ssl_profile_ref: sslProfile } : {}),
    vh_type: 'VS_TYPE_VH_ENHANCED',
  };
  const objects: AviObject[] = [
    vsVipObject(ctx, parent, tenant, fqdns),
    ...uniqCerts,
    obj('virtualservice', parent, tenant, withCksum(vs)),
    ...hostObjects,
    ...children,
  ];
  return { name: modelName(tenant, parent), tenant, objects, sources: [...sources] };
}

/**
 * HTTP policy sets in AKO's order (avi_obj_vs.go AviVsHttpPSAdd): the redirect set (named after the VS) first,
 * then path-less sets, then the others by their first path.
 */
export function orderedPolicySets(
  redirectSet: string | undefined,
  sets: readonly { name: string; firstPath: string }[],
): { name: string; firstPath: string }[] {
  return [
    ...(redirectSet ? [{ name: redirectSet, firstPath: '' }] : []),
    ...sets.filter((s) => !s.firstPath),
    ...sets.filter((s) => s.firstPath).sort((a, b) => cmp(a.firstPath, b.firstPath)),
  ];
}
