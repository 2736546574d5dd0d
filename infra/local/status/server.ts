import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { metricsRegistry } from './metrics.ts';
import { STATUS_PAGE } from './page.ts';
import type { StatusSnapshot } from './snapshot.ts';

export interface StatusServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the status page and its JSON on loopback; read-only (GET only). */
export async function startStatusServer(
  snapshot: () => Promise<StatusSnapshot>,
  opts: {
    port?: number;
    host?: string;
    /** Registries of metrics that accumulate over the run (runtime-metrics.ts), added to the snapshot's. */
    metrics?: () => Registry[];
  } = {},
): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end('read-only');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(STATUS_PAGE);
      return;
    }
    if (path === '/api/status') {
      snapshot().then(
        (s) =>
          res
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(JSON.stringify(s)),
        (err: unknown) =>
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })),
      );
      return;
    }
    if (path === '/metrics') {
      snapshot()
        .then(async (s) => {
          const registry = Registry.merge([metricsRegistry(s), ...(opts.metrics?.() ?? [])]);
          res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
        })
        .catch((err: unknown) =>
          res.writeHead(500, { 'content-type': 'text/plain' }).end(err instanceof Error ? err.message : String(err)),
        );
      return;
    }
    res.writeHead(404).end('not found');
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
