// Applies HostRule and HTTPRule settings to a built L7 model: a pass over the model's objects that copies
// (never mutates: models and fragments are cached) every object a CR changes.
import type { BuildContext } from './context.ts';
import { lookup } from './context.ts';
import { type HostRuleSettings, hostRuleFor, hostRules } from './crd-hostrule.ts';
import { type HttpRulePath, httpRules, httpRulesFor } from './crd-httprule.ts';
import { evhEnabled, evhPkiProfileName } from './evh-naming.ts';
import { sharedVsFqdn } from './l7-shared.ts';
import { certName, pkiProfileName } from './naming.ts';
import { certObject, obj, pkiProfileObject, withCksum } from './objects.ts';
import type { AviModel, AviObject } from './types.ts';

/** AKO's refs for CR-named objects: no slash before `?` (crd_translator.go). */
export const crRef = (type: string, name: string) => `/api/${type}?name=${name}`;

type Body = Record<string, unknown>;

/** The body with `cloud_config_cksum` recomputed after a change. */
export function recksum(body: Body): Body {
  const { cloud_config_cksum: _old, ...rest } = body;
  return withCksum(rest);
}

/** service_metadata with `crd_status` set (key order kept, as Go marshals the struct). */
export function withCrdStatus(serviceMetadata: unknown, type: string, value: string): string {
  const md = JSON.parse(typeof serviceMetadata === 'string' ? serviceMetadata : '{}') as Body;
  md.crd_status = { type, value, status: 'ACTIVE' };
  return JSON.stringify(md);
}

interface Markers {
  key: string;
  values: string[];
}

function markerValue(body: Body, key: string): string[] {
  const m = (body.markers as Markers[] | undefined)?.find((x) => x.key === key);
  return m?.values ?? [];
}

/** Applies the HTTPRule paths to one pool body; returns the new pool and, for destinationCA, its PKI profile. */
function applyHttpRulesToPool(ctx: BuildContext, pool: AviObject, rules: HttpRulePath[]): AviObject[] {
  const body: Body = { ...pool.body };
  const extra: AviObject[] = [];
  let last: HttpRulePath | undefined;
  for (const r of rules) {
    last = r;
    if (r.tls) {
      body.sni_enabled = true;
      body.ssl_profile_ref = crRef('sslprofile', r.tls.sslProfile ?? 'System-Standard');
      if (r.tls.destinationCA) {
        const pki = evhEnabled(ctx.instance) ? evhPkiProfileName(ctx.instance, pool.name) : pkiProfileName(pool.name);
        extra.push(
          pkiProfileObject(ctx, pki, pool.tenant, r.tls.destinationCA, {
            Namespace: r.namespace,
            Host: [r.fqdn],
            ServiceName: markerValue(body, 'ServiceName')[0] ?? '',
            Path: markerValue(body, 'Path'),
            IngressName: markerValue(body, 'IngressName'),
          }),
        );
        body.pki_profile_ref = crRef('pkiprofile', pki);
      } else if (r.tls.pkiProfile) {
        body.pki_profile_ref = crRef('pkiprofile', r.tls.pkiProfile);
      }
    }
    if (r.persistence) body.application_persistence_profile_ref = crRef('applicationpersistenceprofile', r.persistence);
    if (r.healthMonitors.length > 0) body.health_monitor_refs = r.healthMonitors.map((h) => crRef('healthmonitor', h));
    if (r.enableHttp2 !== undefined) body.enable_http2 = r.enableHttp2;
    if (r.algorithm) body.lb_algorithm = r.algorithm;
    if (body.lb_algorithm === 'LB_ALGORITHM_CONSISTENT_HASH') {
      body.lb_algorithm_hash = r.hash ?? 'LB_ALGORITHM_CONSISTENT_HASH_SOURCE_IP_ADDRESS';
      if (body.lb_algorithm_hash === 'LB_ALGORITHM_CONSISTENT_HASH_CUSTOM_HEADER' && r.hostHeader) {
        body.lb_algorithm_consistent_hash_hdr = r.hostHeader;
      }
    }
  }
  if (last) body.service_metadata = withCrdStatus(body.service_metadata, 'HTTPRule', `${last.rule}/${last.target}`);
  return [...extra, obj('pool', pool.name, pool.tenant, recksum(body))];
}

/** The HostRule fields on a child (or EVH) VS body: crd_translator.go BuildL7HostRule + avi_obj_vs.go. */
export function hostRuleVsFields(hr: HostRuleSettings, body: Body, host: string, keepOwnPolicies: boolean): Body {
  const out: Body = { ...body };
  if (hr.applicationProfile) out.application_profile_ref = crRef('applicationprofile', hr.applicationProfile);
  if (hr.wafPolicy) out.waf_policy_ref = crRef('wafpolicy', hr.wafPolicy);
  if (hr.sslProfile) out.ssl_profile_ref = crRef('sslprofile', hr.sslProfile);
  if (hr.analyticsProfile) out.analytics_profile_ref = crRef('analyticsprofile', hr.analyticsProfile);
  if (hr.errorPageProfile) out.error_page_profile_ref = crRef('errorpageprofile', hr.errorPageProfile);
  if (hr.icapProfile) out.icap_request_profile_refs = [crRef('icapprofile', hr.icapProfile)];
  if (hr.analyticsPolicy) out.analytics_policy = hr.analyticsPolicy;
  if (hr.enableVirtualHost !== undefined) out.enabled = hr.enableVirtualHost;
  // avi_obj_vs.go AviVsHttpPSAdd: the HostRule's sets after AKO's own, from index len(own) + 11 + 5.
  const own = keepOwnPolicies && !hr.overwrite ? ((body.http_policies as Body[] | undefined) ?? []) : [];
  const base = own.length + 16;
  const policies = [
    ...own,
    ...hr.httpPolicySets.map((p, i) => ({ index: base + i, http_policy_set_ref: crRef('httppolicyset', p) })),
  ];
  if (policies.length > 0) out.http_policies = policies;
  else delete out.http_policies;
  if (hr.datascripts.length > 0) {
    out.vs_datascripts = hr.datascripts.map((d, i) => ({
      index: i,
      vs_datascript_set_ref: crRef('vsdatascriptset', d),
    }));
  }
  if (hr.aliases.length > 0) {
    const domains = [host, ...hr.aliases.filter((a) => a !== host)];
    if (Array.isArray(body.vh_domain_name)) out.vh_domain_name = domains;
    out.markers = (body.markers as Markers[]).map((m) => (m.key === 'Host' ? { key: 'Host', values: domains } : m));
  }
  out.service_metadata = withCrdStatus(body.service_metadata, 'HostRule', hr.key);
  return out;
}

/** An SNI child or a dedicated VS: the VSes a HostRule applies to (EVH ones get theirs when built, evh.ts). */
function isHostVs(o: AviObject): boolean {
  if (o.body.vh_type === 'VS_TYPE_VH_ENHANCED') return false;
  if (o.body.type === 'VS_TYPE_VH_CHILD') return true;
  return o.body.type === 'VS_TYPE_NORMAL' && o.name.endsWith('-L7-dedicated');
}

/** Names referenced by `ref` fields anywhere in the VS bodies of a model (to drop objects nothing uses). */
function referencedCerts(objects: AviObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.type !== 'virtualservice') continue;
    for (const r of (o.body.ssl_key_and_certificate_refs as string[] | undefined) ?? []) {
      out.add(r.slice(r.indexOf('name=') + 5));
    }
  }
  return out;
}

/**
 * An SNI-mode model with its CRs applied: HTTPRule on pools, HostRule on SNI child VSes (and its aliases on
 * the parent's VsVip). Returns the model unchanged when no CR applies.
 */
export function applyCrdsToModel(ctx: BuildContext, model: AviModel): AviModel {
  // Fast path (every build of every model passes here): nothing to apply without accepted rules.
  if (httpRules(ctx).paths.length === 0 && hostRules(ctx).accepted.length === 0) return model;
  let changed = false;
  const objects: AviObject[] = [];
  const aliases: string[] = [];
  const droppedPolicies = new Set<string>();
  let staticVip: string | undefined;
  for (const o of model.objects) {
    if (o.type === 'pool') {
      const host = markerValue(o.body, 'Host')[0];
      const ns = markerValue(o.body, 'Namespace')[0];
      const path = markerValue(o.body, 'Path')[0] ?? '';
      const rules = host && ns !== undefined ? httpRulesFor(ctx, host, ns, path, model.tenant) : [];
      if (rules.length > 0) {
        objects.push(...applyHttpRulesToPool(ctx, o, rules));
        changed = true;
        continue;
      }
    } else if (o.type === 'virtualservice' && o.body.type === 'VS_TYPE_VH_PARENT') {
      // crd_translator.go BuildL7HostRule on the shared VS: its FQDN (or its name without a DNS profile).
      const fqdn = sharedVsFqdn(ctx, o.name, model.tenant) ?? o.name;
      const hr = hostRuleFor(ctx, fqdn, model.tenant);
      if (hr) {
        const body = hostRuleVsFields(hr, o.body, fqdn, true);
        if (hr.listeners) {
          body.services = hr.listeners.map((l) => ({
            port: l.port,
            port_range_end: l.port,
            enable_ssl: l.enableSSL,
            enable_http2: false,
          }));
        }
        if (hr.networkSecurityPolicy) {
          body.network_security_policy_ref = crRef('networksecuritypolicy', hr.networkSecurityPolicy);
        }
        if (hr.sslKeyCerts.length > 0) {
          // avi_obj_vs.go: appended to the parent's own certificates (EVH parents carry their children's).
          const own = (o.body.ssl_key_and_certificate_refs as string[] | undefined) ?? [];
          const extra = hr.sslKeyCerts.map((c) => crRef('sslkeyandcertificate', c)).filter((r) => !own.includes(r));
          body.ssl_key_and_certificate_refs = [...own, ...extra];
        }
        if (hr.loadBalancerIP) staticVip = hr.loadBalancerIP;
        objects.push(obj('virtualservice', o.name, o.tenant, recksum(body)));
        changed = true;
        continue;
      }
    } else if (o.type === 'virtualservice' && isHostVs(o)) {
      const host = (o.body.vh_domain_name as string[] | undefined)?.[0] ?? markerValue(o.body, 'Host')[0];
      const hr = host ? hostRuleFor(ctx, host, model.tenant) : undefined;
      if (host && hr) {
        let body = hostRuleVsFields(hr, o.body, host, true);
        if (hr.overwrite) {
          for (const p of (o.body.http_policies as Body[] | undefined) ?? []) {
            const r = String(p.http_policy_set_ref);
            droppedPolicies.add(r.slice(r.indexOf('name=') + 5));
          }
        }
        if (hr.sslKeyCerts.length > 0) {
          body.ssl_key_and_certificate_refs = hr.sslKeyCerts.map((c) => crRef('sslkeyandcertificate', c));
        } else if (hr.secretCerts.length > 0) {
          const cert = secretCert(ctx, hr, host, model.tenant);
          if (cert) {
            // The HostRule's Secret replaces the Ingress's key pair under the same name.
            const i = objects.findIndex((x) => x.type === 'sslkeyandcertificate' && x.name === cert.name);
            if (i >= 0) objects[i] = cert;
            else objects.push(cert);
            body = { ...body, ssl_key_and_certificate_refs: [`/api/sslkeyandcertificate/?name=${cert.name}`] };
          }
        }
        aliases.push(...hr.aliases);
        objects.push(obj('virtualservice', o.name, o.tenant, recksum(body)));
        changed = true;
        continue;
      }
    }
    objects.push(o);
  }
  if (!changed) return model;
  let out = objects;
  // Certificates a HostRule replaced and AKO policy sets it overwrote are not created.
  const certs = referencedCerts(out);
  out = out.filter((o) => {
    if (o.type === 'sslkeyandcertificate' && o.body.type !== 'SSL_CERTIFICATE_TYPE_CA') return certs.has(o.name);
    if (o.type === 'httppolicyset' && droppedPolicies.has(o.name)) return false;
    return true;
  });
  if (aliases.length > 0) out = out.map((o) => (o.type === 'vsvip' ? withFqdns(o, aliases) : o));
  if (staticVip) out = out.map((o) => (o.type === 'vsvip' ? withStaticIp(o, staticVip!) : o));
  const sources = [...model.sources];
  for (const r of [...new Set(hostSources(ctx, model))]) if (!sources.includes(r)) sources.push(r);
  return { ...model, objects: out, sources };
}

/** HostRule/HTTPRule keys that contributed to a model (for callers that track sources). */
function hostSources(ctx: BuildContext, model: AviModel): string[] {
  const out: string[] = [];
  for (const o of model.objects) {
    if (o.type !== 'virtualservice') continue;
    const host = (o.body.vh_domain_name as string[] | undefined)?.[0];
    const hr = host ? hostRuleFor(ctx, host, model.tenant) : undefined;
    if (hr) out.push(`HostRule/${hr.namespace}/${hr.source.metadata.name}`);
  }
  return out;
}

/** A VsVip with extra FQDNs appended to `dns_info` (HostRule aliases). */
export function withFqdns(vip: AviObject, fqdns: string[]): AviObject {
  const have = (vip.body.dns_info as { fqdn: string }[] | undefined) ?? [];
  const names = new Set(have.map((d) => d.fqdn));
  const add = fqdns.filter((f) => !names.has(f));
  if (add.length === 0) return vip;
  const { vsvip_cloud_config_cksum: _old, ...rest } = vip.body;
  const body = { ...rest, dns_info: [...have, ...add.map((fqdn) => ({ fqdn }))] };
  return obj('vsvip', vip.name, vip.tenant, withCksum(body, 'vsvip_cloud_config_cksum'));
}

/** A VsVip with a fixed address (HostRule tcpSettings.loadBalancerIP). */
function withStaticIp(vip: AviObject, ip: string): AviObject {
  const { vsvip_cloud_config_cksum: _old, ...rest } = vip.body;
  const first = (rest.vip as Body[])[0] ?? {};
  const v = { ...first, auto_allocate_ip: false, ip_address: { addr: ip, type: ip.includes(':') ? 'V6' : 'V4' } };
  return obj('vsvip', vip.name, vip.tenant, withCksum({ ...rest, vip: [v] }, 'vsvip_cloud_config_cksum'));
}

/** The key pair of a HostRule `secret` certificate, named as the host's own certificate. */
function secretCert(ctx: BuildContext, hr: HostRuleSettings, host: string, tenant: string): AviObject | undefined {
  const name = hr.secretCerts[0];
  if (!name) return undefined;
  const secret = lookup(ctx, 'Secret', hr.namespace, name);
  const dec = (v: string | undefined) => (v ? Buffer.from(v, 'base64').toString('utf8') : undefined);
  const crt = dec(secret?.data?.['tls.crt']);
  const key = dec(secret?.data?.['tls.key']);
  if (!crt || !key) return undefined;
  return certObject(ctx, certName(ctx.instance, host), tenant, crt, key, { host });
}

/**
 * Per-host objects of a model built through a cluster-scoped AviInfraSetting carry an `InfrasettingName` marker
 * right after `Host` (lib.go PopulateVSNodeMarkers / PopulatePoolNodeMarkers / PopulatePGNodeMarkers /
 * PopulateTLSKeyCertNode); shard-level objects keep the cluster marker only.
 */
export function withInfraMarkers(ctx: BuildContext, model: AviModel): AviModel {
  const infra = (ctx.instance as { infraSetting?: string }).infraSetting;
  if (!infra) return model;
  const objects = model.objects.map((o) => {
    const ms = o.body.markers as Markers[] | undefined;
    const at = ms?.findIndex((m) => m.key === 'Host') ?? -1;
    if (!ms || at < 0 || ms.some((m) => m.key === 'InfrasettingName')) return o;
    const markersOut = [...ms.slice(0, at + 1), { key: 'InfrasettingName', values: [infra] }, ...ms.slice(at + 1)];
    const body = { ...o.body, markers: markersOut };
    return obj(o.type, o.name, o.tenant, 'cloud_config_cksum' in body ? recksum(body) : body);
  });
  return { ...model, objects };
}
