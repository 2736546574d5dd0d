/**
 * The terminal's view of the structured log: one readable line per meaningful event (who, which object, what
 * happened, why), at each instance's `AKOSettings.logLevel`, with repeats of the same line summarised instead of
 * scrolling the cause away. Pure formatting and filtering; `terminal-sink.ts` wires it to a stream.
 */
import type { LogLevel } from '../../../shared/log.ts';
import type { AkoLogLevel } from '../../../shared/registry/types.ts';

export type { AkoLogLevel };

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const AKO_RANK: Record<AkoLogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };

export interface LogEntry {
  time?: string;
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

/** Whether an entry of `level` is shown at the AKO level `threshold`. */
export function shownAt(level: LogLevel, threshold: AkoLogLevel): boolean {
  return RANK[level] >= AKO_RANK[threshold];
}

/** Messages that are bookkeeping, not news, at INFO (still in the JSON file and at DEBUG). */
const QUIET_AT_INFO = new Set([
  'forwarder metrics',
  'status updated',
  'avi request',
  'routed',
  'event not routed',
  'controller credentials', // printed in the start banner
  'forwarder stopped; queue flushed', // "stopped" says it
  'shutting down',
]);

/** Outcomes of `model reconciled` that changed nothing on the controller. */
const NO_CHANGE = new Set(['skip', 'skipped', 'unchanged', 'deferred', 'noop']);

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/** What the line is about: an object, a model (Avi VS), a namespace or a kind. */
function subjectOf(e: LogEntry): string | undefined {
  const object = str(e.object);
  if (object) {
    const [kind, ns, ...name] = object.split('/');
    // `<kind>/<namespace>/<name>` (cluster-scoped: empty namespace); an Avi object is `<type>/<name>`.
    if (name.length === 0) return `${kind} ${ns ?? ''}`.trim();
    return ns ? `${kind} ${ns}/${name.join('/')}` : `${kind} ${name.join('/')}`;
  }
  if (str(e.model)) return `Avi ${str(e.model)}`;
  if (str(e.namespace)) return `namespace ${str(e.namespace)}`;
  if (str(e.kind)) return str(e.kind);
  return undefined;
}

/** Who speaks: the instance, else the function and cluster. */
function speakerOf(e: LogEntry): string {
  return str(e.instance) ?? [str(e.function), str(e.cluster)].filter(Boolean).join(' ') ?? '';
}

/** The sentence of the line (message, outcome, and the figures that matter for a few well-known messages). */
function sentenceOf(e: LogEntry): string {
  if (e.msg === 'avi controller version') return `Avi Controller ${str(e.controller)} (API version ${str(e.using)})`;
  if (e.msg === 'forwarder ready')
    return `watching ${Array.isArray(e.kinds) ? e.kinds.join(', ') : 'the cluster'}: ${str(e.objects) ?? 0} objects listed`;
  // The model's skip codes (ServiceNotFound, InvalidCertificate...) are what kubectl describe shows too.
  if (e.msg === 'permanent sync failure (not retried)') return str(e.code) ?? 'not served as it is';
  if (e.msg === 'model reconciled') {
    const writes = typeof e.writes === 'number' ? e.writes : 0;
    return `${str(e.outcome) ?? 'reconciled'}: ${writes} write${writes === 1 ? '' : 's'} to the controller`;
  }
  const outcome = str(e.outcome);
  return outcome && !e.msg.includes(outcome) ? `${e.msg} (${outcome})` : e.msg;
}

export interface TerminalLine {
  level: LogLevel;
  /** Identity for repeat detection: the same speaker, subject, message and cause. */
  key: string;
  text: string;
}

/** The terminal line of an entry, or undefined when it is bookkeeping at this level. */
export function terminalLineOf(e: LogEntry, threshold: AkoLogLevel): TerminalLine | undefined {
  if (!shownAt(e.level, threshold)) return undefined;
  if (threshold !== 'DEBUG') {
    if (QUIET_AT_INFO.has(e.msg)) return undefined;
    if (e.msg === 'model reconciled' && (e.writes === 0 || NO_CHANGE.has(String(e.outcome)))) return undefined;
  }
  const time = (e.time ?? new Date().toISOString()).slice(11, 19);
  const speaker = speakerOf(e);
  const subject = subjectOf(e);
  const reason = str(e.reason) ?? str(e.error) ?? str(e.why) ?? str(e.message);
  const text = [
    time,
    e.level.toUpperCase().padEnd(5),
    speaker ? speaker.padEnd(18) : ''.padEnd(18),
    subject ? `${subject}: ` : '',
  ].join(' ');
  const sentence = sentenceOf(e);
  const line = `${text}${sentence}${reason ? ` — ${reason}` : ''}`;
  return { level: e.level, key: [e.level, speaker, subject, e.msg, reason].join('\u0000'), text: line };
}

/**
 * Repeats of one line within `windowMs` are counted, not printed; `due()` gives the summaries of the counted ones
 * whose window has passed ("… repeated N times in the last Ns"), and forgets them so the next one prints again.
 */
export function createRepeatFilter(opts: { windowMs?: number; now: () => number }) {
  const windowMs = opts.windowMs ?? 60_000;
  const seen = new Map<string, { first: number; repeats: number; text: string }>();
  const summary = (s: { repeats: number; text: string }, ms: number) =>
    `${s.text} [repeated ${s.repeats} more time${s.repeats === 1 ? '' : 's'} in ${Math.max(1, Math.round(ms / 1000))} s]`;
  return {
    /** True when the line should be printed now. */
    offer(line: TerminalLine): boolean {
      const now = opts.now();
      const s = seen.get(line.key);
      if (s && now - s.first < windowMs) {
        s.repeats++;
        return false;
      }
      seen.set(line.key, { first: now, repeats: 0, text: line.text });
      return true;
    },
    /** Summaries of repeats whose window is over (or of all, when `all`). */
    due(all = false): string[] {
      const now = opts.now();
      const out: string[] = [];
      for (const [key, s] of seen) {
        if (!all && now - s.first < windowMs) continue;
        if (s.repeats > 0) out.push(summary(s, now - s.first));
        seen.delete(key);
      }
      return out;
    },
  };
}
