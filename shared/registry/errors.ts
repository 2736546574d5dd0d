export interface RegistryProblem {
  /** The instance(s) concerned, e.g. `demo/blue` or `demo/avi-system, demo/blue`; absent for file-level problems. */
  instance?: string;
  /** The registry or Helm key at fault, e.g. `AKOSettings.namespaceSelector`. */
  key: string;
  message: string;
}

/** Every problem of a registry at once; the message lists them all, one per line. */
export class RegistryValidationError extends Error {
  readonly problems: RegistryProblem[];
  constructor(problems: RegistryProblem[], source?: string) {
    const lines = problems.map((p) => `  - ${formatProblem(p)}`);
    super(
      `invalid instance registry${source ? ` ${source}` : ''} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.name = 'RegistryValidationError';
    this.problems = problems;
  }
}

export function formatProblem(p: RegistryProblem): string {
  return `${p.instance ? `instance ${p.instance}: ` : ''}${p.key}: ${p.message}`;
}
