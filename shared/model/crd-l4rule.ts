// L4Rule (ako.vmware.com/v1alpha2): L4 VS and pool properties for a LoadBalancer Service that names it in the
// `ako.vmware.com/l4rule` annotation. Validated as internal/k8s/validator.go ValidateL4RuleObj; applied as
// internal/nodes/avi_model_l4_translator.go getL4Rule / buildWithL4Rule / buildPoolWithL4Rule.
import type { BuildContext } from './context.ts';
import { skip } from './context.ts';
import { crRef, recksum } from './crd-apply.ts';
import {
  type CrStatus,
  crStatus,
  L4_APP_PROFILE_TYPE,
  olderFirst,
  type RefNeed,
  refProblem,
  strings,
} from './crd-refs.ts';
import { obj, withCksum } from './objects.ts';
import type { AviModel, AviObject, KubeObject } from './types.ts';
import { getObject, objectsOfKind } from './view-index.ts';

export const L4RULE_KIND = 'L4Rule';
export const L4RULE_ANNOTATION = 'ako.vmware.com/l4rule';

// biome-ignore lint/suspicious/noExplicitAny: raw CR JSON
type Raw = any;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

function lbProblem(b: Raw): string | null {
  // validator.go validateLBAlgorithm
  if (!b.lbAlgorithm) return null;
  if (b.lbAlgorithm === 'LB_ALGORITHM_CONSISTENT_HASH') {
    if (!b.lbAlgorithmHash)
      return 'lbAlgorithmHash must be specified when lbAlgorithm is "LB_ALGORITHM_CONSISTENT_HASH"';
    if (b.lbAlgorithmHash === 'LB_ALGORITHM_CONSISTENT_HASH_CUSTOM_HEADER' && !b.lbAlgorithmConsistentHashHdr) {
      return 'lbAlgorithmConsistentHashHdr must be specified when lbAlgorithmHash is "LB_ALGORITHM_CONSISTENT_HASH_CUSTOM_HEADER"';
    }
    return null;
  }
  if (b.lbAlgorithmHash) return `lbAlgorithmHash must not be specified when lbAlgorithm is "${b.lbAlgorithm}"`;
  if (b.lbAlgorithmConsistentHashHdr) {
    return `lbAlgorithmConsistentHashHdr must not be specified when lbAlgorithm is "${b.lbAlgorithm}"`;
  }
  return null;
}

/** Why an L4Rule is rejected (AKO's wording where AKO has one), or null. */
export function l4RuleProblem(ctx: BuildContext, r: KubeObject): string | null {
  const spec: Raw = r.spec ?? {};
  if (spec.loadBalancerIP !== undefined) {
    const ip = String(spec.loadBalancerIP);
    if (!IPV4.test(ip) && !(ip.includes(':') && IPV6.test(ip))) return `loadBalancerIP ${ip} is not valid`;
  }
  const listeners: Raw[] = Array.isArray(spec.listenerProperties) ? spec.listenerProperties : [];
  for (const [i, l] of listeners.entries()) {
    if (typeof l?.port !== 'number' || typeof l?.protocol !== 'string') {
      return `spec.listenerProperties[${i}] needs port and protocol`;
    }
  }
  const ssl = listeners.some((l) => l?.enableSsl === true);
  if (ssl) return 'SSL listeners (L4 SSL application profiles) are not supported by ako-serverless yet';
  const needs: RefNeed[] = [];
  if (spec.analyticsProfileRef) needs.push({ kind: 'analyticsprofile', name: spec.analyticsProfileRef, field: '' });
  if (spec.applicationProfileRef) {
    if (spec.sslProfileRef)
      return `App Profile ${spec.applicationProfileRef} is not of type SSL but SslProfileRef is set`;
    if (strings(spec.sslKeyAndCertificateRefs).length > 0) {
      return `App Profile ${spec.applicationProfileRef} is not of type SSL but SslKeyAndCertificateRefs are set`;
    }
    needs.push({ kind: 'applicationprofile', name: spec.applicationProfileRef, field: '' });
  }
  if (spec.networkProfileRef) needs.push({ kind: 'networkprofile', name: spec.networkProfileRef, field: '' });
  if (spec.networkSecurityPolicyRef) {
    needs.push({ kind: 'networksecuritypolicy', name: spec.networkSecurityPolicyRef, field: '' });
  }
  for (const d of strings(spec.vsDatascriptRefs)) needs.push({ kind: 'vsdatascriptset', name: d, field: '' });
  const backends: Raw[] = Array.isArray(spec.backendProperties) ? spec.backendProperties : [];
  for (const [i, b] of backends.entries()) {
    if (typeof b?.port !== 'number' || typeof b?.protocol !== 'string') {
      return `spec.backendProperties[${i}] needs port and protocol`;
    }
    if (b.applicationPersistenceProfileRef) {
      needs.push({ kind: 'applicationpersistenceprofile', name: b.applicationPersistenceProfileRef, field: '' });
    }
    for (const hm of strings(b.healthMonitorRefs)) needs.push({ kind: 'healthmonitor', name: hm, field: '' });
    if (b.pkiProfileRef) needs.push({ kind: 'pkiprofile', name: b.pkiProfileRef, field: '' });
    if (b.sslKeyAndCertificateRef)
      needs.push({ kind: 'sslkeyandcertificate', name: b.sslKeyAndCertificateRef, field: '' });
    if (b.sslProfileRef) needs.push({ kind: 'sslprofile', name: b.sslProfileRef, field: '' });
    const lb = lbProblem(b);
    if (lb) return lb;
  }
  const refErr = refProblem(ctx.facts.aviRefs, needs, ctx.createdBy, L4_APP_PROFILE_TYPE);
  if (refErr) return refErr;
  if (spec.revokeVipRoute === true) return 'RevokeVipRoute is only supported in NSX-T Cloud';
  // Fields AKO applies that this model does not yet: rejected rather than silently ignored.
  const unsupported = spec.securityPolicyRef
    ? 'spec.securityPolicyRef'
    : backends.some((b) => strings(b.healthMonitorCrdRefs).length > 0)
      ? 'spec.backendProperties[].healthMonitorCrdRefs'
      : backends.some((b) => b.analyticsPolicy)
        ? 'spec.backendProperties[].analyticsPolicy'
        : null;
  return unsupported ? `${unsupported} is not supported by ako-serverless yet; remove it from the L4Rule` : null;
}

/** Statuses of every L4Rule in the instance's namespaces. */
export function l4RuleStatuses(ctx: BuildContext): CrStatus[] {
  return [...objectsOfKind(ctx.idx, L4RULE_KIND)].sort(olderFirst).map((r) => {
    const p = l4RuleProblem(ctx, r);
    return p ? crStatus(r, 'Rejected', p) : crStatus(r, 'Accepted');
  });
}

/** The accepted L4Rule a Service names (`<name>` or `<ns>/<name>`), or why it cannot apply (getL4Rule). */
type L4RuleLookup = { rule: KubeObject } | { error: string } | undefined;

function l4RuleOf(ctx: BuildContext, svc: KubeObject): L4RuleLookup {
  const ann = svc.metadata.annotations?.[L4RULE_ANNOTATION];
  if (!ann) return undefined;
  const parts = ann.split('/');
  const name = parts[parts.length - 1]!;
  const ns = parts.length > 1 ? parts[0]! : (svc.metadata.namespace ?? '');
  const r = getObject(ctx.idx, L4RULE_KIND, ns, name);
  if (!r) return { error: `l4rule.ako.vmware.com "${name}" not found` };
  if (l4RuleProblem(ctx, r)) return { error: `referred L4Rule ${name} is invalid` };
  const listeners: Raw[] = Array.isArray(r.spec?.listenerProperties) ? r.spec.listenerProperties : [];
  const ports: Raw[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  if (listeners.length > 0) {
    if (listeners.length !== ports.length) {
      return {
        error: `Number of port definitions in ${ann} l4rule listener spec does not match with the port definitons in ${svc.metadata.name} service`,
      };
    }
    const have = new Set(listeners.map((l) => `${l.port}${l.protocol}`));
    for (const p of ports) {
      if (!have.has(`${p.port}${p.protocol ?? 'TCP'}`)) {
        return {
          error: `Port ${p.port} defined in ${svc.metadata.name} service definition is not present in ${ann} l4rule listener spec`,
        };
      }
    }
  }
  return { rule: r };
}

type Body = Record<string, unknown>;

/** The L4 model with the Service's L4Rule applied (unchanged when it names none or an unusable one). */
export function applyL4Rule(ctx: BuildContext, svc: KubeObject, model: AviModel): AviModel {
  const found = l4RuleOf(ctx, svc);
  if (!found) return model;
  if ('error' in found) {
    skip(ctx, svc, `metadata.annotations["${L4RULE_ANNOTATION}"]`, found.error, 'InvalidL4Rule');
    return model;
  }
  const r = found.rule;
  const spec: Raw = r.spec ?? {};
  const backends: Raw[] = Array.isArray(spec.backendProperties) ? spec.backendProperties : [];
  // Pool → port/protocol from the L4 policy set (pool names are hashed in EVH mode).
  const poolProto = new Map<string, string>();
  for (const o of model.objects) {
    if (o.type !== 'l4policyset') continue;
    const rules = (o.body.l4_connection_policy as { rules: Raw[] }).rules;
    for (const rule of rules) {
      const ref = String(rule.action?.select_pool?.pool_ref ?? '');
      poolProto.set(
        ref.slice(ref.indexOf('name=') + 5),
        `${rule.match.port.ports[0]}${String(rule.match.protocol.protocol).replace('PROTOCOL_', '')}`,
      );
    }
  }
  const objects: AviObject[] = model.objects.map((o) => {
    if (o.type === 'pool') {
      const b = backends.find((x) => `${x.port}${x.protocol}` === poolProto.get(o.name));
      return b ? obj('pool', o.name, o.tenant, recksum(poolFields(o.body, b))) : o;
    }
    if (o.type === 'virtualservice') return obj('virtualservice', o.name, o.tenant, recksum(vsFields(o.body, spec)));
    if (o.type === 'vsvip' && spec.loadBalancerIP) {
      const ip = String(spec.loadBalancerIP);
      const vip = {
        ...(o.body.vip as Body[])[0],
        auto_allocate_ip: false,
        ip_address: { addr: ip, type: ip.includes(':') ? 'V6' : 'V4' },
      };
      const { vsvip_cloud_config_cksum: _old, ...rest } = o.body;
      return obj('vsvip', o.name, o.tenant, withCksum({ ...rest, vip: [vip] }, 'vsvip_cloud_config_cksum'));
    }
    return o;
  });
  const key = `L4Rule/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
  return { ...model, objects, sources: model.sources.includes(key) ? model.sources : [...model.sources, key] };
}

function vsFields(body: Body, spec: Raw): Body {
  const out: Body = { ...body };
  if (spec.applicationProfileRef) out.application_profile_ref = crRef('applicationprofile', spec.applicationProfileRef);
  if (spec.analyticsProfileRef) out.analytics_profile_ref = crRef('analyticsprofile', spec.analyticsProfileRef);
  if (spec.networkProfileRef) out.network_profile_ref = crRef('networkprofile', spec.networkProfileRef);
  if (spec.networkSecurityPolicyRef) {
    out.network_security_policy_ref = crRef('networksecuritypolicy', spec.networkSecurityPolicyRef);
  }
  const ds = [...new Set(strings(spec.vsDatascriptRefs))];
  if (ds.length > 0)
    out.vs_datascripts = ds.map((d, i) => ({ index: i, vs_datascript_set_ref: crRef('vsdatascriptset', d) }));
  const pl = spec.performanceLimits;
  if (pl && typeof pl === 'object') {
    out.performance_limits = {
      ...(typeof pl.maxConcurrentConnections === 'number'
        ? { max_concurrent_connections: pl.maxConcurrentConnections }
        : {}),
      ...(typeof pl.maxThroughput === 'number' ? { max_throughput: pl.maxThroughput } : {}),
    };
  }
  const fcl = spec.analyticsPolicy?.fullClientLogs;
  if (fcl && typeof fcl === 'object') {
    out.analytics_policy = {
      full_client_logs: {
        enabled: fcl.enabled === true,
        ...(typeof fcl.duration === 'number' ? { duration: fcl.duration } : {}),
        ...(typeof fcl.throttle === 'number' ? { throttle: fcl.throttle } : {}),
      },
    };
  }
  return out;
}

function poolFields(body: Body, b: Raw): Body {
  const out: Body = { ...body };
  if (b.lbAlgorithm) out.lb_algorithm = b.lbAlgorithm;
  if (b.lbAlgorithmHash) out.lb_algorithm_hash = b.lbAlgorithmHash;
  if (b.lbAlgorithmConsistentHashHdr) out.lb_algorithm_consistent_hash_hdr = b.lbAlgorithmConsistentHashHdr;
  const hms = [...new Set(strings(b.healthMonitorRefs))];
  if (hms.length > 0) out.health_monitor_refs = hms.map((h) => crRef('healthmonitor', h));
  if (b.applicationPersistenceProfileRef) {
    out.application_persistence_profile_ref = crRef(
      'applicationpersistenceprofile',
      b.applicationPersistenceProfileRef,
    );
  }
  if (b.pkiProfileRef) out.pki_profile_ref = crRef('pkiprofile', b.pkiProfileRef);
  if (b.sslProfileRef) out.ssl_profile_ref = crRef('sslprofile', b.sslProfileRef);
  if (b.sslKeyAndCertificateRef)
    out.ssl_key_and_certificate_ref = crRef('sslkeyandcertificate', b.sslKeyAndCertificateRef);
  if (typeof b.enabled === 'boolean') out.enabled = b.enabled;
  if (typeof b.minServersUp === 'number') out.min_servers_up = b.minServersUp;
  return out;
}
