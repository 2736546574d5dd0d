import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { crdOpenApiSchemas, strictFields } from './crds.ts';
import { ApiError, badRequest, gone } from './errors.ts';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.ts';
import { decodeProtobufObject } from './proto.ts';
import { apiVersionOf, asServed, type ResourceIndex, type ResourceType, resourceId } from './resources.ts';
import {
  type FieldMatcher,
  type LabelMatcher,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from './selectors.ts';
import type { KObj, ObjectStore, StoreEvent } from './store.ts';
import { toTable } from './table.ts';

/** One open watch stream. */
export interface WatchConn {
  rt: ResourceType;
  namespace?: string;
  res: ServerResponse;
  req: IncomingMessage;
  labels: LabelMatcher;
  fields: FieldMatcher;
  bookmarks: boolean;
  /** A stalled watch stays open but sends nothing (test hook). */
  stalled: boolean;
  /** kubectl asked for Table rows (server-side printing) instead of objects. */
  table?: boolean;
  timer?: NodeJS.Timeout;
}

export interface ListFault {
  remaining: number;
  code: number;
  message: string;
}

export interface ServerState {
  store: ObjectStore;
  index: ResourceIndex;
  watches: Set<WatchConn>;
  /** Faults injected per resource id: the next list(s) fail. */
  listFaults: Map<string, ListFault>;
  requestCounts: Map<string, number>;
  bookmarkIntervalMs: number;
  serverAddress: () => string;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  let e: ApiError;
  if (err instanceof ApiError) e = err;
  else if (err instanceof SelectorError || err instanceof PatchError) e = badRequest(err.message);
  else e = new ApiError(500, 'InternalError', `internal error: ${err instanceof Error ? err.message : String(err)}`);
  send(res, e.code, e.toStatus());
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (contentType.startsWith('application/vnd.kubernetes.protobuf'))
    return raw.length ? decodeProtobufObject(raw) : undefined;
  const text = raw.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return contentType.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `the request body is not valid ${contentType.includes('yaml') ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    );
  }
}

function resourceEntry(r: ResourceType) {
  const entries: Record<string, unknown>[] = [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: Buffer.from(r.plural).toString('base64').slice(0, 11),
    },
  ];
  if (r.status)
    entries.push({
      name: `${r.plural}/status`,
      singularName: '',
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['get', 'patch', 'update'],
    });
  return entries;
}

/**
 * A minimal OpenAPI v3 document for one group/version: just enough for kubectl to see that the server
 * validates fields itself (a PATCH operation per kind with the `fieldValidation` query parameter). Patch
 * operations carry no strategic-merge request body, so `kubectl apply` computes its patches from its own
 * type information (built-in kinds) or uses a JSON merge patch (Routes, CNI objects).
 */
function openApiV3(rs: ResourceType[]): unknown {
  const paths: Record<string, unknown> = {};
  for (const r of rs) {
    const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const item = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}/{name}` : `${base}/${r.plural}/{name}`;
    paths[item] = {
      patch: {
        operationId: `patch${r.kind}`,
        parameters: [
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
      },
    };
  }
  // Custom resources publish their CRD schema (what `kubectl explain` reads).
  const schemas = crdOpenApiSchemas(rs);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  };
}

/** Strips kind/apiVersion from list items, as the real list responses do. */
function listItem(o: KObj): KObj {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return rest as KObj;
}

interface Target {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export class ApiHandler {
  constructor(private readonly s: ServerState) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (this.#discovery(segs, res)) return;
      const target = this.#target(segs);
      if (!target)
        throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
      const verb = this.#verb(req.method ?? 'GET', target, url);
      const counterKey = `${verb} ${target.rt.plural}${target.subresource ? `/${target.subresource}` : ''}`;
      this.s.requestCounts.set(counterKey, (this.s.requestCounts.get(counterKey) ?? 0) + 1);
      await this.#dispatch(verb, target, url, req, res);
    } catch (err) {
      if (!res.headersSent) sendError(res, err);
      else res.destroy();
    }
  }

  #discovery(segs: string[], res: ServerResponse): boolean {
    const { index } = this.s;
    const path = segs.join('/');
    if (path === 'version') {
      send(res, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.0-ako-serverless-dev',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.23',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
      return true;
    }
    if (path === 'healthz' || path === 'readyz' || path === 'livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return true;
    }
    if (path === 'openapi/v3') {
      const gvs = new Set(index.all.map((r) => (r.group ? `apis/${r.group}/${r.version}` : 'api/v1')));
      send(res, 200, {
        paths: Object.fromEntries(
          [...gvs].map((gv) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${this.s.store.rv}` }]),
        ),
      });
      return true;
    }
    if (segs[0] === 'openapi' && segs[1] === 'v3' && segs.length > 2) {
      const [group, version] = segs[2] === 'api' ? ['', segs[3] ?? ''] : [segs[3] ?? '', segs[4] ?? ''];
      const rs = index.inGroupVersion(group, version);
      if (!rs.length) return false;
      send(res, 200, openApiV3(rs));
      return true;
    }
    if (path === 'api') {
      send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.s.serverAddress() }],
      });
      return true;
    }
    if (path === 'api/v1') {
      send(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: index.inGroupVersion('', 'v1').flatMap(resourceEntry),
      });
      return true;
    }
    const group = (g: { group: string; versions: string[] }) => ({
      name: g.group,
      versions: g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${g.group}/${g.versions[0]}`, version: g.versions[0] },
    });
    if (path === 'apis') {
      send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: index.groups().map(group) });
      return true;
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = index.groups().find((x) => x.group === segs[1]);
      if (!g) return false;
      send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...group(g) });
      return true;
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const rs = index.inGroupVersion(segs[1]!, segs[2]!);
      if (!rs.length) return false;
      send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: `${segs[1]}/${segs[2]}`,
        resources: rs.flatMap(resourceEntry),
      });
      return true;
    }
    return false;
  }

  #target(segs: string[]): Target | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 4) {
      group = segs[1]!;
      version = segs[2]!;
      rest = segs.slice(3);
    } else return undefined;
    const { index } = this.s;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const rt = index.byPath(group, version, rest[2]!);
      if (rt?.namespaced && rest.length <= 5) {
        return { rt, namespace: rest[1], name: rest[3], subresource: rest[4] };
      }
    }
    const rt = index.byPath(group, version, rest[0] ?? '');
    if (!rt || rest.length > 3) return undefined;
    return { rt, name: rest[1], subresource: rest[2] };
  }

  #verb(method: string, t: Target, url: URL): string {
    const watch = url.searchParams.get('watch');
    if (t.subresource && t.subresource !== 'status') {
      throw new ApiError(
        404,
        'NotFound',
        `the server could not find the requested resource (subresource ${t.subresource})`,
      );
    }
    if (t.subresource === 'status' && !t.rt.status) {
      throw new ApiError(404, 'NotFound', `${t.rt.plural} have no status subresource`);
    }
    switch (method) {
      case 'GET':
        if (t.name) return 'get';
        return watch === '1' || watch === 'true' ? 'watch' : 'list';
      case 'POST':
        if (t.name) throw new ApiError(405, 'MethodNotAllowed', 'POST is not allowed on a named object');
        return 'create';
      case 'PUT':
        if (!t.name) throw new ApiError(405, 'MethodNotAllowed', 'PUT needs an object name');
        return 'update';
      case 'PATCH':
        if (!t.name) throw new ApiError(405, 'MethodNotAllowed', 'PATCH needs an object name');
        return 'patch';
      case 'DELETE':
        return t.name ? 'delete' : 'deletecollection';
      default:
        throw new ApiError(405, 'MethodNotAllowed', `method ${method} is not allowed`);
    }
  }

  async #dispatch(verb: string, t: Target, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { store } = this.s;
    const { rt } = t;
    const ns = rt.namespaced ? t.namespace : undefined;
    const ctype = String(req.headers['content-type'] ?? 'application/json');
    switch (verb) {
      case 'get': {
        const o = store.get(rt, ns, t.name!);
        if (!o || (rt.namespaced && !ns)) throw this.#notFound(rt, t.name!);
        return this.#sendObjects(req, res, rt, [o], true);
      }
      case 'list':
        return this.#list(t, url, req, res);
      case 'watch':
        return this.#watch(t, url, req, res);
      case 'create': {
        const body = parseBody(await readBody(req), ctype);
        strictFields(rt, url, body);
        if (url.searchParams.get('dryRun')) return send(res, 201, body);
        return send(res, 201, asServed(rt, store.create(rt, ns, body)));
      }
      case 'update': {
        const body = parseBody(await readBody(req), ctype);
        strictFields(rt, url, body);
        const sub = t.subresource === 'status' ? 'status' : undefined;
        return send(res, 200, asServed(rt, store.update(rt, ns, t.name!, body, { subresource: sub })));
      }
      case 'patch': {
        const body = parseBody(await readBody(req), ctype);
        const sub = t.subresource === 'status' ? 'status' : undefined;
        const applyPatch = (cur: KObj): unknown => strictFields(rt, url, patchWith(cur));
        const patchWith = (cur: KObj): unknown => {
          if (ctype.startsWith('application/json-patch+json')) return jsonPatch(cur, body);
          if (ctype.startsWith('application/strategic-merge-patch+json'))
            return strategicMergePatch(cur, body, rt.kind);
          if (ctype.startsWith('application/merge-patch+json') || ctype.startsWith('application/apply-patch+yaml')) {
            return mergePatch(cur, body);
          }
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
          );
        };
        // Server-side apply creates missing objects.
        if (ctype.startsWith('application/apply-patch+yaml') && !store.get(rt, ns, t.name!)) {
          return send(
            res,
            201,
            store.create(rt, ns, {
              ...(body as object),
              metadata: { ...((body as KObj).metadata ?? {}), name: t.name },
            }),
          );
        }
        if (!store.get(rt, ns, t.name!)) throw this.#notFound(rt, t.name!);
        return send(
          res,
          200,
          asServed(
            rt,
            store.patch(rt, ns, t.name!, (cur) => applyPatch(asServed(rt, cur)), { subresource: sub }),
          ),
        );
      }
      case 'delete': {
        const body = parseBody(await readBody(req), ctype) as
          | { preconditions?: { resourceVersion?: string; uid?: string } }
          | undefined;
        const gone = store.delete(rt, ns, t.name!, body?.preconditions);
        return send(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name: t.name, group: rt.group, kind: rt.plural, uid: gone.metadata.uid },
        });
      }
      case 'deletecollection': {
        const labels = parseLabelSelector(url.searchParams.get('labelSelector'));
        const fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
        const victims = store
          .list(rt, ns)
          .filter((o) => labels(o.metadata.labels as Record<string, string>) && fields(o));
        for (const v of victims) store.delete(rt, v.metadata.namespace, v.metadata.name);
        return send(res, 200, {
          kind: `${rt.kind}List`,
          apiVersion: apiVersionOf(rt),
          metadata: { resourceVersion: String(store.rv) },
          items: victims.map((v) => listItem(asServed(rt, v))),
        });
      }
    }
  }

  #notFound(rt: ResourceType, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${rt.group ? `${rt.plural}.${rt.group}` : rt.plural} "${name}" not found`, {
      name,
      group: rt.group,
      kind: rt.plural,
    });
  }

  #sendObjects(req: IncomingMessage, res: ServerResponse, rt: ResourceType, objs: KObj[], single: boolean): void {
    const accept = String(req.headers.accept ?? '');
    const rv = String(this.s.store.rv);
    if (/as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept)) {
      const url = new URL(req.url ?? '/', 'http://local');
      send(
        res,
        200,
        toTable(
          rt.kind,
          objs.map((o) => asServed(rt, o)),
          rv,
          url.searchParams.get('includeObject') ?? 'Metadata',
          rt.printerColumns,
        ),
      );
      return;
    }
    if (single) {
      send(res, 200, asServed(rt, objs[0]!));
      return;
    }
    send(res, 200, {
      kind: `${rt.kind}List`,
      apiVersion: apiVersionOf(rt),
      metadata: { resourceVersion: rv },
      items: objs.map((o) => listItem(asServed(rt, o))),
    });
  }

  #list(t: Target, url: URL, req: IncomingMessage, res: ServerResponse): void {
    const { store } = this.s;
    const rid = resourceId(t.rt);
    const fault = this.s.listFaults.get(rid);
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      if (fault.remaining === 0) this.s.listFaults.delete(rid);
      throw new ApiError(fault.code, fault.code === 429 ? 'TooManyRequests' : 'InternalError', fault.message);
    }
    const labels = parseLabelSelector(url.searchParams.get('labelSelector'));
    const fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
    const ns = t.rt.namespaced ? t.namespace : undefined;
    const items = store.list(t.rt, ns).filter((o) => labels(o.metadata.labels as Record<string, string>) && fields(o));
    this.#sendObjects(req, res, t.rt, items, false);
  }

  #watch(t: Target, url: URL, req: IncomingMessage, res: ServerResponse): void {
    const { store } = this.s;
    const conn: WatchConn = {
      rt: t.rt,
      namespace: t.rt.namespaced ? t.namespace : undefined,
      res,
      req,
      labels: parseLabelSelector(url.searchParams.get('labelSelector')),
      fields: parseFieldSelector(url.searchParams.get('fieldSelector')),
      bookmarks:
        url.searchParams.get('allowWatchBookmarks') === 'true' || url.searchParams.get('allowWatchBookmarks') === '1',
      stalled: false,
      table:
        /as=Table/.test(String(req.headers.accept ?? '')) && /g=meta\.k8s\.io/.test(String(req.headers.accept ?? '')),
    };
    const rvParam = url.searchParams.get('resourceVersion');
    let backlog: StoreEvent[] | undefined = [];
    if (rvParam && rvParam !== '0') {
      const from = Number(rvParam);
      if (!Number.isInteger(from) || from < 0) throw badRequest(`invalid resourceVersion '${rvParam}'`);
      backlog = store.eventsSince(from);
    }
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache',
    });
    res.flushHeaders();
    if (backlog === undefined) {
      // Real servers answer 200 then an ERROR event carrying 410 and close the stream.
      writeEvent(res, 'ERROR', gone(`too old resource version: ${rvParam} (${store.compactedRv})`).toStatus());
      res.end();
      return;
    }
    if (!rvParam || rvParam === '0') {
      // No starting point: synthetic ADDED for the current state, then live events.
      for (const o of store.list(t.rt, conn.namespace)) {
        if (matches(conn, o)) writeObjectEvent(conn, 'ADDED', o);
      }
    } else {
      for (const e of backlog) deliver(conn, e);
    }
    this.s.watches.add(conn);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    if (timeout > 0) setTimeout(() => res.end(), timeout * 1000).unref();
    if (conn.bookmarks && this.s.bookmarkIntervalMs > 0) {
      conn.timer = setInterval(() => {
        if (conn.stalled) return;
        writeEvent(res, 'BOOKMARK', {
          kind: t.rt.kind,
          apiVersion: apiVersionOf(t.rt),
          metadata: { resourceVersion: String(store.rv) },
        });
      }, this.s.bookmarkIntervalMs);
      conn.timer.unref();
    }
    const cleanup = () => {
      if (conn.timer) clearInterval(conn.timer);
      this.s.watches.delete(conn);
    };
    res.on('close', cleanup);
    req.on('close', cleanup);
  }
}

function matches(c: WatchConn, o: KObj): boolean {
  if (c.namespace !== undefined && o.metadata.namespace !== c.namespace) return false;
  return c.labels(o.metadata.labels as Record<string, string> | undefined) && c.fields(o);
}

const corked = new WeakSet<ServerResponse>();

/** Writes one watch line; lines written in the same tick go out together (one write, not one per event). */
export function writeEvent(res: ServerResponse, type: string, object: unknown): void {
  if (!corked.has(res)) {
    corked.add(res);
    res.cork();
    process.nextTick(() => {
      corked.delete(res);
      res.uncork();
    });
  }
  res.write(`${JSON.stringify({ type, object })}\n`);
}

/** Delivers one store event to a watch, turning selector transitions into ADDED/DELETED. */
export function deliver(c: WatchConn, e: StoreEvent): void {
  if (c.stalled || e.rid !== resourceId(c.rt)) return;
  const now = matches(c, e.obj);
  if (e.type === 'MODIFIED') {
    const before = e.old ? matches(c, e.old) : true;
    if (now && before) writeObjectEvent(c, 'MODIFIED', e.obj);
    else if (now) writeObjectEvent(c, 'ADDED', e.obj);
    else if (before) writeObjectEvent(c, 'DELETED', e.obj);
    return;
  }
  if (now) writeObjectEvent(c, e.type, e.obj);
}

function writeObjectEvent(c: WatchConn, type: string, o: KObj): void {
  const served = asServed(c.rt, o);
  writeEvent(
    c.res,
    type,
    c.table
      ? toTable(c.rt.kind, [served], String(o.metadata.resourceVersion), 'Metadata', c.rt.printerColumns)
      : served,
  );
}
