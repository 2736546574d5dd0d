/** Structured JSON logs carry instance, model, operation, outcome and duration, and never key material. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { createLogger } from '../../shared/log.ts';
import { ingress, instanceFor, makeRig, objectMsg, service, tempKeyProvider, tlsSecret } from './harness.ts';

let sim: AviSim;
beforeAll(async () => {
  sim = await startAviSim();
});
afterAll(async () => {
  await sim?.close();
});

it('logs each reconciled model as JSON without secrets', async () => {
  const lines: string[] = [];
  const keys = tempKeyProvider();
  const rig = makeRig(sim, instanceFor(sim, { namespace: 'avi-system', primary: true }), {
    keyProvider: keys,
    logger: createLogger({}, { level: 'debug', write: (l) => lines.push(l) }),
  });
  const KEY = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n';
  const sec = await tlsSecret(
    'logns',
    'tls',
    '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    KEY,
    keys,
  );
  const bad = JSON.stringify({ type: 'object', version: 1, change: { object: { data: { 'tls.key': 'c2VjcmV0' } } } });
  await rig.sync([
    objectMsg(service('logns', 'avisvc')),
    objectMsg(sec.object, { encryptedSecret: sec.encryptedSecret }),
    objectMsg(ingress('logns', 'ing', [{ host: 'foo.com' }], [{ hosts: ['foo.com'], secretName: 'tls' }])),
    bad,
  ]);
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const reconciled = entries.filter((e) => e.msg === 'model reconciled');
  expect(reconciled.length).toBeGreaterThan(0);
  for (const e of reconciled) {
    expect(e).toMatchObject({ instance: 'cluster/avi-system', operation: 'apply', outcome: 'applied' });
    expect(typeof e.model).toBe('string');
    expect(typeof e.duration).toBe('number');
  }
  const all = lines.join('\n') + JSON.stringify(rig.deadLetters) + JSON.stringify(rig.published);
  expect(all).not.toContain('PRIVATE KEY');
  expect(all).not.toContain('c2VjcmV0');
  expect(all).not.toContain(Buffer.from(KEY).toString('base64').slice(0, 24));
  expect(rig.deadLetters).toHaveLength(1);
});
