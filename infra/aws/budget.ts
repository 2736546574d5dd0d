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
 * Splits each controller's concurrency budget: one slot per sweep and per primary function, the rest shared by the
 * sync functions (the busy path), spread evenly in instance-id order. Throws when the budget cannot give every
 * function at least one slot.
 */
export function planConcurrency(instances: InstanceConfig[], opts: BudgetOptions): ConcurrencyPlan {
  const plan: ConcurrencyPlan = { sync: new Map(), sweep: new Map(), primary: new Map() };
  const byController = new Map<string, InstanceConfig[]>();
  for (const inst of [...instances].sort((a, b) => a.id.localeCompare(b.id))) {
    const host = inst.controller.host;
    byController.set(host, [...(byController.get(host) ?? []), inst]);
  }
  const rps = Math.max(0.01, Math.floor((opts.controllerRequestsPerSecond / opts.controllerConcurrency) * 100) / 100);
  const one = (reserved: number): FunctionBudget =>
    reserved >= 2
      ? { reserved, eventSourceMaximum: reserved, requestsPerSecond: rps }
      : { reserved, requestsPerSecond: rps };

  for (const [host, group] of byController) {
    const primaries = group.filter((i) => i.primary);
    const fixed = group.length + primaries.length; // one sweep each, one primary function per primary instance
    const forSync = opts.controllerConcurrency - fixed;
    if (forSync < group.length) {
      throw new BudgetError(
        `controller ${host || '(no host)'}: a concurrency budget of ${opts.controllerConcurrency} is too small for ` +
          `${group.length} instance(s) (${group.map((i) => i.id).join(', ')}); it needs at least ` +
          `${fixed + group.length}. Raise it with --param controllerConcurrency=<n>.`,
      );
    }
    const base = Math.floor(forSync / group.length);
    const extra = forSync % group.length;
    group.forEach((inst, i) => {
      plan.sync.set(inst.id, one(base + (i < extra ? 1 : 0)));
      plan.sweep.set(inst.id, one(1));
      if (inst.primary) plan.primary.set(inst.clusterName, one(1));
    });
  }
  return plan;
}
