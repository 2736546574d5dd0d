// The simulator answers the official SDKs' requests byte for byte as they send them (raw HTTP, no client library):
// - the Python SDK (`avisdk`, avi/sdk/avi_api.py) logs in with requests.Session.post(url, dict): a form-encoded
//   body and no X-Avi-Version; its calls then carry Referer = the prefix, Content-Type: application/json, a
//   `timeout` header, X-Avi-Tenant, X-CSRFToken and the csrftoken/sessionid/avi-sessionid cookies, JSON bodies
//   written by json.dumps, and X-Avi-Version only when the session was given an api_version;
// - the Go SDK (what AKO uses) logs in with a JSON body and X-Avi-Version 18.2.6.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

let sim: AviSim;

beforeAll(async () => {
  sim = await startAviSim({ username: 'admin', password: 'p@ss word&x=1', tokens: ['tok-abc'] });
});
afterAll(async () => {
  await sim.close();
});

function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What requests.Session.post(prefix + "/login", {"username": u, "password": p}) puts on the wire. */
function pythonLogin(fields: string): Promise<RawReply> {
  return raw(
    'POST',
    '/login',
    { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Encoding': 'identity' },
    fields,
  );
}

interface PySession {
  csrf: string;
  sessionId: string;
}

function sessionOf(login: RawReply): PySession {
  const cookies = Object.fromEntries(
    ((login.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      return [pair!.slice(0, i), pair!.slice(i + 1)];
    }),
  );
  const name = String(login.json().session_cookie_name ?? 'sessionid');
  return { csrf: cookies.csrftoken ?? '', sessionId: cookies[name] ?? '' };
}

/** ApiSession._get_api_headers plus the cookies _api adds; `version` only when the session has an api_version. */
function pythonHeaders(s: PySession, version?: string): Record<string, string> {
  return {
    Referer: sim.url,
    'Content-Type': 'application/json',
    timeout: '60',
    ...(version ? { 'X-Avi-Version': version } : {}),
    'X-Avi-Tenant': 'admin',
    'X-CSRFToken': s.csrf,
    Cookie: `csrftoken=${s.csrf}; sessionid=${s.sessionId}; avi-sessionid=${s.sessionId}`,
  };
}

describe('login as the Python SDK sends it (form-encoded)', () => {
  it('logs in with username and password form fields, special characters included', async () => {
    // urlencode({'username': 'admin', 'password': 'p@ss word&x=1'}) as requests does it.
    const res = await pythonLogin('username=admin&password=p%40ss+word%26x%3D1');
    expect(res.status).toBe(200);
    const body = res.json();
    expect((body.version as { Version: string }).Version).toBe('30.2.1');
    expect(body.session_cookie_name).toBe('sessionid');
    const s = sessionOf(res);
    expect(s.csrf).toMatch(/^[0-9a-f]{20,}$/);
    expect(s.sessionId).toMatch(/^[0-9a-f]{20,}$/);
  });

  it('refuses a wrong password with 401 "Invalid credentials" (the SDK raises on 401/403)', async () => {
    const res = await pythonLogin('username=admin&password=p%40ss+word');
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('Invalid credentials');
    expect((await pythonLogin('username=admin')).status).toBe(401);
    expect((await pythonLogin('password=p%40ss+word%26x%3D1')).status).toBe(401);
  });

  it('logs in with a token field instead of a password', async () => {
    expect((await pythonLogin('username=admin&token=tok-abc')).status).toBe(200);
    expect((await pythonLogin('username=admin&token=tok-xyz')).status).toBe(401);
  });
});

describe('login as the Go SDK sends it (JSON)', () => {
  it('logs in with a JSON body and X-Avi-Version 18.2.6', async () => {
    const res = await raw(
      'POST',
      '/login',
      { 'Content-Type': 'application/json', 'X-Avi-Version': '18.2.6', Referer: `${sim.url}/` },
      JSON.stringify({ username: 'admin', password: 'p@ss word&x=1' }),
    );
    expect(res.status).toBe(200);
    expect(sessionOf(res).csrf).toBeTruthy();
  });

  it('keeps refusing what a controller refuses: a body that is not its declared type, other media types, GET', async () => {
    const formAsJson = await raw(
      'POST',
      '/login',
      { 'Content-Type': 'application/json' },
      'username=admin&password=p%40ss+word%26x%3D1',
    );
    expect(formAsJson.status).toBe(400);
    const jsonAsForm = await pythonLogin(JSON.stringify({ username: 'admin', password: 'p@ss word&x=1' }));
    expect(jsonAsForm.status).toBe(401);
    const text = await raw('POST', '/login', { 'Content-Type': 'text/plain' }, 'admin p@ss');
    expect(text.status).toBe(415);
    expect((await raw('GET', '/login', {})).status).toBe(405);
  });
});

describe("the Python SDK's usual calls after a form login", () => {
  it('post, get_object_by_name, get with params, and put with _last_modified (412 when stale)', async () => {
    const s = sessionOf(await pythonLogin('username=admin&password=p%40ss+word%26x%3D1'));
    const h = pythonHeaders(s);

    // api.post('pool', data={...}): json.dumps separators.
    const created = await raw(
      'POST',
      '/api/pool',
      h,
      '{"name": "sdk-pool", "servers": [{"ip": {"addr": "10.0.0.5", "type": "V4"}, "port": 80}]}',
    );
    expect(created.status).toBe(201);
    const uuid = String(created.json().uuid);

    // api.get_object_by_name('pool', 'sdk-pool') → GET /api/pool?name=sdk-pool, takes results[0].
    const byName = await raw('GET', '/api/pool?name=sdk-pool', h);
    expect(byName.status).toBe(200);
    const results = byName.json().results as Record<string, unknown>[];
    expect(results).toHaveLength(1);
    expect(results[0]!.uuid).toBe(uuid);
    const missing = await raw('GET', '/api/pool?name=no-such-pool', h);
    expect(missing.json().results).toEqual([]);

    // api.get('pool', params={'name.contains': 'sdk', 'include_name': True, 'page_size': 1}).
    const page = await raw('GET', '/api/pool?name.contains=sdk&include_name=True&page_size=1', h);
    expect(page.status).toBe(200);
    expect(page.json().count).toBe(1);

    // Read-modify-write: the GET's _last_modified goes back with the PUT.
    const current = (await raw('GET', `/api/pool/${uuid}`, h)).json();
    const stale = String(current._last_modified);
    const updated = await raw(
      'PUT',
      `/api/pool/${uuid}`,
      h,
      JSON.stringify({ ...current, servers: [{ ip: { addr: '10.0.0.6', type: 'V4' }, port: 80 }] }),
    );
    expect(updated.status).toBe(200);
    expect(updated.json()._last_modified).not.toBe(stale);
    const conflict = await raw(
      'PUT',
      `/api/pool/${uuid}`,
      h,
      JSON.stringify({ ...current, _last_modified: stale, servers: [] }),
    );
    expect(conflict.status).toBe(412);
    expect(conflict.json().error).toBe('Need to reload object data Pool');

    // The same session with an api_version: X-Avi-Version is sent and honoured.
    const versioned = await raw('GET', `/api/pool/${uuid}`, pythonHeaders(s, '22.1.3'));
    expect(versioned.status).toBe(200);
    await raw('DELETE', `/api/pool/${uuid}`, h);
  });

  it('still demands the CSRF token on writes and a live session on every call', async () => {
    const s = sessionOf(await pythonLogin('username=admin&password=p%40ss+word%26x%3D1'));
    const { 'X-CSRFToken': _csrf, ...noCsrf } = pythonHeaders(s);
    const refused = await raw('POST', '/api/pool', noCsrf, '{"name": "sdk-nocsrf"}');
    expect(refused.status).toBe(403);
    const stranger = pythonHeaders({ csrf: s.csrf, sessionId: 'f'.repeat(32) });
    expect((await raw('GET', '/api/pool', stranger)).status).toBe(401);
  });
});
