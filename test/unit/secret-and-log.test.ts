import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log.ts';
import { SecretValue } from '../../shared/secret.ts';

describe('credentials never appear in clear', () => {
  it('masks a SecretValue when printed, serialised or inspected', () => {
    const s = new SecretValue('hunter2');
    expect(String(s)).toBe('***');
    expect(JSON.stringify({ password: s })).toBe('{"password":"***"}');
    expect(inspect({ s })).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2');
  });

  it('masks credential-like fields in structured logs, at any depth', () => {
    const lines: string[] = [];
    const log = createLogger({ instance: 'demo/avi-system' }, { write: (l) => lines.push(l) });
    log.info('login', { controller: { password: 'p@ss', username: 'admin' }, headers: { Cookie: 'sessionid=abc' } });
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(lines[0]).not.toContain('p@ss');
    expect(lines[0]).not.toContain('sessionid=abc');
    expect(entry.controller.username).toBe('admin');
    expect(entry.instance).toBe('demo/avi-system');
  });
});
