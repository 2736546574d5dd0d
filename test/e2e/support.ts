import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTerminalSink } from '../../infra/local/log/terminal-sink.ts';
import { type Runtime, type RuntimeOptions, startRuntime } from '../../infra/local/runtime.ts';
import { createLogger, type Logger, silentLogger } from '../../shared/log.ts';
import { parseRegistry } from '../../shared/registry/index.ts';

/** The seed's two instances: primary in avi-system (app=migrate), non-primary in blue (key=value2). */
export const SEED_REGISTRY = `
instances:
  - namespace: avi-system
    set:
      AKOSettings.clusterName: demo
      AKOSettings.primaryInstance: true
      AKOSettings.namespaceSelector.labelKey: app
      AKOSettings.namespaceSelector.labelValue: migrate
  - namespace: blue
    set:
      AKOSettings.clusterName: demo
      AKOSettings.primaryInstance: false
      AKOSettings.namespaceSelector.labelKey: key
      AKOSettings.namespaceSelector.labelValue: value2
`;

export async function startTestRuntime(
  registryText = SEED_REGISTRY,
  extra: Partial<RuntimeOptions> = {},
): Promise<Runtime> {
  return startRuntime({
    registry: parseRegistry(registryText, { baseDir: process.cwd() }),
    stateDir: mkdtempSync(join(tmpdir(), 'ako-rt-')),
    logger: silentLogger,
    sweeps: false,
    queue: { backoffMs: () => 20, maxReceiveCount: 5 },
    ...extra,
  });
}

export function namespace(name: string, labels: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function service(ns: string, name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  };
}

export function endpointSlice(ns: string, service: string, ips: string[]) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `${service}-slice`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName: 'node-1' })),
  };
}

export function ingress(ns: string, name: string, host: string, svc: string) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: ns, name },
    spec: {
      rules: [
        {
          host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } }],
          },
        },
      ],
    },
  };
}

export function node(name: string, ip: string, podCidr: string) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: { podCIDR: podCidr, podCIDRs: [podCidr] },
    status: { addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

type Obj = Record<string, unknown>;
export const byName = (objects: Obj[], name: string) => objects.find((o) => o.name === name);
export const names = (objects: Obj[]) => objects.map((o) => String(o.name)).sort();

/** The terminal `start` prints, captured: a logger feeding the same sink (at INFO), and the lines it wrote. */
export function terminalCapture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = createTerminalSink({ levelOf: () => 'INFO', write: (t) => lines.push(t), repeatWindowMs: 600_000 });
  return { logger: createLogger({}, { level: 'debug', write: (_l, entry) => sink.entry(entry) }), lines };
}
