import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { flag, listCollection } from './collection.ts';
import { ApiError } from './errors.ts';
import type { FaultDecision, Faults } from './faults.ts';
import { maskSecrets, type RequestRecorder } from './metrics.ts';
import { isKnownType, modelName } from './models.ts';
import { ADMIN_TENANT, type ObjectService } from './objects.ts';
import { parseCookies, parseLoginBody, type Session, type SessionManager } from './session.ts';
import { checkApiVersion, versionInfo } from './version.ts';

type Json = Record<string, unknown>;

export interface HttpDeps {
  svc: ObjectService;
  sessions: SessionManager;
  faults: Faults;
  recorder: RequestRecorder;
  nowMs: () => number;
  version: string;
  tls: boolean;
  /** 'session': login, cookies and CSRF required (a controller). 'none': no login (AKO's mock style). */
  auth: 'session' | 'none';
  /** Django's HTTPS CSRF rule: unsafe requests need a same-origin Referer. */
  checkReferer: boolean;
  idleSeconds: number;
  /** User tokens created through /api/user-token: uuid → token record. */
  userTokens: Map<string, Json>;
  clusterUuid: string;
  startedAt: string;
}

interface Route {
  kind: 'login' | 'logout' | 'endpoint' | 'collection' | 'object' | 'unknown';
  type?: string;
  uuid?: string;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ENDPOINTS = new Set(['initial-data', 'cluster/runtime', 'cluster', 'cluster/status', 'systemconfiguration']);
const MAX_BODY = 16 * 1024 * 1024;

/** Collapses duplicate slashes (AKO sends `//api/...`) and drops a trailing slash. */
export function normalisePath(raw: string): string {
  const p = raw.replace(/\/{2,}/g, '/');
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

function route(path: string): Route {
  if (path === '/login') return { kind: 'login', type: 'login' };
  if (path === '/logout') return { kind: 'logout', type: 'logout' };
  if (!path.startsWith('/api/')) return { kind: 'unknown' };
  const rest = path.slice('/api/'.length);
  if (ENDPOINTS.has(rest)) return { kind: 'endpoint', type: rest };
  const parts = rest.split('/');
  const type = parts[0]!;
  if (!isKnownType(type) && type !== 'user-token') return { kind: 'unknown', type };
  if (parts.length === 1) return { kind: 'collection', type };
  if (parts.length === 2) return { kind: 'object', type, uuid: decodeURIComponent(parts[1]!) };
  return { kind: 'unknown', type };
}

const STATUS_TEXT: Record<number, string> = {
  408: 'Request timeout',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable: controller not ready',
  504: 'Gateway timeout',
};

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The simulator's request handler: faults and limits, session, version, CSRF, tenant, then the API. */
export function createHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  let authenticatedRequests = 0;

  return (req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      }
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = deps.nowMs();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = normalisePath(q >= 0 ? rawUrl.slice(0, q) : rawUrl);
    const queryText = q >= 0 ? rawUrl.slice(q + 1) : '';
    const query = new URLSearchParams(queryText);
    const r = route(path);
    const client = req.socket.remoteAddress ?? 'unknown';
    const tenantHeader = header(req, 'x-avi-tenant');
    const seq = deps.recorder.nextSeq();
    let body: unknown;
    let reply: Reply;
    let decision: FaultDecision = { latencyMs: 0 };
    try {
      const raw = await readBody(req);
      if (r.kind === 'login') {
        body = parseLoginBody(header(req, 'content-type'), raw);
      } else if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new ApiError(400, 'Request body is not valid JSON');
        }
      }
      if (deps.faults.overBudget(client, deps.nowMs())) {
        reply = { status: 429, body: { error: STATUS_TEXT[429] }, headers: { 'Retry-After': '1' } };
      } else {
        decision = deps.faults.decide({
          method,
          path,
          ...(r.type ? { type: r.type } : {}),
          ...(tenantHeader ? { tenant: tenantHeader } : {}),
          client,
          body,
        });
        if (decision.latencyMs > 0) await sleep(decision.latencyMs);
        if (decision.timeout) {
          // Hold, then drop the connection: the client sees its own timeout or a reset, never an answer.
          const timer = setTimeout(() => req.socket.destroy(), deps.faults.timeoutHoldMs);
          req.socket.once('close', () => clearTimeout(timer));
          record(0);
          return;
        }
        if (decision.status !== undefined && !decision.after) {
          reply = injected(decision, r);
        } else {
          reply = await dispatch(req, method, path, query, r, body);
          if (decision.status !== undefined) reply = injected(decision, r);
        }
      }
    } catch (err) {
      reply = err instanceof ApiError ? { status: err.status, body: err.body() } : internalError(err);
    }
    send(res, reply);
    record(reply.status);

    function record(status: number): void {
      deps.recorder.record({
        seq,
        method,
        path,
        query: queryText,
        ...(r.type ? { type: r.type } : {}),
        ...(r.uuid ? { uuid: r.uuid } : {}),
        status,
        ...(tenantHeader !== undefined ? { tenant: tenantHeader } : {}),
        client,
        time,
        ...(body !== undefined ? { body: maskSecrets(body) } : {}),
      });
    }
  }

  function injected(decision: FaultDecision, r: Route): Reply {
    const status = decision.status!;
    const text =
      status === 412
        ? `Need to reload object data ${modelName(r.type ?? '')}`
        : (STATUS_TEXT[status] ?? 'Injected fault');
    return {
      status,
      body: decision.body ?? { error: text },
      ...(decision.retryAfterSeconds !== undefined
        ? { headers: { 'Retry-After': String(decision.retryAfterSeconds) } }
        : {}),
    };
  }

  async function dispatch(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    r: Route,
    body: unknown,
  ): Promise<Reply> {
    const cookies = parseCookies(req.headers.cookie);
    if (r.kind === 'login') {
      if (method !== 'POST') throw new ApiError(405, `Method ${method} not allowed on /login`);
      return login(body);
    }
    if (r.kind === 'logout') {
      if (method !== 'POST') throw new ApiError(405, `Method ${method} not allowed on /logout`);
      deps.sessions.logout(cookies);
      return { status: 200, body: {} };
    }
    if (r.kind === 'endpoint' && r.type === 'initial-data') {
      return { status: 200, body: initialData() };
    }
    if (r.kind === 'unknown') {
      throw new ApiError(
        404,
        r.type ? `Unknown object type '${r.type}' or resource ${path}` : `No such resource ${path}`,
      );
    }
    let session: Session | undefined;
    if (deps.auth === 'session') {
      session = deps.sessions.authenticate(cookies);
      authenticatedRequests++;
      const every = deps.faults.sessionExpiryEvery;
      if (every !== undefined && every > 0 && authenticatedRequests % every === 0) {
        deps.sessions.expire(session.id);
        throw new ApiError(401, 'Session expired: log in again');
      }
    }
    const version = checkApiVersion(header(req, 'x-avi-version'), deps.version);
    if (UNSAFE.has(method) && session) {
      deps.sessions.checkCsrf(session, header(req, 'x-csrftoken'));
      if (deps.checkReferer) checkReferer(req);
    }
    const tenant = requestTenant(req, method);
    const base = `${deps.tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
    if (r.kind === 'endpoint') return { status: 200, body: endpoint(r.type!, base) };
    if (r.type === 'user-token') return userToken(method, r, body, base);
    const type = r.type!;
    const svc = deps.svc;
    const includeName = flag(query, 'include_name');
    if (r.kind === 'collection') {
      if (method === 'GET') {
        return { status: 200, body: listCollection(svc, type, query, tenant, base, path, version) };
      }
      if (method === 'POST') {
        return { status: 201, body: svc.render(svc.create(type, body, tenant, version), base, includeName, version) };
      }
      throw new ApiError(405, `Method ${method} not allowed on a collection`);
    }
    const uuid = r.uuid!;
    switch (method) {
      case 'GET':
        return { status: 200, body: svc.render(svc.getByUuid(type, uuid, tenant), base, includeName, version) };
      case 'PUT':
        return {
          status: 200,
          body: svc.render(svc.replace(type, uuid, body, tenant, version), base, includeName, version),
        };
      case 'PATCH':
        return {
          status: 200,
          body: svc.render(svc.patch(type, uuid, body, tenant, version), base, includeName, version),
        };
      case 'DELETE':
        svc.remove(type, uuid, tenant);
        return { status: 204 };
      default:
        throw new ApiError(405, `Method ${method} not allowed`);
    }
  }

  function requestTenant(req: IncomingMessage, method: string): string {
    const byUuid = header(req, 'x-avi-tenant-uuid');
    const byName = header(req, 'x-avi-tenant');
    if (byName === '*' || byUuid === '*') {
      if (UNSAFE.has(method)) throw new ApiError(400, "X-Avi-Tenant '*' can only be used for reads");
      return '*';
    }
    if (byUuid) return deps.svc.tenantUuidById(byUuid);
    return deps.svc.tenantUuid(byName ?? 'admin');
  }

  function checkReferer(req: IncomingMessage): void {
    const referer = header(req, 'referer');
    if (!referer) throw new ApiError(403, 'CSRF Failed: Referer checking failed - no Referer.');
    let host: string;
    try {
      host = new URL(referer).host;
    } catch {
      throw new ApiError(403, 'CSRF Failed: Referer checking failed - Referer is malformed.');
    }
    if (host !== req.headers.host) {
      throw new ApiError(403, `CSRF Failed: Referer checking failed - ${referer} does not match any trusted origins.`);
    }
  }

  function login(body: unknown): Reply {
    const session = deps.sessions.login(body);
    const secure = deps.tls ? '; Secure' : '';
    return {
      status: 200,
      headers: {
        'Set-Cookie': [
          `csrftoken=${session.csrf}; Path=/; SameSite=Lax${secure}`,
          `sessionid=${session.id}; Path=/; HttpOnly; SameSite=Lax${secure}`,
          `avi-sessionid=${session.id}; Path=/; HttpOnly; SameSite=Lax${secure}`,
        ],
      },
      body: {
        user: { username: session.username, name: session.username, local: true, is_superuser: true },
        tenants: [{ name: 'admin', uuid: ADMIN_TENANT }],
        version: versionInfo(deps.version),
        session_cookie_name: 'sessionid',
        controller: { api_idle_timeout: Math.max(1, Math.round(deps.idleSeconds / 60)) },
      },
    };
  }

  function initialData(): Json {
    return {
      version: versionInfo(deps.version),
      banner: '',
      user_initial_setup: false,
      setup_failed: false,
      sso: false,
      is_aws_cloud: false,
    };
  }

  function endpoint(name: string, base: string): Json {
    const node = { name: '127.0.0.1', ip: { addr: '127.0.0.1', type: 'V4' } };
    switch (name) {
      case 'cluster/runtime':
        return {
          cluster_state: { state: 'CLUSTER_UP_NO_HA', up_since: deps.startedAt, progress: 100 },
          node_states: [{ name: node.name, role: 'CLUSTER_LEADER', state: 'CLUSTER_ACTIVE', up_since: deps.startedAt }],
          node_info: { mgmt_ip: node.ip.addr },
        };
      case 'cluster/status':
        return { cluster_state: { state: 'CLUSTER_UP_NO_HA', up_since: deps.startedAt, progress: 100 } };
      case 'cluster':
        return {
          url: `${base}/api/cluster/${deps.clusterUuid}`,
          uuid: deps.clusterUuid,
          name: 'cluster-0-1',
          nodes: [node],
          tenant_ref: `${base}/api/tenant/${ADMIN_TENANT}`,
        };
      default:
        return {
          url: `${base}/api/systemconfiguration`,
          uuid: 'default',
          default_license_tier: 'ENTERPRISE',
          welcome_workflow_complete: true,
        };
    }
  }

  function userToken(method: string, r: Route, body: unknown, base: string): Reply {
    if (r.kind === 'collection' && method === 'GET') {
      const results = [...deps.userTokens.values()];
      return { status: 200, body: { count: results.length, results } };
    }
    if (r.kind === 'collection' && method === 'POST') {
      const hours = Number((body as Json | undefined)?.hours ?? 24);
      const uuid = `usertoken-${randomBytes(8).toString('hex')}`;
      const token = randomBytes(20).toString('hex');
      const rec = {
        url: `${base}/api/user-token/${uuid}`,
        uuid,
        token,
        hours,
        expires_at: new Date(deps.nowMs() + hours * 3_600_000).toISOString(),
      };
      deps.userTokens.set(uuid, rec);
      deps.sessions.addToken(token);
      return { status: 201, body: rec };
    }
    if (r.kind === 'object' && method === 'DELETE') {
      const rec = deps.userTokens.get(r.uuid!);
      if (!rec) throw new ApiError(404, 'UserToken object not found!');
      deps.userTokens.delete(r.uuid!);
      deps.sessions.removeToken(String(rec.token));
      return { status: 204 };
    }
    throw new ApiError(405, `Method ${method} not allowed on /api/user-token`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function internalError(err: unknown): Reply {
  return { status: 500, body: { error: `Internal error: ${err instanceof Error ? err.message : String(err)}` } };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.status === 204 || reply.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(reply.body));
}
