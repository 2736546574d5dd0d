import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadRegistryFile,
  parseRegistry,
  type RegistryProblem,
  RegistryValidationError,
} from '../../shared/registry/index.ts';

const files: Record<string, string> = {
  '/reg/values-primary.yaml': `
AKOSettings:
  clusterName: demo
  namespaceSelector: { labelKey: app, labelValue: migrate }
replicaCount: 1            # not read by the product: kept and ignored
L7Settings: { serviceType: ClusterIP, shardVSSize: LARGE }
avicredentials: { username: admin, password: s3cret-pw }
`,
  '/reg/values-blue.yaml': `
AKOSettings: { clusterName: demo, primaryInstance: true }
`,
};
const readFile = (p: string) => {
  const text = files[p];
  if (text === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
  return text;
};
const parse = (text: string) => parseRegistry(text, { baseDir: '/reg', readFile });

function problemsOf(text: string): RegistryProblem[] {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof RegistryValidationError) return err.problems;
    throw err;
  }
  throw new Error('expected the registry to be invalid');
}

const SEED = `
instances:
  - namespace: avi-system
    values: values-primary.yaml
    set:
      AKOSettings.primaryInstance: true
  - namespace: blue
    values: values-blue.yaml
    set:
      AKOSettings.primaryInstance: "false"     # --set typing: "false" is a boolean
      AKOSettings.namespaceSelector.labelKey: key
      AKOSettings.namespaceSelector.labelValue: value2
`;

describe('parseRegistry: the seed registry', () => {
  it('yields the primary and the non-primary instance of cluster demo', () => {
    const reg = parse(SEED);
    expect(reg.instances.map((i) => [i.id, i.primary, i.createdBy, i.sharedVsPrefix])).toEqual([
      ['demo/avi-system', true, 'ako-demo', 'demo--Shared-L7-'],
      ['demo/blue', false, 'ako-demo-blue', 'demo--blue-Shared-L7-'],
    ]);
    expect(reg.instances[0]!.namespaceSelector).toEqual({ labelKey: 'app', labelValue: 'migrate' });
    expect(reg.instances[1]!.namespaceSelector).toEqual({ labelKey: 'key', labelValue: 'value2' });
  });

  it('reads values files relative to the registry file and keeps unknown keys aside', () => {
    const reg = parse(SEED);
    expect(reg.instances[0]!.unknownKeys).toEqual(['replicaCount']);
    expect(reg.instances[0]!.credentials.username).toBe('admin');
    expect(JSON.stringify(reg)).not.toContain('s3cret-pw');
  });

  it('loads from disk with loadRegistryFile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-'));
    writeFileSync(join(dir, 'values-primary.yaml'), files['/reg/values-primary.yaml']!);
    writeFileSync(join(dir, 'values-blue.yaml'), files['/reg/values-blue.yaml']!);
    writeFileSync(join(dir, 'instances.yaml'), SEED);
    const reg = loadRegistryFile(join(dir, 'instances.yaml'));
    expect(reg.source).toBe(join(dir, 'instances.yaml'));
    expect(reg.instances).toHaveLength(2);
  });

  it('groups several clusters in one registry', () => {
    const reg = parse(`
instances:
  - set: { AKOSettings.clusterName: east }
  - set: { AKOSettings.clusterName: west }
`);
    expect(reg.instances.map((i) => i.id)).toEqual(['east/avi-system', 'west/avi-system']);
  });
});

describe('parseRegistry: every rule, every failure reported at once', () => {
  it('no primary in a cluster', () => {
    const p = problemsOf(`
instances:
  - namespace: a
    set: { AKOSettings.clusterName: c, AKOSettings.primaryInstance: false, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: a }
  - namespace: b
    set: { AKOSettings.clusterName: c, AKOSettings.primaryInstance: false, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: b }
`);
    expect(p).toEqual([
      { instance: 'c/a, c/b', key: 'AKOSettings.primaryInstance', message: expect.stringMatching(/no primary/) },
    ]);
  });

  it('two primaries (a missing flag counts as primary)', () => {
    const p = problemsOf(`
instances:
  - namespace: a
    set: { AKOSettings.clusterName: c, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: a }
  - namespace: b
    set: { AKOSettings.clusterName: c, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: b }
`);
    expect(p).toEqual([
      {
        instance: 'c/a, c/b',
        key: 'AKOSettings.primaryInstance',
        message: expect.stringMatching(/2 primary instances/),
      },
    ]);
  });

  it('two instances in the same AKO namespace', () => {
    const p = problemsOf(`
instances:
  - namespace: a
    set: { AKOSettings.clusterName: c, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: a }
  - namespace: a
    set: { AKOSettings.clusterName: c, AKOSettings.primaryInstance: false, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: b }
`);
    expect(p).toEqual([
      { instance: 'c/a, c/a', key: 'namespace', message: expect.stringMatching(/its own namespace/) },
    ]);
  });

  for (const [key, a, b] of [
    ['ControllerSettings.controllerHost', '10.0.0.1', '10.0.0.2'],
    ['L7Settings.serviceType', 'ClusterIP', 'NodePort'],
    ['ControllerSettings.cloudName', 'Default-Cloud', 'other-cloud'],
  ] as const) {
    it(`different ${key} within a cluster`, () => {
      const p = problemsOf(`
instances:
  - namespace: a
    set: { AKOSettings.clusterName: c, ${key}: ${a}, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: a }
  - namespace: b
    set: { AKOSettings.clusterName: c, ${key}: ${b}, AKOSettings.primaryInstance: false, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: b }
`);
      expect(p).toEqual([{ instance: 'c/a, c/b', key, message: expect.stringContaining(`"${b}" (c/b)`) }]);
    });
  }

  it('two instances with the same selector', () => {
    const p = problemsOf(`
instances:
  - namespace: a
    set: { AKOSettings.clusterName: c, AKOSettings.namespaceSelector.labelKey: app, AKOSettings.namespaceSelector.labelValue: x }
  - namespace: b
    set: { AKOSettings.clusterName: c, AKOSettings.primaryInstance: false, AKOSettings.namespaceSelector.labelKey: app, AKOSettings.namespaceSelector.labelValue: x }
`);
    expect(p).toEqual([
      {
        instance: 'c/a, c/b',
        key: 'AKOSettings.namespaceSelector',
        message: expect.stringMatching(/share the selector app=x/),
      },
    ]);
  });

  it('an empty selector next to another instance', () => {
    const p = problemsOf(`
instances:
  - namespace: a
    set: { AKOSettings.clusterName: c }
  - namespace: b
    set: { AKOSettings.clusterName: c, AKOSettings.primaryInstance: false, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: b }
`);
    expect(p).toEqual([
      { instance: 'c/a', key: 'AKOSettings.namespaceSelector', message: expect.stringMatching(/single instance/) },
    ]);
  });

  it("an empty selector on a cluster's only instance is fine", () => {
    expect(
      parse('instances:\n  - set: { AKOSettings.clusterName: solo }\n').instances[0]!.namespaceSelector,
    ).toBeNull();
  });

  it('clusters on one controller whose instances would share created_by', () => {
    // cluster "a" non-primary in namespace "x" and cluster "a-x" primary both stamp created_by ako-a-x
    const p = problemsOf(`
instances:
  - namespace: avi-system
    set: { AKOSettings.clusterName: a, ControllerSettings.controllerHost: ctl, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: v }
  - namespace: x
    set: { AKOSettings.clusterName: a, ControllerSettings.controllerHost: ctl, AKOSettings.primaryInstance: false, AKOSettings.namespaceSelector.labelKey: k, AKOSettings.namespaceSelector.labelValue: w }
  - namespace: avi-system
    set: { AKOSettings.clusterName: a-x, ControllerSettings.controllerHost: ctl }
`);
    expect(p).toEqual([
      {
        instance: 'a/x, a-x/avi-system',
        key: 'AKOSettings.clusterName',
        message: expect.stringMatching(/created_by ako-a-x/),
      },
    ]);
  });

  it('cluster names on one controller that differ only in case', () => {
    const p = problemsOf(`
instances:
  - set: { AKOSettings.clusterName: Demo }
  - set: { AKOSettings.clusterName: demo }
`);
    expect(p).toEqual([
      {
        instance: 'Demo/avi-system, demo/avi-system',
        key: 'AKOSettings.clusterName',
        message: expect.stringMatching(/only in case/),
      },
    ]);
  });

  it('the same cluster names on different controllers are fine', () => {
    expect(
      parse(`
instances:
  - set: { AKOSettings.clusterName: a, ControllerSettings.controllerHost: one }
  - set: { AKOSettings.clusterName: A, ControllerSettings.controllerHost: two }
`).instances,
    ).toHaveLength(2);
  });

  it('file-level problems: not YAML, no instances, missing values file, bad entry', () => {
    expect(problemsOf('instances: [')[0]!.key).toBe('(file)');
    expect(problemsOf('foo: 1')[0]!.key).toBe('instances');
    expect(problemsOf('instances:\n  - values: missing.yaml\n')).toEqual([
      {
        instance: 'my-cluster/avi-system (instances[0])',
        key: 'values',
        message: expect.stringMatching(/missing\.yaml: ENOENT/),
      },
    ]);
    expect(problemsOf('instances:\n  - 42\n')[0]).toMatchObject({ key: 'instances[0]' });
  });

  it('collects problems of several instances and rules in one error', () => {
    const p = problemsOf(`
instances:
  - namespace: a
    set: { AKOSettings.clusterName: "bad name", L7Settings.shardVSSize: HUGE }
  - namespace: b
    set: { AKOSettings.clusterName: "bad name", L4Settings.autoFQDN: nope }
`);
    const keys = p.map((x) => `${x.instance} ${x.key}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'bad name/a (instances[0]) AKOSettings.clusterName',
        'bad name/a (instances[0]) L7Settings.shardVSSize',
        'bad name/b (instances[1]) AKOSettings.clusterName',
        'bad name/b (instances[1]) L4Settings.autoFQDN',
        'bad name/a, bad name/b AKOSettings.primaryInstance',
        'bad name/a, bad name/b AKOSettings.namespaceSelector',
      ]),
    );
    expect(p).toHaveLength(6);
  });

  it('the error message lists every problem and never a password', () => {
    try {
      parse(`
instances:
  - set: { AKOSettings.clusterName: "x y", avicredentials.password: topsecret, avicredentials.authtoken: { nested: topsecret } }
`);
      throw new Error('expected failure');
    } catch (err) {
      expect(err).toBeInstanceOf(RegistryValidationError);
      const e = err as RegistryValidationError;
      expect(e.message).toMatch(/AKOSettings\.clusterName/);
      expect(e.message).toMatch(/avicredentials\.authtoken/);
      expect(e.message).not.toContain('topsecret');
    }
  });
});

describe('setString (helm --set-string)', () => {
  it('keeps values as strings where --set would type them', () => {
    const reg = parse(`
instances:
  - set: { AKOSettings.clusterName: c }
    setString: { avicredentials.password: "{not,a,list}", avicredentials.username: "true" }
`);
    expect(reg.instances[0]!.credentials.password?.reveal()).toBe('{not,a,list}');
    expect(reg.instances[0]!.credentials.username).toBe('true');
  });
});
