// Compiles the command line (infra/local/cli.ts and what it imports) to JavaScript under dist/cli/ with esbuild.
// Run by npm's `prepare` step (so `npm ci` builds it) and by bin/ako-serverless.mjs when the build is missing
// or older than its sources. Each build goes to its own directory and `dist/cli/current.json` is replaced
// atomically, so two processes building at once never see a half-written CLI.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DIR = join(ROOT, 'dist', 'cli');
export const CURRENT = join(CLI_DIR, 'current.json');
/** Builds kept besides the current one (a running process may still lazy-load a chunk of an older one). */
const KEEP = 3;

/**
 * Builds the CLI; returns the absolute path of its entry module.
 * Node packages stay external (resolved from node_modules at run time); commands become lazily loaded chunks.
 */
export async function buildCli() {
  const esbuild = await import('esbuild');
  const builtAtMs = Date.now();
  const id = `b-${builtAtMs.toString(36)}-${randomBytes(3).toString('hex')}`;
  const outdir = join(CLI_DIR, id);
  mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { cli: 'infra/local/cli.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const tmp = `${CURRENT}.${id}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ entry: `${id}/cli.mjs`, builtAtMs, inputs })}\n`);
  renameSync(tmp, CURRENT);
  prune(id);
  return join(outdir, 'cli.mjs');
}

/** Removes all but the newest KEEP builds (never the one just made, nor one made in the last 10 minutes). */
function prune(keepId) {
  const recent = Date.now() - 10 * 60_000;
  const builds = readdirSync(CLI_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.startsWith('b-') && d.name !== keepId)
    .map((d) => ({ name: d.name, mtime: statSync(join(CLI_DIR, d.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of builds.slice(KEEP - 1).filter((b) => b.mtime < recent))
    rmSync(join(CLI_DIR, old.name), { recursive: true, force: true });
}

/** `npm ci`'s prepare step. A missing esbuild is not an error (the bin then runs the TypeScript sources). */
export async function main() {
  try {
    const entry = await buildCli();
    console.log(`built ${relative(ROOT, entry)}`);
  } catch (err) {
    // `npm ci --omit=dev` has no esbuild: the CLI then runs from TypeScript (slower start), never fails to install.
    if (err?.code === 'ERR_MODULE_NOT_FOUND') {
      console.log('esbuild is not installed; the CLI will run from its TypeScript sources');
    } else {
      console.error(`could not build the CLI: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
