/**
 * Status write-back (the forwarder alone holds cluster credentials): the owning instance's view of an
 * object's status is applied through the status subresource with a JSON merge patch — only when it differs
 * from the live object, guarded by resourceVersion and retried on conflict — plus the AKO annotations on the
 * object and events.k8s.io/v1 Events for what a user must act on. Re-applying the same update makes no
 * write at all.
 */
import * as z from 'zod';
import type { Logger } from '../../shared/log.ts';
import { silentLogger } from '../../shared/log.ts';
import { AKO_CR_STATUS_KINDS, crPathInfo, crStatusPatch, crStatusSchema } from './cr-status.ts';
import type { KubeRequest, KubeResponse } from './kube.ts';

const lbIngress = z.object({ ip: z.string().optional(), hostname: z.string().optional() }).loose();
const routeIngress = z
  .object({
    host: z.string().optional(),
    routerName: z.string().optional(),
    wildcardPolicy: z.string().optional(),
    conditions: z.array(z.object({ type: z.string(), status: z.string() }).loose()).optional(),
  })
  .loose();

/** One object's status as its owning instance wants it. */
export const statusUpdateSchema = z.object({
  target: z.object({
    apiVersion: z.string().min(1),
    kind: z.enum(['Ingress', 'Service', 'Route', 'Namespace', ...AKO_CR_STATUS_KINDS]),
    /** Absent for Namespaces and AviInfraSettings (cluster-scoped). */
    namespace: z.string().optional(),
    name: z.string().min(1),
    /** When given, an object with another uid (deleted and re-created) is left alone. */
    uid: z.string().optional(),
  }),
  /** Instance id (`<cluster>/<akoNamespace>`) writing this update. */
  instance: z.string().min(1),
  /** Ingress / LoadBalancer Service: the whole `status.loadBalancer.ingress` list ([] clears it). */
  loadBalancer: z.object({ ingress: z.array(lbIngress) }).optional(),
  /**
   * Route: this instance's entries of `status.ingress[]`, identified by `routerName` (the instance's
   * created_by user); entries of other routers are kept. `entries: []` removes this instance's entries.
   */
  route: z.object({ routerName: z.string().min(1), entries: z.array(routeIngress) }).optional(),
  /** HostRule / HTTPRule / AviInfraSetting / L4Rule: AKO's `status.status` and `status.error`. */
  crStatus: crStatusSchema.optional(),
  /** Annotations to set (string) or remove (null), e.g. ako.vmware.com/host-fqdn-vs-uuid-map. */
  annotations: z.record(z.string(), z.string().nullable()).optional(),
  /** Kubernetes Events to record on the object (deduplicated for `eventDedupSeconds`). */
  events: z
    .array(
      z.object({
        type: z.enum(['Normal', 'Warning']),
        reason: z.string().min(1).max(128),
        note: z.string().max(1024),
        action: z.string().max(128).optional(),
      }),
    )
    .optional(),
});
export type StatusUpdate = z.infer<typeof statusUpdateSchema>;

export type StatusOutcome = 'patched' | 'unchanged' | 'not-found' | 'stale' | 'failed';

export interface StatusResult {
  target: string;
  outcome: StatusOutcome;
  /** Writes made: status patches + annotation patches. */
  writes: number;
  events: number;
  message?: string;
}

export interface StatusApplierOptions {
  logger?: Logger;
  /** Conflict retries per object (default 5). */
  maxConflictRetries?: number;
  /** Identical events (object, reason, note) within this window are recorded once (default 600). */
  eventDedupSeconds?: number;
  /**
   * An update identical to the last one this applier wrote for the object, within this window, is answered
   * `unchanged` without reading the object (default 60 s): a shard re-reported after every apply would otherwise
   * cost a GET per Ingress each time. 0 disables.
   */
  unchangedSkipSeconds?: number;
  /** Objects updated at once (updates of one object stay in order; default 8). */
  concurrency?: number;
  now?: () => Date;
}

const PATHS: Record<string, { prefix: string; plural: string; namespaced: boolean }> = {
  Ingress: { prefix: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  Service: { prefix: '/api/v1', plural: 'services', namespaced: true },
  Route: { prefix: '/apis/route.openshift.io/v1', plural: 'routes', namespaced: true },
  Namespace: { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
};

/** Where a target lives: the fixed kinds above, AKO's custom resources at the apiVersion the update names. */
function pathInfo(t: StatusUpdate['target']): { prefix: string; plural: string; namespaced: boolean } {
  return PATHS[t.kind] ?? crPathInfo(t.kind, t.apiVersion);
}

function objectPath(t: StatusUpdate['target']): string {
  const p = pathInfo(t);
  const ns = p.namespaced ? `/namespaces/${encodeURIComponent(t.namespace ?? 'default')}` : '';
  return `${p.prefix}${ns}/${p.plural}/${encodeURIComponent(t.name)}`;
}

/** Order-insensitive comparison of JSON values (key order never matters; undefined = absent). */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, (x as Record<string, unknown>)[k]]),
        )
      : x,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: live Kubernetes JSON
type Live = Record<string, any>;

/** The status patch an update needs against the live object, or undefined when it already holds. */
export function statusPatchFor(update: StatusUpdate, live: Live): Record<string, unknown> | undefined {
  if (update.loadBalancer) {
    const cur = live.status?.loadBalancer?.ingress ?? [];
    const want = update.loadBalancer.ingress;
    if (canon(cur) === canon(want)) return undefined;
    return { loadBalancer: { ingress: want.length ? want : null } };
  }
  if (update.crStatus) return crStatusPatch(update.crStatus, live);
  if (update.route) {
    const cur = (live.status?.ingress ?? []) as Live[];
    const others = cur.filter((e) => e.routerName !== update.route!.routerName);
    const mine = update.route.entries.map((e) => ({ ...e, routerName: update.route!.routerName }));
    const want = [...others, ...mine];
    if (canon(cur) === canon(want)) return undefined;
    // Merge patch replaces lists whole: the resourceVersion guard keeps other routers' concurrent entries.
    return { ingress: want };
  }
  return undefined;
}

/** The annotation patch an update needs, or undefined. */
export function annotationPatchFor(update: StatusUpdate, live: Live): Record<string, string | null> | undefined {
  if (!update.annotations) return undefined;
  const cur = (live.metadata?.annotations ?? {}) as Record<string, string>;
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(update.annotations)) {
    if (v === null ? k in cur : cur[k] !== v) patch[k] = v;
  }
  return Object.keys(patch).length ? patch : undefined;
}

/** RFC 3339 with microseconds (MicroTime), as events.k8s.io/v1 requires for eventTime. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The result for an update the API server refused (what was written before stays counted). */
function httpFailure(target: string, writes: number, what: string, res: KubeResponse): StatusResult {
  return {
    target,
    outcome: 'failed',
    writes,
    events: 0,
    message: `${what}: HTTP ${res.status} ${res.body?.message ?? ''}`.trim(),
  };
}

export interface StatusApplier {
  apply(updates: StatusUpdate[]): Promise<StatusResult[]>;
}

export function createStatusApplier(request: KubeRequest, opts: StatusApplierOptions = {}): StatusApplier {
  const log = opts.logger ?? silentLogger;
  const maxRetries = opts.maxConflictRetries ?? 5;
  const dedupMs = (opts.eventDedupSeconds ?? 600) * 1000;
  const now = opts.now ?? (() => new Date());
  const recentEvents = new Map<string, number>();
  const skipMs = (opts.unchangedSkipSeconds ?? 60) * 1000;
  /** target → what was last made true on it (status, annotations) and when. */
  const lastApplied = new Map<string, { content: string; at: number }>();
  const contentOf = (u: StatusUpdate) =>
    canon({ t: u.target, lb: u.loadBalancer, r: u.route, cr: u.crStatus, a: u.annotations });

  async function recordEvents(update: StatusUpdate, live: Live): Promise<number> {
    let n = 0;
    for (const ev of update.events ?? []) {
      const t = update.target;
      const key = `${t.kind}/${t.namespace ?? ''}/${t.name}|${ev.type}|${ev.reason}|${ev.note}`;
      const at = now().getTime();
      const last = recentEvents.get(key);
      if (last !== undefined && at - last < dedupMs) continue;
      const ns = pathInfo(t).namespaced ? (t.namespace ?? 'default') : 'default';
      const body = {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { generateName: `${t.name}.`, namespace: ns },
        eventTime: microTime(now()),
        reportingController: 'ako.vmware.com/ako-serverless',
        reportingInstance: update.instance.slice(0, 128),
        action: ev.action ?? 'Sync',
        reason: ev.reason,
        note: ev.note,
        type: ev.type,
        regarding: {
          apiVersion: t.apiVersion,
          kind: t.kind,
          name: t.name,
          ...(pathInfo(t).namespaced ? { namespace: ns } : {}),
          ...(live.metadata?.uid ? { uid: live.metadata.uid } : {}),
        },
      };
      const res = await request('POST', `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/events`, body);
      if (res.status >= 300) {
        log.warn('cannot record a Kubernetes Event', {
          object: key.split('|')[0],
          status: res.status,
          reason: res.body?.message,
        });
        continue;
      }
      recentEvents.set(key, at);
      if (recentEvents.size > 10_000) recentEvents.delete(recentEvents.keys().next().value!);
      n++;
    }
    return n;
  }

  /** applyOne, skipping the read when the same content was written moments ago and there is no Event to record. */
  async function applyRemembered(update: StatusUpdate): Promise<StatusResult> {
    const t = update.target;
    const label = `${t.kind}/${t.namespace ?? ''}/${t.name}`;
    const content = contentOf(update);
    const last = lastApplied.get(label);
    const at = now().getTime();
    if (skipMs > 0 && !update.events?.length && last && last.content === content && at - last.at < skipMs)
      return { target: label, outcome: 'unchanged', writes: 0, events: 0 };
    const r = await applyOne(update);
    if (r.outcome === 'patched' || r.outcome === 'unchanged') {
      lastApplied.delete(label);
      lastApplied.set(label, { content, at });
      if (lastApplied.size > 50_000) lastApplied.delete(lastApplied.keys().next().value!);
    } else lastApplied.delete(label);
    return r;
  }

  async function applyOne(update: StatusUpdate): Promise<StatusResult> {
    const t = update.target;
    const label = `${t.kind}/${t.namespace ?? ''}/${t.name}`;
    const path = objectPath(t);
    let writes = 0;
    for (let attempt = 0; ; attempt++) {
      const got = await request('GET', path);
      if (got.status === 404) return { target: label, outcome: 'not-found', writes, events: 0 };
      if (got.status >= 300) {
        return httpFailure(label, writes, 'GET', got);
      }
      const live = got.body as Live;
      if (t.uid && live.metadata?.uid !== t.uid) {
        return {
          target: label,
          outcome: 'stale',
          writes,
          events: 0,
          message: 'the object was re-created; update ignored',
        };
      }
      const statusPatch = statusPatchFor(update, live);
      if (statusPatch) {
        const res = await request(
          'PATCH',
          `${path}/status`,
          { metadata: { resourceVersion: live.metadata?.resourceVersion }, status: statusPatch },
          'application/merge-patch+json',
        );
        if (res.status === 409 && attempt < maxRetries) continue;
        if (res.status >= 300) {
          return httpFailure(label, writes, 'status PATCH', res);
        }
        writes++;
        Object.assign(live, res.body);
      }
      const annPatch = annotationPatchFor(update, live);
      if (annPatch) {
        const res = await request(
          'PATCH',
          path,
          { metadata: { annotations: annPatch } },
          'application/merge-patch+json',
        );
        if (res.status >= 300) {
          return httpFailure(label, writes, 'annotation PATCH', res);
        }
        writes++;
      }
      const events = await recordEvents(update, live);
      return { target: label, outcome: writes ? 'patched' : 'unchanged', writes, events };
    }
  }

  return {
    async apply(updates) {
      const one = async (u: StatusUpdate): Promise<StatusResult> => {
        let r: StatusResult;
        try {
          r = await applyRemembered(u);
        } catch (err) {
          r = {
            target: `${u.target.kind}/${u.target.namespace ?? ''}/${u.target.name}`,
            outcome: 'failed',
            writes: 0,
            events: 0,
            message: err instanceof Error ? err.message : String(err),
          };
        }
        if (r.outcome === 'failed') log.warn('status update failed', { object: r.target, reason: r.message });
        else if (r.outcome === 'patched') log.info('status updated', { object: r.target, writes: r.writes });
        return r;
      };
      // Updates of one object in order; different objects side by side.
      const byTarget = new Map<string, number[]>();
      updates.forEach((u, i) => {
        const k = `${u.target.kind}/${u.target.namespace ?? ''}/${u.target.name}`;
        byTarget.set(k, [...(byTarget.get(k) ?? []), i]);
      });
      const out: StatusResult[] = new Array(updates.length);
      const lanes = [...byTarget.values()];
      let next = 0;
      const worker = async () => {
        while (next < lanes.length) {
          const lane = lanes[next++]!;
          for (const i of lane) out[i] = await one(updates[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, lanes.length)) }, worker));
      return out;
    },
  };
}

/** One-shot helper: `applyStatusUpdates(request, updates)` (no event deduplication across calls). */
export function applyStatusUpdates(
  request: KubeRequest,
  updates: StatusUpdate[],
  opts?: StatusApplierOptions,
): Promise<StatusResult[]> {
  return createStatusApplier(request, opts).apply(updates);
}

/** Parses a message body: one update or an array of them. */
export function parseStatusUpdates(
  body: unknown,
): { ok: true; updates: StatusUpdate[] } | { ok: false; reason: string } {
  const items = Array.isArray(body) ? body : [body];
  const updates: StatusUpdate[] = [];
  for (const [i, item] of items.entries()) {
    const r = statusUpdateSchema.safeParse(item);
    if (!r.success) {
      const iss = r.error.issues[0];
      const path = [...(Array.isArray(body) ? [`[${i}]`] : []), ...(iss?.path ?? []).map(String)].join('.');
      return { ok: false, reason: `${path || '(root)'}: ${iss?.message ?? 'invalid'}` };
    }
    updates.push(r.data);
  }
  return { ok: true, updates };
}
