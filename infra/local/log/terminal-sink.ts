/**
 * Writes the terminal lines of log entries (terminal.ts) to a stream: the level per instance, repeats summarised
 * on a timer and when the sink closes.
 */
import type { LogFields, LogLevel } from '../../../shared/log.ts';
import { type AkoLogLevel, createRepeatFilter, type LogEntry, terminalLineOf } from './terminal.ts';

export interface TerminalSinkOptions {
  /** The level for an entry of this instance (undefined: not an instance's entry). */
  levelOf(instance: string | undefined): AkoLogLevel;
  write(text: string): void;
  now?: () => number;
  /** Window within which repeats of one line are counted (default 60 s). */
  repeatWindowMs?: number;
}

export function createTerminalSink(opts: TerminalSinkOptions) {
  const now = opts.now ?? Date.now;
  const repeats = createRepeatFilter({ windowMs: opts.repeatWindowMs ?? 60_000, now });
  const flush = (all = false) => {
    for (const s of repeats.due(all)) opts.write(s);
  };
  const timer = setInterval(() => flush(), 5_000);
  timer.unref();
  return {
    entry(e: LogFields & { level: LogLevel; msg: string }): void {
      const instance = typeof e.instance === 'string' ? e.instance : undefined;
      const line = terminalLineOf(e as LogEntry, opts.levelOf(instance));
      if (line && repeats.offer(line)) opts.write(line.text);
    },
    close(): void {
      clearInterval(timer);
      flush(true);
    },
  };
}
