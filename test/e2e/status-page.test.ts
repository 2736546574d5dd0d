import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime.ts';
import { type StatusServer, startStatusServer } from '../../infra/local/status/server.ts';
import { ensureChromium, renderDom, screenshot } from '../support/chromium.ts';
import { endpointSlice, ingress, namespace, node, service, startTestRuntime } from './support.ts';

const chromium = ensureChromium();
if (!chromium.path) console.warn(`status page browser test skipped: ${chromium.reason}`);

describe('status page', () => {
  let rt: Runtime;
  let server: StatusServer;

  beforeAll(async () => {
    rt = await startTestRuntime();
    const d = rt.devClusters.get('demo')!;
    d.apply(namespace('red', { app: 'migrate' }));
    d.apply(namespace('green', { key: 'value2' }));
    d.apply(node('node-1', '192.168.10.11', '10.244.1.0/24'));
    d.apply(service('red', 'web'));
    d.apply(endpointSlice('red', 'web', ['10.244.1.5']));
    d.apply(ingress('red', 'web', 'foo.com', 'web'));
    d.apply(service('green', 'web'));
    d.apply(ingress('green', 'web', 'bar.com', 'web'));
    // Skipped: its Service does not exist. Unowned: no instance selects sandbox.
    d.apply(ingress('red', 'orphan', 'orphan.example.com', 'no-such-service'));
    d.apply(namespace('sandbox', { team: 'play' }));
    d.apply(ingress('sandbox', 'play', 'play.example.com', 'web'));
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    server = await startStatusServer(() => rt.snapshot());
  });

  afterAll(async () => {
    await server?.close();
    await rt?.stop();
  });

  it('serves the same data as `status` as JSON, read-only', async () => {
    const res = await fetch(`${server.url}/api/status`);
    const s = (await res.json()) as {
      instances: { id: string; virtualServices: { name: string; vips: string[] }[] }[];
    };
    expect(s.instances.map((i) => i.id)).toEqual(['demo/avi-system', 'demo/blue']);
    expect(s.instances[0]?.virtualServices.map((v) => v.name)).toEqual(['demo--Shared-L7-0']);
    expect(s.instances[1]?.virtualServices.map((v) => v.name)).toEqual(['demo--blue-Shared-L7-1']);
    expect(s.instances[0]?.virtualServices[0]?.vips[0]).toMatch(/^10\.250\.250\.\d+$/);
    expect((await fetch(`${server.url}/api/status`, { method: 'POST' })).status).toBe(405);
  });

  it('maps each Ingress to its VS, pools and VIP, lists skipped objects with the cause and unowned namespaces', async () => {
    const s = (await (await fetch(`${server.url}/api/status`)).json()) as {
      instances: {
        id: string;
        virtualServices: { name: string; vips: string[] }[];
        objects: { object: string; virtualServices: string[]; pools: string[]; vips: string[] }[];
        warnings: { object: string; reason: string; note: string }[];
      }[];
      unownedNamespaces: { cluster: string; namespace: string; why: string }[];
      history?: { budgetPerSecond: number; samples: unknown[] };
    };
    const primary = s.instances.find((i) => i.id === 'demo/avi-system')!;
    const web = primary.objects.find((o) => o.object === 'Ingress red/web')!;
    // AKO's names: the host's shard VS and the pool <cluster>--<host>_<path>-<namespace>-<ingress>.
    expect(web.virtualServices).toContain('demo--Shared-L7-0');
    expect(web.pools).toEqual(['demo--foo.com_-red-web']);
    expect(web.vips).toEqual(primary.virtualServices.find((v) => v.name === 'demo--Shared-L7-0')!.vips);
    const skipped = primary.warnings.find((w) => w.object === 'Ingress red/orphan');
    expect(skipped?.reason).toBe('ServiceNotFound');
    expect(skipped?.note).toContain('no-such-service');
    expect(s.unownedNamespaces).toContainEqual({ cluster: 'demo', namespace: 'sandbox', why: 'no-match' });
    expect(s.unownedNamespaces.map((u) => u.namespace)).not.toContain('red');
    expect(s.history?.budgetPerSecond).toBeGreaterThan(0);
  });

  it.skipIf(!chromium.path)('lists the instances and their virtual services in headless Chromium', async () => {
    const dom = await renderDom(chromium.path!, server.url);
    expect(dom).toContain('data-instance="demo/avi-system"');
    expect(dom).toContain('data-instance="demo/blue"');
    expect(dom).toContain('demo--Shared-L7-0');
    expect(dom).toContain('demo--blue-Shared-L7-1');
    expect(dom).toContain('ako-demo-blue');
    expect(dom).toContain('Ingress red/web');
    expect(dom).toContain('demo--foo.com_-red-web → 10.244.1.5:8080');
    expect(dom).toMatch(/Ingress red\/orphan<\/td><td class="bad">ServiceNotFound/);
    expect(dom).toContain('Namespaces no instance selects');
    expect(dom).toContain('<td>sandbox</td>');
    expect(dom).toMatch(/<svg[^>]*aria-label="controller requests\/s"/);
    const file = join(mkdtempSync(join(tmpdir(), 'ako-shot-')), 'status.png');
    await screenshot(chromium.path!, server.url, file);
    console.log(`status page screenshot: ${file}`);
    expect(existsSync(file) && statSync(file).size > 1000).toBe(true);
  });
});
