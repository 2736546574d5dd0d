import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime.ts';
import { type StatusServer, startStatusServer } from '../../infra/local/status/server.ts';
import { endpointSlice, ingress, namespace, node, service, startTestRuntime } from './support.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  help?: string;
  type?: string;
  samples: Sample[];
}

/** Strict reader of the Prometheus text exposition format (0.0.4): throws on any line it does not understand. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    const known = families.get(name);
    if (known) return known;
    const created: Family = { samples: [] };
    families.set(name, created);
    return created;
  };
  const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!metricName.test(name)) throw new Error(`bad metric name in: ${line}`);
      const f = family(name);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`second HELP for ${name}`);
        f.help = rest;
      } else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest))
          throw new Error(`bad TYPE: ${line}`);
        if (f.type !== undefined || f.samples.length > 0) throw new Error(`TYPE for ${name} not before its samples`);
        f.type = rest;
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    if (labelText) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let pos = 0;
      while (pos < labelText.length) {
        re.lastIndex = pos;
        const l = re.exec(labelText);
        if (!l) throw new Error(`bad labels in: ${line}`);
        labels[l[1] as string] = l[2] as string;
        pos = re.lastIndex;
      }
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`bad value in: ${line}`);
    // A histogram's samples are <name>_bucket / _sum / _count of the family declared as <name>.
    const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
    const declared = families.get(name);
    const f = declared?.type
      ? declared
      : base && families.get(base)?.type === 'histogram'
        ? families.get(base)
        : undefined;
    if (!f?.type) throw new Error(`sample ${name} without a preceding TYPE`);
    if (f.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined)
      throw new Error(`histogram bucket without le: ${line}`);
    f.samples.push({ name, labels, value });
  }
  return families;
}

describe('/metrics on the status port', () => {
  let rt: Runtime;
  let server: StatusServer;

  beforeAll(async () => {
    rt = await startTestRuntime();
    const d = rt.devClusters.get('demo')!;
    d.apply(namespace('red', { app: 'migrate' }));
    d.apply(node('node-1', '192.168.10.11', '10.244.1.0/24'));
    d.apply(service('red', 'web'));
    d.apply(endpointSlice('red', 'web', ['10.244.1.5']));
    d.apply(ingress('red', 'web', 'foo.com', 'web'));
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    server = await startStatusServer(() => rt.snapshot(), { metrics: () => rt.metrics() });
  });

  afterAll(async () => {
    await server?.close();
    await rt?.stop();
  });

  it('serves Prometheus text that reflects the first sync', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parseExposition(await res.text());
    for (const [name, f] of families) {
      expect(f.help, `${name} HELP`).toBeTruthy();
      expect(['gauge', 'counter', 'histogram'], `${name} TYPE`).toContain(f.type);
    }
    const one = (name: string) => {
      const s = families.get(name)?.samples ?? [];
      expect(s, name).toHaveLength(1);
      return s[0]?.value;
    };
    expect(one('ako_controller_requests')).toBeGreaterThan(0);
    expect(one('ako_models_applied')).toBeGreaterThan(0);
    expect(one('ako_objects_seen')).toBeGreaterThan(0);
    expect(one('ako_converged')).toBe(1);
    const depth = families.get('ako_queue_depth')!.samples;
    expect(depth.length).toBe((await rt.snapshot()).instances.length);
    expect(depth.length).toBeGreaterThan(0);
    for (const s of depth) {
      expect(s.labels.instance).toBeTruthy();
      expect(s.labels.cluster).toBe('demo');
      expect(s.value).toBe(0);
    }
    for (const s of families.get('ako_dead_letters')!.samples) expect(s.value).toBe(0);
    const owned = families.get('ako_virtual_services')!.samples.reduce((n, s) => n + s.value, 0);
    expect(owned).toBeGreaterThan(0);

    // Sync latency: a histogram per instance, one observation per message the instance processed.
    const latency = families.get('ako_sync_latency_seconds')!;
    expect(latency.type).toBe('histogram');
    const counts = latency.samples.filter((x) => x.name === 'ako_sync_latency_seconds_count');
    expect(counts.map((x) => x.labels.instance)).toContain('demo/avi-system');
    expect(counts.reduce((n, x) => n + x.value, 0)).toBeGreaterThan(0);
    const inf = latency.samples.find(
      (x) => x.name.endsWith('_bucket') && x.labels.le === '+Inf' && x.labels.instance === 'demo/avi-system',
    );
    expect(inf?.value).toBe(counts.find((x) => x.labels.instance === 'demo/avi-system')?.value);
    // The controller's answers by status, as counters; the simulator is not limited here: no 429.
    const responses = families.get('ako_controller_responses_total')!;
    expect(responses.type).toBe('counter');
    expect(responses.samples.some((x) => x.labels.status === '200' && x.value > 0)).toBe(true);
    expect(families.get('ako_controller_throttled_total')!.samples.every((x) => x.value === 0)).toBe(true);
  });

  it('is read-only like the rest of the status port', async () => {
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
