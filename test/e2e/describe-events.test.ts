// Why an Ingress has no address, where an operator looks: `kubectl describe ingress` and `kubectl get events`
// read core/v1 Events, while the instances record events.k8s.io/v1 Events — one storage behind both APIs, as on a
// real API server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createAviClient } from '../../shared/avi/index.ts';
import { shardVsName } from '../../shared/model/index.ts';
import { SecretValue } from '../../shared/secret.ts';
import { endpointSlice, ingress, namespace, service, startTestRuntime, terminalCapture } from './support.ts';

const kubectl = async (server: string, ...args: string[]) =>
  (await promisify(execFile)('kubectl', ['--server', server, ...args])).stdout;

/** `kubectl describe` of one Ingress until its Events show `reason` (or 45 s). */
async function describeUntil(server: string, ns: string, name: string, reason: string): Promise<string> {
  const until = Date.now() + 45_000;
  let described = '';
  while (Date.now() < until) {
    described = await kubectl(server, 'describe', 'ingress', name, '-n', ns);
    if (described.includes(reason)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return described;
}

function tlsIngress(ns: string, name: string, host: string, svc: string, secretName: string) {
  const base = ingress(ns, name, host, svc);
  return { ...base, spec: { ...base.spec, tls: [{ hosts: [host], secretName }] } };
}

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

  it('an Ingress whose TLS Secret is missing: describe, the status page and the terminal show SecretNotFound', async () => {
    const terminal = terminalCapture();
    const rt = await startTestRuntime(undefined, { logger: terminal.logger });
    try {
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const dev = rt.devClusters.get('demo')!;
      dev.apply(namespace('red', { app: 'migrate' }));
      dev.apply(service('red', 'web'));
      dev.apply(endpointSlice('red', 'web', ['10.244.1.5']));
      dev.apply(tlsIngress('red', 'web', 'secure.example.com', 'web', 'no-such-secret'));
      const described = await describeUntil(dev.url, 'red', 'web', 'SecretNotFound');
      expect(described).toMatch(/Warning\s+SecretNotFound\s/);
      expect(described).toContain('no-such-secret');
      const warnings = (await rt.snapshot()).instances.flatMap((i) => i.warnings);
      expect(warnings).toContainEqual(expect.objectContaining({ object: 'Ingress red/web', reason: 'SecretNotFound' }));
      expect(terminal.lines.join('\n')).toMatch(
        /WARN\s+demo\/avi-system\s+Ingress red\/web: SecretNotFound — .*no-such-secret/,
      );
    } finally {
      await rt.stop();
    }
  });

  it('an Ingress whose shard VS name is held by another owner: describe, the status page and the terminal name the owner', async () => {
    const terminal = terminalCapture();
    const rt = await startTestRuntime(undefined, { logger: terminal.logger });
    try {
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const primary = rt.registry.instances.find((i) => i.primary)!;
      const host = 'taken.example.com';
      const vsName = shardVsName(primary, host, primary.l7.shardVSSize);
      // Another owner on the same controller, created beforehand through the REST API.
      const other = createAviClient({
        host: rt.aviSim!.url,
        username: rt.aviSim!.username,
        password: new SecretValue('admin'),
        owner: 'ako-someone-else',
      });
      const vsvip = await other.create('vsvip', { name: vsName, vip: [{ vip_id: '0', auto_allocate_ip: true }] });
      await other.create('virtualservice', {
        name: vsName,
        created_by: 'ako-someone-else',
        vsvip_ref: `/api/vsvip/${vsvip.uuid}`,
        services: [{ port: 80 }],
      });
      const dev = rt.devClusters.get('demo')!;
      dev.apply(namespace('red', { app: 'migrate' }));
      dev.apply(service('red', 'web'));
      dev.apply(endpointSlice('red', 'web', ['10.244.1.5']));
      dev.apply(ingress('red', 'web', host, 'web'));
      const described = await describeUntil(dev.url, 'red', 'web', 'AviObjectCollision');
      expect(described).toMatch(/Warning\s+AviObjectCollision\s/);
      expect(described).toContain('ako-someone-else');
      expect(described).toMatch(/Address:\s*\n/);
      const warnings = (await rt.snapshot()).instances.flatMap((i) => i.warnings);
      expect(warnings).toContainEqual(
        expect.objectContaining({ object: 'Ingress red/web', reason: 'AviObjectCollision' }),
      );
      expect(terminal.lines.join('\n')).toMatch(/WARN .*ako-someone-else/);
    } finally {
      await rt.stop();
    }
  });

  it('a namespace two instances select: describe ingress, the status page and the terminal say nothing in it syncs', async () => {
    const terminal = terminalCapture();
    const rt = await startTestRuntime(undefined, { logger: terminal.logger });
    try {
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const dev = rt.devClusters.get('demo')!;
      // Matches the primary (app=migrate) and blue (key=value2): AKO would let both write; here neither does.
      dev.apply(namespace('red', { app: 'migrate', key: 'value2' }));
      dev.apply(service('red', 'web'));
      dev.apply(ingress('red', 'web', 'web.example.com', 'web'));
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const until = Date.now() + 30_000;
      let described = '';
      while (Date.now() < until) {
        described = await kubectl(dev.url, 'describe', 'ingress', 'web', '-n', 'red');
        if (described.includes('OwnershipConflict')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(described).toMatch(/Warning\s+OwnershipConflict\s.*claimed by demo\/avi-system and demo\/blue/);
      const snap = await rt.snapshot();
      expect(snap.conflicts).toContainEqual(
        expect.objectContaining({ cluster: 'demo', namespace: 'red', instances: ['demo/avi-system', 'demo/blue'] }),
      );
      expect(snap.health.state).toBe('degraded');
      expect(terminal.lines.join('\n')).toMatch(/WARN .*namespace red: namespace claimed by more than one instance/);
    } finally {
      await rt.stop();
    }
  });
});
