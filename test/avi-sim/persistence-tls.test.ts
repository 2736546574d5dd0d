import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { afterAll, describe, expect, it } from 'vitest';
import { startAviSim } from '../../infra/avi-sim/index.ts';
import { api, errorOf, login, pool, vsvip } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'avi-sim-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('persistence', () => {
  it('loads what an earlier run saved: same uuids, fields, stamps and VIP allocations', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startAviSim({ stateFile });
    const c1 = api(first.url, await login(first.url));
    const p = (await c1.post('/api/pool', pool('keep-1', { cloud_config_cksum: '42' }))).data;
    const v = (await c1.post('/api/vsvip', vsvip('keep-vip'))).data;
    await c1.post('/api/tenant', { name: 'kept-tenant' });
    await first.close();
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const second = await startAviSim({ stateFile });
    try {
      const c2 = api(second.url, await login(second.url));
      const p2 = (await c2.get(`/api/pool/${p.uuid}`)).data;
      expect(p2.cloud_config_cksum).toBe('42');
      expect(p2._last_modified).toBe(p._last_modified);
      expect((await c2.get(`/api/vsvip/${v.uuid}`)).data.vip[0].ip_address).toEqual(v.vip[0].ip_address);
      const next = (await c2.post('/api/vsvip', vsvip('keep-vip-2'))).data;
      expect(next.vip[0].ip_address.addr).not.toBe(v.vip[0].ip_address.addr);
      expect((await c2.post('/api/pool', pool('keep-1'))).status).toBe(409);
      expect((await c2.get('/api/tenant?name=kept-tenant')).data.count).toBe(1);
      expect((await c2.get('/api/cloud?name=Default-Cloud')).data.count).toBe(1);
    } finally {
      await second.close();
    }
  });
});

describe('TLS', () => {
  it('serves HTTPS that verifies against the simulator CA, and fails verification without it', async () => {
    const sim = await startAviSim({ tls: true });
    try {
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.ca).toContain('BEGIN CERTIFICATE');
      const agent = new Agent({ ca: sim.ca });
      const ok = await axios.post(`${sim.url}/login`, { username: 'admin', password: 'admin' }, { httpsAgent: agent });
      expect(ok.status).toBe(200);
      expect(ok.headers['set-cookie']?.some((c) => c.startsWith('sessionid=') && c.includes('Secure'))).toBe(true);
      await expect(axios.post(`${sim.url}/login`, { username: 'admin', password: 'admin' })).rejects.toThrow(
        /self.signed|certificate/i,
      );
    } finally {
      await sim.close();
    }
  });

  it('requires a same-origin Referer on HTTPS writes (Django CSRF rule)', async () => {
    const sim = await startAviSim({ tls: true });
    try {
      const httpsAgent = new Agent({ ca: sim.ca });
      const res = await axios.post(`${sim.url}/login`, { username: 'admin', password: 'admin' }, { httpsAgent });
      const cookies = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
      const csrf = cookies.find((c) => c.startsWith('csrftoken='))!.split('=')[1]!;
      const headers = { Cookie: cookies.join('; '), 'X-CSRFToken': csrf, 'X-Avi-Version': '30.2.1' };
      const noReferer = await axios.post(`${sim.url}/api/pool`, pool('tls-1'), {
        httpsAgent,
        headers,
        validateStatus: () => true,
      });
      expect(noReferer.status).toBe(403);
      expect(errorOf(noReferer)).toContain('Referer');
      const ok = await axios.post(`${sim.url}/api/pool`, pool('tls-1'), {
        httpsAgent,
        headers: { ...headers, Referer: `${sim.url}/` },
      });
      expect(ok.status).toBe(201);
      expect(ok.data.url).toMatch(/^https:\/\//);
    } finally {
      await sim.close();
    }
  });
});

describe('CLI', () => {
  it('prints where it listens and serves until stopped', async () => {
    // One process (tsx as a loader) so the signal reaches the simulator itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/cli.ts', 'avi-sim', '--port', '0'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listen line in: ${out}`)), 30_000);
        child.stdout.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const res = await axios.get(`${url}/api/initial-data`);
      expect(res.data.version.Version).toBe('30.2.1');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
