// The terminal's lines: what an operator reads while `start` runs. Expected texts follow the issue: instance,
// object, what happened and why, at AKO's levels, repeats summarised; the run's JSON log is one file per run.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRunLog, runLogName, runLogsToPrune } from '../../infra/local/log/run-log.ts';
import { createRepeatFilter, shownAt, terminalLineOf } from '../../infra/local/log/terminal.ts';
import { createTerminalSink } from '../../infra/local/log/terminal-sink.ts';
import { createLogger } from '../../shared/log.ts';

const skipped = {
  time: '2026-12-03T17:22:16.123Z',
  level: 'warn' as const,
  msg: 'permanent sync failure (not retried)',
  instance: 'demo/avi-system',
  object: 'Ingress/shop/web',
  code: 'ServiceNotFound',
  reason: 'spec.rules[0].http.paths[0].backend.service.name: Service shop/nope not found (host web.example.com)',
};

describe('terminal lines', () => {
  it('names the time, level, instance, object, cause code and reason of a skipped object', () => {
    const line = terminalLineOf(skipped, 'INFO');
    expect(line?.text).toMatch(/^17:22:16 WARN {2}demo\/avi-system\s+Ingress shop\/web: ServiceNotFound — spec\.rules/);
    expect(line?.text).toContain('Service shop/nope not found');
  });

  it("filters by AKO's levels: DEBUG < INFO < WARN < ERROR", () => {
    expect(shownAt('debug', 'INFO')).toBe(false);
    expect(shownAt('info', 'INFO')).toBe(true);
    expect(shownAt('info', 'WARN')).toBe(false);
    expect(shownAt('warn', 'WARN')).toBe(true);
    expect(shownAt('warn', 'ERROR')).toBe(false);
    expect(shownAt('debug', 'DEBUG')).toBe(true);
    expect(terminalLineOf(skipped, 'ERROR')).toBeUndefined();
  });

  it('keeps bookkeeping off the terminal at INFO: no-op reconciles, per-request lines, periodic metrics', () => {
    const base = { time: '2026-12-03T17:22:16Z', level: 'info' as const, instance: 'demo/blue' };
    expect(
      terminalLineOf({ ...base, msg: 'model reconciled', model: 'admin/x', writes: 0, outcome: 'skip' }, 'INFO'),
    ).toBeUndefined();
    expect(terminalLineOf({ ...base, msg: 'forwarder metrics' }, 'INFO')).toBeUndefined();
    expect(
      terminalLineOf(
        { ...base, msg: 'model reconciled', model: 'admin/demo--blue-Shared-L7-0', writes: 3, outcome: 'applied' },
        'INFO',
      )?.text,
    ).toMatch(/demo\/blue\s+Avi admin\/demo--blue-Shared-L7-0: applied: 3 writes to the controller$/);
    // At DEBUG everything is shown.
    expect(terminalLineOf({ ...base, msg: 'forwarder metrics' }, 'DEBUG')).toBeDefined();
  });

  it('prints a repeated line once, then how often it repeated within the window', () => {
    let now = 0;
    const filter = createRepeatFilter({ windowMs: 60_000, now: () => now });
    const line = terminalLineOf(
      { ...skipped, level: 'error', msg: 'batch segment failed; its messages are retried', reason: 'HTTP 503' },
      'INFO',
    )!;
    expect(filter.offer(line)).toBe(true);
    now = 2_000;
    expect(filter.offer(line)).toBe(false);
    now = 4_000;
    expect(filter.offer(line)).toBe(false);
    expect(filter.due()).toEqual([]); // the window is still open
    now = 61_000;
    expect(filter.due()).toEqual([`${line.text} [repeated 2 more times in 61 s]`]);
    // After the summary, the next occurrence is news again.
    expect(filter.offer(line)).toBe(true);
  });

  it('a sink fed by the structured logger applies each instance its own level', () => {
    const out: string[] = [];
    const sink = createTerminalSink({
      levelOf: (i) => (i === 'demo/blue' ? 'ERROR' : 'INFO'),
      write: (t) => out.push(t),
    });
    const logger = createLogger({}, { level: 'debug', write: (_line, entry) => sink.entry(entry) });
    logger.child({ instance: 'demo/blue' }).warn('model reconcile failed', { reason: 'HTTP 400' });
    logger.child({ instance: 'demo/avi-system' }).warn('model reconcile failed', { reason: 'HTTP 400', password: 'x' });
    sink.close();
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('demo/avi-system');
    expect(out[0]).not.toContain('password');
  });
});

describe('run log files', () => {
  it('names a run by its UTC start time and keeps the last N runs', () => {
    expect(runLogName(new Date('2026-12-03T17:22:16.123Z'))).toBe('run-20261203T172216123Z.jsonl');
    const names = [
      'run-20261201T000000000Z.jsonl',
      'run-20261202T000000000Z.jsonl',
      'run-20261203T000000000Z.jsonl',
      'notes.txt',
    ];
    expect(runLogsToPrune(names, 2)).toEqual(['run-20261201T000000000Z.jsonl', 'run-20261202T000000000Z.jsonl']);
    expect(runLogsToPrune(names, 10)).toEqual([]);
  });

  it('writes a new file per run, removes the oldest beyond the limit and leaves other files alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ako-logs-'));
    writeFileSync(join(dir, 'run-20260101T000000000Z.jsonl'), 'old\n');
    writeFileSync(join(dir, 'keep-me.txt'), 'x');
    const a = openRunLog(dir, { keep: 2, now: new Date('2026-12-03T10:00:00Z') });
    a.write('{"msg":"a"}');
    await a.end();
    const b = openRunLog(dir, { keep: 2, now: new Date('2026-12-03T11:00:00Z') });
    b.write('{"msg":"b"}');
    await b.end();
    expect(readdirSync(dir).sort()).toEqual([
      'keep-me.txt',
      'run-20261203T100000000Z.jsonl',
      'run-20261203T110000000Z.jsonl',
    ]);
    expect(readFileSync(b.path, 'utf8')).toBe('{"msg":"b"}\n');
  });
});
