import type { AviRefs } from '../../shared/model/crd-refs.ts';
import type { CloudFacts, KubeObject } from '../../shared/model/types.ts';

let stamp = 0;
/** Creation timestamps in creation order (the older of two CRs claiming one FQDN keeps it). */
function created(): string {
  stamp++;
  return new Date(Date.UTC(2026, 0, 1, 0, 0, stamp)).toISOString();
}

// biome-ignore lint/suspicious/noExplicitAny: CR specs are free-form in tests
export function hostRule(namespace: string, name: string, virtualhost: Record<string, any>): KubeObject {
  return {
    apiVersion: 'ako.vmware.com/v1beta1',
    kind: 'HostRule',
    metadata: { name, namespace, creationTimestamp: created() },
    spec: { virtualhost },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: CR specs are free-form in tests
export function httpRule(namespace: string, name: string, fqdn: string, paths: Record<string, any>[]): KubeObject {
  return {
    apiVersion: 'ako.vmware.com/v1beta1',
    kind: 'HTTPRule',
    metadata: { name, namespace, creationTimestamp: created() },
    spec: { fqdn, paths },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: CR specs are free-form in tests
export function infraSetting(name: string, spec: Record<string, any>): KubeObject {
  return {
    apiVersion: 'ako.vmware.com/v1beta1',
    kind: 'AviInfraSetting',
    metadata: { name, creationTimestamp: created() },
    spec,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: CR specs are free-form in tests
export function l4Rule(namespace: string, name: string, spec: Record<string, any>): KubeObject {
  return {
    apiVersion: 'ako.vmware.com/v1alpha2',
    kind: 'L4Rule',
    metadata: { name, namespace, creationTimestamp: created() },
    spec,
  };
}

/** An IngressClass of the avi-lb controller whose parameters name an AviInfraSetting. */
export function infraClass(name: string, setting: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name },
    spec: {
      controller: 'ako.vmware.com/avi-lb',
      parameters: { apiGroup: 'ako.vmware.com', kind: 'AviInfraSetting', name: setting },
    },
  };
}

/** The Avi objects AKO's integration tests use (tests/avimockobjects/crd_mock.json: `thisisaviref-*`). */
export function refs(extra: Partial<Record<keyof AviRefs, string[]>> = {}): AviRefs {
  const base: Record<string, string[]> = {
    wafpolicy: ['thisisaviref-waf'],
    applicationprofile: ['thisisaviref-appprof'],
    analyticsprofile: ['thisisaviref-analyticsprof'],
    errorpageprofile: ['thisisaviref-errorprof'],
    sslprofile: ['thisisaviref-sslprof', 'System-Standard'],
    sslkeyandcertificate: ['thisisaviref-sslkey'],
    httppolicyset: ['thisisaviref-httpps1', 'thisisaviref-httpps2'],
    vsdatascriptset: ['thisisaviref-ds1', 'thisisaviref-ds2'],
    healthmonitor: ['thisisaviref-hm1', 'thisisaviref-hm2', 'System-TCP'],
    applicationpersistenceprofile: ['thisisaviref-persistence'],
    pkiprofile: ['thisisaviref-pki'],
    serviceenginegroup: ['thisisaviref-seGroup', 'Default-Group'],
    network: ['thisisaviref-networkName', 'net123'],
    icapprofile: ['thisisaviref-icapprof'],
    networkprofile: ['System-TCP-Proxy'],
  };
  const out: AviRefs = {};
  for (const [k, v] of Object.entries({ ...base, ...extra })) (out as Record<string, Set<string>>)[k] = new Set(v);
  return out;
}

/** The AviInfraSetting of AKO's ingressclass tests: its SE group and VIP network, and a shard size. */
export const SETTING = 'my-infrasetting';

/** Controller facts in which the setting's SE group and network exist. */
export const infraFacts: CloudFacts = {
  dnsSubdomains: [],
  aviRefs: refs({
    serviceenginegroup: ['Default-Group', `thisisaviref-${SETTING}-seGroup`],
    network: ['net123', 'thisisaviref-networkName'],
  }),
};

// biome-ignore lint/suspicious/noExplicitAny: CR specs are free-form in tests
export function shardSetting(shardSize = 'SMALL', extra: Record<string, any> = {}): KubeObject {
  return infraSetting(SETTING, {
    seGroup: { name: `thisisaviref-${SETTING}-seGroup` },
    network: { vipNetworks: [{ networkName: 'thisisaviref-networkName', cidr: '10.10.10.0/24' }] },
    l7Settings: { shardSize },
    ...extra,
  });
}
