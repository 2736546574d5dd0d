import { formatProblem, loadRegistryFile, RegistryValidationError } from '../../../shared/registry/index.ts';
import type { Registry } from '../../../shared/registry/types.ts';

/** Loads a registry for a command; an invalid one prints every problem and yields undefined (exit 2). */
export function loadRegistryForCommand(file: string): Registry | undefined {
  try {
    return loadRegistryFile(file);
  } catch (err) {
    if (!(err instanceof RegistryValidationError)) throw err;
    console.error(
      `error: ${file}: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}; fix them and retry:`,
    );
    for (const p of err.problems) console.error(`  - ${formatProblem(p)}`);
    return undefined;
  }
}
