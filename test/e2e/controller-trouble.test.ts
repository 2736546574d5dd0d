// Why an Ingress has no address when the controller itself is the problem: `kubectl describe ingress` names it
// (ControllerUnreachable, ControllerTLSVerificationFailed) instead of showing `Events: <none>`, and the status
// snapshot says what is wrong. The controllers here are real HTTP(S) endpoints: a closed port and the simulator
// serving HTTPS with a certificate the instance does not trust.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startAviSim } from '../../infra/avi-sim/index.ts';
import type { Runtime } from '../../infra/local/runtime.ts';
import {
  endpointSlice,
  ingress,
  namespace,
  SEED_REGISTRY,
  service,
  startTestRuntime,
  terminalCapture,
} from './support.ts';

const kubectl = async (server: string, ...args: string[]) =>
  (await promisify(execFile)('kubectl', ['--server', server, ...args])).stdout;

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

// The handshake or connection fails before any login: a password nobody could mistake, never to appear in an Event.
const credentials = { CTRL_USERNAME: 'admin', CTRL_PASSWORD: 'Pw-not-in-events-7' };

async function describeUntil(rt: Runtime, reason: string): Promise<string> {
  const dev = rt.devClusters.get('demo')!;
  dev.apply(namespace('red', { app: 'migrate' }));
  dev.apply(service('red', 'web'));
  dev.apply(endpointSlice('red', 'web', ['10.0.0.1']));
  dev.apply(ingress('red', 'web', 'web.example.com', 'web'));
  const until = Date.now() + 60_000;
  let described = '';
  while (Date.now() < until) {
    described = await kubectl(dev.url, 'describe', 'ingress', 'web', '-n', 'red');
    if (described.includes(reason)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return described;
}

describe('an Ingress waiting on the controller says why', () => {
  it('controller unreachable: ControllerUnreachable on the Ingress, nothing dead-lettered, health degraded', async () => {
    const terminal = terminalCapture();
    const rt = await startTestRuntime(SEED_REGISTRY, {
      logger: terminal.logger,
      controller: `https://127.0.0.1:${await closedPort()}`,
      demoDevClusterWithRealController: true,
      env: credentials,
      queue: { backoffMs: () => 20, maxReceiveCount: 3, outageBackoffMs: () => 200 },
    });
    try {
      const described = await describeUntil(rt, 'ControllerUnreachable');
      expect(described).toMatch(/Address:\s*\n/);
      expect(described).toMatch(/Warning\s+ControllerUnreachable\s.*not answering/);
      expect(described).toContain('ECONNREFUSED');
      expect(described).not.toContain(credentials.CTRL_PASSWORD);
      const snap = await rt.snapshot();
      expect(snap.health.state).not.toBe('converged');
      // The cause, said once where the operator looks first.
      expect(snap.health.problems.join(' ')).toContain('ECONNREFUSED');
      // An outage is retried for as long as it lasts: it does not spend the dead-letter budget, on any queue.
      expect(rt.deadLetters()).toEqual([]);
      const warnings = (await rt.snapshot()).instances.flatMap((i) => i.warnings);
      expect(warnings).toContainEqual(
        expect.objectContaining({ object: 'Ingress red/web', reason: 'ControllerUnreachable' }),
      );
      // The terminal says it once per cause, not once per retry (the repeats are counted, then summarised).
      const refused = terminal.lines.filter((l) => l.includes('ECONNREFUSED'));
      expect(refused.length).toBeGreaterThan(0);
      expect(new Set(refused).size).toBe(refused.length);
    } finally {
      await rt.stop();
    }
  }, 90_000);

  it('controller certificate not trusted: ControllerTLSVerificationFailed names the fix', async () => {
    const sim = await startAviSim({ tls: true });
    const terminal = terminalCapture();
    const rt = await startTestRuntime(SEED_REGISTRY, {
      logger: terminal.logger,
      controller: sim.url,
      demoDevClusterWithRealController: true,
      env: credentials,
    });
    try {
      const described = await describeUntil(rt, 'ControllerTLSVerificationFailed');
      expect(described).toMatch(/Warning\s+ControllerTLSVerificationFailed\s/);
      expect(described).toContain('certificateAuthorityData');
      expect(described).not.toContain(credentials.CTRL_PASSWORD);
      expect(terminal.lines.join('\n')).toMatch(/TLS verification of https:\/\/127\.0\.0\.1:\d+ failed/);
      const warnings = (await rt.snapshot()).instances.flatMap((i) => i.warnings);
      expect(warnings.map((w) => w.reason)).toContain('ControllerTLSVerificationFailed');
      // Nothing reached the controller beyond the refused handshake.
      expect((await rt.snapshot()).totals.modelsApplied).toBe(0);
    } finally {
      await rt.stop();
      await sim.close();
    }
  }, 90_000);
});
