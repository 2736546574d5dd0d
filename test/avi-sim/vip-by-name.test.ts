import { describe, expect, it } from 'vitest';
import { startAviSim } from '../../infra/avi-sim/index.ts';

const vsvip = (name: string) => ({ name, vip: [{ vip_id: '0', auto_allocate_ip: true }] });

async function allocate(order: string[], vipAllocation: 'sequential' | 'by-name') {
  const sim = await startAviSim({ vipAllocation });
  try {
    for (const name of order) sim.create('vsvip', vsvip(name));
    return Object.fromEntries(
      sim.objects('vsvip').map((v) => [v.name, (v.vip as { ip_address: { addr: string } }[])[0]?.ip_address.addr]),
    );
  } finally {
    await sim.close();
  }
}

describe('VIP allocation', () => {
  it('by name: the same VsVips get the same addresses whatever the creation order (replays)', async () => {
    const names = ['demo--Shared-L7-0', 'demo--blue-Shared-L7-1', 'demo--red-lb', 'demo--Shared-L7-7'];
    const forward = await allocate(names, 'by-name');
    const backward = await allocate([...names].reverse(), 'by-name');
    expect(backward).toEqual(forward);
    expect(new Set(Object.values(forward)).size).toBe(names.length);
    for (const ip of Object.values(forward)) expect(ip).toMatch(/^10\.250\.250\.\d+$/);
  });

  it('sequential (default, like a controller): the next free address in creation order', async () => {
    expect(await allocate(['a', 'b'], 'sequential')).toEqual({ a: '10.250.250.10', b: '10.250.250.11' });
  });
});
