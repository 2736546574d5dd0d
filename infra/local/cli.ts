// The `ako-serverless` command line: one module per command under ./commands, loaded on demand.
import { type CommandModule, EXIT_USAGE } from './commands/common.ts';

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  start: {
    summary: 'run the whole system on this machine (embedded defaults)',
    load: () => import('./commands/start.ts'),
  },
  validate: {
    summary: 'validate an instance registry and print its instances',
    load: () => import('./commands/validate.ts'),
  },
  model: {
    summary: 'print the Avi objects each instance wants for some manifests',
    load: () => import('./commands/model.ts'),
  },
  replay: {
    summary: 'deterministic end-to-end run of manifest steps; writes the controller objects',
    load: () => import('./commands/replay.ts'),
  },
  plan: {
    summary: 'list the Avi operations a sync would perform now (read-only)',
    load: () => import('./commands/plan.ts'),
  },
  status: { summary: 'show the state of a running `start`', load: () => import('./commands/status.ts') },
  'avi-sim': { summary: 'run the Avi Controller simulator', load: () => import('./commands/avi-sim.ts') },
  'dev-cluster': {
    summary: 'run the development Kubernetes API server',
    load: () => import('./commands/dev-cluster.ts'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: ako-serverless <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'ako-serverless <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : EXIT_USAGE;
  }
  const command = commands[name];
  if (!command) {
    console.error(`error: unknown command '${name}'. Run 'ako-serverless --help' for the list.`);
    return EXIT_USAGE;
  }
  const mod = await command.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
