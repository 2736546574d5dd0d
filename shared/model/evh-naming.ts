import type { InstanceConfig } from '../registry/types.ts';
import {
  akoIdPrefix,
  evhEncode,
  type InfraScoped,
  namePrefix,
  objectPrefix,
  pathPart,
  shardCount,
  shardNumber,
} from './naming.ts';

// EVH names: every per-host name goes through AKO's `Encode` (lib.go); parent shard VSes (and their VsVip)
// keep readable names (docs/ako_evh.md).

type Scoped = Pick<InstanceConfig, 'clusterName'> & InfraScoped;
type NamingInstance = Pick<InstanceConfig, 'clusterName' | 'primary' | 'namespace'> & InfraScoped;

/** True when the instance runs AKO's enhanced virtual hosting. */
export function evhEnabled(instance: { l7?: { enableEVH?: boolean } }): boolean {
  return instance.l7?.enableEVH === true;
}

/** EVH parent: `<cluster>--<akoNs->Shared-L7-EVH-<infra->n` (avi_model_evh_nodes.go DeriveShardVSForEvh). */
export function evhParentNameForShard(instance: NamingInstance, shard: number): string {
  const infra = instance.infraSetting ? `${instance.infraSetting}-` : '';
  return `${namePrefix(instance)}${akoIdPrefix(instance)}Shared-L7-EVH-${infra}${shard}`;
}

export function evhParentName(instance: NamingInstance, host: string, shardSize: string): string {
  return evhParentNameForShard(instance, shardNumber(host, shardCount(shardSize)));
}

/** EVH dedicated VS: `Encode(<cluster>--<infra->host-L7-dedicated) + "-EVH"` (avi_model_evh_nodes.go GetDedicatedVSName). */
export function evhDedicatedName(instance: Scoped, host: string): string {
  return `${evhEncode(instance, `${objectPrefix(instance)}${host}-L7-dedicated`)}-EVH`;
}

/** EVH child VS of a host: `Encode(<cluster>--<infra->host)` (lib.go GetEvhNodeName). */
export function evhChildName(instance: Scoped, host: string): string {
  return evhEncode(instance, `${objectPrefix(instance)}${host}`);
}

/** EVH certificate of a host: `Encode(<cluster>--<infra->host)` (lib.go GetTLSKeyCertNodeName). */
export function evhCertName(instance: Scoped, host: string): string {
  return evhEncode(instance, `${objectPrefix(instance)}${host}`);
}

/** EVH CA certificate: `Encode(<cluster>--<infra->host-cacert)` (lib.go GetCACertNodeName). */
export function evhCaCertName(instance: Scoped, host: string): string {
  return evhEncode(instance, `${objectPrefix(instance)}${host}-cacert`);
}

/** Unhashed EVH pool name: `<cluster>--<infra->ns-host<path_>-ing-svc` (lib.go GetEvhPoolNameNoEncoding). */
export function evhPoolNamePlain(
  instance: Scoped,
  namespace: string,
  host: string,
  path: string,
  objName: string,
  svc: string,
  dedicated = false,
): string {
  const name = `${objectPrefix(instance)}${namespace}-${host}${pathPart(path)}-${objName}-${svc}`;
  return dedicated ? `${name}-L7-dedicated` : name;
}

/** EVH pool: `Encode(<cluster>--<infra->ns-host<path_>-ing-svc)` (lib.go GetEvhPoolName). */
export function evhPoolName(
  instance: Scoped,
  namespace: string,
  host: string,
  path: string,
  objName: string,
  svc: string,
  dedicated = false,
): string {
  return evhEncode(instance, evhPoolNamePlain(instance, namespace, host, path, objName, svc, dedicated));
}

/** EVH pool group: `Encode(<cluster>--<infra->ns-host<path_>-ing)` (lib.go GetEvhPGName). */
export function evhPoolGroupName(
  instance: Scoped,
  namespace: string,
  host: string,
  path: string,
  objName: string,
  dedicated = false,
): string {
  const name = `${objectPrefix(instance)}${namespace}-${host}${pathPart(path)}-${objName}`;
  return evhEncode(instance, dedicated ? `${name}-L7-dedicated` : name);
}

/** EVH HTTP policy set per namespace and host: `Encode(<cluster>--<infra->ns-host)` (lib.go GetSniHttpPolName). */
export function evhHttpPolicySetName(instance: Scoped, namespace: string, host: string): string {
  return evhEncode(instance, `${objectPrefix(instance)}${namespace}-${host}`);
}

/** PKI profile of an EVH pool: `Encode(<pool>-pkiprofile)` (lib.go GetPoolPKIProfileName). */
export function evhPkiProfileName(instance: Scoped, poolName: string): string {
  return evhEncode(instance, `${poolName}-pkiprofile`);
}
