// Writes BENCHMARKS.md from the per-area result files in test/bench/results (each records its own command).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const order = ['router', 'model', 'avi', 'avi-sim', 'store', 'sync', 'forwarder', 'runtime', 'bundle'];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.md'))
  .sort((a, b) => {
    const ia = order.indexOf(a.replace(/\.md$/, ''));
    const ib = order.indexOf(b.replace(/\.md$/, ''));
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
const header = `# Benchmarks

Measured on the project machine (2 cores, Node 20), usually while other test suites ran, so absolute times are noisy;
every benchmark runs its baseline side by side in the same process and reports the ratio, which is the figure to
compare. Each section names the command that produced it; \`npm run bench\` runs them all, \`npm run bench -- <area>\`
one of them, and \`npx tsx test/bench/assemble.ts\` rebuilds this file from \`test/bench/results/\`.
`;
// Each file's title becomes a section; its own headings move one level down.
const demote = (text: string) => text.replace(/^(#+) /gm, (_m, hashes: string) => `#${hashes} `);
const body = files.map((f) => demote(readFileSync(join(dir, f), 'utf8').trim())).join('\n\n');
writeFileSync(join(dir, '..', '..', '..', 'BENCHMARKS.md'), `${header}\n${body}\n`);
console.log(`BENCHMARKS.md: ${files.length} sections`);
