import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { createAviClient } from '../../shared/avi/index.ts';
import { SecretValue } from '../../shared/secret.ts';

describe('controller version discovery', () => {
  let sim: AviSim;
  beforeAll(async () => {
    sim = await startAviSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('requests made while the first login is under way wait for the discovered version', async () => {
    const client = createAviClient({
      host: sim.url,
      username: 'admin',
      password: new SecretValue('admin'),
      owner: 'ako-demo',
      ratePerSecond: 1000,
      burst: 1000,
    });
    // A slow /api/initial-data opens the window between "logged in" and "version known".
    const slow = sim.faults.add({ path: '/api/initial-data', latencyMs: 300 });
    const create = (i: number) =>
      client.create('pool', {
        name: `p${i}`,
        created_by: 'ako-demo',
        markers: [{ key: 'clustername', values: ['demo'] }],
      });
    // `markers` exists only from 20.1.5: sent with the bootstrap version (18.2.6) the controller refuses it.
    const first = create(0);
    await new Promise((r) => setTimeout(r, 150)); // the login POST is done, discovery is under way
    const pools = await Promise.all([first, ...Array.from({ length: 5 }, (_, i) => create(i + 1))]);
    slow();
    expect(pools.map((p) => p.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    const versions = sim
      .requestLog()
      .filter((r) => r.method === 'POST' && r.type === 'pool')
      .map((r) => r.status);
    expect(versions).toEqual([201, 201, 201, 201, 201, 201]);
  });
});
