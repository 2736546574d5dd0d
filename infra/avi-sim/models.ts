import { DEFINITIONS, MODEL_NAMES } from './schema/swagger.ts';
import type { DefinitionSpec } from './schema/types.ts';

/**
 * Object types the simulator serves. Those with a swagger definition (MODEL_NAMES) are validated against it;
 * the others are supporting types a controller also has (referenced by the main ones, e.g. a WAF policy's WAF
 * profile) and are stored leniently.
 */
const LENIENT_TYPES: Record<string, string> = {
  ipamdnsproviderprofile: 'IpamDnsProviderProfile',
  protocolparser: 'ProtocolParser',
  wafprofile: 'WafProfile',
  wafcrs: 'WafCRS',
  errorpagebody: 'ErrorPageBody',
  icapprofile: 'IcapProfile',
  networksecuritypolicy: 'NetworkSecurityPolicy',
  securitypolicy: 'SecurityPolicy',
};

/** Types whose admin-tenant objects every tenant can read and refer to (a controller shares these). */
const SHARED_FROM_ADMIN = new Set([
  'tenant',
  'cloud',
  'serviceenginegroup',
  'network',
  'vrfcontext',
  'applicationprofile',
  'networkprofile',
  'healthmonitor',
  'ipamdnsproviderprofile',
  'sslprofile',
  'analyticsprofile',
  'applicationpersistenceprofile',
  'pkiprofile',
  'errorpageprofile',
  'errorpagebody',
  'protocolparser',
  'stringgroup',
  'wafpolicy',
  'wafprofile',
  'wafcrs',
]);

/** Names of these are unique per cloud, not per tenant (each cloud has its own `global` VRF). */
const CLOUD_SCOPED = new Set(['vrfcontext', 'network', 'serviceenginegroup']);

export function isKnownType(type: string): boolean {
  return type in MODEL_NAMES || type in LENIENT_TYPES;
}

export function allTypes(): string[] {
  return [...Object.keys(MODEL_NAMES), ...Object.keys(LENIENT_TYPES)].sort();
}

/** The controller's model name (used in its messages), e.g. `VsVip` for `vsvip`. */
export function modelName(type: string): string {
  return MODEL_NAMES[type] ?? LENIENT_TYPES[type] ?? type;
}

/** Swagger definition for a type, or undefined for leniently stored types. */
export function definitionOf(type: string): DefinitionSpec | undefined {
  const model = MODEL_NAMES[type];
  return model ? DEFINITIONS[model] : undefined;
}

export function isSharedFromAdmin(type: string): boolean {
  return SHARED_FROM_ADMIN.has(type);
}

export function isCloudScoped(type: string): boolean {
  return CLOUD_SCOPED.has(type);
}

export function hasField(type: string, field: string): boolean {
  const def = definitionOf(type);
  return def ? field in def.p : true;
}
