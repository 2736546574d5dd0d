import type { ClusterView, KubeObject } from '../../shared/model/types.ts';
import { resolveInstance } from '../../shared/registry/index.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';

/** An instance as `helm install -n <ns> --set ...` describes it (registry defaults apply). */
export function instance(opts: {
  cluster?: string;
  namespace?: string;
  primary?: boolean;
  set?: Record<string, unknown>;
}): InstanceConfig {
  const primary = opts.primary ?? true;
  return resolveInstance({
    namespace: opts.namespace ?? 'avi-system',
    set: {
      'AKOSettings.clusterName': opts.cluster ?? 'cluster',
      'AKOSettings.primaryInstance': primary,
      'L7Settings.shardVSSize': 'LARGE',
      'NetworkSettings.vipNetworkList': [{ networkName: 'net123' }],
      ...(primary
        ? { 'AKOSettings.namespaceSelector.labelKey': 'app', 'AKOSettings.namespaceSelector.labelValue': 'migrate' }
        : { 'AKOSettings.namespaceSelector.labelKey': 'key', 'AKOSettings.namespaceSelector.labelValue': 'value2' }),
      ...opts.set,
    },
  });
}

export const primary = (set?: Record<string, unknown>, cluster = 'cluster') => instance({ cluster, set });
export const blue = (set?: Record<string, unknown>, cluster = 'cluster') =>
  instance({ cluster, namespace: 'blue', primary: false, set });

export function ns(
  name: string,
  labels: Record<string, string> = {},
  annotations?: Record<string, string>,
): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, ...(annotations ? { annotations } : {}) } };
}

export function aviClass(isDefault = true): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name: 'avi-lb',
      annotations: { 'ingressclass.kubernetes.io/is-default-class': String(isDefault) },
    },
    spec: { controller: 'ako.vmware.com/avi-lb' },
  };
}

export interface PathSpec {
  path?: string;
  pathType?: string;
  service: string;
  port?: number;
  portName?: string;
}

export function ingress(
  namespace: string,
  name: string,
  rules: { host?: string; paths: PathSpec[] }[],
  opts: {
    tls?: { hosts: string[]; secretName: string }[];
    className?: string;
    annotations?: Record<string, string>;
  } = {},
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: {
      ...(opts.className ? { ingressClassName: opts.className } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
      rules: rules.map((r) => ({
        ...(r.host !== undefined ? { host: r.host } : {}),
        http: {
          paths: r.paths.map((p) => ({
            ...(p.path !== undefined ? { path: p.path } : {}),
            pathType: p.pathType ?? 'Prefix',
            backend: {
              service: { name: p.service, port: p.portName ? { name: p.portName } : { number: p.port ?? 8080 } },
            },
          })),
        },
      })),
    },
  };
}

export function service(
  namespace: string,
  name: string,
  ports: { port: number; name?: string; targetPort?: number | string; protocol?: string; nodePort?: number }[] = [
    { port: 8080, name: 'foo0', targetPort: 8080 },
  ],
  extra: Record<string, unknown> = {},
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec: { type: 'ClusterIP', ports: ports.map((p) => ({ protocol: 'TCP', ...p })), ...extra },
  };
}

export function slice(
  namespace: string,
  svc: string,
  addrs: (string | { ip: string; ready?: boolean; terminating?: boolean; node?: string })[],
  ports: { port: number; name?: string }[] = [{ port: 8080, name: 'foo0' }],
  name = `${svc}-abcde`,
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
    endpoints: addrs.map((a) => {
      const e = typeof a === 'string' ? { ip: a } : a;
      return {
        addresses: [e.ip],
        conditions: { ready: e.ready ?? true, ...(e.terminating !== undefined ? { terminating: e.terminating } : {}) },
        ...(e.node ? { nodeName: e.node } : {}),
      };
    }),
  };
}

export const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
export const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n';

export function tlsSecret(namespace: string, name: string, cert = CERT_PEM, key = KEY_PEM): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace },
    data: {
      'tls.crt': Buffer.from(cert).toString('base64'),
      'tls.key': Buffer.from(key).toString('base64'),
    },
  };
}

export function node(
  name: string,
  ip: string,
  podCIDR?: string,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...extra },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
    },
  };
}

export function view(namespaces: KubeObject[], objects: KubeObject[]): ClusterView {
  return { namespaces, objects };
}

/** The standard AKO test backend: Service avisvc (8080, name foo0) with endpoint 1.1.1.1:8080. */
export function avisvc(namespace: string, addr = '1.1.1.1', name = 'avisvc'): KubeObject[] {
  return [service(namespace, name), slice(namespace, name, [addr])];
}
