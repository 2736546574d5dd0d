/**
 * A view you can trust or nothing happens: `start` never pairs a real Avi Controller with the development
 * cluster unless the user says so with a flag whose name says it is a demo. The development cluster holds only
 * the example manifests, so to the instances every object they own on that controller would look deleted, and
 * the sync and the sweep would remove them.
 */

/** The flag that lets `start` pair a real controller with the development cluster anyway. */
export const DEMO_DEV_CLUSTER_FLAG = 'demo-dev-cluster-with-real-controller';

export interface ViewGuardInput {
  /** The real controller `start` would use (--controller or ControllerSettings.controllerHost); empty = simulator. */
  controllerHost?: string;
  /** A real cluster (--kubeconfig or $KUBECONFIG); empty = the development cluster. */
  kubeconfig?: string;
  /** The demo flag was given. */
  demo?: boolean;
}

/** Why `start` must refuse, or undefined when the combination is safe (or explicitly asked for). */
export function devClusterWithRealControllerRefusal(input: ViewGuardInput): string | undefined {
  if (!input.controllerHost || input.kubeconfig || input.demo) return undefined;
  return (
    `refusing to start: a real Avi Controller (${input.controllerHost}) with the development cluster ` +
    '(no --kubeconfig and no $KUBECONFIG). The development cluster holds only the example manifests, so every ' +
    "object this registry's instances own on that controller would look deleted and be removed. Pass " +
    `--kubeconfig FILE for the real cluster, or --${DEMO_DEV_CLUSTER_FLAG} to run the demo cluster against that ` +
    'controller anyway.'
  );
}
