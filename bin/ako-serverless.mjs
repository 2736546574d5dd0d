#!/usr/bin/env node
// The `ako-serverless` command: runs the compiled CLI under dist/cli in this process. `npm ci` builds it (the
// `prepare` script); it is rebuilt here when missing or older than any of its sources.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The entry of an up-to-date build, or undefined. */
function currentBuild() {
  try {
    const current = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'current.json'), 'utf8'));
    for (const input of current.inputs) {
      if (statSync(join(root, input)).mtimeMs > current.builtAtMs) return undefined;
    }
    const entry = join(root, 'dist', 'cli', current.entry);
    statSync(entry);
    return entry;
  } catch {
    return undefined;
  }
}

let entry = currentBuild();
if (!entry) {
  const { buildCli } = await import('./build-cli.mjs');
  try {
    entry = await buildCli();
  } catch (err) {
    // No esbuild (installed without dev dependencies) or a read-only checkout: run the TypeScript sources through
    // tsx, in this process (slower to start). A compile error is reported as it is.
    if (!['ERR_MODULE_NOT_FOUND', 'EACCES', 'EPERM', 'EROFS'].includes(err?.code)) throw err;
    if (err.code !== 'ERR_MODULE_NOT_FOUND')
      console.error(`note: cannot write dist/cli (${err.code}); starting slower`);
    const { register } = await import('tsx/esm/api');
    register();
    entry = join(root, 'infra', 'local', 'cli.ts');
  }
}
await import(pathToFileURL(entry).href);
