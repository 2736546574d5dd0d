// The command line as a user runs it: `node bin/ako-serverless.mjs …`, the compiled build (rebuilt by the bin
// when missing or stale), one process, exit codes 0 / 1 / 2.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'ako-serverless.mjs');
const INSTANCES = join(ROOT, 'examples', 'instances.yaml');
const MANIFESTS = join(ROOT, 'examples', 'manifests');

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cli(args: string[], cwd = ROOT): { child: ChildProcess; done: Promise<Finished>; stdout: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<Finished>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

const run = (args: string[], cwd?: string) => cli(args, cwd).done;

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'ako-cli-'));
  dirs.push(d);
  return d;
}

/** Every log file a `start` in `cwd` wrote. */
function logText(cwd: string): string {
  const logs = join(cwd, '.ako-serverless', 'logs');
  const files = readdirSync(logs, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  expect(files.length).toBeGreaterThan(0);
  return files.map((f) => readFileSync(join(f.parentPath, f.name), 'utf8')).join('');
}

describe('ako-serverless command line', () => {
  it('prints the commands for --help and exits 0; runs a command from the compiled build', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['start', 'validate', 'model', 'replay', 'plan', 'status', 'avi-sim', 'dev-cluster']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    const version = await run(['validate', '--instances', INSTANCES]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^demo\s+avi-system\s+yes/m);
    const current = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli', 'current.json'), 'utf8'));
    expect(current.inputs).toContain('infra/local/cli.ts');
  });

  it('exits 2 naming the flag for an unknown option', async () => {
    const r = await run(['start', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("error: unknown option --bogus; 'ako-serverless start --help' lists the options");
  });

  it('exits 2 for a port out of range, before starting anything', async () => {
    const r = await run(['start', '--avi-sim-port', '99999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--avi-sim-port must be a port number from 0 to 65535 (0 = any free port), got '99999'");
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a seed directory that does not exist', async () => {
    const r = await run(['dev-cluster', '--seed', '/nope/not-here']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: --seed: no directory /nope/not-here');
    expect(r.stderr).not.toContain('ENOENT');
  });

  it('exits 2 for a credentials file that does not exist, before starting anything', async () => {
    const r = await run(['start', '--controller-credentials', '/nope/creds.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: --controller-credentials: no file /nope/creds.yaml');
  });

  it('exits 2 for a flag without its value, an unexpected argument and an unknown command', async () => {
    const missing = await run(['avi-sim', '--port']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--port needs a value');
    const extra = await run(['status', 'now']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("unexpected argument 'now'");
    const unknown = await run(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deploy'");
  });

  it('stops quietly with exit 0 when its output pipe closes early (model … | head)', async () => {
    const { child, done } = cli(['model', '--instances', INSTANCES, '--objects', join(MANIFESTS, 'demo.yaml')]);
    // Like `| head -0`: the reading end is closed before the command writes anything.
    child.stdout!.destroy();
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });

  it('stops the runtime cleanly on SIGTERM: queues drained, servers closed, exit 0', async () => {
    const cwd = scratch();
    const { child, done, stdout } = cli(
      [
        'start',
        '--instances',
        INSTANCES,
        '--seed',
        MANIFESTS,
        '--dev-cluster-port',
        '0',
        '--avi-sim-port',
        '0',
        '--status-port',
        '0',
      ],
      cwd,
    );
    await new Promise<void>((resolveWatching, reject) => {
      const check = () => {
        if (stdout().includes('watching for changes')) resolveWatching();
      };
      child.stdout!.on('data', check);
      child.on('close', () => reject(new Error(`start ended before watching:\n${stdout()}`)));
      check();
    });
    const statusUrl = /status page:\s+(\S+)/.exec(stdout())?.[1];
    expect(statusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    // Between the two, only log lines of the shutdown itself (repeats summarised when the terminal closes).
    expect(r.stdout).toMatch(/SIGTERM: stopping\nstopping: draining queues…\n(\d\d:\d\d:\d\d .*\n)*stopped\n$/);
    expect(logText(cwd)).not.toContain('work still queued');
    // The status server went away with the process.
    await expect(fetch(`${statusUrl}/api/status`)).rejects.toThrow();
  });

  it('stops cleanly with exit 0 on SIGINT during the first sync too', async () => {
    const cwd = scratch();
    const args = ['start', '--instances', INSTANCES, '--seed', MANIFESTS];
    const ports = ['--dev-cluster-port', '0', '--avi-sim-port', '0', '--status-port', '0'];
    const { child, done, stdout } = cli([...args, ...ports], cwd);
    await new Promise<void>((resolveUp, reject) => {
      const check = () => {
        if (stdout().includes('status page:')) resolveUp();
      };
      child.stdout!.on('data', check);
      child.on('close', () => reject(new Error(`start ended early:\n${stdout()}`)));
    });
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SIGINT: stopping\n(.|\n)*stopped\n$/);
    expect(logText(cwd)).not.toContain('work still queued');
  });

  it('exits at once on a second signal while stopping', async () => {
    const cwd = scratch();
    const args = ['start', '--instances', INSTANCES, '--seed', MANIFESTS];
    const ports = ['--dev-cluster-port', '0', '--avi-sim-port', '0', '--status-port', '0'];
    const { child, done, stdout } = cli([...args, ...ports], cwd);
    await new Promise<void>((resolveUp, reject) => {
      const check = () => {
        if (stdout().includes('status page:')) resolveUp();
      };
      child.stdout!.on('data', check);
      child.on('close', () => reject(new Error(`start ended early:\n${stdout()}`)));
    });
    // Two different signals (two of the same kind may be merged before node sees them); either may come first.
    child.kill('SIGINT');
    child.kill('SIGTERM');
    const r = await done;
    const second = /(SIGINT|SIGTERM) while stopping: exiting without waiting/.exec(r.stderr)?.[1];
    expect(second).toBeDefined();
    expect(r.code).toBe(second === 'SIGINT' ? 130 : 143);
    expect(r.stdout).not.toMatch(/^stopped$/m);
  });
});
