// `npm run build`: one minified ESM bundle per function kind under dist/ (Lambda entries and the forwarder container).
// ESM bundles need the createRequire banner: bundled CommonJS dependencies call require() for Node built-ins.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const BANNER = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/**
 * Marks the project's own modules as free of import-time side effects, so that a module imported for one helper
 * does not drag in everything its siblings import (e.g. the registry index pulling the YAML parser into the router).
 * The project's modules only declare things at top level.
 */
export const projectSideEffectsFree = (root: string): Plugin => ({
  name: 'project-side-effects-free',
  setup(b) {
    b.onResolve({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith('.')) return undefined;
      const path = resolve(args.resolveDir, args.path);
      if (!path.startsWith(join(root, 'shared')) && !path.startsWith(join(root, 'functions'))) return undefined;
      return { path, sideEffects: false };
    });
  },
});

export interface BundleTarget {
  name: string;
  entry: string;
  outfile: string;
  /** Lambda bundles drop axios's multipart support (see stubs/form-data.ts); the forwarder keeps everything. */
  lambda: boolean;
}

export const TARGETS: BundleTarget[] = [
  { name: 'router', entry: 'infra/aws/entry/router.ts', outfile: 'dist/router/index.mjs', lambda: true },
  { name: 'sync', entry: 'infra/aws/entry/sync.ts', outfile: 'dist/sync/index.mjs', lambda: true },
  { name: 'primary', entry: 'infra/aws/entry/primary.ts', outfile: 'dist/primary/index.mjs', lambda: true },
  { name: 'sweep', entry: 'infra/aws/entry/sweep.ts', outfile: 'dist/sweep/index.mjs', lambda: true },
  { name: 'forwarder', entry: 'functions/forwarder/main.ts', outfile: 'dist/forwarder/main.mjs', lambda: false },
];

export interface BundleResult {
  name: string;
  outfile: string;
  bytes: number;
  /** Largest inputs by bytes in the output. */
  top: { path: string; bytes: number }[];
}

export async function bundle(
  target: BundleTarget,
  opts: { root?: string; outDir?: string; minify?: boolean } = {},
): Promise<BundleResult> {
  const base = opts.root ?? root;
  const outBase = opts.outDir ?? base;
  const outfile = join(outBase, target.outfile);
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [join(base, target.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    minify: opts.minify ?? true,
    legalComments: 'none',
    sourcemap: false,
    banner: { js: BANNER },
    metafile: true,
    plugins: [projectSideEffectsFree(base)],
    ...(target.lambda ? { alias: { 'form-data': join(base, 'infra/aws/scripts/stubs/form-data.ts') } } : {}),
    logLevel: 'warning',
  });
  const out = Object.values(result.metafile.outputs)[0]!;
  const byPackage = new Map<string, number>();
  for (const [path, v] of Object.entries(out.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = m ? m[1]! : path.split('/').slice(0, 2).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + v.bytesInOutput);
  }
  const top = [...byPackage]
    .map(([path, bytes]) => ({ path, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10);
  return { name: target.name, outfile: relative(outBase, outfile), bytes: out.bytes, top };
}

async function main(): Promise<number> {
  const results: BundleResult[] = [];
  const skipped: string[] = [];
  // `build.ts forwarder` builds only the named targets (the forwarder image needs just its own bundle).
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown bundle(s) ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
  for (const t of TARGETS.filter((t) => only.length === 0 || only.includes(t.name))) {
    if (!existsSync(join(root, t.entry))) {
      skipped.push(`${t.name} (${t.entry} does not exist yet)`);
      continue;
    }
    results.push(await bundle(t));
  }
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'dist', 'bundle-sizes.json'), `${JSON.stringify(results, null, 2)}\n`);
  for (const r of results) console.log(`${r.outfile.padEnd(28)} ${(r.bytes / 1024).toFixed(1).padStart(8)} KB`);
  for (const s of skipped) console.warn(`skipped ${s}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
