import { Gauge, Registry } from 'prom-client';
import type { StatusSnapshot } from './snapshot.ts';

/**
 * Prometheus exposition of one status snapshot. A fresh Registry per scrape (never the global default), so
 * two runtimes in one process, or two tests, never share series.
 */
export function metricsRegistry(s: StatusSnapshot): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });

  const depth = gauge('ako_queue_depth', 'Messages waiting in the instance queue', ['instance', 'cluster']);
  const inFlight = gauge('ako_queue_in_flight', 'Messages received but not yet deleted', ['instance', 'cluster']);
  const dead = gauge('ako_dead_letters', 'Messages in the instance dead-letter queue', ['instance', 'cluster']);
  const vs = gauge('ako_virtual_services', 'Virtual services the instance owns on the controller', [
    'instance',
    'cluster',
  ]);
  for (const i of s.instances) {
    const labels = { instance: i.id, cluster: i.clusterName };
    depth.set(labels, i.queueDepth);
    inFlight.set(labels, i.inFlight);
    dead.set(labels, i.deadLetters);
    vs.set(labels, i.virtualServices.length);
  }
  gauge('ako_objects_seen', 'Kubernetes objects the forwarders have seen since start').set(s.totals.objectsSeen);
  gauge('ako_models_applied', 'Sync batches applied to the controller since start').set(s.totals.modelsApplied);
  gauge('ako_controller_requests', 'Requests sent to the Avi controller since start').set(s.totals.aviRequests);
  gauge('ako_errors', 'Errors recorded since start').set(s.totals.errors);
  gauge('ako_conflicts', 'Namespaces claimed by more than one instance').set(s.conflicts.length);
  gauge('ako_converged', '1 when every queue is empty and nothing is in flight').set(s.converged ? 1 : 0);
  return registry;
}
