/** Builds the status snapshot from the runtime's parts and the controller's view of each instance's objects. */
import type { AviClient } from '../../shared/avi/index.ts';
import type { OwnerIndex } from '../../shared/registry/index.ts';
import type { InstanceConfig, Registry } from '../../shared/registry/types.ts';
import type { InstanceStore } from '../../shared/store/types.ts';
import type { FifoQueue } from './fifo-queue.ts';
import type { ClusterFacts } from './status/cluster-facts.ts';
import type { History } from './status/history.ts';
import { objectMappingOf } from './status/object-mapping.ts';
import type {
  ConflictStatus,
  InstanceStatus,
  PoolSummary,
  RecentEvent,
  StatusSnapshot,
  VirtualServiceSummary,
} from './status/snapshot.ts';
import { healthOf } from './status/snapshot.ts';

export interface RuntimeView {
  startedAt: string;
  registry: Registry;
  index: OwnerIndex;
  controllerUrl: string;
  kubernetes: string[];
  stores: Map<string, InstanceStore>;
  syncQueues: Map<string, FifoQueue>;
  primaryQueues: Map<string, FifoQueue>;
  aviClients: Map<string, AviClient>;
  lastErrors: Map<string, string[]>;
  /** Controller reads per instance, reused for a few seconds: the status page polls every second. */
  controllerCache?: Map<string, { at: number; read: Promise<ControllerView> }>;
  recent: RecentEvent[];
  quiet(): boolean;
  deadLetters(): number;
  objectsSeen(): number;
  modelsApplied?(): number;
  conflicts(): ConflictStatus[];
  /** Latest warnings per object and unowned namespaces (status/cluster-facts.ts). */
  clusterFacts?: ClusterFacts;
  /** The last minutes, sampled (status/history.ts). */
  history?: () => History;
}

type Rec = Record<string, unknown>;

const refName = (ref: unknown): string => {
  if (typeof ref !== 'string') return '';
  const hash = ref.indexOf('#');
  if (hash >= 0) return ref.slice(hash + 1);
  const m = /[?&]name=([^&]+)/.exec(ref);
  return m ? decodeURIComponent(m[1]!) : (ref.split('/').pop() ?? '');
};

async function controllerObjects(client: AviClient, createdBy: string) {
  const opts = { tenant: '*', query: { created_by: createdBy, include_name: 'true' } };
  const [vses, pools] = await Promise.all([client.list('virtualservice', opts), client.list('pool', opts)]);
  const vsvips = await client.list('vsvip', { tenant: '*', query: { include_name: 'true' } });
  const vsvipByName = new Map(vsvips.map((v) => [String(v.name), v]));
  const vsByName = new Map(vses.map((v) => [String(v.name), v]));
  const virtualServices: VirtualServiceSummary[] = vses
    .map((vs: Rec) => {
      // An SNI child has no VsVip of its own: it answers on its parent's VIP.
      const parent = vs.type === 'VS_TYPE_VH_CHILD' ? vsByName.get(refName(vs.vh_parent_vs_ref)) : undefined;
      const vip = vsvipByName.get(refName((parent ?? vs).vsvip_ref));
      const vips = ((vip?.vip as Rec[] | undefined) ?? [])
        .map((v) => (v.ip_address as Rec | undefined)?.addr)
        .filter((a): a is string => typeof a === 'string');
      const fqdns = ((vip?.dns_info as Rec[] | undefined) ?? []).map((d) => String(d.fqdn ?? '')).filter(Boolean);
      // A child serves its own hosts (SNI: vh_domain_name; EVH: vh_matches), not every FQDN of its parent's VIP.
      const childHosts = [
        ...(Array.isArray(vs.vh_domain_name) ? (vs.vh_domain_name as string[]) : []),
        ...((vs.vh_matches as Rec[] | undefined) ?? []).map((m) => String(m.host ?? '')).filter(Boolean),
      ];
      return {
        name: String(vs.name),
        type: String(vs.type ?? 'VS_TYPE_NORMAL'),
        vips,
        fqdns: parent || childHosts.length ? [...new Set(childHosts)] : fqdns,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const poolSummaries: PoolSummary[] = pools
    .map((p: Rec) => ({
      name: String(p.name),
      servers: ((p.servers as Rec[] | undefined) ?? []).map(
        (s) => `${(s.ip as Rec | undefined)?.addr ?? '?'}:${s.port ?? '?'}${s.enabled === false ? ' (disabled)' : ''}`,
      ),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { virtualServices, pools: poolSummaries };
}

async function staticRoutesOf(client: AviClient, vrfName: string, cluster: string): Promise<string[]> {
  const vrf = await client.getByName('vrfcontext', vrfName || 'global', { tenant: 'admin' });
  const routes = (vrf?.static_routes as Rec[] | undefined) ?? [];
  return routes
    .filter((r) => ((r.labels as Rec[] | undefined) ?? []).some((l) => l.key === 'clustername' && l.value === cluster))
    .map((r) => {
      const p = r.prefix as { ip_addr?: { addr?: string }; mask?: number } | undefined;
      const nh = r.next_hop as { addr?: string } | undefined;
      return `${p?.ip_addr?.addr}/${p?.mask} via ${nh?.addr}`;
    })
    .sort();
}

/** Namespaces the instance owns: adopted ones, plus those it holds objects of unless held for or released to another. */
async function ownedNamespaces(store: InstanceStore): Promise<string[]> {
  const states = new Map((await store.listNamespaceStates()).map((s) => [s.namespace, s.state]));
  const names = new Set([...states].filter(([, state]) => state === 'owned').map(([ns]) => ns));
  for (const o of await store.listObjects()) {
    const ns = o.metadata.namespace;
    if (ns && (states.get(ns) ?? 'owned') === 'owned') names.add(ns);
  }
  return [...names].sort();
}

interface ControllerView {
  avi: { virtualServices: VirtualServiceSummary[]; pools: PoolSummary[] };
  staticRoutes: string[];
}

const CONTROLLER_READ_TTL_MS = 3000;

/** The instance's objects on the controller, read at most once per TTL (a failed read is not kept). */
function controllerView(
  view: RuntimeView,
  instance: InstanceConfig,
  client: AviClient,
  cached: boolean,
): Promise<ControllerView> {
  const hit = view.controllerCache?.get(instance.id);
  if (cached && hit && Date.now() - hit.at < CONTROLLER_READ_TTL_MS) return hit.read;
  const read = (async () => ({
    avi: await controllerObjects(client, instance.createdBy),
    staticRoutes: instance.primary
      ? await staticRoutesOf(client, instance.controller.vrfName, instance.clusterName)
      : [],
  }))();
  view.controllerCache?.set(instance.id, { at: Date.now(), read });
  read.catch(() => view.controllerCache?.delete(instance.id));
  return read;
}

/** `cached`: accept controller reads up to a few seconds old (pollers such as the status page). */
export async function buildSnapshot(view: RuntimeView, opts: { cached?: boolean } = {}): Promise<StatusSnapshot> {
  const instances: InstanceStatus[] = [];
  let errors = 0;
  for (const instance of view.registry.instances) {
    const client = view.aviClients.get(instance.id);
    const store = view.stores.get(instance.id);
    const queue = view.syncQueues.get(instance.id);
    const primaryQueue = instance.primary ? view.primaryQueues.get(instance.clusterName) : undefined;
    let avi: { virtualServices: VirtualServiceSummary[]; pools: PoolSummary[] } = { virtualServices: [], pools: [] };
    let staticRoutes: string[] = [];
    const lastErrors = [...(view.lastErrors.get(instance.id) ?? [])];
    if (client) {
      try {
        ({ avi, staticRoutes } = await controllerView(view, instance, client, opts.cached ?? false));
      } catch (err) {
        lastErrors.push(`reading the controller: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    errors += lastErrors.length;
    const sel = instance.namespaceSelector;
    const applied = store ? await store.listApplied() : [];
    const existing = new Set(
      (store ? await store.listObjects() : []).map(
        (o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`,
      ),
    );
    instances.push({
      id: instance.id,
      clusterName: instance.clusterName,
      namespace: instance.namespace,
      primary: instance.primary,
      createdBy: instance.createdBy,
      selector: sel ? `${sel.labelKey}=${sel.labelValue}` : '(all namespaces)',
      ownedNamespaces: store ? await ownedNamespaces(store) : [],
      queueDepth: (queue?.depth ?? 0) + (primaryQueue?.depth ?? 0),
      inFlight: (queue?.inFlight ?? 0) + (primaryQueue?.inFlight ?? 0),
      deadLetters: (queue?.listDeadLetters().length ?? 0) + (primaryQueue?.listDeadLetters().length ?? 0),
      lastErrors,
      virtualServices: avi.virtualServices,
      pools: avi.pools,
      staticRoutes,
      objects: objectMappingOf(applied),
      warnings: view.clusterFacts?.warnings((id, object) => id === instance.id && existing.has(object)) ?? [],
    });
  }
  const requests = [...view.aviClients.values()].reduce((n, c) => n + c.stats().requests, 0);
  return {
    startedAt: view.startedAt,
    generatedAt: new Date().toISOString(),
    controller: view.controllerUrl,
    kubernetes: view.kubernetes,
    converged: view.quiet(),
    health: healthOf({
      quiet: view.quiet(),
      errors,
      deadLetters: view.deadLetters(),
      conflicts: view.conflicts(),
      ...(instances.find((i) => i.lastErrors.length)
        ? { firstError: instances.find((i) => i.lastErrors.length)!.lastErrors[0]! }
        : {}),
    }),
    totals: {
      objectsSeen: view.objectsSeen(),
      modelsApplied: view.modelsApplied?.() ?? instances.reduce((n, i) => n + i.virtualServices.length, 0),
      aviRequests: requests,
      errors: errors + view.deadLetters(),
    },
    instances,
    conflicts: view.conflicts(),
    unownedNamespaces: view.clusterFacts?.unownedNamespaces() ?? [],
    ...(view.history ? { history: view.history() } : {}),
    recentEvents: view.recent.slice(-50),
  };
}
