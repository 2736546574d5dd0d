import type { BuildContext } from './context.ts';
import type { L7Host } from './l7-parse.ts';
import { assemblePolicies, type PathPieces, pathPieces } from './l7-sni.ts';
import { modelName } from './naming.ts';
import { certObject, nameFits, obj, redirectPolicySetObject, vsVipObject, withCksum } from './objects.ts';
import { markers, ref, serviceMetadata } from './refs.ts';
import { resolveCert } from './tls.ts';
import type { AviModel, AviObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';

const DEDICATED_SUFFIX = '-L7-dedicated';

/** Dedicated mode (`shardVSSize: DEDICATED`): one normal VS per host, `<cluster>--<host>-L7-dedicated`. */
export function buildDedicatedModel(
  ctx: BuildContext,
  vsName: string,
  tenant: string,
  hosts: L7Host[],
): AviModel | undefined {
  const first = hosts[0];
  if (!first || !nameFits(ctx, first.source, first.hostField, 'virtualservice', vsName)) return undefined;
  const host = first.host;
  const sources = new Set<ObjectKey>();
  const kept: L7Host[] = [];
  let cert: ReturnType<typeof resolveCert>;
  let redirect = false;
  for (const h of hosts) {
    if (h.tls) {
      const c = resolveCert(ctx, h, sources);
      if (!c) continue;
      cert ??= c;
      redirect ||= h.redirect;
    }
    kept.push(h);
    sources.add(objectKey(h.source));
  }
  const pieces: PathPieces[] = kept.map((h) => pathPieces(ctx, tenant, h, sources, DEDICATED_SUFFIX));
  const pp = assemblePolicies(ctx, tenant, host, pieces);
  if (pp.policies.length === 0) return undefined;
  const objects: AviObject[] = [vsVipObject(ctx, vsName, tenant, [host])];
  if (cert && !cert.avi) {
    if (cert.ca) objects.push(certObject(ctx, cert.ca.name, tenant, cert.ca.certificate, undefined, { ca: true }));
    objects.push(
      certObject(ctx, cert.name, tenant, cert.certificate, cert.key, {
        ...(cert.host ? { host: cert.host } : {}),
        ...(cert.ca ? { caCertName: cert.ca.name } : {}),
      }),
    );
  }
  objects.push(...pp.objects);
  const policies = [...pp.policies];
  if (redirect) {
    objects.push(redirectPolicySetObject(ctx, vsName, tenant, [host]));
    policies.unshift({ index: 10, http_policy_set_ref: ref.httpPolicySet(vsName) });
  }
  const namespaces = [...new Set(kept.map((h) => h.namespace))].sort();
  const services: Record<string, unknown>[] = [
    { port: 80, port_range_end: 80, enable_ssl: false, enable_http2: false },
  ];
  if (cert) services.push({ port: 443, port_range_end: 443, enable_ssl: true, enable_http2: false });
  const vs: Record<string, unknown> = {
    name: vsName,
    created_by: ctx.createdBy,
    cloud_ref: ref.cloud(ctx.cloud),
    tenant_ref: ref.tenant(tenant),
    application_profile_ref: ref.applicationProfile(cert ? 'System-Secure-HTTP' : 'System-HTTP'),
    network_profile_ref: ref.networkProfile('System-TCP-Proxy'),
    se_group_ref: ref.seGroup(ctx.seGroup),
    vrf_context_ref: ref.vrf(ctx.vrf),
    vsvip_ref: ref.vsvip(vsName),
    type: 'VS_TYPE_NORMAL',
    east_west_placement: false,
    services,
    ...(cert ? { ssl_key_and_certificate_refs: [ref.sslCert(cert.name)] } : {}),
    http_policies: policies,
    markers: markers(ctx.cluster, { Namespace: namespaces[0]!, Host: [host] }),
    service_metadata: serviceMetadata({
      namespace_ingress_name: [...new Set(kept.map((h) => `${h.namespace}/${h.objName}`))].sort(),
      namespace: namespaces[0]!,
      hostnames: [host],
    }),
  };
  objects.push(obj('virtualservice', vsName, tenant, withCksum(vs)));
  return { name: modelName(tenant, vsName), tenant, objects, sources: [...sources].sort() };
}
