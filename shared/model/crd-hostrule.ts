// HostRule (ako.vmware.com/v1beta1): per-FQDN virtual host settings, validated as AKO's
// internal/k8s/validator.go ValidateHostRuleObj and applied as internal/nodes/crd_translator.go BuildL7HostRule.
import type { BuildContext } from './context.ts';
import { lookup, tenantOf } from './context.ts';
import { type CrStatus, crStatus, olderFirst, type RefNeed, refProblem, strings } from './crd-refs.ts';
import type { TlsSource } from './l7-parse.ts';
import type { KubeObject } from './types.ts';
import { objectsOfKind } from './view-index.ts';

export const HOSTRULE_KIND = 'HostRule';

/** lib.IPRegex: a dotted IPv4 address. */
const IPV4 = /^(([01]?[0-9][0-9]?|2[0-4][0-9]|25[0-5])\.){3}([01]?[0-9][0-9]?|2[0-4][0-9]|25[0-5])$/;

/** An accepted HostRule, reduced to what the model applies to a virtual host. */
export interface HostRuleSettings {
  source: KubeObject;
  /** `<ns>/<name>` as AKO writes it in service_metadata.crd_status.value */
  key: string;
  namespace: string;
  tenant: string;
  fqdn: string;
  fqdnType: 'Exact' | 'Wildcard' | 'Contains';
  /** Avi-side certificates (type `ref`): names of sslkeyandcertificate objects. */
  sslKeyCerts: string[];
  /** Kubernetes Secret certificates (type `secret`) in the HostRule's namespace. */
  secretCerts: string[];
  sslProfile?: string;
  wafPolicy?: string;
  applicationProfile?: string;
  analyticsProfile?: string;
  errorPageProfile?: string;
  icapProfile?: string;
  httpPolicySets: string[];
  overwrite: boolean;
  datascripts: string[];
  enableVirtualHost?: boolean;
  aliases: string[];
  analyticsPolicy?: Record<string, unknown>;
  /** Shared/dedicated VS only: listeners replacing ports 80/443, and a static VIP. */
  listeners?: { port: number; enableSSL: boolean }[];
  loadBalancerIP?: string;
  networkSecurityPolicy?: string;
}

export interface HostRuleIndex {
  accepted: HostRuleSettings[];
  statuses: CrStatus[];
}

// biome-ignore lint/suspicious/noExplicitAny: raw CR JSON
type Raw = any;

function fqdnTypeOf(vh: Raw): 'Exact' | 'Wildcard' | 'Contains' | null {
  const t = vh?.fqdnType;
  if (t === undefined || t === '' || t === 'Exact') return 'Exact';
  if (t === 'Wildcard' || t === 'Contains') return t;
  return null;
}

/** Field checks the CRD's OpenAPI schema would make (the model sees objects that may bypass it). */
function fieldProblem(vh: Raw): string | null {
  if (!vh || typeof vh !== 'object') return 'spec.virtualhost is required';
  if (typeof vh.fqdn !== 'string' || vh.fqdn === '') return 'spec.virtualhost.fqdn is required';
  if (fqdnTypeOf(vh) === null)
    return `spec.virtualhost.fqdnType "${vh.fqdnType}" must be one of Exact, Wildcard, Contains`;
  if (vh.enableVirtualHost !== undefined && typeof vh.enableVirtualHost !== 'boolean') {
    return 'spec.virtualhost.enableVirtualHost must be a boolean';
  }
  for (const f of ['wafPolicy', 'applicationProfile', 'analyticsProfile', 'errorPageProfile'] as const) {
    if (vh[f] !== undefined && typeof vh[f] !== 'string') return `spec.virtualhost.${f} must be a string`;
  }
  for (const f of ['datascripts', 'aliases', 'icapProfile'] as const) {
    if (vh[f] !== undefined && !Array.isArray(vh[f])) return `spec.virtualhost.${f} must be a list of names`;
  }
  const cert = vh.tls?.sslKeyCertificate;
  if (cert?.name && cert.type !== 'ref' && cert.type !== 'secret') {
    return `spec.virtualhost.tls.sslKeyCertificate.type "${cert.type ?? ''}" must be ref or secret`;
  }
  return null;
}

/** Validates one HostRule against everything but other HostRules; null when acceptable. */
function ruleProblem(ctx: BuildContext, hr: KubeObject, vh: Raw): string | null {
  const fqdn: string = vh.fqdn;
  const tcp = vh.tcpSettings;
  if (tcp?.loadBalancerIP && !IPV4.test(String(tcp.loadBalancerIP))) {
    return `loadBalancerIP ${tcp.loadBalancerIP} is not a valid IP`;
  }
  if (vh.gslb?.fqdn && vh.gslb.fqdn === fqdn) return 'GSLB FQDN and local FQDN are same';
  if (Array.isArray(tcp?.listeners) && tcp.listeners.length > 0 && !tcp.listeners.some((l: Raw) => l?.enableSSL)) {
    return 'Hosting parent virtualservice must have SSL enabled';
  }
  if (vh.aliases !== undefined) {
    const aliases = strings(vh.aliases);
    if (fqdnTypeOf(vh) !== 'Exact') return 'Aliases is supported only when FQDN type is set as Exact';
    if (aliases.includes(fqdn)) return 'Duplicate entry found. Aliases field has same entry as the FQDN field';
    if (new Set(aliases).size !== aliases.length) return 'Aliases must be unique';
    if (vh.gslb?.fqdn && aliases.includes(vh.gslb.fqdn)) return 'Aliases must not contain GSLB FQDN';
  }
  const ns = hr.metadata.namespace ?? '';
  const needs: RefNeed[] = [
    { kind: 'wafpolicy', name: vh.wafPolicy ?? '', field: 'wafPolicy' },
    { kind: 'applicationprofile', name: vh.applicationProfile ?? '', field: 'applicationProfile' },
    { kind: 'sslprofile', name: vh.tls?.sslProfile ?? '', field: 'tls.sslProfile' },
    { kind: 'analyticsprofile', name: vh.analyticsProfile ?? '', field: 'analyticsProfile' },
    { kind: 'errorpageprofile', name: vh.errorPageProfile ?? '', field: 'errorPageProfile' },
  ];
  for (const c of [vh.tls?.sslKeyCertificate, vh.tls?.sslKeyCertificate?.alternateCertificate]) {
    if (!c?.name) continue;
    if (c.type === 'ref') needs.push({ kind: 'sslkeyandcertificate', name: c.name, field: 'tls.sslKeyCertificate' });
    else if (c.type === 'secret' && !lookup(ctx, 'Secret', ns, c.name)) return `secrets "${c.name}" not found`;
  }
  const icap = strings(vh.icapProfile);
  if (icap.length > 1) return 'Can only have 1 ICAP profile associated with VS';
  for (const p of icap) needs.push({ kind: 'icapprofile', name: p, field: 'icapProfile' });
  for (const p of strings(vh.httpPolicy?.policySets))
    needs.push({ kind: 'httppolicyset', name: p, field: 'httpPolicy' });
  for (const d of strings(vh.datascripts)) needs.push({ kind: 'vsdatascriptset', name: d, field: 'datascripts' });
  if (vh.networkSecurityPolicy) {
    needs.push({ kind: 'networksecuritypolicy', name: vh.networkSecurityPolicy, field: 'networkSecurityPolicy' });
  }
  const refErr = refProblem(ctx.facts.aviRefs, needs, ctx.createdBy);
  if (refErr) return refErr;
  if (fqdn.includes('Shared-') && vh.useRegex) {
    return `hostrule useRegex with fqdn ${fqdn} cannot be applied to shared virtualservices`;
  }
  if (fqdn.includes('Shared-') && vh.applicationRootPath) {
    return `hostrule applicationRootPath with fqdn ${fqdn} cannot be applied to shared virtualservices`;
  }
  const unsupported = unsupportedField(vh);
  if (unsupported) return `${unsupported} is not supported by ako-serverless yet; remove it from the HostRule`;
  return null;
}

/** HostRule fields AKO implements that this model does not apply (rejected rather than silently ignored). */
function unsupportedField(vh: Raw): string | null {
  if (vh.useRegex) return 'spec.virtualhost.useRegex';
  if (vh.applicationRootPath) return 'spec.virtualhost.applicationRootPath';
  if (vh.gslb?.fqdn) return 'spec.virtualhost.gslb';
  if (vh.l7Rule) return 'spec.virtualhost.l7Rule';
  return null;
}

function settingsOf(ctx: BuildContext, hr: KubeObject, vh: Raw): HostRuleSettings {
  const ns = hr.metadata.namespace ?? '';
  const cert = vh.tls?.sslKeyCertificate;
  const certs = [cert, cert?.alternateCertificate].filter((c) => c?.name);
  const s: HostRuleSettings = {
    source: hr,
    key: `${ns}/${hr.metadata.name}`,
    namespace: ns,
    tenant: tenantOf(ctx.instance, ctx.idx, ns),
    fqdn: vh.fqdn,
    fqdnType: fqdnTypeOf(vh) ?? 'Exact',
    sslKeyCerts: certs.filter((c) => c.type === 'ref').map((c) => String(c.name)),
    secretCerts: certs.filter((c) => c.type === 'secret').map((c) => String(c.name)),
    httpPolicySets: [...new Set(strings(vh.httpPolicy?.policySets))],
    overwrite: vh.httpPolicy?.overwrite === true,
    datascripts: [...new Set(strings(vh.datascripts))],
    aliases: strings(vh.aliases),
  };
  if (vh.tls?.sslProfile) s.sslProfile = vh.tls.sslProfile;
  if (vh.wafPolicy) s.wafPolicy = vh.wafPolicy;
  if (vh.applicationProfile) s.applicationProfile = vh.applicationProfile;
  if (vh.analyticsProfile) s.analyticsProfile = vh.analyticsProfile;
  if (vh.errorPageProfile) s.errorPageProfile = vh.errorPageProfile;
  const icap = strings(vh.icapProfile);
  if (icap[0]) s.icapProfile = icap[0];
  if (typeof vh.enableVirtualHost === 'boolean') s.enableVirtualHost = vh.enableVirtualHost;
  const tcp = vh.tcpSettings;
  if (Array.isArray(tcp?.listeners) && tcp.listeners.length > 0) {
    s.listeners = tcp.listeners
      .filter((l: Raw) => typeof l?.port === 'number')
      .map((l: Raw) => ({ port: l.port, enableSSL: l.enableSSL === true }));
  }
  if (tcp?.loadBalancerIP) s.loadBalancerIP = String(tcp.loadBalancerIP);
  if (vh.networkSecurityPolicy) s.networkSecurityPolicy = vh.networkSecurityPolicy;
  const ap = vh.analyticsPolicy;
  if (ap && typeof ap === 'object') {
    // crd_translator.go: full_client_logs.duration defaults to 0 (infinite) when the HostRule sets none.
    const logs: Record<string, unknown> = { enabled: false, duration: 0 };
    const fcl = ap.fullClientLogs;
    if (fcl && typeof fcl === 'object') {
      if (typeof fcl.enabled === 'boolean') logs.enabled = fcl.enabled;
      if (typeof fcl.duration === 'number') logs.duration = fcl.duration;
    }
    s.analyticsPolicy = {
      full_client_logs: logs,
      ...(typeof ap.logAllHeaders === 'boolean' ? { all_headers: ap.logAllHeaders } : {}),
    };
  }
  return s;
}

/**
 * Every HostRule of the instance's namespaces, validated: the accepted ones and a status for each.
 * Two HostRules for one FQDN: the older keeps it, the newer is rejected (`duplicate fqdn ... found in ns/name`).
 */
export function hostRules(ctx: BuildContext): HostRuleIndex {
  const hit = ctx.perBuild.get('hostRules') as HostRuleIndex | undefined;
  if (hit) return hit;
  const all = [...objectsOfKind(ctx.idx, HOSTRULE_KIND)].sort(olderFirst);
  const accepted: HostRuleSettings[] = [];
  const statuses: CrStatus[] = [];
  const fqdnOwner = new Map<string, string>();
  const aliasOwner = new Map<string, string>();
  for (const hr of all) {
    const vh = hr.spec?.virtualhost;
    const key = `${hr.metadata.namespace ?? ''}/${hr.metadata.name}`;
    let problem = fieldProblem(vh);
    if (!problem) {
      const owner = fqdnOwner.get(vh.fqdn);
      if (owner) problem = `duplicate fqdn ${vh.fqdn} found in ${owner}`;
    }
    if (!problem) {
      const taken = strings(vh.aliases).find((a) => aliasOwner.has(a));
      if (taken) problem = `${taken} is already in use by hostrule ${aliasOwner.get(taken)}`;
    }
    problem ??= ruleProblem(ctx, hr, vh);
    if (problem) {
      statuses.push(crStatus(hr, 'Rejected', problem));
      continue;
    }
    fqdnOwner.set(vh.fqdn, key);
    for (const a of strings(vh.aliases)) aliasOwner.set(a, vh.fqdn);
    accepted.push(settingsOf(ctx, hr, vh));
    statuses.push(crStatus(hr, 'Accepted'));
  }
  const out = { accepted, statuses };
  ctx.perBuild.set('hostRules', out);
  return out;
}

/** The HostRule that applies to `host` in `tenant` (Exact first, then Contains/Wildcard as AKO's lister). */
export function hostRuleFor(ctx: BuildContext, host: string, tenant: string): HostRuleSettings | undefined {
  const rules = hostRules(ctx).accepted;
  if (rules.length === 0) return undefined; // the common case, on every host of every build
  let hit: HostRuleSettings | undefined;
  for (const r of rules) {
    if (r.fqdnType === 'Exact' && r.fqdn === host) {
      hit = r;
      break;
    }
  }
  if (!hit) {
    for (const r of rules) {
      if (
        r.fqdnType === 'Contains' ? host.includes(r.fqdn) : r.fqdnType === 'Wildcard' && wildcardMatch(r.fqdn, host)
      ) {
        hit = r;
        break;
      }
    }
  }
  // crd_translator.go: a HostRule of another tenant never changes this VS.
  return hit && hit.tenant === tenant ? hit : undefined;
}

/** The TLS source a HostRule gives a host that has none of its own (Avi certificate or Secret), if any. */
export function hostRuleTls(ctx: BuildContext, host: string, tenant: string): TlsSource | undefined {
  const hr = hostRuleFor(ctx, host, tenant);
  if (!hr) return undefined;
  const field = `HostRule ${hr.key} spec.virtualhost.tls.sslKeyCertificate`;
  if (hr.sslKeyCerts[0]) return { kind: 'avi', name: hr.sslKeyCerts[0], field };
  if (hr.secretCerts[0]) return { kind: 'secret', namespace: hr.namespace, secretName: hr.secretCerts[0], field };
  return undefined;
}

function wildcardMatch(fqdn: string, host: string): boolean {
  return fqdn.startsWith('*') && host.endsWith(fqdn.split('*')[1] ?? '');
}
