import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { installCoreEventMirror } from './core-events.ts';
import { installCrdSupport } from './crds.ts';
import { ApiError } from './errors.ts';
import { mergePatch } from './patch.ts';
import { asServed, type CniKind, ResourceIndex, type ResourceType, resourceId, resourceTypes } from './resources.ts';
import { readManifests } from './seed.ts';
import { ApiHandler, deliver, type ServerState, type WatchConn, writeEvent } from './server.ts';
import { type KObj, ObjectStore, type WriteCounters } from './store.ts';

export { ApiError } from './errors.ts';
export type { CniKind } from './resources.ts';
export type { KObj } from './store.ts';

export interface DevClusterOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback by default. */
  host?: string;
  /** Directory of manifests (multi-document YAML / JSON) applied at start, namespaces first. */
  seedDir?: string;
  /** Serve route.openshift.io/v1 Routes. */
  routes?: boolean;
  /** Serve the pod-CIDR CRDs of these CNIs (calico BlockAffinity, openshift HostSubnet, cilium CiliumNode). */
  cni?: CniKind[];
  /** Bookmark period for watches that ask for bookmarks (default 1000 ms; 0 disables). */
  bookmarkIntervalMs?: number;
  /** Watch events kept for resuming (default 10,000); older resourceVersions get 410 Gone. */
  historyLimit?: number;
  /** Namespaces created at start (default ['default']). */
  initialNamespaces?: string[];
}

/** Selects watch connections by resource: kind ('Ingress') or plural ('ingresses'); all when omitted. */
export type WatchFilter = string | undefined;

export interface DevClusterHooks {
  /** Destroys open watch sockets abruptly (clients see a reset). Returns how many were cut. */
  cutWatches(filter?: WatchFilter): number;
  /** Ends open watch streams cleanly (as a server-side timeout does). */
  endWatches(filter?: WatchFilter): number;
  /** Open watches stop sending anything (events and bookmarks) but stay open; new watches are normal. */
  stallWatches(filter?: WatchFilter): number;
  /** Sends ERROR 410 Gone on open watches and closes them. */
  expireWatches(filter?: WatchFilter): number;
  /** The next `count` lists of a kind fail with `code` (default 500). */
  failNextList(kind: string, opts?: { count?: number; code?: number; message?: string }): void;
  /** Forgets the watch history: resuming from any older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Open watch connections (optionally of one resource). */
  openWatches(filter?: WatchFilter): number;
  /** Write counters (creates, updates, patches, statusPatches, ...). */
  counters(): WriteCounters;
  /** Requests by `<verb> <plural>[/status]`, e.g. `patch ingresses/status`, `list services`, `watch nodes`. */
  requests(): Record<string, number>;
  resetCounters(): void;
}

export interface DevCluster {
  url: string;
  port: number;
  /** The current global resourceVersion. */
  readonly resourceVersion: number;
  close(): Promise<void>;
  /** Creates or replaces (ignoring resourceVersion) an object; a given `status` is written too. */
  apply(obj: KObj): KObj;
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean;
  /** Merges labels (`null` removes a label). */
  label(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    labels: Record<string, string | null>,
  ): KObj;
  /** Merges annotations (`null` removes one). */
  annotate(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    annotations: Record<string, string | null>,
  ): KObj;
  /** Replaces the status (through the status subresource rules). */
  setStatus(apiVersion: string, kind: string, namespace: string | undefined, name: string, status: unknown): KObj;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KObj | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KObj[];
  /** A kubeconfig (YAML) pointing at this server, for client-node's `loadFromString` or kubectl. */
  kubeconfig(): string;
  hooks: DevClusterHooks;
}

export async function startDevCluster(opts: DevClusterOptions = {}): Promise<DevCluster> {
  const types = resourceTypes({ routes: opts.routes, cni: opts.cni });
  const index = new ResourceIndex(types);
  const store = new ObjectStore({ historyLimit: opts.historyLimit });
  store.setTypes(types);
  const host = opts.host ?? '127.0.0.1';
  let address = '';
  const state: ServerState = {
    store,
    index,
    watches: new Set<WatchConn>(),
    listFaults: new Map(),
    requestCounts: new Map(),
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
    serverAddress: () => address,
  };
  store.subscribe((e) => {
    for (const c of state.watches) deliver(c, e);
  });
  installCoreEventMirror({ store, index });
  installCrdSupport({
    store,
    index,
    endWatches(rts) {
      for (const c of [...state.watches]) {
        if (!rts.includes(c.rt)) continue;
        state.watches.delete(c);
        c.res.end();
      }
    },
  });
  const handler = new ApiHandler(state);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void handler.handle(req, res);
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const rtOf = (apiVersion: string, kind: string): ResourceType => {
    const rt = index.byKind(apiVersion, kind);
    if (!rt) throw new Error(`the dev cluster does not serve ${apiVersion} ${kind}`);
    return rt;
  };
  const rtByName = (name: string): ResourceType[] =>
    types.filter((t) => t.kind === name || t.plural === name || t.kind.toLowerCase() === name.toLowerCase());
  const selected = (filter: WatchFilter): WatchConn[] =>
    [...state.watches].filter((c) => filter === undefined || rtByName(filter).includes(c.rt));

  for (const ns of opts.initialNamespaces ?? ['default']) {
    store.create(rtOf('v1', 'Namespace'), undefined, { metadata: { name: ns } });
  }

  const apply = (obj: KObj): KObj => {
    const rt = rtOf(String(obj.apiVersion), String(obj.kind));
    const ns = rt.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
    const { resourceVersion: _rv, ...md } = obj.metadata ?? {};
    const body = { ...obj, metadata: md };
    let out = store.get(rt, ns, String(md.name))
      ? store.update(rt, ns, String(md.name), body)
      : store.create(rt, ns, body);
    if (rt.status && obj.status !== undefined && JSON.stringify(out.status) !== JSON.stringify(obj.status)) {
      out = store.update(rt, ns, out.metadata.name, { ...out, status: obj.status }, { subresource: 'status' });
    }
    return structuredClone(asServed(rt, out));
  };

  if (opts.seedDir) {
    const docs = readManifests(opts.seedDir);
    // Namespaces first, then CustomResourceDefinitions, then everything else (custom resources need their CRD).
    const rank = (o: KObj) => (o.kind === 'Namespace' ? 0 : o.kind === 'CustomResourceDefinition' ? 1 : 2);
    for (const d of [...docs].sort((a, b) => rank(a.obj) - rank(b.obj))) {
      try {
        apply(d.obj);
      } catch (err) {
        throw new Error(`seed ${d.source}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const metaPatch =
    (field: 'labels' | 'annotations') =>
    (
      apiVersion: string,
      kind: string,
      namespace: string | undefined,
      name: string,
      values: Record<string, string | null>,
    ) => {
      const rt = rtOf(apiVersion, kind);
      return structuredClone(
        asServed(
          rt,
          store.patch(rt, namespace, name, (cur) => mergePatch(cur, { metadata: { [field]: values } })),
        ),
      );
    };

  return {
    url,
    port,
    get resourceVersion() {
      return store.rv;
    },
    async close() {
      for (const c of state.watches) c.res.destroy();
      state.watches.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    apply,
    delete(apiVersion, kind, namespace, name) {
      try {
        store.delete(rtOf(apiVersion, kind), namespace, name);
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return false;
        throw err;
      }
    },
    label: metaPatch('labels'),
    annotate: metaPatch('annotations'),
    setStatus(apiVersion, kind, namespace, name, status) {
      const rt = rtOf(apiVersion, kind);
      return structuredClone(
        asServed(
          rt,
          store.patch(rt, namespace, name, (cur) => ({ ...cur, status }), { subresource: 'status' }),
        ),
      );
    },
    get(apiVersion, kind, namespace, name) {
      const rt = rtOf(apiVersion, kind);
      const o = store.get(rt, namespace, name);
      return o ? structuredClone(asServed(rt, o)) : undefined;
    },
    list(apiVersion, kind, namespace) {
      const rt = rtOf(apiVersion, kind);
      return store.list(rt, namespace).map((o) => structuredClone(asServed(rt, o)));
    },
    kubeconfig() {
      return [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: dev-cluster',
        '  cluster:',
        `    server: ${url}`,
        // client-node refuses plain http unless TLS verification is explicitly off.
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: dev',
        '  user: {}',
        'contexts:',
        '- name: dev',
        '  context:',
        '    cluster: dev-cluster',
        '    user: dev',
        '    namespace: default',
        'current-context: dev',
        '',
      ].join('\n');
    },
    hooks: {
      cutWatches(filter) {
        const cs = selected(filter);
        for (const c of cs) {
          state.watches.delete(c);
          c.req.socket.destroy();
        }
        return cs.length;
      },
      endWatches(filter) {
        const cs = selected(filter);
        for (const c of cs) {
          state.watches.delete(c);
          c.res.end();
        }
        return cs.length;
      },
      stallWatches(filter) {
        const cs = selected(filter);
        for (const c of cs) c.stalled = true;
        return cs.length;
      },
      expireWatches(filter) {
        const cs = selected(filter);
        for (const c of cs) {
          state.watches.delete(c);
          writeEvent(c.res, 'ERROR', new ApiError(410, 'Expired', 'too old resource version').toStatus());
          c.res.end();
        }
        return cs.length;
      },
      failNextList(kind, o = {}) {
        const rts = rtByName(kind);
        if (!rts.length) throw new Error(`failNextList: unknown kind '${kind}'`);
        for (const rt of rts) {
          state.listFaults.set(resourceId(rt), {
            remaining: o.count ?? 1,
            code: o.code ?? 500,
            message: o.message ?? `injected list failure for ${rt.plural}`,
          });
        }
      },
      compact() {
        store.compact();
      },
      openWatches(filter) {
        return selected(filter).filter((c) => !c.res.writableEnded).length;
      },
      counters() {
        return { ...store.counters };
      },
      requests() {
        return Object.fromEntries(state.requestCounts);
      },
      resetCounters() {
        for (const k of Object.keys(store.counters) as (keyof WriteCounters)[]) store.counters[k] = 0;
        state.requestCounts.clear();
      },
    },
  };
}
