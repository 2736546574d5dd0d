/**
 * Plain JSON requests to the API server with the kubeconfig's credentials (lists, discovery, status
 * patches, Events). Watches go through client-node's informer machinery.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export interface KubeResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON
  body: any;
}

export type KubeRequest = (method: string, path: string, body?: unknown, contentType?: string) => Promise<KubeResponse>;

/** A request function bound to a kubeconfig's current cluster and user. */
export function kubeRequester(kc: KubeConfig, opts: { timeoutMs?: number } = {}): KubeRequest {
  // One keep-alive agent per requester: a connection per request cost more than the request (status write-back
  // of thousands of Ingresses). The TLS settings are those of the kubeconfig, applied to the agent once.
  let agent: http.Agent | undefined;
  return async (method, path, body, contentType = 'application/json') => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster; set a current-context');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    const options: https.RequestOptions = {
      method,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: url.pathname + url.search,
      headers: { Accept: 'application/json' },
      timeout: opts.timeoutMs ?? 30_000,
    };
    await kc.applyToHTTPSOptions(options);
    // Behind a proxy, client-node's own (proxy) agent is kept as it made it.
    if (!agent && !cluster.proxyUrl) {
      const tls = options as https.AgentOptions;
      agent =
        url.protocol === 'https:'
          ? new https.Agent({
              keepAlive: true,
              ...(tls.ca ? { ca: tls.ca } : {}),
              ...(tls.cert ? { cert: tls.cert } : {}),
              ...(tls.key ? { key: tls.key } : {}),
              ...(tls.pfx ? { pfx: tls.pfx, passphrase: tls.passphrase } : {}),
              ...(tls.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
              ...(tls.servername ? { servername: tls.servername } : {}),
            })
          : new http.Agent({ keepAlive: true });
    }
    if (agent) options.agent = agent;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) {
      options.headers = { ...options.headers, 'Content-Type': contentType, 'Content-Length': payload.length };
    }
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<KubeResponse>((resolve, reject) => {
      const req = mod.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Non-JSON answers (proxies, HTML error pages) are kept as text.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  };
}

/** Throws a KubeApiError carrying the Status message for a non-2xx answer. */
export function expectOk(res: KubeResponse, what: string): KubeResponse {
  if (res.status >= 200 && res.status < 300) return res;
  const msg = typeof res.body === 'object' && res.body?.message ? res.body.message : String(res.body ?? '');
  throw new KubeApiError(res.status, `${what}: HTTP ${res.status} ${msg}`.trim(), res.body?.reason);
}

/** Lists a collection completely (following continue tokens). */
export async function listAll(
  request: KubeRequest,
  path: string,
  fieldSelector?: string,
): Promise<{ items: unknown[]; resourceVersion: string }> {
  const items: unknown[] = [];
  let cont = '';
  let resourceVersion = '';
  do {
    const q = new URLSearchParams();
    if (fieldSelector) q.set('fieldSelector', fieldSelector);
    if (cont) q.set('continue', cont);
    q.set('limit', '500');
    const res = expectOk(await request('GET', `${path}?${q}`), `list ${path}`);
    items.push(...((res.body?.items as unknown[]) ?? []));
    resourceVersion = String(res.body?.metadata?.resourceVersion ?? '');
    cont = String(res.body?.metadata?.continue ?? '');
  } while (cont);
  return { items, resourceVersion };
}

/** Whether the server serves `<group>/<version>` with resource `plural`. */
export async function servesResource(
  request: KubeRequest,
  group: string,
  version: string,
  plural: string,
): Promise<boolean> {
  const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const res = await request('GET', path);
  if (res.status === 404) return false;
  expectOk(res, `discovery ${path}`);
  return ((res.body?.resources ?? []) as { name: string }[]).some((r) => r.name === plural);
}
