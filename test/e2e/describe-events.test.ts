// Why an Ingress has no address, where an operator looks: `kubectl describe ingress` and `kubectl get events`
// read core/v1 Events, while the instances record events.k8s.io/v1 Events — one storage behind both APIs, as on a
// real API server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ingress, namespace, startTestRuntime } from './support.ts';

const kubectl = async (server: string, ...args: string[]) =>
  (await promisify(execFile)('kubectl', ['--server', server, ...args])).stdout;

describe('Events the way kubectl shows them', () => {
  it('an Ingress whose backend Service is missing: describe and get events show ServiceNotFound', async () => {
    const rt = await startTestRuntime();
    try {
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const dev = rt.devClusters.get('demo')!;
      dev.apply(namespace('red', { app: 'migrate' }));
      dev.apply(ingress('red', 'web', 'web.example.com', 'no-such-service'));
      const until = Date.now() + 45_000;
      let described = '';
      while (Date.now() < until) {
        described = await kubectl(dev.url, 'describe', 'ingress', 'web', '-n', 'red');
        if (described.includes('ServiceNotFound')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(described).toMatch(/Events:[\s\S]*Warning\s+ServiceNotFound/);
      expect(described).toContain('no-such-service');
      const all = await kubectl(dev.url, 'get', 'events', '-A');
      expect(all).toMatch(/red\s+.*Warning\s+ServiceNotFound\s+ingress\/web/);
    } finally {
      await rt.stop();
    }
  });
});
