import type { BuildContext } from './context.ts';
import { crRef, hostRuleVsFields } from './crd-apply.ts';
import { hostRuleFor } from './crd-hostrule.ts';
import { evhPieces, type HostPieces, hostCert, orderedPolicySets } from './evh.ts';
import { evhHttpPolicySetName } from './evh-naming.ts';
import type { L7Host } from './l7-parse.ts';
import { modelName } from './naming.ts';
import { httpPolicySetObject, obj, redirectPolicySetObject, vsVipObject, withCksum } from './objects.ts';
import { markers, ref, serviceMetadata } from './refs.ts';
import type { AviModel, AviObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';
import { cmp } from './view-index.ts';

/**
 * EVH with `shardVSSize: DEDICATED`: one normal VS per host, `Encode(<cluster>--<infra->host-L7-dedicated)-EVH`
 * (avi_model_evh_nodes.go GetDedicatedVSName; avi_evh_obj.go setDedicatedEvhVSNodeProperties), its pools and
 * pool groups named with the `-L7-dedicated` suffix before hashing.
 */
export function buildEvhDedicatedModel(
  ctx: BuildContext,
  vsName: string,
  tenant: string,
  hosts: L7Host[],
): AviModel | undefined {
  const first = hosts[0];
  if (!first) return undefined;
  const host = first.host;
  const sources = new Set<ObjectKey>();
  for (const h of hosts) sources.add(objectKey(h.source));
  const cert = hostCert(ctx, tenant, hosts, sources);
  const usable = cert ? hosts : hosts.filter((h) => !h.tls);
  const pieces = usable.map((h) =>
    evhPieces(ctx, tenant, h, sources, h.tls?.kind === 'inline' ? h.tls.destinationCA : undefined, true),
  );
  const byNs = new Map<string, HostPieces[]>();
  for (const p of pieces) {
    if (p.rules.length === 0) continue;
    const l = byNs.get(p.host.namespace);
    if (l) l.push(p);
    else byNs.set(p.host.namespace, [p]);
  }
  if (byNs.size === 0) return undefined;
  const secure = cert?.ref !== undefined;
  const objects: AviObject[] = [vsVipObject(ctx, vsName, tenant, [host]), ...(cert?.objects ?? [])];
  const seen = new Set<string>();
  for (const p of pieces) {
    for (const o of p.objects) {
      if (seen.has(`${o.type}/${o.name}`)) continue;
      seen.add(`${o.type}/${o.name}`);
      objects.push(o);
    }
  }
  const sets: { name: string; firstPath: string }[] = [];
  for (const [ns, list] of [...byNs].sort((a, b) => cmp(a[0], b[0]))) {
    const name = evhHttpPolicySetName(ctx.instance, ns, host);
    const rules = list.flatMap((p) => p.rules);
    objects.push(
      httpPolicySetObject(ctx, name, tenant, rules, {
        Namespace: ns,
        Host: [host],
        Path: rules.filter((r) => r.path).map((r) => r.path),
        IngressName: [...new Set(list.map((p) => p.host.objName))].sort(),
      }),
    );
    const paths = rules.filter((r) => r.path).map((r) => r.path);
    sets.push({ name, firstPath: paths.length > 0 ? [...paths].sort((a, b) => b.length - a.length)[0]! : '' });
  }
  const redirect = secure && usable.some((h) => h.tls && h.redirect);
  if (redirect) objects.push(redirectPolicySetObject(ctx, vsName, tenant, [host]));
  const ordered = orderedPolicySets(redirect ? vsName : undefined, sets);
  const namespaces = [...new Set(usable.map((h) => h.namespace))].sort();
  const nsIng = [...new Set(usable.map((h) => `${h.namespace}/${h.objName}`))].sort();
  let vs: Record<string, unknown> = {
    name: vsName,
    network_profile_ref: ref.networkProfile('System-TCP-Proxy'),
    application_profile_ref: ref.applicationProfile(secure ? 'System-Secure-HTTP' : 'System-HTTP'),
    created_by: ctx.createdBy,
    cloud_ref: ref.cloud(ctx.cloud),
    service_metadata: serviceMetadata({ namespace_ingress_name: nsIng, namespace: namespaces[0]!, hostnames: [host] }),
    se_group_ref: ref.seGroup(ctx.seGroup),
    vrf_context_ref: ref.vrf(ctx.vrf),
    markers: markers(ctx.cluster, { Namespace: namespaces[0]!, Host: [host] }),
    vsvip_ref: ref.vsvip(vsName),
    tenant_ref: ref.tenant(tenant),
    services: [
      { port: 80, enable_ssl: false, enable_http2: false },
      ...(secure ? [{ port: 443, enable_ssl: true, enable_http2: false }] : []),
    ],
    http_policies: ordered.map((s, i) => ({ index: 11 + i, http_policy_set_ref: ref.httpPolicySet(s.name) })),
    ...(secure && cert?.ref ? { ssl_key_and_certificate_refs: [cert.ref] } : {}),
    error_page_profile_ref: '',
    east_west_placement: false,
    type: 'VS_TYPE_NORMAL',
    min_pools_up: 1,
  };
  const hr = hostRuleFor(ctx, host, tenant);
  if (hr) {
    vs = hostRuleVsFields(hr, vs, host, true);
    if (hr.sslKeyCerts.length > 0 && secure) {
      vs.ssl_key_and_certificate_refs = hr.sslKeyCerts.map((c) => crRef('sslkeyandcertificate', c));
    }
  }
  objects.push(obj('virtualservice', vsName, tenant, withCksum(vs)));
  const certsKept = new Set((vs.ssl_key_and_certificate_refs as string[] | undefined) ?? []);
  const out = objects.filter(
    (o) =>
      o.type !== 'sslkeyandcertificate' ||
      o.body.type === 'SSL_CERTIFICATE_TYPE_CA' ||
      certsKept.has(ref.sslCert(o.name)),
  );
  return { name: modelName(tenant, vsName), tenant, objects: out, sources: [...sources] };
}
