/**
 * `plan`: what a sync would do now, read-only. Reads the cluster (lists of the watched kinds), builds every
 * instance's desired models, reads each instance's objects on the controller, and compares. Only GETs reach
 * the controller (the Avi client's list/get; nothing here calls create/update/delete).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { dedupeRoutes, staticRoutesEnabled, vrfNameOf } from '../../../functions/primary/decide.ts';
import {
  type AviClient,
  type AviRecord,
  createAviClient,
  createReconciler,
  isClusterRoute,
  objectId,
  parseRef,
  stableStringify,
  tenantOf,
} from '../../../shared/avi/index.ts';
import type { Logger } from '../../../shared/log.ts';
import { silentLogger } from '../../../shared/log.ts';
import { buildModels, buildStaticRoutes, knownShardsOf, partitionByInstance } from '../../../shared/model/index.ts';
import type { AviType, ClusterView, DesiredState, KubeObject } from '../../../shared/model/types.ts';
import { buildOwnerIndex } from '../../../shared/registry/index.ts';
import type { InstanceConfig, Registry } from '../../../shared/registry/types.ts';
import { SecretValue } from '../../../shared/secret.ts';
import { readCluster } from './cluster.ts';
import {
  type ControllerCopy,
  type InstancePlan,
  type ObjectConflict,
  planInstance,
  planStaticRoutes,
} from './compute.ts';

export type { ControllerCopy, InstancePlan, ObjectConflict, PlanAction, StaticRoutePlan } from './compute.ts';
export { diffBody, type FieldChange, MASKED, maskSecrets } from './diff.ts';

export interface Plan {
  cluster: string;
  controller: string;
  instances: InstancePlan[];
  /** Namespaces two instances claim: no instance syncs them until the selectors are fixed. */
  namespaceConflicts: { namespace: string; reason: string }[];
}

export interface PlanOptions {
  registry: Registry;
  kubeConfig: KubeConfig;
  /** Controller host or URL. */
  controller: string;
  /** Skip TLS verification of the controller (only when asked for explicitly). */
  insecureSkipVerify?: boolean;
  logger?: Logger;
}

/** Credentials the same way the runtime picks them: the first instance that has some, else admin/admin. */
function credentialsOf(registry: Registry, instance: InstanceConfig) {
  const first = registry.instances.find(
    (i) => i.credentials.username && (i.credentials.password || i.credentials.authtoken),
  );
  const c = instance.credentials.username ? instance.credentials : (first?.credentials ?? {});
  return {
    username: c.username ?? 'admin',
    ...(c.authtoken ? { authtoken: c.authtoken } : { password: c.password ?? new SecretValue('admin') }),
    ...(c.certificateAuthorityData ? { certificateAuthorityData: c.certificateAuthorityData } : {}),
  };
}

function clientFor(opts: PlanOptions, instance: InstanceConfig, logger: Logger): AviClient {
  return createAviClient({
    host: opts.controller,
    ...credentialsOf(opts.registry, instance),
    ...(instance.controller.version ? { version: instance.controller.version } : {}),
    tenant: instance.controller.tenantName || 'admin',
    owner: instance.createdBy,
    clusterName: instance.clusterName,
    ...(opts.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
    // A command answers quickly: a few retries, not the sync's patient back-off.
    maxAttempts: 3,
    logger,
  });
}

/** Same-named objects the created_by listing did not return: ours to adopt (VsVips) or a collision. */
async function sameNamed(
  client: AviClient,
  instance: InstanceConfig,
  wanted: { type: AviType; tenant: string; name: string }[],
  ownedIds: Set<string>,
): Promise<{ adoptable: ControllerCopy[]; foreign: ObjectConflict[] }> {
  const adoptable: ControllerCopy[] = [];
  const foreign: ObjectConflict[] = [];
  const missing = wanted.filter((w) => !ownedIds.has(objectId(w)));
  const types = [...new Set(missing.map((m) => m.type))].sort();
  for (const type of types) {
    const rows = await client.list(type, { tenant: '*', query: { 'name.contains': instance.namePrefix } });
    const byId = new Map<string, AviRecord>();
    const fallbackTenant = instance.controller.tenantName || 'admin';
    for (const r of rows) {
      if (typeof r.name !== 'string' || typeof r.uuid !== 'string') continue;
      byId.set(objectId({ type, tenant: tenantOf(r, fallbackTenant), name: r.name }), r);
    }
    for (const m of missing.filter((x) => x.type === type)) {
      const r = byId.get(objectId(m));
      if (!r?.uuid) continue;
      const own = await client.ownershipOf(type, r, m.tenant);
      if (own.owned) adoptable.push({ ...m, uuid: r.uuid, body: r });
      else
        foreign.push({
          ...m,
          reason: `already on the controller and not this instance's (${own.reason}); a sync would refuse to overwrite it`,
        });
    }
  }
  return { adoptable, foreign };
}

async function vipNetworkVrf(client: AviClient, instance: InstanceConfig): Promise<string | undefined> {
  const net = instance.network.vipNetworkList[0]?.networkName;
  if (!net) return undefined;
  const rec = await client.getByName('network', net, { tenant: 'admin' });
  const ref = typeof rec?.vrf_context_ref === 'string' ? parseRef(rec.vrf_context_ref) : undefined;
  if (ref?.name) return ref.name;
  if (!ref?.uuid) return undefined;
  const vrf = await client.get('vrfcontext', ref.uuid, { tenant: 'admin' });
  return typeof vrf?.name === 'string' ? vrf.name : undefined;
}

/** One instance's plan: its objects on the controller against its desired models (reads only). */
async function planOne(
  client: AviClient,
  instance: InstanceConfig,
  view: ClusterView,
  state: DesiredState,
  logger: Logger,
): Promise<InstancePlan> {
  const reconciler = createReconciler({ client, instance, logger });
  const owned = (await reconciler.listOwned()) as ControllerCopy[];
  const ownedIds = new Set(owned.map(objectId));
  // Shard VSes this instance already has stay even when empty, as the sync function keeps them (AKO does too).
  const shards = owned.filter((o) => o.type === 'virtualservice').map((o) => `${o.tenant}/${o.name}`);
  if (knownShardsOf(instance, shards).length > 0) state = buildModels(instance, view, { knownShards: shards });
  const wanted = state.models.flatMap((m) => m.objects);
  const { adoptable, foreign } = await sameNamed(client, instance, wanted, ownedIds);
  const plan = planInstance({
    instance,
    namespaces: view.namespaces.map((n) => n.metadata.name).sort(),
    models: state.models,
    skipped: state.skipped,
    owned,
    adoptable,
    foreign,
  });
  if (instance.primary && staticRoutesEnabled(instance)) {
    const clusterScoped: KubeObject[] = view.objects.filter((o) => !o.metadata.namespace);
    const built = buildStaticRoutes(instance, { namespaces: [], objects: clusterScoped });
    const { routes } = dedupeRoutes(built.routes);
    plan.skipped.push(...built.skipped);
    const vrf = vrfNameOf(instance, await vipNetworkVrf(client, instance));
    const cloud = instance.controller.cloudName;
    const rec = await client.getByName('vrfcontext', vrf, {
      tenant: 'admin',
      ...(cloud ? { query: { 'cloud_ref.name': cloud } } : {}),
    });
    plan.staticRoutes = planStaticRoutes(
      vrf,
      instance.clusterName,
      rec?.static_routes,
      routes,
      isClusterRoute,
      stableStringify,
    );
  }
  return plan;
}

/** Builds the plan of every instance of the registry's cluster (the kubeconfig's cluster). */
export async function buildPlan(opts: PlanOptions): Promise<Plan> {
  const logger = opts.logger ?? silentLogger;
  const clusters = [...new Set(opts.registry.instances.map((i) => i.clusterName))];
  if (clusters.length !== 1) {
    throw new Error(
      `a kubeconfig connects one cluster, but the registry has ${clusters.length} (${clusters.join(', ')}); plan one cluster's registry at a time`,
    );
  }
  const cluster = clusters[0]!;
  let objects: KubeObject[];
  try {
    ({ objects } = await readCluster(opts.kubeConfig));
  } catch (err) {
    const server = opts.kubeConfig.getCurrentCluster()?.server ?? '(no current cluster)';
    throw new Error(
      `cannot read the cluster at ${server}: ${err instanceof Error ? err.message : String(err)}; check the kubeconfig's current context and credentials (nothing was planned)`,
    );
  }
  const owners = buildOwnerIndex(opts.registry);
  const instances = opts.registry.instances;
  const partition = partitionByInstance(instances, (ns, labels) => owners.resolve(cluster, ns, labels), objects);

  const plans: InstancePlan[] = [];
  for (const instance of instances) {
    const view = partition.views.get(instance.id)!;
    const state = buildModels(instance, view);
    const client = clientFor(opts, instance, logger);
    let plan: InstancePlan;
    try {
      plan = await planOne(client, instance, view, state, logger);
    } catch (err) {
      throw new Error(
        `cannot read the controller ${opts.controller} for instance ${instance.id}: ${err instanceof Error ? err.message : String(err)}; check --controller and the registry's credentials (nothing was planned)`,
      );
    }
    plans.push(plan);
    await client.logout().catch(() => undefined);
  }
  return {
    cluster,
    controller: opts.controller,
    instances: plans,
    namespaceConflicts: partition.unowned.filter((u) => u.reason.startsWith('claimed by')),
  };
}

/** Totals over every instance. */
export function planTotals(plan: Plan): { create: number; update: number; delete: number; conflicts: number } {
  const t = { create: 0, update: 0, delete: 0, conflicts: plan.namespaceConflicts.length };
  for (const i of plan.instances) {
    for (const a of i.actions) t[a.op]++;
    t.conflicts += i.conflicts.length;
    if (i.staticRoutes?.op === 'update') t.update++;
  }
  return t;
}
