import { describe, expect, it } from 'vitest';
import { buildModels, buildStaticRoutes, routeId, routeIdPrefix } from '../../shared/model/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import * as f from './fixtures.ts';
import { body, object } from './helpers.ts';

const nsd = [f.ns('default', { app: 'migrate' })];
const ing = f.ingress('default', 'i', [{ host: 'foo.com', paths: [{ path: '/foo', service: 'avisvc', port: 8080 }] }]);
const poolOf = (inst: ReturnType<typeof f.primary>, objs: KubeObject[]) => {
  const s = buildModels(inst, f.view(nsd, [f.aviClass(), ing, ...objs]));
  return body(object(s.models[0]!, 'pool', 'cluster--foo.com_foo-default-i'));
};

describe('pool servers — ClusterIP (EndpointSlices)', () => {
  it('ready/terminating → enabled; missing ready counts as not ready; server_node from nodeName; dedup', () => {
    const sl = f.slice('default', 'avisvc', [
      { ip: '10.0.0.1', ready: true, node: 'n1' },
      { ip: '10.0.0.2', ready: false },
      { ip: '10.0.0.3', ready: true, terminating: true },
      { ip: '10.0.0.1', ready: true, node: 'n1' },
    ]);
    (sl.endpoints as { conditions: object }[]).push({ addresses: ['10.0.0.4'], conditions: {} } as never);
    const pool = poolOf(f.primary(), [f.service('default', 'avisvc'), sl]);
    expect(pool.servers).toEqual([
      {
        ip: { addr: '10.0.0.1', type: 'V4' },
        port: 8080,
        external_uuid: '10.0.0.1:8080',
        enabled: true,
        server_node: 'n1',
      },
      { ip: { addr: '10.0.0.2', type: 'V4' }, port: 8080, external_uuid: '10.0.0.2:8080', enabled: false },
      { ip: { addr: '10.0.0.3', type: 'V4' }, port: 8080, external_uuid: '10.0.0.3:8080', enabled: false },
      { ip: { addr: '10.0.0.4', type: 'V4' }, port: 8080, external_uuid: '10.0.0.4:8080', enabled: false },
    ]);
  });

  it('slice port matched by name or by targetPort number; the endpoint port becomes the server port', () => {
    const svc = f.service('default', 'avisvc', [
      { port: 8080, name: 'web', targetPort: 9000 },
      { port: 9090, name: 'admin', targetPort: 9100 },
    ]);
    const byName = f.slice(
      'default',
      'avisvc',
      ['10.0.0.1'],
      [
        { port: 9000, name: 'web' },
        { port: 9100, name: 'admin' },
      ],
      's1',
    );
    expect(poolOf(f.primary(), [svc, byName]).servers[0].port).toBe(9000);
    const byNumber = f.slice('default', 'avisvc', ['10.0.0.1'], [{ port: 9000 }, { port: 9100 }], 's2');
    expect(poolOf(f.primary(), [svc, byNumber]).servers[0].port).toBe(9000);
    const other = f.slice('default', 'avisvc', ['10.0.0.1'], [{ port: 1 }, { port: 2 }], 's3');
    expect(poolOf(f.primary(), [svc, other]).servers).toEqual([]);
  });

  it('an ingress backend on a LoadBalancer service gets no servers in ClusterIP mode', () => {
    const svc = f.service('default', 'avisvc', undefined, { type: 'LoadBalancer' });
    expect(
      poolOf(f.primary({ 'L4Settings.defaultLBController': false }), [svc, f.slice('default', 'avisvc', ['1.1.1.1'])])
        .servers,
    ).toEqual([]);
  });
});

describe('pool servers — NodePort', () => {
  const nodes = [
    f.node('n1', '192.168.0.1', undefined, { labels: { pool: 'edge' } }),
    f.node('n2', '192.168.0.2'),
    f.node('n3', '192.168.0.3', undefined, {
      annotations: { 'projectcalico.org/IPv4Address': '172.16.0.3/24' },
      labels: { pool: 'edge' },
    }),
  ];
  const svc = (extra: Record<string, unknown> = {}) =>
    f.service('default', 'avisvc', [{ port: 8080, name: 'foo0', targetPort: 8080, nodePort: 30080 }], {
      type: 'NodePort',
      ...extra,
    });

  it('nodePort on every node', () => {
    const pool = poolOf(f.primary({ 'L7Settings.serviceType': 'NodePort' }), [svc(), ...nodes]);
    expect(pool.servers).toEqual([
      { ip: { addr: '192.168.0.1', type: 'V4' }, port: 30080 },
      { ip: { addr: '192.168.0.2', type: 'V4' }, port: 30080 },
      { ip: { addr: '192.168.0.3', type: 'V4' }, port: 30080 },
    ]);
  });

  it('nodePortSelector nodes only; Calico address annotation', () => {
    const pool = poolOf(
      f.primary({
        'L7Settings.serviceType': 'NodePort',
        'nodePortSelector.key': 'pool',
        'nodePortSelector.value': 'edge',
        'AKOSettings.cniPlugin': 'calico',
      }),
      [svc(), ...nodes],
    );
    expect(pool.servers.map((s: { ip: { addr: string } }) => s.ip.addr)).toEqual(['192.168.0.1', '172.16.0.3']);
  });

  it('externalTrafficPolicy Local: only nodes hosting an endpoint; ClusterIP services get none', () => {
    const sl = f.slice('default', 'avisvc', [{ ip: '10.0.0.1', node: 'n2' }]);
    const pool = poolOf(f.primary({ 'L7Settings.serviceType': 'NodePort' }), [
      svc({ externalTrafficPolicy: 'Local' }),
      sl,
      ...nodes,
    ]);
    expect(pool.servers).toEqual([{ ip: { addr: '192.168.0.2', type: 'V4' }, port: 30080 }]);
    expect(
      poolOf(f.primary({ 'L7Settings.serviceType': 'NodePort' }), [f.service('default', 'avisvc'), ...nodes]).servers,
    ).toEqual([]);
  });
});

describe('pool servers — NodePortLocal', () => {
  const pod = (name: string, ann: string | undefined, ready = 'True'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      ...(ann ? { annotations: { 'nodeportlocal.antrea.io': ann } } : {}),
    },
    spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { conditions: [{ type: 'Ready', status: ready }] },
  });
  const svc = f.service('default', 'avisvc', [{ port: 8080, name: 'foo0', targetPort: 'http' }], {
    selector: { app: 'web' },
  });
  const inst = f.primary({ 'L7Settings.serviceType': 'NodePortLocal', 'AKOSettings.cniPlugin': 'antrea' });

  it('one server per annotation entry whose podPort is the (named) target port; not-ready pods skipped', () => {
    const pool = poolOf(inst, [
      svc,
      pod(
        'p1',
        JSON.stringify([
          { podPort: 8080, nodeIP: '10.102.47.229', nodePort: 40002 },
          { podPort: 9999, nodeIP: '10.102.47.229', nodePort: 40003 },
        ]),
      ),
      pod('p2', JSON.stringify([{ podPort: 8080, nodeIP: '10.102.47.230', nodePort: 40001 }]), 'False'),
    ]);
    expect(pool.servers).toEqual([{ ip: { addr: '10.102.47.229', type: 'V4' }, port: 40002, enabled: true }]);
  });

  it('a malformed annotation is reported on the Pod', () => {
    const s = buildModels(inst, f.view(nsd, [f.aviClass(), ing, svc, pod('p1', 'not json')]));
    expect(s.skipped).toContainEqual(
      expect.objectContaining({ kind: 'Pod', name: 'p1', field: 'metadata.annotations["nodeportlocal.antrea.io"]' }),
    );
  });
});

describe('static routes (primary only)', () => {
  const inst = f.primary();
  const routes = (objs: KubeObject[], i = inst) => buildStaticRoutes(i, f.view([], objs));

  it('TestNodeAdd: one route per pod CIDR, next hop = InternalIP, clustername label, route_id <cluster>-<id>-<i>', () => {
    const r = routes([f.node('testNode1', '10.1.1.2', '10.244.0.0/24')]);
    expect(r.routes).toEqual([
      {
        route_id: `cluster-${routeIdPrefix('cluster', 'testNode1')}-0`,
        prefix: { ip_addr: { addr: '10.244.0.0', type: 'V4' }, mask: 24 },
        next_hop: { addr: '10.1.1.2', type: 'V4' },
        labels: [{ key: 'clustername', value: 'cluster' }],
      },
    ]);
    expect(r.routes[0]!.route_id).toMatch(
      /^cluster-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-0$/,
    );
  });

  it('route_id is stable across restarts and podCIDR updates, distinct per node and per cluster', () => {
    expect(routeId('cluster', 'n1', 0)).toBe(routeId('cluster', 'n1', 0));
    const a = routes([f.node('testNode1', '10.1.1.2', '10.244.0.0/24')]).routes[0]!.route_id;
    const b = routes([f.node('testNode1', '10.1.1.2', '10.245.0.0/24')]).routes[0]!.route_id;
    expect(a).toBe(b);
    expect(routeIdPrefix('cluster', 'n1')).not.toBe(routeIdPrefix('cluster', 'n2'));
    expect(routeIdPrefix('cluster', 'n1')).not.toBe(routeIdPrefix('cluster2', 'n1'));
  });

  it('TestMultiNodeAdd: two nodes, each with its own id and correct prefix ↔ next hop', () => {
    const r = routes([
      f.node('testNode6', '10.1.1.6', '10.244.6.0/24'),
      f.node('testNode5', '10.1.1.5', '10.244.5.0/24'),
    ]);
    expect(r.routes.map((x) => [x.route_id.endsWith('-0'), x.prefix.ip_addr.addr, x.next_hop.addr])).toEqual([
      [true, '10.244.5.0', '10.1.1.5'],
      [true, '10.244.6.0', '10.1.1.6'],
    ]);
    expect(r.routes[0]!.route_id).not.toBe(r.routes[1]!.route_id);
  });

  it('TestNodeCIDRInAnnotation: annotation wins (whitespace, trailing comma); else spec.podCIDR', () => {
    const n = f.node('n', '10.1.1.2', '10.244.0.0/24', {
      annotations: { 'ako.vmware.com/pod-cidrs': '192.168.1.0/24, 192.168.2.0/24 ,' },
    });
    const r = routes([n]);
    expect(r.routes.map((x) => [x.prefix.ip_addr.addr, x.route_id.slice(-2)])).toEqual([
      ['192.168.1.0', '-0'],
      ['192.168.2.0', '-1'],
    ]);
    const bad = routes([
      f.node('n', '10.1.1.2', undefined, { annotations: { 'ako.vmware.com/pod-cidrs': '192.168.1.0' } }),
    ]);
    expect(bad.routes).toEqual([]);
    expect(bad.skipped[0]).toMatchObject({
      kind: 'Node',
      name: 'n',
      field: 'metadata.annotations["ako.vmware.com/pod-cidrs"]',
    });
  });

  it('TestNodeAddNoPodCIDR: no routes', () => {
    expect(routes([f.node('n', '10.1.1.2')]).routes).toEqual([]);
  });

  it('Calico BlockAffinity + address annotation; Cilium; OVN; OpenShift HostSubnet', () => {
    const calico = f.primary({ 'AKOSettings.cniPlugin': 'calico' });
    const ba = (n: string, cidr: string, name: string): KubeObject => ({
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'BlockAffinity',
      metadata: { name },
      spec: { node: n, cidr, state: 'confirmed' },
    });
    const w2 = f.node('worker-2', '10.10.10.99', undefined, {
      annotations: { 'projectcalico.org/IPv4Address': '10.10.10.12/24' },
    });
    const r = routes([w2, ba('worker-2', '192.168.29.64/26', 'b1'), ba('worker-2', '192.168.29.128/26', 'b2')], calico);
    expect(r.routes.map((x) => `${x.prefix.ip_addr.addr}/${x.prefix.mask} via ${x.next_hop.addr}`)).toEqual([
      '192.168.29.64/26 via 10.10.10.12',
      '192.168.29.128/26 via 10.10.10.12',
    ]);
    const cilium = routes(
      [
        f.node('c1', '10.0.0.1'),
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumNode',
          metadata: { name: 'c1' },
          spec: { ipam: { podCIDRs: ['10.8.0.0/24'] } },
        },
      ],
      f.primary({ 'AKOSettings.cniPlugin': 'cilium' }),
    );
    expect(cilium.routes[0]?.prefix.ip_addr.addr).toBe('10.8.0.0');
    const ovn = routes(
      [
        f.node('o1', '10.0.0.1', undefined, {
          annotations: { 'k8s.ovn.org/node-subnets': '{"default":"10.128.0.0/23"}' },
        }),
      ],
      f.primary({ 'AKOSettings.cniPlugin': 'ovn-kubernetes' }),
    );
    expect(ovn.routes[0]?.prefix).toEqual({ ip_addr: { addr: '10.128.0.0', type: 'V4' }, mask: 23 });
    const hs = routes(
      [
        f.node('h1', '10.0.0.1'),
        {
          apiVersion: 'network.openshift.io/v1',
          kind: 'HostSubnet',
          metadata: { name: 'h1' },
          host: 'h1',
          subnet: '10.129.0.0/23',
        },
      ],
      f.primary({ 'AKOSettings.cniPlugin': 'openshift' }),
    );
    expect(hs.routes[0]?.prefix.ip_addr.addr).toBe('10.129.0.0');
  });

  it('non-primary, NodePort mode and disableStaticRouteSync produce no routes', () => {
    const n = [f.node('n', '10.1.1.2', '10.244.0.0/24')];
    expect(routes(n, f.blue()).routes).toEqual([]);
    expect(routes(n, f.primary({ 'L7Settings.serviceType': 'NodePort' })).routes).toEqual([]);
    expect(routes(n, f.primary({ 'AKOSettings.disableStaticRouteSync': true })).routes).toEqual([]);
  });

  it('a duplicated prefix is skipped on the later node, the others keep their routes', () => {
    const r = routes([
      f.node('a', '10.0.0.1', '10.244.0.0/24'),
      f.node('b', '10.0.0.2', '10.244.0.0/24'),
      f.node('c', '10.0.0.3', '10.244.3.0/24'),
    ]);
    expect(r.routes.map((x) => x.next_hop.addr)).toEqual(['10.0.0.1', '10.0.0.3']);
    expect(r.skipped).toEqual([expect.objectContaining({ kind: 'Node', name: 'b' })]);
  });
});
