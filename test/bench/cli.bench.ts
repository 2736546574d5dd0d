// Start-up time of the command line (`node bin/ako-serverless.mjs …`) against bare node in the same conditions,
// and what the previous wrapper cost (node → tsx → the TypeScript CLI). Median of N runs each, interleaved.
// Run: npx tsx test/bench/cli.bench.ts   (BENCH_RUNS=N, default 5)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);

interface Case {
  name: string;
  args: string[];
}

const tsxCli = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const cases: Case[] = [
  { name: 'bare node (`node -e 0`)', args: ['-e', '0'] },
  { name: '`--help`', args: ['bin/ako-serverless.mjs', '--help'] },
  { name: '`validate --help` (loads the command chunk)', args: ['bin/ako-serverless.mjs', 'validate', '--help'] },
  { name: '`start --bogus` (usage error, exit 2)', args: ['bin/ako-serverless.mjs', 'start', '--bogus'] },
  {
    name: 'before: `--help` through tsx (TypeScript compiled at start)',
    args: [tsxCli, 'infra/local/cli.ts', '--help'],
  },
];

// Make sure the compiled CLI is current, so no run pays for a build.
spawnSync(process.execPath, ['bin/build-cli.mjs'], { cwd: root, stdio: 'ignore' });

const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
const load = [loadavg()[0]!];
for (let i = 0; i < runs; i++) {
  for (const c of cases) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, c.args, { cwd: root, stdio: 'ignore' });
    times.get(c.name)!.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
load.push(loadavg()[0]!);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const base = median(times.get(cases[0]!.name)!);
const current = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'current.json'), 'utf8')) as { inputs: string[] };
const rows = cases.map((c) => {
  const xs = times.get(c.name)!;
  const m = median(xs);
  return `| ${c.name} | ${m.toFixed(0)} ms | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms | ${(m - base).toFixed(0)} ms |`;
});
const text = `# Command-line start-up

\`npx tsx test/bench/cli.bench.ts\` (BENCH_RUNS=${runs}): wall time of \`node …\` from spawn to exit, median of ${runs}
runs per case, cases interleaved; ${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' → ')}.
The compiled CLI (\`dist/cli\`, built by esbuild in npm's \`prepare\` step) is one process; \`--help\` loads only the
command table, each command's code is a chunk loaded on demand, and \`start\` loads the runtime only after its
arguments are checked. Before each run the bin checks that the build is newer than its ${current.inputs.length}
source files (one stat each).

| case | median | range | above bare node |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
writeFileSync(join(root, 'test', 'bench', 'results', 'cli.md'), text);
console.log(text);
