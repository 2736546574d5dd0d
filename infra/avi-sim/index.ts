import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CertificateChecks } from './certificates.ts';
import { Faults } from './faults.ts';
import { createHandler } from './http.ts';
import { type Counters, type RequestLogEntry, RequestRecorder } from './metrics.ts';
import { allTypes } from './models.ts';
import { ADMIN_TENANT, ObjectService } from './objects.ts';
import { createSaver, loadState } from './persistence.ts';
import { SessionManager } from './session.ts';
import { ObjectStore } from './store.ts';
import { DEFAULT_VIP_NETWORK, seedSystemObjects, type VipNetworkOptions } from './system-objects.ts';
import { selfSignedCertificate } from './tls.ts';
import { DEFAULT_CONTROLLER_VERSION, parseVersion } from './version.ts';

export type { FaultRequest, FaultRule } from './faults.ts';
export { Faults } from './faults.ts';
export type { Counters, RequestLogEntry } from './metrics.ts';
export { DEFAULT_VIP_CIDR, DEFAULT_VIP_NETWORK, type VipNetworkOptions } from './system-objects.ts';
export { DEFAULT_CONTROLLER_VERSION } from './version.ts';

type Json = Record<string, unknown>;

export interface AviSimOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** HTTPS with a generated self-signed certificate (true) or the given one. Default: plain HTTP. */
  tls?: boolean | { cert: string; key: string };
  /** Login credentials (default admin/admin). */
  username?: string;
  password?: string;
  /** Tokens accepted by `POST /login {"username", "token"}`. */
  tokens?: string[];
  /** Controller version (default 30.2.1): newer X-Avi-Version headers are refused. */
  version?: string;
  /** Load the object store from this file at start and save it after every write. */
  stateFile?: string;
  /** Idle time after which a session answers 401 (default 900 s, the controller's api_idle_timeout). */
  sessionIdleSeconds?: number;
  /** Request budget per client address and second (429 past it). Default off. */
  rateLimitPerSecond?: number;
  /** 'session' (default): login, cookies and CSRF required. 'none': no login, like AKO's test mock. */
  auth?: 'session' | 'none';
  /** With TLS, unsafe requests need a same-origin Referer (Django's rule). Default: on with TLS. */
  checkReferer?: boolean;
  /** The VIP network seeded on a fresh controller (default `vip-network`, 10.250.250.0/24, .10-.250). */
  vipNetwork?: VipNetworkOptions;
  /**
   * Several VIP networks instead (e.g. the names of a registry's vipNetworkList); the first is the default.
   * Unset cidrs default to 10.250.250.0/24, 10.250.249.0/24, ...
   */
  vipNetworks?: VipNetworkOptions[];
  /**
   * 'sequential' (default): the next free address, like a controller's IPAM. 'by-name': start from a hash of the
   * VsVip's name, so the same objects get the same VIPs whatever order they are created in (replays).
   */
  vipAllocation?: 'sequential' | 'by-name';
  /** Status for a body ref to a missing object (default 404; network/VRF refs always 400). */
  refNotFoundStatus?: number;
  /** Status for DELETE of a referred object (default 403). */
  referredDeleteStatus?: number;
  /** Accept fields the swagger does not define (default false: 400 like a controller). */
  allowUnknownFields?: boolean;
  /**
   * sslkeyandcertificate checks: 'pem' (default: PEM blocks required), 'full' (parse and key/cert match,
   * like a controller's import; answers 500 "Import error"), 'off'.
   */
  certificateChecks?: CertificateChecks;
  /** Clock in ms (default Date.now); tests pass a fake one for idle expiry and rate limits. */
  now?: () => number;
  /** Seed for fault rates and, when given, for deterministic object uuids. */
  seed?: number;
  /** How many requests the request log keeps (default 100000). */
  requestLogLimit?: number;
}

export interface AviSim {
  /** Base URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  port: number;
  host: string;
  /** PEM of the certificate to trust (certificateAuthorityData) when TLS is on. */
  ca?: string;
  username: string;
  version: string;
  /** Name of the (first) seeded VIP network. */
  vipNetworkName: string;
  close(): Promise<void>;
  counters(): Counters;
  requestLog(): RequestLogEntry[];
  resetCounters(): void;
  /** Stored objects of a type as the API returns them with include_name (all tenants, or one tenant by name). */
  objects(type: string, tenant?: string): Json[];
  /** Every stored object by type, each list ordered by name (then tenant, uuid). */
  dump(): Record<string, Json[]>;
  /** Creates an object directly (no HTTP, no faults), e.g. to seed foreign or orphaned objects in tests. */
  create(type: string, body: Json, tenant?: string): Json;
  /** Fault injection and limits, changeable at any time. */
  faults: Faults;
  /** Ends every session (clients get 401 on their next request). */
  expireSessions(): void;
  /** Adds a local user (password) or an API token of an existing user, as an administrator would. */
  addLogin(username: string, secret: { password?: string; token?: string }): void;
  /** Writes the state file now (no-op without stateFile). */
  save(): void;
}

function seededUuid(seed: number): () => string {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => {
    const hex = Array.from({ length: 4 }, () => next().toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
}

/** Starts an Avi Controller simulator (see infra/avi-sim/README.md). */
export async function startAviSim(opts: AviSimOptions = {}): Promise<AviSim> {
  const nowMs = opts.now ?? Date.now;
  const version = opts.version ?? DEFAULT_CONTROLLER_VERSION;
  if (!parseVersion(version))
    throw new Error(`avi-sim: version '${version}' is not like ${DEFAULT_CONTROLLER_VERSION}`);
  const username = opts.username ?? 'admin';
  const password = opts.password ?? 'admin';
  const host = opts.host ?? '127.0.0.1';
  const vipNetworks = opts.vipNetworks?.length ? opts.vipNetworks : [opts.vipNetwork ?? {}];
  const vipNetworkName = vipNetworks[0]?.name ?? DEFAULT_VIP_NETWORK;
  const uuid4 = opts.seed !== undefined ? seededUuid(opts.seed) : randomUUID;

  const store = new ObjectStore(nowMs);
  let saver: ReturnType<typeof createSaver> | undefined;
  const svc = new ObjectService(store, {
    newUuid: (type) => {
      for (;;) {
        const id = `${type}-${uuid4()}`;
        if (!store.has(id)) return id;
      }
    },
    refNotFoundStatus: opts.refNotFoundStatus ?? 404,
    referredDeleteStatus: opts.referredDeleteStatus ?? 403,
    allowUnknownFields: opts.allowUnknownFields ?? false,
    vipNetworkName,
    certificateChecks: opts.certificateChecks ?? 'pem',
    vipAllocation: opts.vipAllocation ?? 'sequential',
    onChange: () => saver?.schedule(),
  });
  const saved = opts.stateFile ? loadState(opts.stateFile) : undefined;
  if (saved) for (const o of saved) store.put(o);
  else seedSystemObjects(svc, vipNetworks);
  if (opts.stateFile) {
    saver = createSaver(
      opts.stateFile,
      () => store.all(),
      () => new Date(nowMs()).toISOString(),
    );
    if (!saved) saver.flush();
  }

  const faults = new Faults(opts.seed ?? 1);
  if (opts.rateLimitPerSecond !== undefined) faults.rateLimitPerSecond = opts.rateLimitPerSecond;
  const sessions = new SessionManager({
    username,
    password,
    tokens: new Set(opts.tokens ?? []),
    idleSeconds: opts.sessionIdleSeconds ?? 900,
    nowMs,
  });
  const recorder = new RequestRecorder(opts.requestLogLimit ?? 100_000);
  const tlsMaterial =
    opts.tls === true ? await selfSignedCertificate(host === '0.0.0.0' ? [] : [host]) : opts.tls || undefined;
  const handler = createHandler({
    svc,
    sessions,
    faults,
    recorder,
    nowMs,
    version,
    tls: !!tlsMaterial,
    auth: opts.auth ?? 'session',
    checkReferer: opts.checkReferer ?? !!tlsMaterial,
    idleSeconds: opts.sessionIdleSeconds ?? 900,
    userTokens: new Map(),
    clusterUuid: `cluster-${uuid4()}`,
    startedAt: new Date(nowMs()).toISOString(),
  });
  const server: Server = tlsMaterial
    ? createHttpsServer({ cert: tlsMaterial.cert, key: tlsMaterial.key }, handler)
    : createHttpServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `${tlsMaterial ? 'https' : 'http'}://${urlHost}:${port}`;

  const tenantUuidByName = (name: string) => store.byTypeTenantName('tenant', ADMIN_TENANT, name)[0]?.uuid;
  const byName = (a: { name: string; tenant: string; uuid: string }, b: typeof a) =>
    a.name < b.name
      ? -1
      : a.name > b.name
        ? 1
        : a.tenant < b.tenant
          ? -1
          : a.tenant > b.tenant
            ? 1
            : a.uuid < b.uuid
              ? -1
              : 1;

  return {
    url,
    port,
    host,
    ...(tlsMaterial ? { ca: tlsMaterial.cert } : {}),
    username,
    version,
    vipNetworkName,
    async close() {
      saver?.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    counters: () => recorder.snapshot(),
    requestLog: () => recorder.entries(),
    resetCounters: () => recorder.reset(),
    objects(type, tenant) {
      const t = tenant === undefined ? undefined : tenantUuidByName(tenant);
      if (tenant !== undefined && t === undefined) return [];
      return store
        .ofType(type)
        .filter((o) => t === undefined || o.tenant === t)
        .sort((a, b) => a.seq - b.seq)
        .map((o) => svc.render(o, url, true));
    },
    dump() {
      const out: Record<string, Json[]> = {};
      for (const type of allTypes()) {
        const objs = store.ofType(type).sort(byName);
        if (objs.length > 0) out[type] = objs.map((o) => svc.render(o, url, true));
      }
      return out;
    },
    create(type, body, tenant = 'admin') {
      return svc.render(svc.create(type, body, svc.tenantUuid(tenant)), url, true);
    },
    faults,
    expireSessions: () => sessions.expireAll(),
    addLogin(user, secret) {
      if (secret.password !== undefined) sessions.addUser(user, secret.password);
      else if (!secret.token) throw new Error('avi-sim: addLogin needs a password or a token');
      if (secret.token !== undefined) {
        if (secret.password === undefined) sessions.ensureUser(user);
        sessions.addToken(secret.token);
      }
    },
    save: () => saver?.flush(),
  };
}
