/**
 * Structured JSON logs, one object per line. Fields named like credentials are masked so a careless
 * caller cannot leak a password or key (SecretValue instances already serialise as "***").
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const SENSITIVE = /pass(word)?|secret|token|authorization|cookie|csrf|private|^key$|tls\.key|alt\.key/i;
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SENSITIVE.test(k) && v !== undefined && v !== '' ? '***' : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(
  base: LogFields = {},
  /** `write` gets the JSON line and the entry it encodes (sinks that format for people need not parse it back). */
  opts: { level?: LogLevel; write?: (line: string, entry: LogFields & { level: LogLevel; msg: string }) => void } = {},
): Logger {
  const min = ORDER[opts.level ?? ((process.env.LOG_LEVEL as LogLevel | undefined) || 'info')] ?? ORDER.info;
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const entry = {
      time: new Date().toISOString(),
      level,
      msg,
      ...(redact(base) as LogFields),
      ...(redact(fields ?? {}) as LogFields),
    };
    write(
      JSON.stringify(entry, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v)),
      entry,
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, opts),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
