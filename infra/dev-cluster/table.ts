import { customColumn, type PrinterColumn } from './columns.ts';
import type { KObj } from './store.ts';

/** Server-side printing (`Accept: ...;as=Table;g=meta.k8s.io`), the columns `kubectl get` shows. */
export interface Column {
  name: string;
  type: string;
  format?: string;
  cell: (o: KObj) => string | number;
}

export function age(o: KObj): string {
  return ageOf(o.metadata.creationTimestamp);
}

/** `kubectl get`'s age of a timestamp (`45s`, `3m`, `2h`, `4d`). */
export function ageOf(timestamp: unknown): string {
  const ts = Date.parse(String(timestamp ?? ''));
  if (Number.isNaN(ts)) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - ts) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const lbAddresses = (o: KObj): string => {
  const ing = (o.status?.loadBalancer?.ingress ?? []) as { ip?: string; hostname?: string }[];
  const addrs = [...new Set(ing.map((i) => i.ip ?? i.hostname ?? '').filter(Boolean))];
  return addrs.join(',');
};

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
const AGE: Column = { name: 'Age', type: 'string', cell: age };

const COLUMNS: Record<string, Column[]> = {
  Namespace: [NAME, { name: 'Status', type: 'string', cell: (o) => o.status?.phase ?? 'Active' }, AGE],
  Service: [
    NAME,
    { name: 'Type', type: 'string', cell: (o) => o.spec?.type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', cell: (o) => o.spec?.clusterIP ?? '<none>' },
    {
      name: 'External-IP',
      type: 'string',
      cell: (o) => lbAddresses(o) || (o.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>'),
    },
    {
      name: 'Port(s)',
      type: 'string',
      cell: (o) =>
        ((o.spec?.ports ?? []) as { port: number; nodePort?: number; protocol?: string }[])
          .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
          .join(',') || '<none>',
    },
    AGE,
  ],
  Ingress: [
    NAME,
    { name: 'Class', type: 'string', cell: (o) => o.spec?.ingressClassName ?? '<none>' },
    {
      name: 'Hosts',
      type: 'string',
      cell: (o) => ((o.spec?.rules ?? []) as { host?: string }[]).map((r) => r.host ?? '*').join(',') || '*',
    },
    { name: 'Address', type: 'string', cell: lbAddresses },
    { name: 'Ports', type: 'string', cell: (o) => ((o.spec?.tls ?? []).length ? '80, 443' : '80') },
    AGE,
  ],
  Route: [
    NAME,
    { name: 'Host', type: 'string', cell: (o) => o.spec?.host ?? '' },
    { name: 'Path', type: 'string', cell: (o) => o.spec?.path ?? '' },
    { name: 'Services', type: 'string', cell: (o) => o.spec?.to?.name ?? '' },
    {
      name: 'Admitted',
      type: 'string',
      cell: (o) => ((o.status?.ingress ?? []) as { routerName?: string }[]).map((i) => i.routerName).join(','),
    },
    AGE,
  ],
  Secret: [
    NAME,
    { name: 'Type', type: 'string', cell: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys(o.data ?? {}).length },
    AGE,
  ],
  Node: [
    NAME,
    {
      name: 'Internal-IP',
      type: 'string',
      cell: (o) =>
        ((o.status?.addresses ?? []) as { type: string; address: string }[]).find((a) => a.type === 'InternalIP')
          ?.address ?? '<none>',
    },
    { name: 'Pod-CIDR', type: 'string', cell: (o) => o.spec?.podCIDR ?? '<none>' },
    AGE,
  ],
  IngressClass: [NAME, { name: 'Controller', type: 'string', cell: (o) => o.spec?.controller ?? '' }, AGE],
  EndpointSlice: [
    NAME,
    { name: 'AddressType', type: 'string', cell: (o) => o.addressType ?? '' },
    {
      name: 'Endpoints',
      type: 'string',
      cell: (o) =>
        ((o.endpoints ?? []) as { addresses?: string[] }[]).flatMap((e) => e.addresses ?? []).join(',') || '<unset>',
    },
    AGE,
  ],
  Event: [
    { name: 'Type', type: 'string', cell: (o) => o.type ?? '' },
    { name: 'Reason', type: 'string', cell: (o) => o.reason ?? '' },
    {
      name: 'Object',
      type: 'string',
      cell: (o) => {
        const r = o.regarding ?? o.involvedObject ?? {};
        return `${String(r.kind ?? '').toLowerCase()}/${r.name ?? ''}`;
      },
    },
    { name: 'Message', type: 'string', cell: (o) => o.note ?? o.message ?? '' },
    NAME,
  ],
};

export function toTable(
  kind: string,
  objects: KObj[],
  resourceVersion: string,
  includeObject: string,
  printerColumns?: PrinterColumn[],
): unknown {
  const cols = printerColumns ? [NAME, ...printerColumns.map(customColumn)] : (COLUMNS[kind] ?? [NAME, AGE]);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.name,
      priority: 0,
    })),
    rows: objects.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      object:
        includeObject === 'Object'
          ? o
          : includeObject === 'None'
            ? undefined
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
