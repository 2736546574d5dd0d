// Registry strictness: AKO chart keys that would change the Avi objects but are not implemented, keys that are
// not in AKO's chart, and unknown entry keys are refused (validate exits 2); keys without effect stay a note.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../infra/local/commands/validate.ts';
import {
  CHART_KEYS,
  parseRegistry,
  RegistryValidationError,
  resolveInstanceChecked,
  suggestKey,
} from '../../shared/registry/index.ts';

const problemsOf = (set: Record<string, unknown>) =>
  resolveInstanceChecked({ set: { 'AKOSettings.clusterName': 'c', ...set } }).problems;

describe('unimplemented AKO settings that change the object model', () => {
  const cases: [string, unknown][] = [
    ['L7Settings.noPGForSNI', true],
    ['AKOSettings.vipPerNamespace', 'true'],
    ['NetworkSettings.enableRHI', true],
    ['featureGates.GatewayAPI', true],
    ['AKOSettings.istioEnabled', true],
    ['L7Settings.fqdnReusePolicy', 'Strict'],
    ['NetworkSettings.bgpPeerLabels', ['peer1']],
    ['NetworkSettings.nsxtT1LR', '/infra/tier-1s/t1'],
  ];
  it.each(cases)('%s = %j is an error naming the key and what to do', (key, value) => {
    const problems = problemsOf({ [key]: value });
    expect(problems).toEqual([expect.objectContaining({ key })]);
    expect(problems[0]!.message).toMatch(/not supported by ako-serverless/);
    expect(problems[0]!.message).toMatch(/remove the key or set it to/);
  });

  it('the same keys at the chart default (a copied values.yaml) are accepted', () => {
    expect(
      problemsOf({
        'AKOSettings.enableEVH': false,
        'L7Settings.noPGForSNI': 'false',
        'AKOSettings.vipPerNamespace': 'false',
        'NetworkSettings.enableRHI': '',
        'featureGates.GatewayAPI': false,
        'L7Settings.fqdnReusePolicy': 'InterNamespaceAllowed',
        'NetworkSettings.bgpPeerLabels': [],
      }),
    ).toEqual([]);
  });
});

describe('keys that are not in AKO’s chart', () => {
  it.each([
    ['controllerhost', 'ControllerSettings.controllerHost'],
    ['servicetype', 'L7Settings.serviceType'],
    ['ControllerSettings.controllerhost', 'ControllerSettings.controllerHost'],
    ['L7Settings.shardVSsize', 'L7Settings.shardVSSize'],
    ['AKOSettings.clustername', 'AKOSettings.clusterName'],
    ['NetworkSettings.vipNetworkLst', 'NetworkSettings.vipNetworkList'],
  ])('%s → error with "did you mean %s"', (key, hint) => {
    const problems = problemsOf({ [key]: 'x' });
    expect(problems).toEqual([expect.objectContaining({ key })]);
    expect(problems[0]!.message).toContain(`did you mean ${hint}?`);
  });

  it('a key nothing resembles is still an error, without a guess', () => {
    // The shallowest unknown level is named.
    const problems = problemsOf({ 'zzz.qqq': 1 });
    expect(problems).toEqual([expect.objectContaining({ key: 'zzz' })]);
    expect(problems[0]!.message).not.toContain('did you mean');
  });

  it('suggestKey matches case-insensitively, by last segment, then by edit distance', () => {
    expect(suggestKey('SETS', ['namespace', 'values', 'set', 'setString'])).toBe('set');
    expect(suggestKey('value', ['namespace', 'values', 'set', 'setString'])).toBe('values');
    expect(suggestKey('completely-different', ['namespace', 'values'])).toBeUndefined();
  });
});

describe('registry entry keys', () => {
  const parse = (text: string) => {
    try {
      parseRegistry(text, { baseDir: '/nonexistent' });
    } catch (err) {
      if (err instanceof RegistryValidationError) return err.problems;
      throw err;
    }
    return [];
  };
  it('`sets:` and `value:` are errors suggesting set and values', () => {
    const problems = parse(
      'instances:\n  - namespace: avi-system\n    sets: { AKOSettings.clusterName: c }\n    value: v.yaml\n',
    );
    const byKey = Object.fromEntries(problems.map((p) => [p.key, p.message]));
    expect(byKey.sets).toContain('did you mean set?');
    expect(byKey.value).toContain('did you mean values?');
  });
});

describe('every chart key has one status and a note', () => {
  it('keys are unique and non-empty notes', () => {
    const keys = CHART_KEYS.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of CHART_KEYS) expect(c.note.length).toBeGreaterThan(0);
  });
});

describe('ako-serverless validate', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  const write = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'strict-'));
    const file = join(dir, 'r.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('exits 2 for an unimplemented model-changing key, naming it', async () => {
    const file = write('instances:\n  - set: { AKOSettings.clusterName: c, L7Settings.noPGForSNI: true }\n');
    expect(await run(['--instances', file])).toBe(2);
    expect(err.join('\n')).toContain('L7Settings.noPGForSNI');
  });

  it('exits 2 for a misspelt key, with the suggestion', async () => {
    const file = write('instances:\n  - set: { AKOSettings.clusterName: c, controllerhost: 10.0.0.1 }\n');
    expect(await run(['--instances', file])).toBe(2);
    expect(err.join('\n')).toContain('did you mean ControllerSettings.controllerHost?');
  });

  it('exits 2 for `sets:` instead of `set:`', async () => {
    const file = write('instances:\n  - sets: { AKOSettings.clusterName: c }\n');
    expect(await run(['--instances', file])).toBe(2);
    expect(err.join('\n')).toContain('did you mean set?');
  });

  it('exits 0 with a note for harmless chart keys (image, resources); logLevel is read, not noted', async () => {
    const file = write(
      'instances:\n  - set: { AKOSettings.clusterName: c, image.repository: r, resources.limits.cpu: 1, AKOSettings.logLevel: INFO }\n',
    );
    expect(await run(['--instances', file])).toBe(0);
    expect(out.join('\n')).toMatch(/^note: c\/avi-system ignores keys it does not use: image, resources$/m);
  });
});

describe('AKOSettings.ipFamily and enableEvents', () => {
  it('ipFamily: empty means V4; V4, V6 and V4_V6 are read; anything else is an error naming the key', () => {
    const read = (v?: string) =>
      resolveInstanceChecked({
        set: { 'AKOSettings.clusterName': 'c', ...(v === undefined ? {} : { 'AKOSettings.ipFamily': v }) },
      });
    expect(read().config.ipFamily).toBe('V4');
    expect(read('').config.ipFamily).toBe('V4');
    expect(read('V6').config.ipFamily).toBe('V6');
    expect(read('V4_V6').config.ipFamily).toBe('V4_V6');
    expect(read('v6').problems).toEqual([expect.objectContaining({ key: 'AKOSettings.ipFamily' })]);
  });

  it('enableEvents defaults to true and reads "false" as Helm passes it', () => {
    expect(resolveInstanceChecked({ set: { 'AKOSettings.clusterName': 'c' } }).config.enableEvents).toBe(true);
    const off = resolveInstanceChecked({
      setString: { 'AKOSettings.enableEvents': 'false' },
      set: { 'AKOSettings.clusterName': 'c' },
    });
    expect(off.config.enableEvents).toBe(false);
  });
});
