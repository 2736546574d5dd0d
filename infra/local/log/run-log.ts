/**
 * One JSON-lines log file per run (`run-<UTC time>.jsonl`), the last `keep` runs kept: a run's log is found by its
 * start time and the directory does not grow forever.
 */
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const RUN_FILE = /^run-\d{8}T\d{6}(?:\d{3})?Z(?:-\d+)?\.jsonl$/;

/** `run-20261203T172216123Z.jsonl` for a start at 2026-12-03T17:22:16.123Z. */
export function runLogName(at: Date): string {
  return `run-${at.toISOString().replace(/[-:.]/g, '')}.jsonl`;
}

/** The run files to delete so that, with the new one, `keep` remain (oldest first; names sort by time). */
export function runLogsToPrune(names: readonly string[], keep: number): string[] {
  const runs = names.filter((n) => RUN_FILE.test(n)).sort();
  return runs.slice(0, Math.max(0, runs.length - Math.max(0, keep - 1)));
}

export interface RunLog {
  path: string;
  write(line: string): void;
  end(): Promise<void>;
}

export function openRunLog(dir: string, opts: { keep?: number; now?: Date } = {}): RunLog {
  mkdirSync(dir, { recursive: true });
  for (const old of runLogsToPrune(readdirSync(dir), opts.keep ?? 10)) rmSync(join(dir, old), { force: true });
  let name = runLogName(opts.now ?? new Date());
  // Two starts within one millisecond (tests) get distinct files.
  for (let n = 1; readdirSync(dir).includes(name); n++) name = name.replace(/(-\d+)?\.jsonl$/, `-${n}.jsonl`);
  const path = join(dir, name);
  const stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  return {
    path,
    write: (line) => void stream.write(`${line}\n`),
    end: () => new Promise<void>((resolve) => stream.end(resolve)),
  };
}
