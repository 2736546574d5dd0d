// The `ako-serverless` command line: one module per command under ./commands, loaded on demand.
import { type CommandContext, type CommandModule, EXIT_USAGE } from './commands/common.ts';

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

// `model … | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * SIGINT/SIGTERM: a command that asked (`ctx.stopRequested()`) stops cleanly and exits with its own code;
 * any other command ends at once. A second signal always ends the process.
 */
function signalContext(): CommandContext {
  let handled = false;
  let received: NodeJS.Signals | undefined;
  const waiters: ((s: NodeJS.Signals) => void)[] = [];
  const onSignal = (signal: NodeJS.Signals) => {
    if (received || !handled) {
      if (received) console.error(`\n${signal} while stopping: exiting without waiting`);
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    received = signal;
    for (const w of waiters.splice(0)) w(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopRequested: () => {
      handled = true;
      return received ? Promise.resolve(received) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? console.log : console.error)(usage());
    return name ? 0 : EXIT_USAGE;
  }
  const command = commands[name];
  if (!command) {
    console.error(`error: unknown command '${name}'; 'ako-serverless --help' lists the commands`);
    return EXIT_USAGE;
  }
  const ctx = signalContext();
  const mod = await command.load();
  return mod.run(rest, ctx);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Servers and sockets are closed by then; if a stray handle keeps the process alive, do not hang.
    setTimeout(() => process.exit(code), 3000).unref();
  },
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
