/**
 * Load-balancer status an instance owes its Ingresses, LoadBalancer Services and Routes, derived from what it
 * applied (models recorded in the store) and the VIPs the controller allocated. Pure except for `readVip`.
 */

import type { AppliedModel } from '../../shared/avi/types.ts';
import { l4VsNameOf, modelName, shardVsName, sniVsName, TENANT_ANNOTATION } from '../../shared/model/index.ts';
import type { ClusterView, KubeObject, SkippedObject } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import type { StatusUpdate } from '../forwarder/status.ts';

export const HOST_VS_UUID_ANNOTATION = 'ako.vmware.com/host-fqdn-vs-uuid-map';
export const CONTROLLER_CLUSTER_UUID_ANNOTATION = 'ako.vmware.com/controller-cluster-uuid';
export const TENANT_NAME_ANNOTATION = 'ako.vmware.com/tenant-name';

export interface VipInfo {
  vips: string[];
  fqdns: string[];
}

/** Reads a VsVip's addresses and FQDNs from the controller (undefined when it does not exist). */
export type VipReader = (vsvipName: string, tenant: string) => Promise<VipInfo | undefined>;

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
export async function statusFor(
  instance: InstanceConfig,
  view: ClusterView,
  target: Omit<StatusTarget, 'apiVersion'>,
  object: KubeObject | undefined,
  applied: ReadonlyMap<string, AppliedModel>,
  readVip: VipReader,
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
    const vip = await readVip(vsName, tenant);
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
  for (const host of hostsOf(object)) {
    const vsName = shardVsName(instance, host, instance.l7.shardVSSize);
    const model = applied.get(modelName(tenant, vsName));
    if (!model) continue; // not served (skipped as invalid, or not applied yet)
    const vip = await readVip(vsName, tenant);
    if (!vip || vip.vips.length === 0) continue;
    for (const ip of vip.vips) entries.push({ ip, hostname: host });
    uuids[host] = uuidIn(model, sniVsName(instance, host)) ?? uuidIn(model, vsName) ?? '';
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

function reasonFor(s: SkippedObject): string {
  if (s.code) return s.code; // the model names the cause (ServiceNotFound, SecretNotFound, InvalidCertificate, ...)
  const text = `${s.field} ${s.reason}`.toLowerCase();
  if (text.includes('secret')) return 'MissingSecret';
  if (text.includes('255') || text.includes('too long')) return 'NameTooLong';
  if (text.includes('host')) return 'InvalidHost';
  return 'InvalidObject';
}

export interface StatusReporterDeps {
  instance: InstanceConfig;
  readVip: VipReader;
  /** Hands status updates to the path back to the cluster (the forwarder applies them). */
  publish(updates: StatusUpdate[]): Promise<void>;
}

/**
 * After models are reconciled: one status update per Ingress/Service/Route that fed them (before or after),
 * computed from the whole applied state so an object spread over several shards gets all its hosts.
 */
export function createStatusReporter(deps: StatusReporterDeps) {
  return {
    async report(view: ClusterView, applied: ReadonlyMap<string, AppliedModel>, keys: Iterable<string>): Promise<void> {
      const byKey = new Map(view.objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
      const vipCache = new Map<string, Promise<VipInfo | undefined>>();
      const readVip: VipReader = (name, tenant) => {
        const k = `${tenant}/${name}`;
        if (!vipCache.has(k)) vipCache.set(k, deps.readVip(name, tenant));
        return vipCache.get(k)!;
      };
      const updates: StatusUpdate[] = [];
      for (const key of [...new Set(keys)].sort()) {
        const target = statusTargetOf(key);
        if (!target) continue;
        const update = await statusFor(deps.instance, view, target, byKey.get(key), applied, readVip);
        if (update) updates.push(update);
      }
      if (updates.length) await deps.publish(updates);
    },
    async reportSkipped(skipped: SkippedObject[]): Promise<void> {
      const events = skippedEvents(deps.instance, skipped);
      if (events.length) await deps.publish(events);
    },
  };
}

export type StatusReporter = ReturnType<typeof createStatusReporter>;

/** A VipReader over the Avi client (reads only). */
export function vipReaderFor(client: {
  getByName(type: string, name: string, opts?: { tenant?: string }): Promise<Record<string, unknown> | undefined>;
}): VipReader {
  return async (name, tenant) => {
    const v = await client.getByName('vsvip', name, { tenant });
    if (!v) return undefined;
    const vips = ((v.vip as { ip_address?: { addr?: string } }[] | undefined) ?? [])
      .map((x) => x.ip_address?.addr)
      .filter((a): a is string => typeof a === 'string');
    const fqdns = ((v.dns_info as { fqdn?: string }[] | undefined) ?? [])
      .map((d) => d.fqdn)
      .filter((f): f is string => typeof f === 'string' && f.length > 0);
    return { vips, fqdns };
  };
}
