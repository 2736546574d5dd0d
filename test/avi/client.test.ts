import { describe, expect, it } from 'vitest';
import { AviError, AviOwnershipError, createAviClient } from '../../shared/avi/index.ts';
import { createLogger } from '../../shared/log.ts';
import { SecretValue } from '../../shared/secret.ts';
import { clientFor, withSim } from './helpers.ts';

const foreignPool = (name: string, createdBy = 'ako-c1-blue') => ({
  name,
  created_by: createdBy,
  tenant_ref: '/api/tenant/?name=admin',
  cloud_ref: '/api/cloud?name=Default-Cloud',
  servers: [{ ip: { addr: '10.9.9.9', type: 'V4' }, port: 80 }],
});

describe('Avi client: session', () => {
  it('logs in with a password, sends the CSRF token and cookies, and discovers the version (capped at 30.2.1)', async () => {
    await withSim({ version: '31.1.1' }, async (sim) => {
      const client = clientFor(sim);
      const pool = await client.create('pool', foreignPool('c1--p1', 'ako-c1'), { tenant: 'admin' });
      expect(pool.uuid).toMatch(/^pool-/);
      expect(await client.version()).toBe('30.2.1');
      const log = sim.requestLog();
      expect(log.map((e) => `${e.method} ${e.type}`)).toEqual(['POST login', 'GET initial-data', 'POST pool']);
      expect(log[2]!.status).toBe(201);
      expect(log[2]!.tenant).toBe('admin');
    });
  });

  it('uses the controller version when it is older, and a configured version without asking', async () => {
    await withSim({ version: '22.1.3' }, async (sim) => {
      const client = clientFor(sim);
      expect(await client.list('pool')).toEqual([]);
      expect(await client.version()).toBe('22.1.3');
      const configured = clientFor(sim, { version: '22.1.1' });
      await configured.list('pool');
      expect(sim.requestLog().filter((e) => e.type === 'initial-data')).toHaveLength(1);
    });
  });

  it('logs in with a token', async () => {
    await withSim({ tokens: ['tok-123'] }, async (sim) => {
      const client = clientFor(sim, { password: undefined, authtoken: new SecretValue('tok-123') });
      expect(await client.list('pool')).toEqual([]);
    });
  });

  it('fails permanently on bad credentials, without the password in the error or the logs', async () => {
    await withSim({}, async (sim) => {
      const lines: string[] = [];
      const logger = createLogger({}, { level: 'debug', write: (l) => lines.push(l) });
      const client = clientFor(sim, { password: new SecretValue('hunter2-secret'), logger });
      const err = await client.list('pool').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AviError);
      expect((err as AviError).status).toBe(401);
      expect((err as AviError).transient).toBe(false);
      expect((err as AviError).message).toContain('Invalid credentials');
      const everything = `${(err as Error).message} ${(err as Error).stack} ${JSON.stringify(err)} ${lines.join('\n')}`;
      expect(everything).not.toContain('hunter2-secret');
    });
  });

  it('logs in again after the session expires and replays the request once', async () => {
    await withSim({}, async (sim) => {
      const client = clientFor(sim);
      await client.list('pool');
      sim.expireSessions();
      await client.create('pool', foreignPool('c1--p2', 'ako-c1'));
      expect(client.stats().logins).toBe(2);
      const log = sim.requestLog().map((e) => `${e.method} ${e.type} ${e.status}`);
      expect(log.slice(-3)).toEqual(['POST pool 401', 'POST login 200', 'POST pool 201']);
    });
  });

  it('sends each request in its own tenant', async () => {
    await withSim({}, async (sim) => {
      const client = clientFor(sim, { tenant: 'admin' });
      await client.list('pool', { tenant: '*' });
      await client.list('pool');
      expect(
        sim
          .requestLog()
          .filter((e) => e.type === 'pool')
          .map((e) => e.tenant),
      ).toEqual(['*', 'admin']);
    });
  });

  it('verifies TLS by default, trusts a given CA bundle, and skips verification only when told to', async () => {
    await withSim({ tls: true }, async (sim) => {
      const strict = clientFor(sim);
      const err = await strict.list('pool').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AviError);
      expect((err as AviError).message).toMatch(/TLS verification/);
      expect((err as AviError).transient).toBe(false);
      expect(sim.requestLog()).toHaveLength(0);
      expect(await clientFor(sim, { certificateAuthorityData: sim.ca }).list('pool')).toEqual([]);
      expect(await clientFor(sim, { insecureSkipVerify: true }).list('pool')).toEqual([]);
    });
  });
});

describe('Avi client: requests', () => {
  it('reads every page of a collection', async () => {
    await withSim({}, async (sim) => {
      for (let i = 0; i < 230; i++) sim.create('pool', foreignPool(`c1--pool-${String(i).padStart(3, '0')}`, 'ako-c1'));
      const client = clientFor(sim);
      const all = await client.list('pool', { query: { created_by: 'ako-c1' } });
      expect(all).toHaveLength(230);
      expect(new Set(all.map((p) => p.name)).size).toBe(230);
      expect(sim.requestLog().filter((e) => e.type === 'pool')).toHaveLength(2);
      expect((await client.getByName('pool', 'c1--pool-123'))?.name).toBe('c1--pool-123');
      expect(await client.getByName('pool', 'nope')).toBeUndefined();
    });
  });

  it('retries a 5xx burst, a 429 storm (honouring Retry-After) and a timeout, then succeeds', async () => {
    await withSim({}, async (sim) => {
      const client = clientFor(sim, { timeoutMs: 300 });
      await client.list('pool');
      sim.faults.add({ type: 'pool', method: 'POST', status: 503, times: 3 });
      await client.create('pool', foreignPool('c1--a', 'ako-c1'));
      sim.faults.add({ type: 'pool', method: 'GET', status: 429, times: 2, retryAfterSeconds: 0 });
      await client.list('pool');
      sim.faults.timeoutHoldMs = 1000;
      sim.faults.add({ type: 'pool', method: 'GET', timeout: true, times: 1 });
      expect(await client.list('pool')).toHaveLength(1);
      expect(client.stats().retries).toBe(6);
      expect(sim.objects('pool')).toHaveLength(1);
    });
  });

  it('gives up after its attempts with a transient AviError naming method, type, name and the controller message', async () => {
    await withSim({}, async (sim) => {
      const client = clientFor(sim, { maxAttempts: 3 });
      sim.faults.add({ type: 'pool', method: 'POST', status: 503 });
      const err = (await client.create('pool', foreignPool('c1--b', 'ako-c1')).catch((e: unknown) => e)) as AviError;
      expect(err).toBeInstanceOf(AviError);
      expect(err).toMatchObject({
        status: 503,
        method: 'POST',
        objectType: 'pool',
        objectName: 'c1--b',
        transient: true,
      });
      expect(sim.requestLog().filter((e) => e.type === 'pool')).toHaveLength(3);
    });
  });

  it('reports validation errors as permanent, with the controller message', async () => {
    await withSim({}, async (sim) => {
      const client = clientFor(sim);
      const bad = { ...foreignPool('c1--bad', 'ako-c1'), servers: [{ port: 80 }] };
      const err = (await client.create('pool', bad).catch((e: unknown) => e)) as AviError;
      expect(err).toMatchObject({
        status: 400,
        method: 'POST',
        objectType: 'pool',
        objectName: 'c1--bad',
        transient: false,
      });
      expect(err.message).toMatch(/ip/);
    });
  });

  it('counts reads and writes', async () => {
    await withSim({}, async (sim) => {
      const client = clientFor(sim);
      const p = await client.create('pool', foreignPool('c1--c', 'ako-c1'));
      await client.update('pool', p.uuid!, { ...foreignPool('c1--c', 'ako-c1'), enabled: false });
      await client.delete('pool', p.uuid!);
      const s = client.stats();
      expect(s.writes).toBe(3);
      expect(s.writesByType).toEqual({ pool: 3 });
      expect(s.reads).toBe(3); // initial-data + the guard's read before PUT and before DELETE
    });
  });
});

describe('Avi client: ownership guard', () => {
  it("refuses to PUT, PATCH or DELETE another instance's object, and sends nothing", async () => {
    await withSim({}, async (sim) => {
      const theirs = sim.create('pool', foreignPool('c1--shared-name'));
      const client = clientFor(sim);
      for (const attempt of [
        () => client.update('pool', theirs.uuid as string, foreignPool('c1--shared-name', 'ako-c1')),
        () => client.patch('pool', theirs.uuid as string, 'replace', { enabled: false }),
        () => client.delete('pool', theirs.uuid as string),
      ]) {
        const err = await attempt().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AviOwnershipError);
        expect((err as AviOwnershipError).createdBy).toBe('ako-c1-blue');
        expect((err as AviOwnershipError).transient).toBe(false);
      }
      expect(sim.requestLog().filter((e) => e.method !== 'GET' && e.type === 'pool')).toEqual([]);
      expect(sim.objects('pool')[0]!._last_modified).toBe(theirs._last_modified);
    });
  });

  it('refuses objects without created_by, bodies with a foreign created_by, and system objects', async () => {
    await withSim({}, async (sim) => {
      const unowned = sim.create('pool', { ...foreignPool('c1--user'), created_by: undefined });
      const client = clientFor(sim);
      await expect(client.delete('pool', unowned.uuid as string)).rejects.toBeInstanceOf(AviOwnershipError);
      await expect(client.create('pool', foreignPool('c1--x', 'ako-c1-blue'))).rejects.toBeInstanceOf(
        AviOwnershipError,
      );
      const vrf = (await client.getByName('vrfcontext', 'global'))!;
      await expect(client.update('vrfcontext', vrf.uuid!, { name: 'global' })).rejects.toBeInstanceOf(
        AviOwnershipError,
      );
      const noOwner = clientFor(sim, { owner: undefined });
      const mine = await client.create('pool', foreignPool('c1--y', 'ako-c1'));
      await expect(noOwner.delete('pool', mine.uuid!)).rejects.toBeInstanceOf(AviOwnershipError);
      expect(sim.requestLog().filter((e) => e.method !== 'GET' && e.method !== 'POST')).toEqual([]);
    });
  });

  it('attributes a VsVip through the VS that uses it', async () => {
    await withSim({}, async (sim) => {
      const vip = (name: string) => ({
        name,
        tenant_ref: '/api/tenant/?name=admin',
        cloud_ref: '/api/cloud?name=Default-Cloud',
        vip: [{ vip_id: '0', auto_allocate_ip: true }],
        markers: [{ key: 'clustername', values: ['c1'] }],
      });
      const theirVip = sim.create('vsvip', vip('c1--blue-Shared-L7-0'));
      sim.create('virtualservice', {
        name: 'c1--blue-Shared-L7-0',
        created_by: 'ako-c1-blue',
        cloud_ref: '/api/cloud?name=Default-Cloud',
        vsvip_ref: '/api/vsvip/?name=c1--blue-Shared-L7-0',
        services: [{ port: 80 }],
      });
      const client = clientFor(sim);
      const err = await client.delete('vsvip', theirVip.uuid as string).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AviOwnershipError);
      expect((err as AviOwnershipError).createdBy).toBe('ako-c1-blue');
      // An unattached VsVip marked for another cluster is not ours either; one marked for ours is.
      const other = sim.create('vsvip', { ...vip('c10--x'), markers: [{ key: 'clustername', values: ['c10'] }] });
      await expect(client.delete('vsvip', other.uuid as string)).rejects.toBeInstanceOf(AviOwnershipError);
      const orphan = sim.create('vsvip', vip('c1--orphan'));
      expect(await client.delete('vsvip', orphan.uuid as string)).toBe('deleted');
      expect(
        sim
          .requestLog()
          .filter((e) => e.method === 'DELETE')
          .map((e) => e.uuid),
      ).toEqual([orphan.uuid]);
    });
  });

  it('treats an object already gone as deleted', async () => {
    await withSim({}, async (sim) => {
      const client = clientFor(sim);
      expect(await client.delete('pool', 'pool-00000000-0000-4000-8000-000000000000')).toBe('not-found');
    });
  });
});

describe('Avi client: construction', () => {
  it('refuses a non-positive rate', () => {
    expect(() => createAviClient({ host: 'x', ratePerSecond: 0 })).toThrow(/ratePerSecond/);
  });
});
