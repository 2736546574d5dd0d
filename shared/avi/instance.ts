import type { InstanceConfig } from '../registry/types.ts';
import type { AviClientOptions } from './client.ts';

/**
 * Client options for one instance: its controller, credentials, tenant, and its `created_by` as the owner the
 * ownership guard enforces. Pass a shared `budget` in `extra` when several instances talk to one controller.
 */
export function clientOptionsFor(instance: InstanceConfig, extra: Partial<AviClientOptions> = {}): AviClientOptions {
  const host = extra.host ?? instance.controller.host;
  if (!host) {
    throw new Error(
      `instance ${instance.id}: no controller host (set controllerSettings.controllerHost in its values, or run with the embedded simulator)`,
    );
  }
  return {
    host,
    username: instance.credentials.username,
    password: instance.credentials.password,
    authtoken: instance.credentials.authtoken,
    certificateAuthorityData: instance.credentials.certificateAuthorityData,
    version: instance.controller.version || undefined,
    tenant: instance.controller.tenantName || 'admin',
    owner: instance.createdBy,
    clusterName: instance.clusterName,
    ...extra,
  };
}
