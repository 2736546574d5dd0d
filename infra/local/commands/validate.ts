import { formatProblem, loadRegistryFile, RegistryValidationError } from '../../../shared/registry/index.ts';
import type { InstanceConfig, Registry } from '../../../shared/registry/types.ts';
import { EXIT_OK, EXIT_USAGE, parseFlags, runCommand, UsageError } from './common.ts';

const HELP = `usage: ako-serverless validate --instances FILE [--output table|json]

Reads an instance registry (AKO Helm values per instance), applies AKO's defaults and checks every rule:
one primary per cluster, distinct AKO namespaces, one controller/serviceType/cloud per cluster, distinct
selectors, valid cluster names and enums. Prints the instances, or every problem at once (exit code 2).

  --instances FILE  the registry file (e.g. examples/instances.yaml)
  --output FORMAT   table (default) or json; credentials are never printed`;

/** One row per instance, in the user's words. */
export function instanceRows(registry: Registry): Record<string, string>[] {
  return registry.instances.map((i) => ({
    cluster: i.clusterName,
    namespace: i.namespace,
    primary: i.primary ? 'yes' : 'no',
    selector: selectorText(i),
    serviceType: i.l7.serviceType,
    shardSize: i.l7.shardVSSize,
    createdBy: i.createdBy,
    sharedVsPrefix: i.sharedVsPrefix,
  }));
}

function selectorText(i: InstanceConfig): string {
  const sel = i.namespaceSelector ? `${i.namespaceSelector.labelKey}=${i.namespaceSelector.labelValue}` : '(all)';
  return i.blockedNamespaces.length > 0 ? `${sel} blocked:${i.blockedNamespaces.join(',')}` : sel;
}

export function formatTable(rows: Record<string, string>[]): string {
  const headers: [string, string][] = [
    ['cluster', 'CLUSTER'],
    ['namespace', 'NAMESPACE'],
    ['primary', 'PRIMARY'],
    ['selector', 'SELECTOR'],
    ['serviceType', 'SERVICE TYPE'],
    ['shardSize', 'SHARD SIZE'],
    ['createdBy', 'CREATED_BY'],
    ['sharedVsPrefix', 'SHARED-VS PREFIX'],
  ];
  const widths = headers.map(([k, h]) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers.map(([, h]) => h)), ...rows.map((r) => line(headers.map(([k]) => r[k] ?? '')))].join('\n');
}

/** JSON view of the validated instances; SecretValue fields serialise as "***". */
function toJson(registry: Registry): string {
  return JSON.stringify(
    {
      valid: true,
      source: registry.source,
      instances: registry.instances.map((i) => ({ ...i, summary: instanceRows({ instances: [i] })[0] })),
    },
    null,
    2,
  );
}

export async function run(argv: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseFlags(argv, { instances: { type: 'string' }, output: { type: 'string' } }, HELP, {
      command: 'validate',
    });
    if (!parsed) return EXIT_OK;
    const file = parsed.values.instances;
    if (!file) throw new UsageError('--instances FILE is required');
    const output = parsed.values.output ?? 'table';
    if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, not ${output}`);
    let registry: Registry;
    try {
      registry = loadRegistryFile(file);
    } catch (err) {
      if (!(err instanceof RegistryValidationError)) throw err;
      if (output === 'json') {
        console.log(JSON.stringify({ valid: false, problems: err.problems }, null, 2));
      } else {
        console.error(`${file}: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}`);
        for (const p of err.problems) console.error(`  - ${formatProblem(p)}`);
      }
      return EXIT_USAGE;
    }
    if (output === 'json') console.log(toJson(registry));
    else {
      console.log(formatTable(instanceRows(registry)));
      const unknown = registry.instances.filter((i) => i.unknownKeys.length > 0);
      for (const i of unknown) console.log(`note: ${i.id} ignores keys it does not use: ${i.unknownKeys.join(', ')}`);
    }
    return EXIT_OK;
  });
}
