// How many Lambda invocations may talk to one Avi Controller at a time, and how fast each may go.
//
// The controller limits requests per client IP (about 32/s by default) and every Lambda behind one NAT shares that
// IP, so the budget belongs to the controller, not to an instance. Each function that talks to a controller gets a
// reserved concurrency, and each running copy a request rate, such that the sums stay within the controller's budget.
import type { InstanceConfig } from '../../shared/registry/types.ts';

export interface BudgetOptions {
  /** Concurrent invocations allowed per controller across all its instances' functions. */
  controllerConcurrency: number;
  /** Requests per second the controller accepts from this deployment. */
  controllerRequestsPerSecond: number;
}

export interface FunctionBudget {
  /** Lambda reserved concurrency. */
  reserved: number;
  /** SQS event source MaximumConcurrency (AWS minimum is 2; absent when the reservation is 1). */
  eventSourceMaximum?: number;
  /** Avi requests per second one running copy may issue. */
  requestsPerSecond: number;
}

export interface ConcurrencyPlan {
  sync: Map<string, FunctionBudget>;
  sweep: Map<string, FunctionBudget>;
  /** Keyed by cluster name. */
  primary: Map<string, FunctionBudget>;
}

export class BudgetError extends Error {
  override name = 'BudgetError';
}

/**
 * Gives every function that talks to a controller one invocation at a time and splits the controller's request rate
 * between them. Sync functions get exactly one: an instance's shard models span namespaces, so two batches of one
 * instance running at once would rebuild the same model from different views and one change could be lost (the FIFO
 * queue keeps order per namespace, not per model). Throws when the controller's concurrency budget cannot give every
 * function its slot.
 */
export function planConcurrency(instances: InstanceConfig[], opts: BudgetOptions): ConcurrencyPlan {
  const plan: ConcurrencyPlan = { sync: new Map(), sweep: new Map(), primary: new Map() };
  const byController = new Map<string, InstanceConfig[]>();
  for (const inst of [...instances].sort((a, b) => a.id.localeCompare(b.id))) {
    const host = inst.controller.host;
    byController.set(host, [...(byController.get(host) ?? []), inst]);
  }
  for (const [host, group] of byController) {
    const primaries = group.filter((i) => i.primary);
    const needed = 2 * group.length + primaries.length; // sync + sweep per instance, primary per primary instance
    if (needed > opts.controllerConcurrency) {
      throw new BudgetError(
        `controller ${host || '(no host)'}: a concurrency budget of ${opts.controllerConcurrency} is too small for ` +
          `${group.length} instance(s) (${group.map((i) => i.id).join(', ')}); it needs at least ${needed}. ` +
          'Raise it with --param controllerConcurrency=<n>.',
      );
    }
    const rps = Math.max(0.01, Math.floor((opts.controllerRequestsPerSecond / needed) * 100) / 100);
    const one: FunctionBudget = { reserved: 1, requestsPerSecond: rps };
    for (const inst of group) {
      plan.sync.set(inst.id, one);
      plan.sweep.set(inst.id, one);
      if (inst.primary) plan.primary.set(inst.clusterName, one);
    }
  }
  return plan;
}
