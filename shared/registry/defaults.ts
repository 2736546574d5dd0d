// The subset of AKO's Helm chart defaults (helm/ako/values.yaml) that the product reads.
import type { Values } from './helm.ts';

export const DEFAULT_AKO_NAMESPACE = 'avi-system';

export function akoDefaults(): Values {
  return {
    AKOSettings: {
      primaryInstance: true,
      clusterName: 'my-cluster',
      namespaceSelector: { labelKey: '', labelValue: '' },
      blockedNamespaceList: [],
      cniPlugin: '',
      layer7Only: false,
      disableStaticRouteSync: 'false',
      deleteConfig: 'false',
      fullSyncFrequency: '1800',
    },
    L7Settings: {
      serviceType: 'ClusterIP',
      shardVSSize: 'LARGE',
      passthroughShardSize: 'SMALL',
      defaultIngController: 'true',
    },
    L4Settings: {
      defaultLBController: true,
      autoFQDN: 'default',
      defaultDomain: '',
    },
    ControllerSettings: {
      controllerHost: '',
      controllerVersion: '',
      cloudName: 'Default-Cloud',
      serviceEngineGroupName: 'Default-Group',
      tenantName: 'admin',
      vrfName: '',
    },
    NetworkSettings: {
      vipNetworkList: [],
      nodeNetworkList: [],
      defaultDomain: '',
    },
    nodePortSelector: { key: '', value: '' },
    avicredentials: {
      username: '',
      password: '',
      authtoken: '',
      certificateAuthorityData: '',
    },
  };
}

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'NodePortLocal'] as const;
export const SHARD_SIZES = ['LARGE', 'MEDIUM', 'SMALL', 'DEDICATED'] as const;
export const PASSTHROUGH_SHARD_SIZES = ['LARGE', 'MEDIUM', 'SMALL'] as const;
export const AUTO_FQDN = ['default', 'flat', 'disabled'] as const;
export const IP_FAMILIES = ['V4', 'V6', 'V4_V6'] as const;
export const AKO_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export const CNI_PLUGINS = [
  '',
  'calico',
  'canal',
  'flannel',
  'openshift',
  'antrea',
  'ncp',
  'ovn-kubernetes',
  'cilium',
] as const;

export const CLUSTER_NAME_RE = /^[a-zA-Z0-9-_]+$/;
