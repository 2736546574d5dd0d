/**
 * Finds Debian's Chromium for browser tests, installing the `chromium` package when it is missing and
 * we may (root with apt-get). Returns undefined with the reason when it cannot be had, so the caller skips clearly.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function ensureChromium(): { path?: string; reason?: string } {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return { path: found };
  if (process.getuid?.() !== 0)
    return { reason: 'chromium is not installed and installing it needs root (apt-get install chromium)' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let install = spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { env, encoding: 'utf8', timeout: 600_000 });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { env, encoding: 'utf8', timeout: 300_000 });
    install = spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { env, encoding: 'utf8', timeout: 600_000 });
  }
  const path = CANDIDATES.find((p) => existsSync(p));
  return path
    ? { path }
    : { reason: `apt-get install chromium failed: ${(install.stderr ?? '').trim().split('\n').pop()}` };
}

// Flags that keep Chromium off the (closed) network and quiet in a sandboxed root session.
function baseArgs(): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chromium-'))}`,
    '--virtual-time-budget=5000',
  ];
}

const run = promisify(execFile);

/** The DOM after the page's scripts ran (asynchronous: the page's server may live in this process). */
export async function renderDom(chromium: string, url: string): Promise<string> {
  const { stdout } = await run(chromium, [...baseArgs(), '--dump-dom', url], { encoding: 'utf8', timeout: 60_000 });
  return stdout;
}

export async function screenshot(chromium: string, url: string, file: string): Promise<void> {
  await run(chromium, [...baseArgs(), `--screenshot=${file}`, '--window-size=1280,900', url], { timeout: 60_000 });
}
