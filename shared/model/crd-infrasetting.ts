// AviInfraSetting (ako.vmware.com/v1beta1, cluster-scoped): SE group, VIP/node networks and shard size for the
// Ingresses of an IngressClass (spec.parameters) or of an annotated namespace, with AKO's names
// (`<cluster>--<akoNs->Shared-L7-<infra>-<n>`, per-host names `<cluster>--<infra>-...`). Validated as
// internal/k8s/validator.go ValidateAviInfraSetting; resolved as internal/nodes/route_ingress_model.go
// getL7IngressInfraSetting / getL7RouteInfraSetting and lib.GetNamespacedAviInfraSetting.
import type { InstanceConfig, ShardSize, VipNetwork } from '../registry/types.ts';
import type { BuildContext } from './context.ts';
import { type CrStatus, crStatus, type RefNeed, refProblem, strings } from './crd-refs.ts';
import { AVI_INGRESS_CONTROLLER, DEFAULT_CLASS_ANNOTATION } from './l7-parse.ts';
import type { InfraScoped } from './naming.ts';
import type { CloudFacts, KubeObject } from './types.ts';
import { getObject, objectsOfKind, registerDerivedUpdater, type ViewIndex } from './view-index.ts';

export const INFRASETTING_KIND = 'AviInfraSetting';
export const INFRASETTING_ANNOTATION = 'aviinfrasetting.ako.vmware.com/name';

/** lib.IPCIDRRegex / lib.IPV6CIDRRegex */
const V4_CIDR =
  /^(\b([01]?[0-9][0-9]?|2[0-4][0-9]|25[0-5])\.){3}([01]?[0-9][0-9]?|2[0-4][0-9]|25[0-5])\/(([0-9]|[1-2][0-9]|3[0-2]))?$/;
const V6_CIDR =
  /^(((?:[0-9A-Fa-f]{1,4}))*((?::[0-9A-Fa-f]{1,4}))*::((?:[0-9A-Fa-f]{1,4}))*((?::[0-9A-Fa-f]{1,4}))*|((?:[0-9A-Fa-f]{1,4}))((?::[0-9A-Fa-f]{1,4})){7})(\/([1-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8])){0,1}$/;

const SHARD_SIZES = new Set(['LARGE', 'MEDIUM', 'SMALL', 'DEDICATED']);

// biome-ignore lint/suspicious/noExplicitAny: raw CR JSON
type Raw = any;

/** Why an AviInfraSetting is rejected (AKO's wording), or null when it is accepted. */
export function infraSettingProblem(s: KubeObject, refs: CloudFacts['aviRefs'], createdBy: string): string | null {
  const spec: Raw = s.spec ?? {};
  const net: Raw = spec.network ?? {};
  const shard = spec.l7Settings?.shardSize;
  if (shard !== undefined && shard !== '' && !SHARD_SIZES.has(shard)) {
    return `spec.l7Settings.shardSize "${shard}" must be one of LARGE, MEDIUM, SMALL, DEDICATED`;
  }
  if (net.enableRhi !== true && strings(net.bgpPeerLabels).length > 0) {
    return 'BGPPeerLabels cannot be set if EnableRhi is false.';
  }
  const needs: RefNeed[] = [];
  for (const v of Array.isArray(net.vipNetworks) ? net.vipNetworks : []) {
    if (v?.cidr && !V4_CIDR.test(v.cidr)) {
      return `invalid CIDR configuration ${v.cidr} detected for networkName ${v.networkName ?? ''} in vipNetworkList`;
    }
    if (v?.v6cidr && !V6_CIDR.test(v.v6cidr)) {
      return `invalid IPv6 CIDR configuration ${v.v6cidr} detected for networkName ${v.networkName ?? ''} in vipNetworkList`;
    }
    if (v?.networkName) needs.push({ kind: 'network', name: v.networkName, field: 'network.vipNetworks' });
  }
  for (const n of Array.isArray(net.nodeNetworks) ? net.nodeNetworks : []) {
    if (n?.networkName) needs.push({ kind: 'network', name: n.networkName, field: 'network.nodeNetworks' });
  }
  if (spec.seGroup?.name) needs.push({ kind: 'serviceenginegroup', name: spec.seGroup.name, field: 'seGroup.name' });
  const listeners: Raw[] = Array.isArray(net.listeners) ? net.listeners : [];
  if (listeners.length > 0 && !listeners.some((l) => l?.enableSSL === true)) {
    return 'One of the port in aviInfraSetting must have SSL enabled';
  }
  const refErr = refProblem(refs, needs, createdBy);
  if (refErr) return refErr;
  // Fields AKO applies that this model does not yet: rejected rather than silently ignored.
  const unsupported =
    net.enableRhi === true
      ? 'spec.network.enableRhi'
      : listeners.length > 0
        ? 'spec.network.listeners'
        : net.enablePublicIP === true
          ? 'spec.network.enablePublicIP'
          : spec.nsxSettings?.t1lr
            ? 'spec.nsxSettings.t1lr'
            : null;
  return unsupported
    ? `${unsupported} is not supported by ako-serverless yet; remove it from the AviInfraSetting`
    : null;
}

/** The AviInfraSetting that applies to an Ingress/Route (or a LoadBalancer Service), or why none can. */
export type InfraResolution =
  | { kind: 'none' }
  | { kind: 'setting'; setting: KubeObject; nsScoped: boolean }
  | { kind: 'error'; field: string; reason: string };

function namespaceSetting(idx: ViewIndex, refs: Refs, ns: string): InfraResolution {
  const name = idx.namespaces.get(ns)?.metadata.annotations?.[INFRASETTING_ANNOTATION];
  if (!name) return { kind: 'none' };
  const s = getObject(idx, INFRASETTING_KIND, '', name);
  const field = `namespace ${ns} annotation ${INFRASETTING_ANNOTATION}`;
  if (!s) return { kind: 'error', field, reason: `aviinfrasetting.ako.vmware.com "${name}" not found` };
  if (infraSettingProblem(s, refs.aviRefs, refs.createdBy)) {
    return { kind: 'error', field, reason: `AviInfraSetting ${name} is invalid` };
  }
  return { kind: 'setting', setting: s, nsScoped: true };
}

interface Refs {
  aviRefs: CloudFacts['aviRefs'];
  createdBy: string;
}

/** True when the namespace's annotation names this setting (lib.IsInfraSettingNSScoped): no name prefix then. */
function nsScoped(idx: ViewIndex, ns: string, name: string): boolean {
  return idx.namespaces.get(ns)?.metadata.annotations?.[INFRASETTING_ANNOTATION] === name;
}

export function resolveInfraSetting(idx: ViewIndex, refs: Refs, o: KubeObject): InfraResolution {
  const ns = o.metadata.namespace ?? '';
  if (o.kind === 'Route' || o.kind === 'Service') {
    const name = o.metadata.annotations?.[INFRASETTING_ANNOTATION];
    if (name) {
      const field = `metadata.annotations["${INFRASETTING_ANNOTATION}"]`;
      const s = getObject(idx, INFRASETTING_KIND, '', name);
      if (!s) return { kind: 'error', field, reason: `aviinfrasetting.ako.vmware.com "${name}" not found` };
      if (infraSettingProblem(s, refs.aviRefs, refs.createdBy)) {
        return { kind: 'error', field, reason: `Referred AviInfraSetting ${name} is invalid` };
      }
      return { kind: 'setting', setting: s, nsScoped: nsScoped(idx, ns, name) };
    }
    return namespaceSetting(idx, refs, ns);
  }
  let className: string = o.spec?.ingressClassName ?? '';
  if (!className) {
    const def = objectsOfKind(idx, 'IngressClass').find(
      (c) =>
        c.spec?.controller === AVI_INGRESS_CONTROLLER && c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
    );
    if (!def) return namespaceSetting(idx, refs, ns);
    className = def.metadata.name;
  }
  const cls = getObject(idx, 'IngressClass', '', className);
  const p = cls?.spec?.parameters;
  if (p && p.apiGroup === 'ako.vmware.com' && p.kind === INFRASETTING_KIND && p.name) {
    const field = 'spec.ingressClassName';
    const s = getObject(idx, INFRASETTING_KIND, '', p.name);
    if (!s) return { kind: 'error', field, reason: `aviinfrasetting.ako.vmware.com "${p.name}" not found` };
    if (infraSettingProblem(s, refs.aviRefs, refs.createdBy)) {
      return { kind: 'error', field, reason: `Referred AviInfraSetting ${p.name} is invalid` };
    }
    return { kind: 'setting', setting: s, nsScoped: nsScoped(idx, ns, p.name) };
  }
  return namespaceSetting(idx, refs, ns);
}

/** The AviInfraSetting an instance is seen through, and whether it came from the namespace annotation. */
export interface InfraSource {
  setting: KubeObject;
  nsScoped: boolean;
}

export type ScopedInstance = InstanceConfig & InfraScoped & { infraSource?: InfraSource };

/** `{ infra }` for a scoped instance (what a placement records), `{}` otherwise. */
export function infraOf(instance: InstanceConfig): { infra?: InfraSource } {
  const src = (instance as ScopedInstance).infraSource;
  return src ? { infra: src } : {};
}

const scopedCache = new WeakMap<InstanceConfig, WeakMap<KubeObject, Map<boolean, ScopedInstance>>>();

/** The instance as seen through an AviInfraSetting: its shard size, SE group, networks and name prefix. */
export function scopedInstance(instance: InstanceConfig, setting: KubeObject, isNsScoped: boolean): ScopedInstance {
  let bySetting = scopedCache.get(instance);
  if (!bySetting) {
    bySetting = new WeakMap();
    scopedCache.set(instance, bySetting);
  }
  let byScope = bySetting.get(setting);
  if (!byScope) {
    byScope = new Map();
    bySetting.set(setting, byScope);
  }
  const hit = byScope.get(isNsScoped);
  if (hit) return hit;
  const spec: Raw = setting.spec ?? {};
  const net: Raw = spec.network ?? {};
  const vips: VipNetwork[] = (Array.isArray(net.vipNetworks) ? net.vipNetworks : [])
    .filter((v: Raw) => v?.networkName)
    .map((v: Raw) => ({
      networkName: v.networkName,
      ...(v.cidr ? { cidr: v.cidr } : {}),
      ...(v.v6cidr ? { v6cidr: v.v6cidr } : {}),
    }));
  const nodes = (Array.isArray(net.nodeNetworks) ? net.nodeNetworks : [])
    .filter((n: Raw) => n?.networkName)
    .map((n: Raw) => ({ networkName: n.networkName, cidrs: strings(n.cidrs) }));
  const shard: string | undefined = spec.l7Settings?.shardSize || undefined;
  const out: ScopedInstance = {
    ...instance,
    l7: { ...instance.l7, ...(shard ? { shardVSSize: shard as ShardSize } : {}) },
    controller: {
      ...instance.controller,
      ...(spec.seGroup?.name ? { serviceEngineGroupName: spec.seGroup.name } : {}),
    },
    network: {
      ...instance.network,
      ...(vips.length > 0 ? { vipNetworkList: vips } : {}),
      ...(nodes.length > 0 ? { nodeNetworkList: nodes } : {}),
    },
    ...(isNsScoped ? {} : { infraSetting: setting.metadata.name }),
    infraSource: { setting, nsScoped: isNsScoped },
  };
  byScope.set(isNsScoped, out);
  return out;
}

/** The build context for one Ingress/Route/Service: the instance through its AviInfraSetting, if any. */
export function scopedContext(ctx: BuildContext, o: KubeObject): BuildContext | { error: string; field: string } {
  // Fast path (every Ingress/Route/Service of a build passes here): nothing in the view can name a setting.
  if (!infraInPlay(ctx) && !o.metadata.annotations?.[INFRASETTING_ANNOTATION]) return ctx;
  const r = resolveInfraSetting(ctx.idx, { aviRefs: ctx.facts.aviRefs, createdBy: ctx.createdBy }, o);
  if (r.kind === 'none') return ctx;
  if (r.kind === 'error') return { error: r.reason, field: r.field };
  return contextFor(ctx, scopedInstance(ctx.instance, r.setting, r.nsScoped));
}

/** Whether any IngressClass, namespace or AviInfraSetting of the view involves AviInfraSettings (once per build). */
function infraInPlay(ctx: BuildContext): boolean {
  const hit = ctx.perBuild.get('infraInPlay') as boolean | undefined;
  if (hit !== undefined) return hit;
  let inPlay = objectsOfKind(ctx.idx, INFRASETTING_KIND).length > 0;
  if (!inPlay) {
    inPlay = objectsOfKind(ctx.idx, 'IngressClass').some((c) => c.spec?.parameters?.kind === INFRASETTING_KIND);
  }
  if (!inPlay) {
    for (const ns of ctx.idx.namespaces.values()) {
      if (ns.metadata.annotations?.[INFRASETTING_ANNOTATION]) {
        inPlay = true;
        break;
      }
    }
  }
  ctx.perBuild.set('infraInPlay', inPlay);
  return inPlay;
}

const contexts = new WeakMap<BuildContext, Map<InstanceConfig, BuildContext>>();

/**
 * A copy of `ctx` for another (scoped) instance, one per build and instance (so per-build caches keyed by
 * the context still hit); skipped/deps lists are shared with `ctx` when the copy is made.
 */
export function contextFor(ctx: BuildContext, instance: InstanceConfig): BuildContext {
  if (instance === ctx.instance) return ctx;
  let m = contexts.get(ctx);
  if (!m) {
    m = new Map();
    contexts.set(ctx, m);
  }
  const hit = m.get(instance);
  if (hit && hit.skipped === ctx.skipped && hit.deps === ctx.deps) return hit;
  const out = { ...ctx, instance, seGroup: instance.controller.serviceEngineGroupName || 'Default-Group' };
  m.set(instance, out);
  return out;
}

// Which models an Ingress/Route can land on depends on IngressClasses and AviInfraSettings: drop the derived
// indexes (rebuilt on next use) when one changes. CR changes are rare; correctness over reuse here.
registerDerivedUpdater((idx, before, after) => {
  const o = after ?? before;
  // HostRules too: a HostRule certificate turns an insecure host secure when the Ingress is parsed.
  if (o && (o.kind === INFRASETTING_KIND || o.kind === 'IngressClass' || o.kind === 'HostRule')) idx.derived.clear();
});

/**
 * The instance to name an object's models with (no validation against the controller: candidate models
 * only; a setting that turns out invalid leaves the object skipped, so its candidate models stay empty).
 */
export function instanceForCandidates(instance: InstanceConfig, idx: ViewIndex, o: KubeObject): InstanceConfig {
  if (objectsOfKind(idx, INFRASETTING_KIND).length === 0) return instance;
  const r = resolveInfraSetting(idx, { aviRefs: undefined, createdBy: '' }, o);
  return r.kind === 'setting' ? scopedInstance(instance, r.setting, r.nsScoped) : instance;
}

/**
 * Statuses of the AviInfraSettings this instance uses: referenced by one of its IngressClasses
 * (spec.parameters), namespaces (annotation) or Routes/Services (annotation).
 */
export function infraSettingStatuses(ctx: BuildContext): CrStatus[] {
  const used = new Set<string>();
  for (const c of objectsOfKind(ctx.idx, 'IngressClass')) {
    const p = c.spec?.parameters;
    if (p?.apiGroup === 'ako.vmware.com' && p.kind === INFRASETTING_KIND && p.name) used.add(p.name);
  }
  for (const ns of ctx.idx.namespaces.values()) {
    const n = ns.metadata.annotations?.[INFRASETTING_ANNOTATION];
    if (n) used.add(n);
  }
  for (const kind of ['Route', 'Service']) {
    for (const o of objectsOfKind(ctx.idx, kind)) {
      const n = o.metadata.annotations?.[INFRASETTING_ANNOTATION];
      if (n) used.add(n);
    }
  }
  const out: CrStatus[] = [];
  for (const name of [...used].sort()) {
    const s = getObject(ctx.idx, INFRASETTING_KIND, '', name);
    if (!s) continue;
    const problem = infraSettingProblem(s, ctx.facts.aviRefs, ctx.createdBy);
    out.push(problem ? crStatus(s, 'Rejected', problem) : crStatus(s, 'Accepted'));
  }
  return out;
}
