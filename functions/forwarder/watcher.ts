/**
 * One kind's list+watch, built on client-node's informer (ListWatch + Watch), made robust:
 * - every informer error (watch reset, list failure, ...) restarts it with back-off, relisting;
 * - a watchdog restarts a watch that has been silent (no event, no bookmark) for longer than a bound;
 * - after each successful complete list, objects the forwarder knew but the list lacks are reported
 *   deleted (positive evidence); a failed list reports nothing.
 * Each restart uses a fresh ListWatch (a new "generation"); callbacks of older generations are ignored,
 * which also filters the AbortError that stopping an informer emits.
 */
import { type KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from '../../shared/log.ts';
import { listPath, type WatchedKind } from './kinds.ts';
import { type KubeRequest, listAll } from './kube.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
type Raw = Record<string, any>;

export interface WatcherCallbacks {
  /** An object was listed, added or modified (already trimmed by `transform`). */
  upsert(kind: WatchedKind, obj: Raw): void;
  /** An object was deleted (a watch DELETED event or absence from a complete list). */
  remove(kind: WatchedKind, obj: Raw): void;
  /** Keys (`<namespace>/<name>`) of the objects of this kind the forwarder currently knows. */
  known(kind: WatchedKind): Iterable<string>;
  /** Looks up a known object by key, for reporting its deletion. */
  lookup(kind: WatchedKind, key: string): Raw | undefined;
  /** Trims a raw object before it is cached (smaller informer cache). */
  transform(kind: WatchedKind, obj: Raw): Raw;
  /** A watch was restarted (error, silence). */
  restarted(kind: WatchedKind, reason: string): void;
}

/** The API server's bookmark period: kube-apiserver sends a BOOKMARK on every watch about once a minute. */
export const API_SERVER_BOOKMARK_INTERVAL_MS = 60_000;

/**
 * How long a watch that asked for bookmarks may stay silent, and how often that is checked, for a server that
 * sends a bookmark every `bookmarkIntervalMs`: two missed bookmarks and half a period of slack, checked every
 * quarter period, so a silent watch is restarted at most 2.75 bookmark intervals after its last line.
 */
export function watchLiveness(bookmarkIntervalMs: number): { silenceLimitMs: number; checkEveryMs: number } {
  if (!(bookmarkIntervalMs > 0)) throw new Error(`bookmark interval must be positive, got ${bookmarkIntervalMs} ms`);
  return { silenceLimitMs: bookmarkIntervalMs * 2.5, checkEveryMs: Math.max(10, Math.floor(bookmarkIntervalMs / 4)) };
}

export interface WatcherOptions {
  kubeConfig: KubeConfig;
  request: KubeRequest;
  logger: Logger;
  /** Restart a watch silent for longer than this (bookmarks count as activity). */
  watchdogMs: number;
  /** How often silence is checked (default a quarter of watchdogMs). */
  watchdogCheckMs?: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  now?: () => number;
}

export type WatcherState = 'idle' | 'listing' | 'watching' | 'backoff' | 'stopped';

const keyOf = (o: Raw) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** A Watch that asks for bookmarks and reports every line (events and bookmarks) as activity. */
class ActivityWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly onLine: () => void,
    private readonly transform: (o: Raw) => Raw,
  ) {
    super(kc);
  }
  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: Raw, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true },
      (phase, obj, watchObj) => {
        this.onLine();
        const o =
          (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') && obj?.metadata
            ? this.transform(obj)
            : obj;
        callback(phase, o, watchObj);
      },
      done,
    );
  }
}

export class KindWatcher {
  state: WatcherState = 'idle';
  restarts = 0;
  lastActivity = 0;
  /** Set once the first complete list has been processed. */
  listedOnce = false;
  #gen = 0;
  #informer?: ListWatch<Raw & { metadata: Raw }>;
  #backoffMs: number;
  #timer?: NodeJS.Timeout;
  #watchdog?: NodeJS.Timeout;
  #firstList: { resolve: () => void; promise: Promise<void> };
  readonly #now: () => number;

  constructor(
    readonly kind: WatchedKind,
    private readonly opts: WatcherOptions,
    private readonly cb: WatcherCallbacks,
  ) {
    this.#backoffMs = opts.backoffInitialMs;
    this.#now = opts.now ?? Date.now;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.#firstList = { resolve, promise };
  }

  /** Resolves after the first successful list (retrying failures in the background). */
  start(): Promise<void> {
    this.#spawn();
    const period = this.opts.watchdogCheckMs ?? Math.max(50, Math.floor(this.opts.watchdogMs / 4));
    this.#watchdog = setInterval(() => this.#checkSilence(), period);
    this.#watchdog.unref();
    return this.#firstList.promise;
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.#gen++;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#watchdog) clearInterval(this.#watchdog);
    const inf = this.#informer;
    this.#informer = undefined;
    await inf?.stop();
  }

  /** Healthy: listed and watching (not in back-off after an error). */
  get healthy(): boolean {
    return this.state === 'watching' && this.listedOnce;
  }

  #checkSilence(): void {
    if (this.state !== 'watching') return;
    const silent = this.#now() - this.lastActivity;
    if (silent > this.opts.watchdogMs) {
      this.opts.logger.warn('watch silent for too long; restarting it', {
        kind: this.kind.kind,
        silentMs: silent,
        outcome: 'restart',
      });
      this.#restart('silent', 0);
    }
  }

  #restart(reason: string, delayMs: number): void {
    if (this.state === 'stopped') return;
    this.restarts++;
    this.cb.restarted(this.kind, reason);
    this.#gen++;
    const old = this.#informer;
    this.#informer = undefined;
    void old?.stop();
    if (delayMs <= 0) {
      this.#spawn();
      return;
    }
    this.state = 'backoff';
    this.#timer = setTimeout(() => this.#spawn(), delayMs);
    this.#timer.unref();
  }

  #onError(gen: number, err: unknown): void {
    if (gen !== this.#gen || this.state === 'stopped') return;
    const e = err as { name?: string; message?: string; statusCode?: number; code?: unknown };
    if (e?.name === 'AbortError') return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.opts.backoffMaxMs, this.#backoffMs * 2);
    this.opts.logger.warn('watch or list failed; relisting after back-off', {
      kind: this.kind.kind,
      reason: e?.message ?? String(err),
      statusCode: e?.statusCode,
      delayMs: delay,
      outcome: 'retry',
    });
    this.#restart('error', delay);
  }

  #spawn(): void {
    if (this.state === 'stopped') return;
    const gen = ++this.#gen;
    const live = () => gen === this.#gen && this.state !== 'stopped';
    const kind = this.kind;
    this.state = 'listing';
    this.lastActivity = this.#now();
    const watch = new ActivityWatch(
      this.opts.kubeConfig,
      () => {
        if (live()) this.lastActivity = this.#now();
      },
      (o) => this.cb.transform(kind, o),
    );
    const listFn = async () => {
      const { items, resourceVersion } = await listAll(this.opts.request, listPath(kind), kind.fieldSelector);
      const trimmed = items.map((o) => this.cb.transform(kind, o as Raw));
      if (live()) this.#reconcileList(trimmed);
      // Resume watching from the list's resourceVersion.
      return { metadata: { resourceVersion }, items: trimmed } as never;
    };
    const informer = new ListWatch<Raw & { metadata: Raw }>(
      listPath(kind),
      watch,
      listFn,
      false,
      undefined,
      kind.fieldSelector,
    );
    informer.on('add', (o) => {
      if (live()) this.cb.upsert(kind, o);
    });
    informer.on('update', (o) => {
      if (live()) this.cb.upsert(kind, o);
    });
    informer.on('delete', (o) => {
      if (live()) this.cb.remove(kind, o);
    });
    informer.on('error', (err) => this.#onError(gen, err));
    informer.on('connect', () => {
      if (live()) this.lastActivity = this.#now();
    });
    this.#informer = informer;
    void informer.start().catch((err) => this.#onError(gen, err));
  }

  /** A complete list: everything known but absent was deleted while we were not watching. */
  #reconcileList(items: Raw[]): void {
    const present = new Set(items.map(keyOf));
    const gone: Raw[] = [];
    for (const key of this.cb.known(this.kind)) {
      if (!present.has(key)) {
        const o = this.cb.lookup(this.kind, key);
        if (o) gone.push(o);
      }
    }
    for (const o of gone) this.cb.remove(this.kind, o);
    this.state = 'watching';
    this.lastActivity = this.#now();
    this.#backoffMs = this.opts.backoffInitialMs;
    if (!this.listedOnce) {
      this.listedOnce = true;
      // The informer reports the list items right after this returns; resolve after them.
      setImmediate(() => this.#firstList.resolve());
    }
  }
}
