import { type ParseArgsConfig, parseArgs } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CommandModule {
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {}

/**
 * Parses a command's flags with node's parseArgs; `--help` prints `help` and returns null.
 * Unknown flags raise a UsageError with a one-line message.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  help: string,
): ReturnType<typeof parseArgs<{ options: T & { help: { type: 'boolean' } }; allowPositionals: true }>> | null {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as T & { help: { type: 'boolean' } };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof all; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}; run with --help for usage`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(help);
    return null;
  }
  return parsed;
}

/** Runs a command body, mapping UsageError to exit 2 with a one-line message. */
export async function runCommand(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      return EXIT_USAGE;
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILURE;
  }
}
