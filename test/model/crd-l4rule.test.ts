// L4Rule: fields and errors from AKO's internal/nodes/avi_model_l4_translator.go (getL4Rule, buildWithL4Rule,
// buildPoolWithL4Rule: refs as `/api/<type>?name=<name>`), internal/k8s/validator.go ValidateL4RuleObj /
// validateLBAlgorithm, and tests/integrationtest/l4_crd_test.go.
import { describe, expect, it } from 'vitest';
import { validateBody } from '../../infra/avi-sim/validation.ts';
import { buildCrStatuses, buildModels } from '../../shared/model/index.ts';
import type { CloudFacts, KubeObject } from '../../shared/model/types.ts';
import { l4Rule, refs } from './crd-fixtures.ts';
import * as f from './fixtures.ts';
import { body, model, object } from './helpers.ts';

const facts: CloudFacts = {
  dnsSubdomains: [],
  aviRefs: refs({
    applicationprofile: ['thisisaviref-l4-appprofile'],
    networkprofile: ['System-TCP-Proxy', 'thisisaviref-l4-networkprofile'],
    healthmonitor: ['thisisaviref-l4-hm', 'System-TCP'],
  }),
};
const nsRed = [f.ns('red-ns', { app: 'migrate' })];
const VS = 'cluster--red-ns-testsvc';
const POOL = 'cluster--red-ns-testsvc-TCP-8080';

function lbService(annotation?: string): KubeObject[] {
  return [
    f.service(
      'red-ns',
      'testsvc',
      [{ port: 8080, targetPort: 8080, name: 'foo0' }],
      { type: 'LoadBalancer' },
      annotation ? { 'ako.vmware.com/l4rule': annotation } : undefined,
    ),
    f.slice('red-ns', 'testsvc', ['1.1.1.1']),
  ];
}

function rule(spec: Record<string, unknown>, name = 'test-l4rule'): KubeObject {
  return l4Rule('red-ns', name, spec);
}

const fullSpec = {
  applicationProfileRef: 'thisisaviref-l4-appprofile',
  networkProfileRef: 'thisisaviref-l4-networkprofile',
  analyticsProfileRef: 'thisisaviref-analyticsprof',
  performanceLimits: { maxConcurrentConnections: 100, maxThroughput: 200 },
  loadBalancerIP: '10.10.10.1',
  backendProperties: [
    {
      port: 8080,
      protocol: 'TCP',
      lbAlgorithm: 'LB_ALGORITHM_CONSISTENT_HASH',
      lbAlgorithmHash: 'LB_ALGORITHM_CONSISTENT_HASH_SOURCE_IP_ADDRESS',
      healthMonitorRefs: ['thisisaviref-l4-hm'],
      enabled: true,
      minServersUp: 1,
    },
  ],
};

describe('L4Rule on a LoadBalancer Service', () => {
  it('sets the VS, pool and VsVip properties with AKO`s ref forms', () => {
    const v = f.view(nsRed, [...lbService('test-l4rule'), rule(fullSpec)]);
    const state = buildModels(f.primary(), v, facts);
    expect(state.skipped).toEqual([]);
    const m = model(state, `admin/${VS}`);
    const vs = body(object(m, 'virtualservice', VS));
    expect(vs.application_profile_ref).toBe('/api/applicationprofile?name=thisisaviref-l4-appprofile');
    expect(vs.network_profile_ref).toBe('/api/networkprofile?name=thisisaviref-l4-networkprofile');
    expect(vs.analytics_profile_ref).toBe('/api/analyticsprofile?name=thisisaviref-analyticsprof');
    expect(vs.performance_limits).toEqual({ max_concurrent_connections: 100, max_throughput: 200 });
    const pool = body(object(m, 'pool', POOL));
    expect(pool.lb_algorithm).toBe('LB_ALGORITHM_CONSISTENT_HASH');
    expect(pool.lb_algorithm_hash).toBe('LB_ALGORITHM_CONSISTENT_HASH_SOURCE_IP_ADDRESS');
    expect(pool.health_monitor_refs).toEqual(['/api/healthmonitor?name=thisisaviref-l4-hm']);
    expect(pool.enabled).toBe(true);
    expect(pool.min_servers_up).toBe(1);
    const vip = body(object(m, 'vsvip', VS));
    expect(vip.vip[0].ip_address).toEqual({ addr: '10.10.10.1', type: 'V4' });
    expect(vip.vip[0].auto_allocate_ip).toBe(false);
    for (const o of m.objects) expect(() => validateBody(o.type, o.body)).not.toThrow();
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([
      { kind: 'L4Rule', namespace: 'red-ns', name: 'test-l4rule', status: 'Accepted', error: '' },
    ]);
  });

  it('`<ns>/<name>` in the annotation names an L4Rule of that namespace', () => {
    const v = f.view(nsRed, [...lbService('red-ns/test-l4rule'), rule(fullSpec)]);
    const vs = body(object(model(buildModels(f.primary(), v, facts), `admin/${VS}`), 'virtualservice', VS));
    expect(vs.application_profile_ref).toBe('/api/applicationprofile?name=thisisaviref-l4-appprofile');
  });

  it('update changes the pool; delete (or removing the annotation) restores the defaults', () => {
    const upd = rule({ backendProperties: [{ port: 8080, protocol: 'TCP', lbAlgorithm: 'LB_ALGORITHM_ROUND_ROBIN' }] });
    const p2 = body(
      object(
        model(buildModels(f.primary(), f.view(nsRed, [...lbService('test-l4rule'), upd]), facts), `admin/${VS}`),
        'pool',
        POOL,
      ),
    );
    expect(p2.lb_algorithm).toBe('LB_ALGORITHM_ROUND_ROBIN');
    const gone = buildModels(f.primary(), f.view(nsRed, lbService('test-l4rule')), facts);
    const p3 = body(object(model(gone, `admin/${VS}`), 'pool', POOL));
    expect(p3.lb_algorithm).toBeUndefined();
    expect(p3.health_monitor_refs).toEqual(['/api/healthmonitor/?name=System-TCP']);
    expect(gone.skipped).toEqual([
      {
        kind: 'Service',
        namespace: 'red-ns',
        name: 'testsvc',
        field: 'metadata.annotations["ako.vmware.com/l4rule"]',
        reason: 'l4rule.ako.vmware.com "test-l4rule" not found',
        code: 'InvalidL4Rule',
      },
    ]);
  });
});

describe('L4Rule rejections: the Service is still built, without the rule', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['bad load-balancer IP', { loadBalancerIP: '10.10.10' }, 'loadBalancerIP 10.10.10 is not valid'],
    [
      'missing health monitor',
      { backendProperties: [{ port: 8080, protocol: 'TCP', healthMonitorRefs: ['nope'] }] },
      'healthmonitor "nope" not found on controller',
    ],
    [
      'consistent hash without a hash key',
      { backendProperties: [{ port: 8080, protocol: 'TCP', lbAlgorithm: 'LB_ALGORITHM_CONSISTENT_HASH' }] },
      'lbAlgorithmHash must be specified when lbAlgorithm is "LB_ALGORITHM_CONSISTENT_HASH"',
    ],
    [
      'bad field: backend without port',
      { backendProperties: [{ protocol: 'TCP' }] },
      'spec.backendProperties[0] needs port and protocol',
    ],
  ];
  it.each(cases)('%s', (_w, spec, error) => {
    const v = f.view(nsRed, [...lbService('test-l4rule'), rule(spec)]);
    const state = buildModels(f.primary(), v, facts);
    const pool = body(object(model(state, `admin/${VS}`), 'pool', POOL));
    expect(pool.health_monitor_refs).toEqual(['/api/healthmonitor/?name=System-TCP']);
    expect(state.skipped.map((s) => s.reason)).toEqual(['referred L4Rule test-l4rule is invalid']);
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([
      { kind: 'L4Rule', namespace: 'red-ns', name: 'test-l4rule', status: 'Rejected', error },
    ]);
  });

  it('listener ports that do not match the Service ports: the rule is not applied (getL4Rule)', () => {
    const v = f.view(nsRed, [
      ...lbService('test-l4rule'),
      rule({ listenerProperties: [{ port: 9090, protocol: 'TCP', enableSsl: false }] }),
    ]);
    const state = buildModels(f.primary(), v, facts);
    expect(state.skipped.map((s) => s.reason)).toEqual([
      'Port 8080 defined in testsvc service definition is not present in test-l4rule l4rule listener spec',
    ]);
  });
});

describe('L4Rule ownership', () => {
  it('an L4Rule in another instance`s namespace is invisible here: the annotation cannot reach it', () => {
    const v = f.view(nsRed, lbService('blue-ns/test-l4rule'));
    const state = buildModels(f.primary(), v, facts);
    expect(body(object(model(state, `admin/${VS}`), 'pool', POOL)).lb_algorithm).toBeUndefined();
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([]);
  });
});
