/** The data `status` prints and the status page shows; produced by the embedded runtime. */
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
  converged: boolean;
  totals: { objectsSeen: number; modelsApplied: number; aviRequests: number; errors: number };
  instances: InstanceStatus[];
  conflicts: ConflictStatus[];
  recentEvents: RecentEvent[];
}
