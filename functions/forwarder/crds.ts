/**
 * AKO's custom resources (HostRule, HTTPRule, AviInfraSetting, L4Rule): watched when the cluster serves them.
 * Discovery runs at start and then periodically, so a CRD installed later is picked up, a newer served version
 * is preferred, and a CRD that is removed stops its watch (the API server deleted its objects with it, so they are
 * reported deleted). A failed discovery changes nothing: a watch is never stopped on a guess.
 */
import { AKO_CR_GROUP, AKO_CR_KINDS, type AkoCrKindInfo } from '../../shared/events/crds.ts';
import type { Logger } from '../../shared/log.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import { listPath, type WatchedKind } from './kinds.ts';
import { expectOk, type KubeRequest, listAll } from './kube.ts';
import { trimObject } from './trim.ts';
import { KindWatcher, type WatcherCallbacks, type WatcherOptions } from './watcher.ts';

export const AKO_GROUP = AKO_CR_GROUP;

/** One AKO custom resource kind and the versions it may be served at, preferred first (as AKO reads them). */
export type CrdKind = AkoCrKindInfo;

export const AKO_CRD_KINDS: readonly CrdKind[] = AKO_CR_KINDS;

export function watchedCrdKind(c: CrdKind, version: string): WatchedKind {
  return {
    kind: c.kind,
    apiVersion: `${AKO_GROUP}/${version}`,
    group: AKO_GROUP,
    version,
    plural: c.plural,
    namespaced: c.namespaced,
    optional: 'crd',
  };
}

/** What discovery saw: per group version, the plurals it serves (empty when the version is not served). */
export type ServedResources = Map<string, Set<string>>;

/**
 * Reads discovery for every version of AKO's group the server lists plus those AKO's kinds may use; throws when
 * any answer is not usable.
 */
export async function discoverAkoCrds(
  request: KubeRequest,
  kinds: readonly CrdKind[] = AKO_CRD_KINDS,
): Promise<ServedResources> {
  const out: ServedResources = new Map();
  const groupVersions = async (): Promise<string[]> => {
    const group = await request('GET', `/apis/${AKO_GROUP}`);
    if (group.status === 404) return [];
    const body = expectOk(group, `discovery /apis/${AKO_GROUP}`).body;
    return ((body?.versions ?? []) as { version: string }[]).map((v) => v.version);
  };
  // The group is listed again after its versions were read: a version added meanwhile is read too.
  let pending = new Set([...kinds.flatMap((k) => k.versions), ...(await groupVersions())]);
  for (let pass = 0; pass < 3 && pending.size; pass++) {
    for (const version of pending) {
      const path = `/apis/${AKO_GROUP}/${version}`;
      const res = await request('GET', path);
      if (res.status === 404) {
        out.set(version, new Set());
        continue;
      }
      expectOk(res, `discovery ${path}`);
      out.set(version, new Set(((res.body?.resources ?? []) as { name: string }[]).map((r) => r.name)));
    }
    pending = new Set((await groupVersions()).filter((v) => !out.has(v)));
  }
  return out;
}

export interface CrdPlan {
  start: WatchedKind[];
  /** Watches to stop; `gone` when the kind is no longer served at all (its objects were deleted with it). */
  stop: { kind: WatchedKind; gone: boolean }[];
}

/**
 * Pure: which watches to start and stop, given what discovery serves and what is being watched (by kind name).
 * A kind served at a more preferred version than the one watched moves to it.
 */
export function planCrdWatches(
  served: ServedResources,
  watching: ReadonlyMap<string, WatchedKind>,
  kinds: readonly CrdKind[] = AKO_CRD_KINDS,
): CrdPlan {
  const plan: CrdPlan = { start: [], stop: [] };
  for (const c of kinds) {
    const version = c.versions.find((v) => served.get(v)?.has(c.plural));
    const cur = watching.get(c.kind);
    if (cur && cur.version === version) continue;
    // Gone only when no version serves it: objects served at a version AKO does not read still exist.
    const anywhere = [...served.values()].some((plurals) => plurals.has(c.plural));
    if (cur) plan.stop.push({ kind: cur, gone: !anywhere });
    if (version) plan.start.push(watchedCrdKind(c, version));
  }
  return plan;
}

export interface CrdWatchDeps {
  request: KubeRequest;
  logger: Logger;
  /** Starts a watch; resolves after its first complete list. */
  startWatch(kind: WatchedKind): Promise<void>;
  /** Stops a watch; with `gone`, reports every object of the kind deleted. */
  stopWatch(kind: WatchedKind, gone: boolean): Promise<void>;
  /** Rediscovery period; 0 = only at start. */
  everyMs: number;
  /**
   * When given (and the forwarder may list CustomResourceDefinitions), a watch on the CRDs of AKO's group runs
   * discovery as soon as one is added, changed or deleted; the period then only backs it up.
   */
  watcherOptions?: WatcherOptions;
  kinds?: readonly CrdKind[];
}

export interface CrdWatching {
  /** The first discovery (and the first list of every kind it found). Never rejects. */
  started: Promise<void>;
  /** Runs one discovery round now (tests, and after a failed start). */
  rediscover(): Promise<void>;
  /** Kind name → the watched kind. */
  watching(): ReadonlyMap<string, WatchedKind>;
  stop(): void;
}

export function startCrdWatching(deps: CrdWatchDeps): CrdWatching {
  const watching = new Map<string, WatchedKind>();
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  /** A kind the forwarder may not list (RBAC) is left out, loudly, rather than holding readiness forever. */
  const refused = new Set<string>();
  const mayList = async (kind: WatchedKind): Promise<boolean> => {
    const path = `/apis/${kind.group}/${kind.version}/${kind.plural}?limit=1`;
    const res = await deps
      .request('GET', path)
      .catch((err: unknown) => ({ status: 0, body: { message: String(err) } }));
    if (res.status >= 200 && res.status < 300) {
      refused.delete(kind.kind);
      return true;
    }
    if (!refused.has(kind.kind)) {
      refused.add(kind.kind);
      deps.logger.error('cannot list an AKO custom resource the cluster serves; not watching it', {
        kind: kind.kind,
        status: res.status,
        reason: res.body?.message,
        action: `grant the forwarder get/list/watch on ${kind.plural}.${kind.group} (and patch on ${kind.plural}/status)`,
        outcome: 'skipped',
      });
    }
    return false;
  };

  const round = async () => {
    let served: ServedResources;
    try {
      served = await discoverAkoCrds(deps.request, deps.kinds);
      failures = 0;
    } catch (err) {
      // Only warn on the first of a series: a cluster without the CRDs is normal, a flapping API is not news.
      if (failures++ === 0) {
        deps.logger.warn('AKO CRD discovery failed; keeping the current watches and retrying', {
          reason: err instanceof Error ? err.message : String(err),
          outcome: 'retry',
        });
      }
      return;
    }
    let plan = planCrdWatches(served, watching, deps.kinds);
    if (plan.stop.some((x) => x.gone)) {
      // "Served nowhere" reports every object of the kind deleted: a CRD changing while discovery reads it can look
      // like that for a moment, so read again and act only on what both reads agree on.
      try {
        plan = planCrdWatches(await discoverAkoCrds(deps.request, deps.kinds), watching, deps.kinds);
      } catch {
        return;
      }
    }
    for (const { kind, gone } of plan.stop) {
      if (stopped) return;
      watching.delete(kind.kind);
      const moved = plan.start.some((k) => k.kind === kind.kind);
      if (gone) deps.logger.info('AKO CRD no longer served; its objects are gone', { kind: kind.kind });
      else if (moved)
        deps.logger.info('AKO CRD served at a more preferred version', { kind: kind.kind, from: kind.version });
      else {
        deps.logger.error('AKO CRD served only at versions this build does not read; watch stopped, objects kept', {
          kind: kind.kind,
          version: kind.version,
          outcome: 'skipped',
        });
      }
      await deps.stopWatch(kind, gone);
    }
    await Promise.all(
      plan.start.map(async (kind) => {
        if (stopped || !(await mayList(kind))) return;
        watching.set(kind.kind, kind);
        deps.logger.info('AKO CRD found; watching it', { kind: kind.kind, apiVersion: kind.apiVersion });
        await deps.startWatch(kind);
      }),
    );
  };
  // Rounds never overlap: a slow first list must not start the same watch twice.
  const rediscover = () => {
    if (stopped) return Promise.resolve();
    running = (running ?? Promise.resolve()).then(round, round);
    return running;
  };
  // Bursts of CRD events (a chart installing four CRDs) queue one round, not one each.
  let queued = false;
  const soon = () => {
    if (queued || stopped) return;
    queued = true;
    running = (running ?? Promise.resolve()).then(() => {
      queued = false;
      return round();
    });
  };

  const started = rediscover();
  let definitions: KindWatcher | undefined;
  if (deps.watcherOptions) {
    const opts = deps.watcherOptions;
    void (async () => {
      const probe = await deps
        .request('GET', `${listPath(CRD_KIND)}?limit=1`)
        .catch(() => ({ status: 0, body: undefined }));
      if (stopped) return;
      if (probe.status < 200 || probe.status >= 300) {
        deps.logger.info('cannot watch CustomResourceDefinitions; AKO CRDs are found by periodic discovery only', {
          status: probe.status,
          everySeconds: deps.everyMs / 1000,
        });
        return;
      }
      definitions = new KindWatcher(CRD_KIND, opts, crdCallbacks(soon));
      void definitions.start();
    })();
  }
  if (deps.everyMs > 0) {
    timer = setInterval(() => void rediscover(), deps.everyMs);
    timer.unref();
  }
  return {
    started,
    rediscover,
    watching: () => watching,
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      void definitions?.stop();
    },
  };
}

const CRD_KIND: WatchedKind = {
  kind: 'CustomResourceDefinition',
  apiVersion: 'apiextensions.k8s.io/v1',
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  namespaced: false,
};

// biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
type Raw = Record<string, any>;

/** Callbacks of the CRD watch: nothing is published; a change to a CRD of AKO's group asks for discovery. */
function crdCallbacks(changed: () => void): WatcherCallbacks {
  const known = new Map<string, Raw>();
  const ours = (o: Raw) => o.spec?.group === AKO_GROUP;
  return {
    upsert(_k, o) {
      const key = `/${o.metadata?.name}`;
      const before = JSON.stringify(known.get(key));
      known.set(key, o);
      if (ours(o) && before !== JSON.stringify(o)) changed();
    },
    remove(_k, o) {
      known.delete(`/${o.metadata?.name}`);
      if (ours(o)) changed();
    },
    known: () => known.keys(),
    lookup: (_k, key) => known.get(key),
    // Only what decides discovery: the group, the served versions and whether the CRD is established.
    transform: (_k, o) => ({
      metadata: { name: o.metadata?.name, uid: o.metadata?.uid, resourceVersion: o.metadata?.resourceVersion },
      spec: {
        group: o.spec?.group,
        versions: ((o.spec?.versions ?? []) as Raw[]).map((v) => ({ name: v.name, served: v.served })),
      },
      status: {
        established: ((o.status?.conditions ?? []) as Raw[]).some(
          (c) => c.type === 'Established' && c.status === 'True',
        ),
      },
    }),
    restarted() {},
  };
}

/**
 * One-shot read of every AKO custom resource the cluster serves (for `plan`-style readers that list instead of
 * watching), trimmed like the forwarder trims them. Throws on any failure: a partial read must not look complete.
 */
export async function readAkoCrs(
  request: KubeRequest,
  kinds: readonly CrdKind[] = AKO_CRD_KINDS,
): Promise<{ kinds: WatchedKind[]; objects: KubeObject[] }> {
  const plan = planCrdWatches(await discoverAkoCrds(request, kinds), new Map(), kinds);
  const objects: KubeObject[] = [];
  for (const kind of plan.start) {
    const { items } = await listAll(request, listPath(kind));
    for (const raw of items) objects.push(trimObject(kind.kind, kind.apiVersion, raw as Raw));
  }
  return { kinds: plan.start, objects };
}
