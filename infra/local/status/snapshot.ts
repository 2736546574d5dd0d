/** The data `status` prints and the status page shows; produced by the embedded runtime. */
import type { ObjectWarning, UnownedNamespace } from './cluster-facts.ts';
import type { History } from './history.ts';
import type { ObjectMapping } from './object-mapping.ts';

export type { ObjectMapping, ObjectWarning, UnownedNamespace };

export interface VirtualServiceSummary {
  name: string;
  type: string;
  vips: string[];
  fqdns: string[];
  children?: string[];
}

export interface PoolSummary {
  name: string;
  servers: string[];
}

export interface InstanceStatus {
  id: string;
  clusterName: string;
  namespace: string;
  primary: boolean;
  createdBy: string;
  selector: string;
  ownedNamespaces: string[];
  queueDepth: number;
  inFlight: number;
  deadLetters: number;
  lastErrors: string[];
  virtualServices: VirtualServiceSummary[];
  pools: PoolSummary[];
  staticRoutes: string[];
  /** Each Ingress/Route/Service of the instance → its virtual services, pools and VIPs (from its own records). */
  objects: ObjectMapping[];
  /** The latest Warning of each of its objects that still exist (ServiceNotFound, AviObjectCollision...). */
  warnings: ObjectWarning[];
}

export interface ConflictStatus {
  cluster: string;
  namespace: string;
  instances: string[];
}

export interface RecentEvent {
  time: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface StatusSnapshot {
  startedAt: string;
  generatedAt: string;
  controller: string;
  kubernetes: string[];
  /** Every queue idle and nothing in flight (says nothing about failures: see `health`). */
  converged: boolean;
  health: Health;
  totals: { objectsSeen: number; modelsApplied: number; aviRequests: number; errors: number };
  instances: InstanceStatus[];
  conflicts: ConflictStatus[];
  /** Namespaces a forwarder has seen that no instance selects (nothing in them is synced). */
  unownedNamespaces: UnownedNamespace[];
  /** Request rate against the budget, queue depth and sync latency over the last minutes (the page's charts). */
  history?: History;
  recentEvents: RecentEvent[];
}

/**
 * What the status page and `status` say about the whole runtime: `converged` only when every queue is idle and
 * nothing failed (no error, no dead letter, no ownership conflict); `degraded` names what is wrong.
 */
export interface Health {
  state: 'converged' | 'syncing' | 'degraded';
  problems: string[];
}

export function healthOf(s: {
  quiet: boolean;
  errors: number;
  deadLetters: number;
  conflicts: readonly ConflictStatus[];
  /** The first error's text: the cause, said once (e.g. the controller refusing connections). */
  firstError?: string;
}): Health {
  const problems: string[] = [];
  const { errors, deadLetters } = s;
  if (errors > 0)
    problems.push(
      `${errors} error${errors === 1 ? '' : 's'}${s.firstError ? ` (first: ${s.firstError.slice(0, 300)})` : ''}`,
    );
  if (deadLetters > 0) problems.push(`${deadLetters} dead letter${deadLetters === 1 ? '' : 's'}`);
  if (s.conflicts.length > 0) {
    problems.push(
      `${s.conflicts.length} namespace${s.conflicts.length === 1 ? '' : 's'} claimed by two instances (${s.conflicts
        .map((c) => `${c.cluster}/${c.namespace}`)
        .join(', ')})`,
    );
  }
  if (problems.length > 0) return { state: 'degraded', problems };
  return { state: s.quiet ? 'converged' : 'syncing', problems };
}
