import { createHash } from 'node:crypto';
import type { InstanceConfig, PassthroughShardSize, ShardSize } from '../registry/types.ts';

/** Avi refuses names longer than this; AKO skips such objects rather than truncating. */
export const MAX_NAME_LENGTH = 255;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a 32-bit over the UTF-8 bytes of `s` (Go's hash/fnv New32a, as AKO's utils.Hash). */
export function fnv1a32(s: string): number {
  let h = FNV_OFFSET;
  // ASCII fast path: host names are almost always ASCII.
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) {
      ascii = false;
      break;
    }
    h = Math.imul(h ^ c, FNV_PRIME) >>> 0;
  }
  if (ascii) return h >>> 0;
  h = FNV_OFFSET;
  for (const b of utf8.encode(s)) h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
  return h >>> 0;
}

const SHARD_SIZES: Record<ShardSize, number> = { LARGE: 8, MEDIUM: 4, SMALL: 1, DEDICATED: 0 };

/** Number of shared VSes for a shard size; unknown values fall back to 1 like AKO's binary. */
export function shardCount(size: ShardSize | PassthroughShardSize | string): number {
  return (SHARD_SIZES as Record<string, number>)[size] ?? 1;
}

/** `Hash(host) & (n-1)`: the shard a host lands on (n = 1 always gives 0). */
export function shardNumber(host: string, n: number): number {
  if (n <= 1) return 0;
  return (fnv1a32(host) & (n - 1)) >>> 0;
}

/** `""` for the primary, `"<akoNs>-"` otherwise: only shared (and passthrough) VS names carry it. */
export function akoIdPrefix(instance: Pick<InstanceConfig, 'primary' | 'namespace'>): string {
  return instance.primary ? '' : `${instance.namespace}-`;
}

/** `<cluster>--` — identical for every instance of a cluster. */
export function namePrefix(instance: Pick<InstanceConfig, 'clusterName'>): string {
  return `${instance.clusterName}--`;
}

/**
 * An instance as the model names objects for one Ingress/Route: `infraSetting` is set when a cluster-scoped
 * AviInfraSetting applies (AKO puts `<infra>-` after `<cluster>--` in every per-host name).
 */
export interface InfraScoped {
  infraSetting?: string;
}

/** `<cluster>--` or `<cluster>--<infra>-` (AKO's per-host names: pools, SNI children, certs, policy sets). */
export function objectPrefix(instance: Pick<InstanceConfig, 'clusterName'> & InfraScoped): string {
  const infra = instance.infraSetting;
  return infra ? `${instance.clusterName}--${infra}-` : `${instance.clusterName}--`;
}

/** `""` or `"<infra>-"`: where shard names carry the AviInfraSetting (after `Shared-L7-`). */
function infraPart(instance: InfraScoped): string {
  return instance.infraSetting ? `${instance.infraSetting}-` : '';
}

/** `ako-<cluster>` (primary) / `ako-<cluster>-<akoNs>` (non-primary). */
export function createdBy(instance: Pick<InstanceConfig, 'clusterName' | 'primary' | 'namespace'>): string {
  return instance.primary ? `ako-${instance.clusterName}` : `ako-${instance.clusterName}-${instance.namespace}`;
}

type NamingInstance = Pick<InstanceConfig, 'clusterName' | 'primary' | 'namespace'> & InfraScoped;
type Scoped = Pick<InstanceConfig, 'clusterName'> & InfraScoped;

/** Shared L7 VS name for `host` (also its VsVip, shared PG, datascript and redirect policy). */
export function shardVsName(instance: NamingInstance, host: string, shardSize: ShardSize | string): string {
  return sharedVsNameForShard(instance, shardNumber(host, shardCount(shardSize)));
}

export function sharedVsNameForShard(instance: NamingInstance, shard: number): string {
  // dequeue_ingestion.go GetShardVSName: <cluster>--<akoNs->Shared-L7-<infra->n
  return `${namePrefix(instance)}${akoIdPrefix(instance)}Shared-L7-${infraPart(instance)}${shard}`;
}

/** Dedicated mode: `<cluster>--<host>-L7-dedicated` (no AKO namespace even for non-primary). */
export function dedicatedVsName(instance: Scoped, host: string): string {
  return `${objectPrefix(instance)}${host}-L7-dedicated`;
}

export function passthroughVsNameForShard(instance: NamingInstance, shard: number): string {
  // lib.go GetPassthroughShardVSName: <cluster>--<akoNs->Shared-Passthrough-<infra->n
  return `${namePrefix(instance)}${akoIdPrefix(instance)}Shared-Passthrough-${infraPart(instance)}${shard}`;
}

export function passthroughVsName(instance: NamingInstance, host: string, size: PassthroughShardSize | string): string {
  return passthroughVsNameForShard(instance, shardNumber(host, shardCount(size)));
}

/** `/foo/bar` → `_foo_bar` as in every AKO pool/PG name. */
export function pathPart(path: string): string {
  return path.replaceAll('/', '_');
}

/** Insecure pool on a shared VS: `<cluster>--<host><path_>-<ns>-<ing>[-<svc>]` (route pools carry the service). */
export function insecurePoolName(
  instance: Scoped,
  host: string,
  path: string,
  namespace: string,
  objName: string,
  serviceName?: string,
): string {
  const base = `${objectPrefix(instance)}${pathPart(host + path)}-${namespace}-${objName}`;
  return serviceName ? `${base}-${serviceName}` : base;
}

/** SNI child VS and its certificate: `<cluster>--<host>`. */
export function sniVsName(instance: Scoped, host: string): string {
  return `${objectPrefix(instance)}${host}`;
}

export function certName(instance: Scoped, host: string): string {
  return `${objectPrefix(instance)}${host}`;
}

export function caCertName(instance: Scoped, host: string): string {
  return `${objectPrefix(instance)}${host}-cacert`;
}

/** The AKO-namespace default certificate used by routes without their own key pair. */
export function routerDefaultCertName(instance: Pick<InstanceConfig, 'clusterName'>): string {
  return `${namePrefix(instance)}router-certs-default`;
}

/** Per namespace+host HTTP policy set on an SNI child (or dedicated VS): `<cluster>--<ns>-<host>`. */
export function sniHttpPolicySetName(instance: Scoped, namespace: string, host: string): string {
  return `${objectPrefix(instance)}${namespace}-${host}`;
}

/** SNI pool group: `<cluster>--<ns>-<host><path_>-<ing>`. */
export function sniPoolGroupName(
  instance: Scoped,
  namespace: string,
  host: string,
  path: string,
  objName: string,
): string {
  return `${objectPrefix(instance)}${namespace}-${pathPart(host + path)}-${objName}`;
}

/** SNI pool: the PG name, plus `-<svc>` for routes. */
export function sniPoolName(
  instance: Scoped,
  namespace: string,
  host: string,
  path: string,
  objName: string,
  serviceName?: string,
): string {
  const pg = sniPoolGroupName(instance, namespace, host, path, objName);
  return serviceName ? `${pg}-${serviceName}` : pg;
}

export function pkiProfileName(poolName: string): string {
  return `${poolName}-pkiprofile`;
}

/** Passthrough PG `<cluster>--<host>` and pool `<cluster>--<host>-<svc>`. */
export function passthroughPoolGroupName(instance: Scoped, host: string): string {
  return `${objectPrefix(instance)}${host}`;
}

export function passthroughPoolName(instance: Scoped, host: string, svc: string): string {
  return `${objectPrefix(instance)}${host}-${svc}`;
}

/**
 * EVH names (AKO's lib.go `Encode`): with EVH on, a name is replaced by `<cluster>--<sha1hex(name)>`, the
 * hashed string itself starting with `<cluster>--`.
 */
export function evhEncode(instance: Pick<InstanceConfig, 'clusterName'>, name: string): string {
  return `${namePrefix(instance)}${createHash('sha1').update(name, 'utf8').digest('hex')}`;
}

type L4Naming = Pick<InstanceConfig, 'clusterName'> & { l7?: { enableEVH?: boolean } };

/** `name`, hashed when the instance runs EVH (L4 names go through `Encode` too: lib.go GetL4VSName). */
function l4Encode(instance: L4Naming, name: string): string {
  return instance.l7?.enableEVH ? evhEncode(instance, name) : name;
}

/** L4 LoadBalancer VS, VsVip and L4 policy set: `<cluster>--<ns>-<svc>` (hashed in EVH mode). */
export function l4VsName(instance: L4Naming, namespace: string, svc: string): string {
  return l4Encode(instance, `${namePrefix(instance)}${namespace}-${svc}`);
}

/** L4 pool: `<cluster>--<ns>-<svc>-<PROTOCOL>-<port>` (hashed in EVH mode). */
export function l4PoolName(instance: L4Naming, namespace: string, svc: string, protocol: string, port: number): string {
  return l4Encode(instance, `${namePrefix(instance)}${namespace}-${svc}-${protocol}-${port}`);
}

/** AKO's model key `<tenant>/<vsName>`. */
export function modelName(tenant: string, vsName: string): string {
  return `${tenant}/${vsName}`;
}

export function splitModelName(name: string): { tenant: string; vsName: string } {
  const i = name.indexOf('/');
  return i < 0 ? { tenant: '', vsName: name } : { tenant: name.slice(0, i), vsName: name.slice(i + 1) };
}

/** Tenant with runs of characters outside `[A-Za-z0-9-]` collapsed to `-`, trimmed (AKO's FQDN rule). */
export function sanitizeTenant(tenant: string): string {
  return tenant
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Shared-VIP L4 pool: `<cluster>--<ns>-<svc>-<sharedVipKey>-<PROTOCOL>-<port>` (AKO's GetSvcApiL4PoolName). */
export function sharedVipPoolName(
  instance: Pick<InstanceConfig, 'clusterName'>,
  namespace: string,
  svc: string,
  key: string,
  protocol: string,
  port: number,
): string {
  return `${namePrefix(instance)}${namespace}-${svc}-${key}-${protocol}-${port}`;
}
