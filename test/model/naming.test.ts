import { describe, expect, it } from 'vitest';
import {
  certName,
  createdBy,
  dedicatedVsName,
  fnv1a32,
  insecurePoolName,
  l4PoolName,
  l4VsName,
  modelName,
  passthroughPoolGroupName,
  passthroughPoolName,
  passthroughVsName,
  ref,
  sanitizeTenant,
  serviceMetadata,
  shardCount,
  shardNumber,
  shardVsName,
  sniHttpPolicySetName,
  sniPoolGroupName,
  sniPoolName,
  sniVsName,
} from '../../shared/model/index.ts';
import { blue, primary } from './fixtures.ts';

// spec/ako-naming-and-objects.md §2.5 — computed independently of this code.
const VECTORS: [string, number, number, number, number][] = [
  ['foo.com', 1101858200, 0, 0, 0],
  ['bar.example.com', 4279648665, 1, 1, 0],
  ['bar.com', 1912621137, 1, 1, 0],
  ['xyz.com', 4203868435, 3, 3, 0],
  ['baz.com', 242556329, 1, 1, 0],
  ['abc.com', 677800932, 4, 0, 0],
  ['secure.example.com', 3140098335, 7, 3, 0],
  ['www.example.com', 2286329803, 3, 3, 0],
  ['app.avi.internal', 4119153495, 7, 3, 0],
  ['Foo.com', 1493876536, 0, 0, 0],
  ['routehost1.avi.internal', 1318978234, 2, 2, 0],
  ['pass1.avi.internal', 3307388298, 2, 2, 0],
];

describe('shards (FNV-1a 32 of the host, & (n-1))', () => {
  it.each(VECTORS)('%s → fnv %d, LARGE %d, MEDIUM %d, SMALL %d', (host, hash, large, medium, small) => {
    expect(fnv1a32(host)).toBe(hash);
    expect(shardNumber(host, 8)).toBe(large);
    expect(shardNumber(host, 4)).toBe(medium);
    expect(shardNumber(host, 1)).toBe(small);
  });

  it.each(VECTORS)('%s → primary and non-primary shared VS names', (host, _h, large) => {
    expect(shardVsName(primary(), host, 'LARGE')).toBe(`cluster--Shared-L7-${large}`);
    expect(shardVsName(blue(), host, 'LARGE')).toBe(`cluster--blue-Shared-L7-${large}`);
  });

  it('sizes: LARGE 8, MEDIUM 4, SMALL 1, DEDICATED 0; unknown falls back to 1 like AKO', () => {
    expect([shardCount('LARGE'), shardCount('MEDIUM'), shardCount('SMALL'), shardCount('DEDICATED')]).toEqual([
      8, 4, 1, 0,
    ]);
    expect(shardCount('HUGE')).toBe(1);
  });

  it('hashes UTF-8 bytes (FNV-1a over "é" = 0xC3 0xA9)', () => {
    let h = 0x811c9dc5;
    for (const b of [0xc3, 0xa9]) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    expect(fnv1a32('é')).toBe(h);
  });

  it('host only, case-sensitive: baz.com and bar.com share a SMALL shard', () => {
    expect(shardVsName(primary(), 'baz.com', 'SMALL')).toBe('cluster--Shared-L7-0');
    expect(shardVsName(primary(), 'bar.com', 'SMALL')).toBe('cluster--Shared-L7-0');
  });
});

describe('names (spec §3.4 worked example, cluster c1)', () => {
  const p = primary({}, 'c1');
  const b = blue({}, 'c1');
  it('created_by per instance', () => {
    expect(createdBy(p)).toBe('ako-c1');
    expect(createdBy(b)).toBe('ako-c1-blue');
    expect(p.createdBy).toBe('ako-c1');
    expect(b.createdBy).toBe('ako-c1-blue');
  });
  it('shared VS carries the AKO namespace only for non-primary; everything else is identical', () => {
    expect(shardVsName(p, 'foo.com', 'LARGE')).toBe('c1--Shared-L7-0');
    expect(shardVsName(b, 'foo.com', 'LARGE')).toBe('c1--blue-Shared-L7-0');
    for (const i of [p, b]) {
      expect(insecurePoolName(i, 'foo.com', '/foo', 'default', 'my-ing')).toBe('c1--foo.com_foo-default-my-ing');
      expect(sniVsName(i, 'secure.example.com')).toBe('c1--secure.example.com');
      expect(certName(i, 'secure.example.com')).toBe('c1--secure.example.com');
      expect(sniHttpPolicySetName(i, 'default', 'secure.example.com')).toBe('c1--default-secure.example.com');
      expect(sniPoolGroupName(i, 'default', 'secure.example.com', '/api', 'my-ing')).toBe(
        'c1--default-secure.example.com_api-my-ing',
      );
      expect(sniPoolGroupName(i, 'default', 'secure.example.com', '/', 'my-ing')).toBe(
        'c1--default-secure.example.com_-my-ing',
      );
      expect(dedicatedVsName(i, 'foo.com')).toBe('c1--foo.com-L7-dedicated');
      expect(l4VsName(i, 'default', 'my-lb')).toBe('c1--default-my-lb');
      expect(l4PoolName(i, 'default', 'my-lb', 'UDP', 53)).toBe('c1--default-my-lb-UDP-53');
      expect(passthroughPoolGroupName(i, 'pass.com')).toBe('c1--pass.com');
      expect(passthroughPoolName(i, 'pass.com', 'svc')).toBe('c1--pass.com-svc');
    }
  });
  it('route pools carry the service name (AKO route tests)', () => {
    const c = primary();
    expect(insecurePoolName(c, 'foo.com', '', 'default', 'foo', 'avisvc')).toBe('cluster--foo.com-default-foo-avisvc');
    expect(sniPoolName(c, 'default', 'foo.com', '/foo/bar', 'foo', 'avisvc')).toBe(
      'cluster--default-foo.com_foo_bar-foo-avisvc',
    );
    expect(sniPoolGroupName(c, 'default', 'foo.com', '/foo/bar', 'foo')).toBe('cluster--default-foo.com_foo_bar-foo');
  });
  it('passthrough shared VS uses the passthrough shard size and the AKO-namespace part', () => {
    expect(passthroughVsName(primary(), 'pass1.avi.internal', 'MEDIUM')).toBe('cluster--Shared-Passthrough-2');
    expect(passthroughVsName(blue(), 'pass1.avi.internal', 'SMALL')).toBe('cluster--blue-Shared-Passthrough-0');
  });
  it('model names are <tenant>/<vs>', () => {
    expect(modelName('admin', 'c1--Shared-L7-0')).toBe('admin/c1--Shared-L7-0');
  });
  it('sanitized tenant for FQDNs', () => {
    expect(sanitizeTenant('my tenant_1')).toBe('my-tenant-1');
    expect(sanitizeTenant('__x__')).toBe('x');
  });
});

describe('refs and service_metadata (spec §5.3, §5.5)', () => {
  it('ref strings keep AKO slash forms', () => {
    expect(ref.cloud('Default-Cloud')).toBe('/api/cloud?name=Default-Cloud');
    expect(ref.tenant('admin')).toBe('/api/tenant/?name=admin');
    expect(ref.tenant('a b&c')).toBe('/api/tenant/?name=a+b%26c');
    expect(ref.pool('p')).toBe('/api/pool?name=p');
    expect(ref.poolGroup('pg')).toBe('/api/poolgroup/?name=pg');
    expect(ref.seGroup('Default-Group')).toBe('/api/serviceenginegroup?name=Default-Group');
    expect(ref.vrf('global')).toBe('/api/vrfcontext?name=global');
  });
  it('empty service_metadata has all 16 keys in order', () => {
    expect(serviceMetadata()).toBe(
      '{"namespace_ingress_name":null,"ingress_name":"","namespace":"","hostnames":null,"namespace_svc_name":null,"crd_status":{"type":"","value":"","status":""},"pool_ratio":0,"passthrough_parent_ref":"","passthrough_child_ref":"","gateway":"","httproute":"","httproute_rule_name":"","insecureedgetermallow":false,"is_mci_ingress":false,"fqdn_reuse_policy":"","host_namespace_ingress_name":null}',
    );
  });
});
