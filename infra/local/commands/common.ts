import { statSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** What the command line gives every command besides its arguments. */
export interface CommandContext {
  /**
   * Resolves on the first SIGINT or SIGTERM. A command that calls it takes charge of stopping cleanly;
   * otherwise a signal ends the process at once (a second signal always does).
   */
  stopRequested(): Promise<NodeJS.Signals>;
}

export interface CommandModule {
  run(argv: string[], ctx?: CommandContext): Promise<number>;
}

/** A context whose stop is never requested (commands called from tests or other code). */
export const NO_STOP: CommandContext = { stopRequested: () => new Promise<NodeJS.Signals>(() => undefined) };

export class UsageError extends Error {}

export interface ParseFlagsOptions {
  /** The command's name, for messages (`ako-serverless <command> --help`). */
  command?: string;
  /** Whether arguments without a flag are accepted (default: no). */
  positionals?: boolean;
}

/** node's parseArgs errors, in a sentence that names the flag and where the usage is. */
export function usageMessage(err: unknown, command?: string): string {
  const where = command ? `'ako-serverless ${command} --help'` : `'--help'`;
  const code = (err as { code?: string } | undefined)?.code;
  const text = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']+)'/.exec(text)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? text}; ${where} lists the options`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted ?? text}'; ${where} shows the usage`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted?.split(' ')[0];
      if (flag && /argument missing/.test(text)) return `${flag} needs a value; ${where} shows the usage`;
      if (flag && /does not take an argument/.test(text)) return `${flag} takes no value; ${where} shows the usage`;
      return `${text}; ${where} shows the usage`;
    }
    default:
      return `${text}; ${where} shows the usage`;
  }
}

/**
 * Parses a command's flags with node's parseArgs; `--help` prints `help` and returns null.
 * Unknown flags, missing values and unexpected arguments raise a UsageError with a one-line message.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  help: string,
  opts: ParseFlagsOptions = {},
): ReturnType<typeof parseArgs<{ options: T & { help: { type: 'boolean' } }; allowPositionals: true }>> | null {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as T & { help: { type: 'boolean' } };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof all; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: opts.positionals === true, strict: true });
  } catch (err) {
    throw new UsageError(usageMessage(err, opts.command));
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(help);
    return null;
  }
  return parsed;
}

/** A TCP port flag (0-65535; 0 = any free port). */
export function portFlag(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(`${flag} must be a port number from 0 to 65535 (0 = any free port), got '${raw}'`);
  }
  return n;
}

/** A non-negative whole number flag. */
export function countFlag(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new UsageError(`${flag} must be a whole number (0 or more), got '${raw}'`);
  }
  return n;
}

/** A flag naming a directory that must exist. */
export function directoryFlag(flag: string, path: string): string {
  const kind = pathKind(path);
  if (kind === 'directory') return path;
  throw new UsageError(
    kind === 'missing' ? `${flag}: no directory ${path}` : `${flag}: ${path} is a file; give a directory of manifests`,
  );
}

/** A flag naming a file that must exist. */
export function fileFlag(flag: string, path: string): string {
  const kind = pathKind(path);
  if (kind === 'file') return path;
  throw new UsageError(kind === 'missing' ? `${flag}: no file ${path}` : `${flag}: ${path} is a directory, not a file`);
}

function pathKind(path: string): 'file' | 'directory' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
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
