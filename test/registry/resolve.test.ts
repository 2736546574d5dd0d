import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RegistryValidationError, resolveInstance, typeSetValue } from '../../shared/registry/index.ts';
import { SecretValue } from '../../shared/secret.ts';

describe('resolveInstance: AKO Helm defaults (spec §6)', () => {
  const i = resolveInstance({});

  it('installs in avi-system as the primary of my-cluster', () => {
    expect(i.namespace).toBe('avi-system');
    expect(i.clusterName).toBe('my-cluster');
    expect(i.primary).toBe(true);
    expect(i.id).toBe('my-cluster/avi-system');
  });

  it('has no namespace selector and no blocked namespaces', () => {
    expect(i.namespaceSelector).toBeNull();
    expect(i.blockedNamespaces).toEqual([]);
  });

  it('uses the chart defaults for AKOSettings, L7, L4 and the controller', () => {
    expect(i.cniPlugin).toBe('');
    expect(i.layer7Only).toBe(false);
    expect(i.disableStaticRouteSync).toBe(false);
    expect(i.deleteConfig).toBe(false);
    expect(i.fullSyncFrequency).toBe(1800);
    expect(i.l7).toEqual({
      enableEVH: false,
      serviceType: 'ClusterIP',
      shardVSSize: 'LARGE',
      passthroughShardSize: 'SMALL',
      defaultIngController: true,
    });
    expect(i.l4.defaultLBController).toBe(true);
    expect(i.l4.autoFQDN).toBe('default');
    expect(i.controller).toEqual({
      host: '',
      version: '',
      cloudName: 'Default-Cloud',
      serviceEngineGroupName: 'Default-Group',
      tenantName: 'admin',
      vrfName: '',
    });
    expect(i.network.vipNetworkList).toEqual([]);
    expect(i.nodePortSelector).toBeNull();
    expect(i.credentials).toEqual({});
    expect(i.unknownKeys).toEqual([]);
  });

  it('derives the primary identity: created_by ako-<cluster>, shared VS <cluster>--Shared-L7-', () => {
    expect(i.createdBy).toBe('ako-my-cluster');
    expect(i.namePrefix).toBe('my-cluster--');
    expect(i.sharedVsPrefix).toBe('my-cluster--Shared-L7-');
  });
});

describe('resolveInstance: the seed installs', () => {
  it('primary in avi-system with app=migrate', () => {
    const i = resolveInstance({
      namespace: 'avi-system',
      set: {
        'AKOSettings.clusterName': 'demo',
        'AKOSettings.namespaceSelector.labelKey': 'app',
        'AKOSettings.namespaceSelector.labelValue': 'migrate',
        'AKOSettings.primaryInstance': 'true',
      },
    });
    expect(i.primary).toBe(true);
    expect(i.namespaceSelector).toEqual({ labelKey: 'app', labelValue: 'migrate' });
    expect(i.createdBy).toBe('ako-demo');
    expect(i.sharedVsPrefix).toBe('demo--Shared-L7-');
  });

  it('non-primary in blue with key=value2: namespace in created_by and shared VS names', () => {
    const i = resolveInstance({
      namespace: 'blue',
      set: {
        'AKOSettings.clusterName': 'demo',
        'AKOSettings.namespaceSelector.labelKey': 'key',
        'AKOSettings.namespaceSelector.labelValue': 'value2',
        'AKOSettings.primaryInstance': 'false',
      },
    });
    expect(i.id).toBe('demo/blue');
    expect(i.primary).toBe(false);
    expect(i.createdBy).toBe('ako-demo-blue');
    expect(i.namePrefix).toBe('demo--');
    expect(i.sharedVsPrefix).toBe('demo--blue-Shared-L7-');
  });

  it('a missing primaryInstance flag means primary', () => {
    expect(resolveInstance({ namespace: 'blue', values: { AKOSettings: { clusterName: 'c' } } }).primary).toBe(true);
  });
});

describe('Helm typing of --set values', () => {
  it('types true/false as booleans, integers as numbers, null as null, {a,b} as a list', () => {
    expect(typeSetValue('true')).toBe(true);
    expect(typeSetValue('false')).toBe(false);
    expect(typeSetValue('1800')).toBe(1800);
    expect(typeSetValue('-3')).toBe(-3);
    expect(typeSetValue('null')).toBeNull();
    expect(typeSetValue('{a,b}')).toEqual(['a', 'b']);
  });

  it('keeps strings that only look similar', () => {
    expect(typeSetValue('True')).toBe('True');
    expect(typeSetValue('007')).toBe('007');
    expect(typeSetValue('1.5')).toBe('1.5');
    expect(typeSetValue('migrate')).toBe('migrate');
  });

  it('--set overrides the values file, dotted keys reach nested maps and list items', () => {
    const i = resolveInstance({
      namespace: 'blue',
      values: {
        AKOSettings: { clusterName: 'from-file', primaryInstance: true, layer7Only: false },
        L7Settings: { shardVSSize: 'LARGE' },
      },
      set: {
        'AKOSettings.clusterName': 'demo',
        'AKOSettings.primaryInstance': 'false',
        'AKOSettings.layer7Only': 'true',
        'AKOSettings.fullSyncFrequency': '0',
        'L7Settings.shardVSSize': 'MEDIUM',
        'NetworkSettings.vipNetworkList[0].networkName': 'vip-net',
        'NetworkSettings.vipNetworkList[0].cidr': '10.10.0.0/24',
        'AKOSettings.blockedNamespaceList': '{kube-system,kube-public}',
      },
    });
    expect(i.clusterName).toBe('demo');
    expect(i.primary).toBe(false);
    expect(i.layer7Only).toBe(true);
    expect(i.fullSyncFrequency).toBe(0);
    expect(i.l7.shardVSSize).toBe('MEDIUM');
    expect(i.network.vipNetworkList).toEqual([{ networkName: 'vip-net', cidr: '10.10.0.0/24' }]);
    expect(i.blockedNamespaces).toEqual(['kube-system', 'kube-public']);
  });

  it('reads the chart\'s string-typed booleans ("false", "true") as AKO does', () => {
    const i = resolveInstance({
      values: {
        AKOSettings: { deleteConfig: 'true', disableStaticRouteSync: 'true' },
        L7Settings: { defaultIngController: 'false' },
      },
    });
    expect(i.deleteConfig).toBe(true);
    expect(i.disableStaticRouteSync).toBe(true);
    expect(i.l7.defaultIngController).toBe(false);
  });
});

describe('selector, unknown keys and secrets', () => {
  it('a blank labelKey or labelValue disables the selector (both blank is fine)', () => {
    const i = resolveInstance({ set: { 'AKOSettings.namespaceSelector.labelKey': '  ' } });
    expect(i.namespaceSelector).toBeNull();
  });

  it('only one half of the selector set is an error naming the key', () => {
    const err = catchError(() => resolveInstance({ set: { 'AKOSettings.namespaceSelector.labelKey': 'app' } }));
    expect(err.problems).toEqual([
      expect.objectContaining({ instance: 'my-cluster/avi-system', key: 'AKOSettings.namespaceSelector' }),
    ]);
  });

  it('keeps and reports chart keys without effect on Avi objects; an unimplemented key at its default is fine', () => {
    const i = resolveInstance({
      values: {
        replicaCount: 1,
        image: { repository: 'x', pullPolicy: 'Always' },
        resources: { limits: { cpu: '1' } },
        AKOSettings: { enableEVH: false, logLevel: 'INFO', clusterName: 'c' },
        L7Settings: { fqdnReusePolicy: 'InterNamespaceAllowed', noPGForSNI: 'false' },
      },
    });
    expect(i.unknownKeys).toEqual(['image', 'replicaCount', 'resources']);
    // AKOSettings.logLevel is read: the level of the instance's terminal lines.
    expect(i.logLevel).toBe('INFO');
  });

  it("reads AKOSettings.logLevel at AKO's levels and refuses anything else naming the key", () => {
    expect(resolveInstance({ set: { 'AKOSettings.logLevel': 'WARN' } }).logLevel).toBe('WARN');
    expect(resolveInstance({}).logLevel).toBeUndefined();
    const err = catchError(() => resolveInstance({ set: { 'AKOSettings.logLevel': 'verbose' } }));
    expect(err.problems).toEqual([expect.objectContaining({ key: 'AKOSettings.logLevel' })]);
  });

  it('turns password and authtoken into SecretValues that never print', () => {
    const i = resolveInstance({
      set: {
        'avicredentials.username': 'admin',
        'avicredentials.password': 'hunter2',
        'avicredentials.authtoken': 'tok',
      },
    });
    expect(i.credentials.username).toBe('admin');
    expect(i.credentials.password).toBeInstanceOf(SecretValue);
    expect(i.credentials.password?.reveal()).toBe('hunter2');
    expect(JSON.stringify(i)).not.toContain('hunter2');
    expect(inspect(i, { depth: 10 })).not.toContain('hunter2');
    expect(JSON.stringify(i)).not.toContain('"tok"');
  });
});

describe('per-instance validation', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'clusterName with a space',
      { 'AKOSettings.clusterName': 'my cluster' },
      'AKOSettings.clusterName',
      /\^\[a-zA-Z0-9-_\]\+\$/,
    ],
    ['empty clusterName', { 'AKOSettings.clusterName': '' }, 'AKOSettings.clusterName', /required/],
    [
      'serviceType',
      { 'L7Settings.serviceType': 'LoadBalancer' },
      'L7Settings.serviceType',
      /ClusterIP, NodePort, NodePortLocal/,
    ],
    ['shardVSSize', { 'L7Settings.shardVSSize': 'HUGE' }, 'L7Settings.shardVSSize', /LARGE, MEDIUM, SMALL, DEDICATED/],
    [
      'passthroughShardSize',
      { 'L7Settings.passthroughShardSize': 'DEDICATED' },
      'L7Settings.passthroughShardSize',
      /LARGE, MEDIUM, SMALL/,
    ],
    ['cniPlugin', { 'AKOSettings.cniPlugin': 'weave' }, 'AKOSettings.cniPlugin', /calico/],
    ['autoFQDN', { 'L4Settings.autoFQDN': 'short' }, 'L4Settings.autoFQDN', /default, flat, disabled/],
    [
      'primaryInstance not a bool',
      { 'AKOSettings.primaryInstance': 'yes' },
      'AKOSettings.primaryInstance',
      /true or false/,
    ],
    ['layer7Only not a bool', { 'AKOSettings.layer7Only': 'maybe' }, 'AKOSettings.layer7Only', /true or false/],
    ['fullSyncFrequency', { 'AKOSettings.fullSyncFrequency': 'hourly' }, 'AKOSettings.fullSyncFrequency', /seconds/],
  ];
  for (const [what, set, key, message] of cases) {
    it(`rejects ${what} naming ${key}`, () => {
      const err = catchError(() => resolveInstance({ set }));
      expect(err.problems.map((p) => p.key)).toContain(key);
      expect(err.problems.find((p) => p.key === key)?.message).toMatch(message);
    });
  }

  it('rejects an AKO namespace that is not a Kubernetes name', () => {
    const err = catchError(() => resolveInstance({ namespace: 'Blue_Team' }));
    expect(err.problems[0]).toMatchObject({ key: 'namespace' });
  });

  it('reports all problems of the instance at once', () => {
    const err = catchError(() =>
      resolveInstance({
        set: { 'L7Settings.serviceType': 'x', 'L7Settings.shardVSSize': 'y', 'AKOSettings.cniPlugin': 'z' },
      }),
    );
    expect(err.problems).toHaveLength(3);
  });
});

function catchError(fn: () => unknown): RegistryValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegistryValidationError) return err;
    throw err;
  }
  throw new Error('expected a RegistryValidationError');
}
