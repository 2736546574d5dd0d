/**
 * Load-balancer status an instance owes its Ingresses, LoadBalancer Services and Routes, derived only from what it
 * applied (models recorded in the store): VIPs and FQDNs come from its own VsVip write responses or listed objects,
 * never from a read by name (a name another owner holds must not put that owner's address into a status).
 * An object whose Avi objects collided with another owner's or were refused gets no address and an Event naming
 * the collision. Pure.
 */

import type { AppliedModel } from '../../shared/avi/types.ts';
import {
  type ControllerTrouble,
  controllerTroubleOf,
  type WaitingObject,
} from '../../shared/instance/controller-trouble.ts';
import type { FailedObject } from '../../shared/instance/working-set.ts';
import { resolveInfraSetting, scopedInstance } from '../../shared/model/crd-infrasetting.ts';
import type { CrStatus } from '../../shared/model/index.ts';
import {
  evhChildName,
  evhEnabled,
  evhParentName,
  INFRASETTING_KIND,
  l4VsNameOf,
  modelName,
  shardVsName,
  sniVsName,
  TENANT_ANNOTATION,
} from '../../shared/model/index.ts';
import type { ClusterView, KubeObject, SkippedObject } from '../../shared/model/types.ts';
import { indexView } from '../../shared/model/view-index.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import type { StatusUpdate } from '../forwarder/status.ts';

export const HOST_VS_UUID_ANNOTATION = 'ako.vmware.com/host-fqdn-vs-uuid-map';
export const CONTROLLER_CLUSTER_UUID_ANNOTATION = 'ako.vmware.com/controller-cluster-uuid';
export const TENANT_NAME_ANNOTATION = 'ako.vmware.com/tenant-name';

export interface VipInfo {
  vips: string[];
  fqdns: string[];
}

export type { FailedObject } from '../../shared/instance/working-set.ts';

/** An applied model as the status needs it: the objects written plus those refused in the last apply. */
export type StatusModel = AppliedModel & { failed?: FailedObject[] };

/** The VIPs and FQDNs of the model's own VsVip, as our write responses / listings recorded them. */
export function vipOfModel(model: AppliedModel): VipInfo | undefined {
  const v = model.objects.find((o) => o.type === 'vsvip');
  if (!v) return undefined;
  const vips = (v.vip ?? []).map((x) => x.ip_address?.addr).filter((a): a is string => typeof a === 'string');
  return { vips, fqdns: v.fqdns ?? [] };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Failures of the model that concern a host (its pools, SNI child, certificate) or the whole VS. */
function failuresFor(model: StatusModel, vsName: string, host: string | undefined): FailedObject[] {
  const re = host ? new RegExp(`-${escapeRe(host)}(?:_|-|$)`) : undefined;
  return (model.failed ?? []).filter((f) => !re || f.type === 'vsvip' || f.name === vsName || re.test(f.name));
}

function collisionEvent(instance: InstanceConfig, f: FailedObject, what: string) {
  const collision = f.heldBy !== undefined || /ownership collision/.test(f.reason);
  return {
    type: 'Warning' as const,
    // A refusal because the controller itself is unreachable or untrusted is named as such, not as the object's fault.
    reason: collision ? 'AviObjectCollision' : (controllerTroubleOf(f.reason)?.code ?? 'AviObjectRefused'),
    note: (collision
      ? `${instance.createdBy}: ${f.type} ${f.name} is held by ${f.heldBy ? `created_by ${f.heldBy}` : 'another owner'}, not this instance; ${what} gets no address until the name is free`
      : `${instance.createdBy}: ${f.type} ${f.name} was refused: ${f.reason}; ${what} gets no address`
    ).slice(0, 1024),
    action: 'Sync',
  };
}

export interface StatusTarget {
  apiVersion: string;
  kind: 'Ingress' | 'Service' | 'Route';
  namespace: string;
  name: string;
}

const STATUS_KINDS = new Set(['Ingress', 'Service', 'Route']);

/** Parses `<kind>/<namespace>/<name>` object keys of status-bearing kinds. */
export function statusTargetOf(key: string): Omit<StatusTarget, 'apiVersion'> | undefined {
  const [kind, namespace, ...rest] = key.split('/');
  if (!kind || !STATUS_KINDS.has(kind) || !namespace || rest.length === 0) return undefined;
  return { kind: kind as StatusTarget['kind'], namespace, name: rest.join('/') };
}

const API_VERSION: Record<StatusTarget['kind'], string> = {
  Ingress: 'networking.k8s.io/v1',
  Service: 'v1',
  Route: 'route.openshift.io/v1',
};

function tenantOf(instance: InstanceConfig, view: ClusterView, namespace: string): string {
  const ns = view.namespaces.find((n) => n.metadata.name === namespace);
  return ns?.metadata.annotations?.[TENANT_ANNOTATION] || instance.controller.tenantName || 'admin';
}

function hostsOf(o: KubeObject): string[] {
  if (o.kind === 'Route') return typeof o.spec?.host === 'string' && o.spec.host ? [o.spec.host] : [];
  const hosts = new Set<string>();
  for (const r of (o.spec?.rules ?? []) as { host?: string }[]) if (r.host) hosts.add(r.host);
  return [...hosts].sort();
}

function uuidIn(applied: AppliedModel | undefined, vsName: string): string | undefined {
  return applied?.objects.find((x) => x.type === 'virtualservice' && x.name === vsName)?.uuid;
}

/** What one owner wants written on one object; `undefined` object = gone or no longer owned → clear. */
/** The instance as the model named the object's VSes: through its AviInfraSetting (IngressClass, namespace, Route). */
function namingInstanceFor(instance: InstanceConfig, view: ClusterView, object: KubeObject): InstanceConfig {
  if (!view.objects.some((o) => o.kind === INFRASETTING_KIND)) return instance; // no settings: no scan
  const r = resolveInfraSetting(indexView(view), { aviRefs: undefined, createdBy: instance.createdBy }, object);
  return r.kind === 'setting' ? scopedInstance(instance, r.setting, r.nsScoped) : instance;
}

export async function statusFor(
  instance: InstanceConfig,
  view: ClusterView,
  target: Omit<StatusTarget, 'apiVersion'>,
  object: KubeObject | undefined,
  applied: ReadonlyMap<string, StatusModel>,
): Promise<StatusUpdate | undefined> {
  const base = {
    instance: instance.id,
    target: {
      apiVersion: object?.apiVersion ?? API_VERSION[target.kind],
      ...target,
      ...(object?.metadata.uid ? { uid: object.metadata.uid } : {}),
    },
  };
  const entriesUpdate = (
    lb: { ip: string; hostname?: string }[],
    route: NonNullable<StatusUpdate['route']>['entries'],
  ): Pick<StatusUpdate, 'loadBalancer' | 'route'> =>
    target.kind === 'Route'
      ? { route: { routerName: instance.createdBy, entries: route } }
      : { loadBalancer: { ingress: lb } };
  const cleared = (): StatusUpdate => ({
    ...base,
    ...entriesUpdate([], []),
    annotations: { [HOST_VS_UUID_ANNOTATION]: null, [TENANT_NAME_ANNOTATION]: null },
  });
  if (!object) return cleared();
  const tenant = tenantOf(instance, view, target.namespace);

  if (target.kind === 'Service') {
    if (object.spec?.type !== 'LoadBalancer') return undefined;
    const vsName = l4VsNameOf(instance, object); // shared-VIP Services report their group's VS
    const model = applied.get(modelName(tenant, vsName));
    if (!model) return cleared();
    const failed = failuresFor(model, vsName, undefined);
    if (failed.length || !uuidIn(model, vsName)) {
      return {
        ...cleared(),
        events: failed
          .slice(0, 3)
          .map((f) => collisionEvent(instance, f, `Service ${target.namespace}/${target.name}`)),
      };
    }
    const vip = vipOfModel(model);
    const fqdn = vip?.fqdns[0];
    return {
      ...base,
      loadBalancer: { ingress: (vip?.vips ?? []).map((ip) => ({ ip, ...(fqdn ? { hostname: fqdn } : {}) })) },
      annotations: {
        [HOST_VS_UUID_ANNOTATION]: fqdn ? JSON.stringify({ [fqdn]: uuidIn(model, vsName) ?? '' }) : null,
        [TENANT_NAME_ANNOTATION]: tenant,
      },
    };
  }

  const entries: { ip: string; hostname: string }[] = [];
  const routeEntries: NonNullable<StatusUpdate['route']>['entries'] = [];
  const uuids: Record<string, string> = {};
  const events: ReturnType<typeof collisionEvent>[] = [];
  const evh = evhEnabled(instance);
  const naming = namingInstanceFor(instance, view, object);
  for (const host of hostsOf(object)) {
    // The shard that serves the host: the EVH parent in EVH mode, else the shared L7 VS (named through the
    // object's AviInfraSetting when it has one).
    const vsName = evh
      ? evhParentName(naming, host, naming.l7.shardVSSize)
      : shardVsName(naming, host, naming.l7.shardVSSize);
    const model = applied.get(modelName(tenant, vsName));
    if (!model) continue; // not served (skipped as invalid, or not applied yet)
    const failed = failuresFor(model, vsName, host);
    if (failed.length) {
      for (const f of failed.slice(0, 3)) events.push(collisionEvent(instance, f, `host ${host}`));
      continue;
    }
    if (!uuidIn(model, vsName)) continue; // the shard VS is not ours (yet)
    const vip = vipOfModel(model);
    if (!vip || vip.vips.length === 0) continue;
    for (const ip of vip.vips) entries.push({ ip, hostname: host });
    uuids[host] =
      uuidIn(model, evh ? evhChildName(naming, host) : sniVsName(naming, host)) ?? uuidIn(model, vsName) ?? '';
    routeEntries.push({
      host,
      routerName: instance.createdBy,
      wildcardPolicy: 'None',
      conditions: [{ type: 'Admitted', status: 'True' }],
    });
  }
  return {
    ...base,
    ...entriesUpdate(entries, routeEntries),
    annotations: {
      [HOST_VS_UUID_ANNOTATION]: Object.keys(uuids).length ? JSON.stringify(uuids) : null,
      [TENANT_NAME_ANNOTATION]: tenant,
    },
    ...(events.length ? { events } : {}),
  };
}

/** Events for objects the model skipped: the user must fix them (Ingress, Service, Route only). */
export function skippedEvents(instance: InstanceConfig, skipped: SkippedObject[]): StatusUpdate[] {
  if (instance.enableEvents === false) return []; // AKOSettings.enableEvents: false
  return skipped
    .filter((s) => STATUS_KINDS.has(s.kind) && s.namespace)
    .map((s) => ({
      instance: instance.id,
      target: {
        apiVersion: API_VERSION[s.kind as StatusTarget['kind']],
        kind: s.kind as StatusTarget['kind'],
        namespace: s.namespace!,
        name: s.name,
      },
      events: [
        {
          type: 'Warning' as const,
          reason: reasonFor(s),
          note: `${instance.createdBy}: ${s.field}: ${s.reason}`.slice(0, 1024),
          action: 'Skipped',
        },
      ],
    }));
}

export function controllerTroubleEvents(
  instance: InstanceConfig,
  objects: readonly WaitingObject[],
  trouble: ControllerTrouble,
): StatusUpdate[] {
  if (instance.enableEvents === false) return [];
  return objects
    .filter((o) => STATUS_KINDS.has(o.kind) && o.namespace)
    .map((o) => ({
      instance: instance.id,
      target: {
        apiVersion: API_VERSION[o.kind as StatusTarget['kind']],
        kind: o.kind as StatusTarget['kind'],
        namespace: o.namespace!,
        name: o.name,
      },
      events: [
        {
          type: 'Warning' as const,
          reason: trouble.code,
          note: `${instance.createdBy}: ${trouble.message}; ${o.kind.toLowerCase()} ${o.name} gets no address until then`.slice(
            0,
            1024,
          ),
          action: 'Sync',
        },
      ],
    }));
}

function reasonFor(s: SkippedObject): string {
  if (s.code) return s.code; // the model names the cause (ServiceNotFound, SecretNotFound, InvalidCertificate, ...)
  const text = `${s.field} ${s.reason}`.toLowerCase();
  if (text.includes('secret')) return 'MissingSecret';
  if (text.includes('255') || text.includes('too long')) return 'NameTooLong';
  if (text.includes('host')) return 'InvalidHost';
  return 'InvalidObject';
}

/** One status update per CR whose object is in the view (a CR the view lacks is not this instance's to write). */
export function crStatusUpdates(
  instance: InstanceConfig,
  view: ClusterView,
  statuses: readonly CrStatus[],
): StatusUpdate[] {
  const byKey = new Map(view.objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  const out: StatusUpdate[] = [];
  for (const st of statuses) {
    const obj = byKey.get(`${st.kind}/${st.namespace ?? ''}/${st.name}`);
    if (!obj?.apiVersion) continue;
    out.push({
      target: {
        apiVersion: obj.apiVersion,
        kind: st.kind,
        ...(st.namespace ? { namespace: st.namespace } : {}),
        name: st.name,
        ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
      },
      instance: instance.id,
      crStatus: { status: st.status, error: st.error },
    });
  }
  return out;
}

export interface StatusReporterDeps {
  instance: InstanceConfig;
  /** Hands status updates to the path back to the cluster (the forwarder applies them). */
  publish(updates: StatusUpdate[]): Promise<void>;
}

/**
 * After models are reconciled: one status update per Ingress/Service/Route that fed them (before or after),
 * computed from the whole applied state so an object spread over several shards gets all its hosts.
 */
export function createStatusReporter(deps: StatusReporterDeps) {
  return {
    async report(view: ClusterView, applied: ReadonlyMap<string, StatusModel>, keys: Iterable<string>): Promise<void> {
      const byKey = new Map(view.objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
      const updates: StatusUpdate[] = [];
      for (const key of [...new Set(keys)].sort()) {
        const target = statusTargetOf(key);
        if (!target) continue;
        const update = await statusFor(deps.instance, view, target, byKey.get(key), applied);
        if (update) updates.push(update);
      }
      if (updates.length) await deps.publish(updates);
    },
    /**
     * AKO's `status.status` / `status.error` on the instance's HostRules, HTTPRules, AviInfraSettings and L4Rules,
     * patched at the version the forwarder watches (the CR's own apiVersion in the view).
     */
    async reportCrStatuses(view: ClusterView, statuses: readonly CrStatus[]): Promise<void> {
      const updates = crStatusUpdates(deps.instance, view, statuses);
      if (updates.length) await deps.publish(updates);
    },
    async reportSkipped(skipped: SkippedObject[]): Promise<void> {
      const events = skippedEvents(deps.instance, skipped);
      if (events.length) await deps.publish(events);
    },
    /** Events on objects whose changes wait because the controller is unreachable, untrusted or refuses the login. */
    async reportControllerTrouble(objects: readonly WaitingObject[], trouble: ControllerTrouble): Promise<void> {
      const events = controllerTroubleEvents(deps.instance, objects, trouble);
      if (events.length) await deps.publish(events);
    },
  };
}

export type StatusReporter = ReturnType<typeof createStatusReporter>;
