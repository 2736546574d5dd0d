import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { StaticRoute } from '../model/types.ts';
import type { SecretValue } from '../secret.ts';
import { createRequestBudget, type RequestBudget } from './budget.ts';
import { AviNotFoundError, createGuardedWrites, type ObjectTransport } from './guarded.ts';
import { backoffDelay, isRetryableStatus, isTransientFailure, parseRetryAfter } from './retry.ts';
import { createSystemObjects } from './system-objects.ts';
import { AviError } from './types.ts';

/** The newest API version this product speaks; a newer controller is addressed at this version (as AKO does). */
export const MAX_AVI_VERSION = '30.2.1';
/** Version sent on login and on /api/initial-data before the controller's version is known (the SDK default). */
export const BOOTSTRAP_AVI_VERSION = '18.2.6';

const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ALTNAME/;

export type AviRecord = Record<string, unknown> & { uuid?: string; name?: string; _last_modified?: string };

export interface AviClientOptions {
  /** Controller address: `host`, `host:port`, `[v6]:port` or a URL with scheme (`http://127.0.0.1:9000`). */
  host: string;
  username?: string;
  password?: SecretValue;
  /** Token login (`{"username", "token"}`) instead of a password. */
  authtoken?: SecretValue;
  /** API version to send; discovered from /api/initial-data when absent, capped at MAX_AVI_VERSION. */
  version?: string;
  /** Default tenant for requests that name none (default `admin`). */
  tenant?: string;
  /** PEM CA bundle trusted in addition to the system roots. */
  certificateAuthorityData?: string;
  /** Explicit opt-out of TLS verification (never the default; the CLI's --controller-insecure-skip-tls-verify). */
  insecureSkipVerify?: boolean;
  /** This instance's `created_by`: the only owner whose objects this client will PUT, PATCH or DELETE. */
  owner?: string;
  /** The cluster name, used to attribute a VsVip that no VS refers to (by its `clustername` marker). */
  clusterName?: string;
  /** A budget shared with other clients of the same controller; otherwise one is made from the fields below. */
  budget?: RequestBudget;
  ratePerSecond?: number;
  burst?: number;
  maxConcurrency?: number;
  /** Attempts per request for 5xx/408/429/timeouts (default 6). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** Attempts of a read-modify-write after 412 (default 6). */
  maxConflictRetries?: number;
  userAgent?: string;
  logger?: Logger;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface AviRequestOptions {
  tenant?: string;
  /** Extra query parameters (collection filters). */
  query?: Record<string, string | number | boolean>;
  /** Object name, for error messages when only the uuid is in the path. */
  name?: string;
}

export interface AviClientStats {
  /** Every HTTP exchange, logins included. */
  requests: number;
  reads: number;
  /** POST/PUT/PATCH/DELETE on /api (object writes). */
  writes: number;
  logins: number;
  retries: number;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
  writesByType: Record<string, number>;
}

import type { Ownership } from './policy.ts';

export type { Ownership } from './policy.ts';

export interface AviClient {
  readonly baseUrl: string;
  readonly owner: string | undefined;
  /** The API version in use (logs in first if needed). */
  version(): Promise<string>;
  get(type: string, uuid: string, opts?: AviRequestOptions): Promise<AviRecord | undefined>;
  /** Every page of a collection. */
  list(type: string, opts?: AviRequestOptions): Promise<AviRecord[]>;
  getByName(type: string, name: string, opts?: AviRequestOptions): Promise<AviRecord | undefined>;
  /** POST; refuses a body whose `created_by` is not this client's owner. */
  create(type: string, body: Record<string, unknown>, opts?: AviRequestOptions): Promise<AviRecord>;
  /**
   * Guarded PUT: reads the object, refuses it unless it is ours, sends the body with the read
   * `_last_modified` (so a concurrent change answers 412), and re-reads and retries on 412.
   * `body` may be a function of the current object (read-modify-write). 404 → AviError status 404.
   */
  update(
    type: string,
    uuid: string,
    body: Record<string, unknown> | ((current: AviRecord) => Record<string, unknown>),
    opts?: AviRequestOptions,
  ): Promise<AviRecord>;
  /** Guarded PATCH (`{add|replace|delete: partial}`). */
  patch(
    type: string,
    uuid: string,
    op: 'add' | 'replace' | 'delete',
    body: Record<string, unknown>,
    opts?: AviRequestOptions,
  ): Promise<AviRecord>;
  /** Guarded DELETE; an object already gone is `not-found` (success). */
  delete(type: string, uuid: string, opts?: AviRequestOptions): Promise<'deleted' | 'not-found'>;
  /**
   * Transport-only PUT (no read, no ownership check: the caller's policy decided). With `lastModified` the
   * controller answers 412 when the object changed since; 404 → AviNotFoundError.
   */
  put(
    type: string,
    uuid: string,
    body: Record<string, unknown>,
    opts?: AviRequestOptions & { lastModified?: string },
  ): Promise<AviRecord>;
  /** Transport-only DELETE (the caller's policy decided); an object already gone is `not-found`. */
  remove(type: string, uuid: string, opts?: AviRequestOptions): Promise<'deleted' | 'not-found'>;
  /** Would the guard let this client write the object? (VsVips are attributed through the VSes using them.) */
  ownershipOf(type: string, current: AviRecord, tenant: string): Promise<Ownership>;
  /** Read-merge-write of one cluster's static routes in a VRF; other routes are kept. 412 → re-read and retry. */
  syncStaticRoutes(
    vrfName: string,
    clusterName: string,
    routes: StaticRoute[],
    opts?: { tenant?: string; cloudName?: string },
  ): Promise<{ changed: boolean; uuid: string }>;
  /**
   * Add (or remove) the SE group's `clustername=<cluster>` label. Refuses an SE group labelled for another cluster.
   */
  setSeGroupClusterLabel(
    segName: string,
    clusterName: string,
    present: boolean,
    opts?: { tenant?: string; cloudName?: string },
  ): Promise<{ changed: boolean; uuid: string }>;
  stats(): AviClientStats;
  resetStats(): void;
  logout(): Promise<void>;
}

export { AviNotFoundError, AviOwnershipError } from './guarded.ts';

export function compareVersions(a: string, b: string): number {
  const pa = a
    .split('-')[0]!
    .split('.')
    .map((x) => Number.parseInt(x, 10) || 0);
  const pb = b
    .split('-')[0]!
    .split('.')
    .map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export function capVersion(v: string): string {
  return compareVersions(v, MAX_AVI_VERSION) > 0 ? MAX_AVI_VERSION : v;
}

function baseUrlOf(host: string): string {
  const h = host.trim().replace(/\/+$/, '');
  if (/^[a-z]+:\/\//i.test(h)) return h;
  // A bare IPv6 address needs brackets.
  if ((h.match(/:/g) ?? []).length > 1 && !h.startsWith('[')) return `https://[${h}]`;
  return `https://${h}`;
}

function controllerMessage(data: unknown): string {
  if (data === undefined || data === null || data === '') return '';
  if (typeof data === 'string') return data.slice(0, 500);
  if (typeof data === 'object') {
    const d = data as Record<string, unknown>;
    for (const k of ['error', 'detail', 'message', 'msg'])
      if (typeof d[k] === 'string') return (d[k] as string).slice(0, 500);
    try {
      return JSON.stringify(data).slice(0, 500);
    } catch {
      return '';
    }
  }
  return String(data).slice(0, 500);
}

function cookiesFrom(res: AxiosResponse): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const out: Record<string, string> = {};
  for (const c of list) {
    const first = c.split(';')[0] ?? '';
    const eq = first.indexOf('=');
    if (eq > 0) out[first.slice(0, eq).trim()] = first.slice(eq + 1).trim();
  }
  return out;
}

interface Session {
  csrf: string | undefined;
  cookies: Record<string, string>;
  generation: number;
}

interface SendOptions {
  tenant?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean>;
  objectType?: string;
  objectName?: string;
}

export function createAviClient(opts: AviClientOptions): AviClient {
  const baseUrl = baseUrlOf(opts.host);
  const logger = opts.logger ?? silentLogger;
  const budget =
    opts.budget ??
    createRequestBudget({ ratePerSecond: opts.ratePerSecond, burst: opts.burst, maxConcurrency: opts.maxConcurrency });
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 6);
  const maxConflictRetries = Math.max(1, opts.maxConflictRetries ?? 6);
  const backoff = {
    baseDelayMs: opts.baseDelayMs ?? 250,
    maxDelayMs: opts.maxDelayMs ?? 10_000,
    random: opts.random ?? Math.random,
  };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const defaultTenant = opts.tenant || 'admin';
  const owner = opts.owner;
  const secrets = [opts.password, opts.authtoken].filter((s): s is SecretValue => !!s && !s.isEmpty);
  const scrub = (text: string) => secrets.reduce((t, s) => t.split(s.reveal()).join('***'), text);

  const ax: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: opts.timeoutMs ?? 60_000,
    validateStatus: () => true,
    maxRedirects: 0,
    proxy: false,
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({
      keepAlive: true,
      // Verified by default; an extra CA adds to the system roots, it does not replace them.
      ca: opts.certificateAuthorityData ? [...tls.rootCertificates, opts.certificateAuthorityData] : undefined,
      rejectUnauthorized: opts.insecureSkipVerify !== true,
    }),
  });

  const stats: AviClientStats = emptyStats();
  let session: Session | undefined;
  let generation = 0;
  let loginInFlight: Promise<void> | undefined;
  let apiVersion: string | undefined = opts.version ? capVersion(opts.version) : undefined;

  const count = (method: string, path: string, status: number | undefined, type: string | undefined) => {
    stats.requests++;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    const s = status === undefined ? 'error' : String(status);
    stats.byStatus[s] = (stats.byStatus[s] ?? 0) + 1;
    if (!path.startsWith('/api/')) return;
    if (method === 'GET') stats.reads++;
    else {
      stats.writes++;
      if (type) stats.writesByType[type] = (stats.writesByType[type] ?? 0) + 1;
    }
  };

  const headersFor = (tenant: string | undefined, withSession: boolean, version: string) => {
    const h: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Referer: `${baseUrl}/`,
      'X-Avi-Version': version,
      'X-Avi-UserAgent': opts.userAgent ?? 'ako-serverless',
    };
    if (tenant) h['X-Avi-Tenant'] = tenant;
    if (withSession && session) {
      if (session.csrf) h['X-CSRFToken'] = session.csrf;
      const cookie = Object.entries(session.cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
      if (cookie) h.Cookie = cookie;
    }
    return h;
  };

  /** One HTTP exchange under the budget; transport failures come back as `error`. */
  const exchange = async (
    method: string,
    path: string,
    headers: Record<string, string>,
    o: SendOptions,
  ): Promise<{ res?: AxiosResponse; error?: string; permanent?: boolean }> => {
    const release = await budget.acquire();
    const started = Date.now();
    try {
      const res = await ax.request({ method, url: path, headers, data: o.body, params: o.query });
      count(method, path, res.status, o.objectType);
      logger.debug('avi request', { method, path, status: res.status, ms: Date.now() - started });
      return { res };
    } catch (e) {
      count(method, path, undefined, o.objectType);
      const err = e as { code?: string; message?: string };
      const timedOut = err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT';
      if (err.code && TLS_ERRORS.test(err.code)) {
        // A certificate problem does not clear with retries.
        const error = `TLS verification of ${baseUrl} failed (${err.code}): give the controller's CA certificate as certificateAuthorityData (in avi-secret, the credentials file or the Secrets Manager secret); only against a throwaway test controller, a local run may skip verification with --controller-insecure-skip-tls-verify`;
        logger.warn('avi request failed', { method, path, error });
        return { error, permanent: true };
      }
      const error = timedOut
        ? `timed out after ${opts.timeoutMs ?? 60_000} ms`
        : `transport error ${err.code ?? ''}`.trim();
      logger.debug('avi request failed', { method, path, error, ms: Date.now() - started });
      return { error };
    } finally {
      release();
    }
  };

  const fail = (
    method: string,
    o: SendOptions,
    path: string,
    status: number | undefined,
    message: string,
    transient?: boolean,
  ): AviError => {
    const what = o.objectType ? `${o.objectType}${o.objectName ? ` ${o.objectName}` : ''}` : path.split('?')[0];
    const text = scrub(
      `${method} ${what}: ${status === undefined ? '' : `HTTP ${status}: `}${message || 'no message'}`,
    );
    return new AviError(
      text,
      status,
      method,
      o.objectType,
      o.objectName,
      transient ?? isTransientFailure(status, message),
    );
  };

  /** Exchange with retries for busy/throttled/timeouts; no session handling. */
  const withRetries = async (
    method: string,
    path: string,
    o: SendOptions,
    headers: () => Record<string, string>,
  ): Promise<AxiosResponse> => {
    for (let attempt = 1; ; attempt++) {
      const { res, error, permanent } = await exchange(method, path, headers(), o);
      const status = res?.status;
      const message = res ? controllerMessage(res.data) : (error ?? '');
      if (permanent) throw fail(method, o, path, status, message, false);
      const retryable = res === undefined || isRetryableStatus(res.status, message);
      if (!retryable) return res!;
      if (attempt >= maxAttempts) throw fail(method, o, path, status, message, true);
      const retryAfter = res ? parseRetryAfter(res.headers['retry-after'], Date.now()) : undefined;
      if (status === 429) budget.pause(retryAfter ?? backoffDelay(attempt, backoff));
      const wait = backoffDelay(attempt, backoff, retryAfter ?? 0);
      stats.retries++;
      logger.warn('avi request retry', { method, path, status, error, attempt, waitMs: wait });
      await sleep(wait);
    }
  };

  const doLogin = async () => {
    const body: Record<string, unknown> = { username: opts.username ?? '' };
    if (opts.authtoken && !opts.authtoken.isEmpty) body.token = opts.authtoken.reveal();
    else body.password = opts.password?.reveal() ?? '';
    const o: SendOptions = { body, objectType: 'login', objectName: opts.username };
    const version = apiVersion ?? BOOTSTRAP_AVI_VERSION;
    const res = await withRetries('POST', '/login', o, () => headersFor(undefined, false, version));
    stats.logins++;
    if (res.status < 200 || res.status >= 300) {
      const message = controllerMessage(res.data);
      // Bad credentials do not fix themselves: permanent.
      throw fail('POST', o, '/login', res.status, message || 'login failed', res.status >= 500);
    }
    const cookies = cookiesFrom(res);
    const data = (res.data ?? {}) as Record<string, unknown>;
    const sessionName = typeof data.session_cookie_name === 'string' ? data.session_cookie_name : 'sessionid';
    const kept: Record<string, string> = {};
    for (const k of ['csrftoken', sessionName, 'sessionid', 'avi-sessionid']) if (cookies[k]) kept[k] = cookies[k];
    generation++;
    session = { csrf: cookies.csrftoken, cookies: kept, generation };
    if (!apiVersion) {
      const r = await withRetries('GET', '/api/initial-data', {}, () => headersFor(undefined, true, version));
      const v = ((r.data ?? {}) as { version?: { Version?: unknown } }).version?.Version;
      if (r.status >= 300 || typeof v !== 'string')
        throw fail('GET', {}, '/api/initial-data', r.status, 'controller version not found in /api/initial-data');
      apiVersion = capVersion(v);
      logger.info('avi controller version', { controller: v, using: apiVersion });
    }
  };

  /** Single-flight login; a caller that saw generation `seen` fail re-logs in only if nobody did since. */
  const login = async (seen?: number) => {
    if (seen !== undefined && session && session.generation !== seen) return;
    if (!loginInFlight) {
      loginInFlight = doLogin().finally(() => {
        loginInFlight = undefined;
      });
    }
    await loginInFlight;
  };

  /** An authenticated /api request: login if needed, retries, re-login once on 401/419, errors as AviError. */
  const send = async (method: string, path: string, o: SendOptions = {}): Promise<AxiosResponse> => {
    // The session exists before the version is discovered: wait for the whole login, or this request would go out
    // with the bootstrap version and the controller would refuse newer fields (markers, ...).
    if (!session || !apiVersion || loginInFlight) await login();
    let relogged = false;
    for (;;) {
      const seen = session?.generation;
      const res = await withRetries(method, path, o, () =>
        headersFor(o.tenant ?? defaultTenant, true, apiVersion ?? BOOTSTRAP_AVI_VERSION),
      );
      if ((res.status === 401 || res.status === 419) && !relogged) {
        relogged = true;
        logger.info('avi session expired, logging in again', { status: res.status });
        await login(seen);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      throw fail(method, o, path, res.status, controllerMessage(res.data));
    }
  };

  const itemPath = (type: string, uuid: string) => `/api/${type}/${encodeURIComponent(uuid)}`;

  const get = async (type: string, uuid: string, o: AviRequestOptions = {}) => {
    try {
      const res = await send('GET', itemPath(type, uuid), {
        tenant: o.tenant,
        query: { include_name: 'true', ...o.query },
        objectType: type,
        objectName: o.name ?? uuid,
      });
      return res.data as AviRecord;
    } catch (e) {
      if (e instanceof AviError && e.status === 404) return undefined;
      throw e;
    }
  };

  const list = async (type: string, o: AviRequestOptions = {}) => {
    const out: AviRecord[] = [];
    let path = `/api/${type}`;
    let query: Record<string, string | number | boolean> | undefined = {
      include_name: 'true',
      page_size: 200,
      ...o.query,
    };
    for (let page = 0; page < 10_000; page++) {
      const res = await send('GET', path, { tenant: o.tenant, query, objectType: type, objectName: o.name });
      const data = (res.data ?? {}) as { results?: AviRecord[]; next?: unknown };
      out.push(...(data.results ?? []));
      if (typeof data.next !== 'string' || data.next === '' || (data.results ?? []).length === 0) break;
      // `next` is a full URL; follow its path and query on our own base URL.
      const next = new URL(data.next, baseUrl);
      path = next.pathname.replace(/\/{2,}/g, '/');
      query = Object.fromEntries(next.searchParams.entries());
    }
    return out;
  };

  const getByName = async (type: string, name: string, o: AviRequestOptions = {}) => {
    const found = await list(type, { ...o, name, query: { ...o.query, name } });
    return found.find((r) => r.name === name);
  };

  const put: AviClient['put'] = async (type, uuid, body, o = {}) => {
    const payload: Record<string, unknown> = { ...body, uuid };
    if (o.lastModified !== undefined) payload._last_modified = o.lastModified;
    else delete payload._last_modified;
    const name = (typeof body.name === 'string' ? body.name : undefined) ?? o.name;
    try {
      const res = await send('PUT', itemPath(type, uuid), {
        tenant: o.tenant,
        body: payload,
        objectType: type,
        objectName: name,
      });
      return res.data as AviRecord;
    } catch (e) {
      if (e instanceof AviError && e.status === 404) throw new AviNotFoundError('PUT', type, name, uuid);
      throw e;
    }
  };

  const remove: AviClient['remove'] = async (type, uuid, o = {}) => {
    try {
      await send('DELETE', itemPath(type, uuid), { tenant: o.tenant, objectType: type, objectName: o.name ?? uuid });
      return 'deleted';
    } catch (e) {
      if (e instanceof AviError && e.status === 404) return 'not-found';
      throw e;
    }
  };

  /** One object request for the guarded writes and the system-object merges. */
  const transport: ObjectTransport = {
    get,
    list,
    getByName,
    async request(method, type, uuid, o) {
      const path = uuid === undefined ? `/api/${type}` : itemPath(type, uuid);
      const res = await send(method, path, {
        tenant: o.tenant,
        body: o.body,
        objectType: type,
        objectName: o.name ?? uuid,
      });
      return (res.data ?? {}) as AviRecord;
    },
    async conflictPause(attempt) {
      stats.retries++;
      await sleep(backoffDelay(attempt, { ...backoff, baseDelayMs: Math.min(backoff.baseDelayMs, 50) }));
    },
  };
  const guarded = createGuardedWrites(transport, {
    ...(owner ? { owner } : {}),
    ...(opts.clusterName ? { clusterName: opts.clusterName } : {}),
    defaultTenant,
    logger,
    maxConflictRetries,
  });
  const systemObjects = createSystemObjects(transport, { ...(owner ? { owner } : {}), maxConflictRetries });

  return {
    baseUrl,
    owner,
    async version() {
      if (!session) await login();
      return apiVersion ?? BOOTSTRAP_AVI_VERSION;
    },
    get,
    list,
    getByName,
    ...guarded,
    ...systemObjects,
    put,
    remove,
    stats: () => structuredClone(stats),
    resetStats() {
      Object.assign(stats, emptyStats());
    },
    async logout() {
      if (!session) return;
      const version = apiVersion ?? BOOTSTRAP_AVI_VERSION;
      await exchange('POST', '/logout', headersFor(undefined, true, version), {});
      session = undefined;
    },
  };
}

function emptyStats(): AviClientStats {
  return { requests: 0, reads: 0, writes: 0, logins: 0, retries: 0, byMethod: {}, byStatus: {}, writesByType: {} };
}
