import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { silentLogger } from '../../../shared/log.ts';
import { startRuntime } from '../runtime.ts';
import { readStep, StepError, type StepOperation } from '../steps.ts';
import {
  type CommandContext,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  NO_STOP,
  parseFlags,
  runCommand,
  UsageError,
} from './common.ts';
import { loadRegistryForCommand } from './registry-input.ts';

const HELP = `usage: ako-serverless replay --instances FILE --step FILE [--step FILE ...] [--out FILE]

Deterministic end-to-end run: starts an empty development cluster and a fresh Avi simulator, applies
each step's manifests in order (created or replaced like kubectl apply; a document
{kind: Delete, target: {apiVersion, kind, namespace, name}} deletes that object), waits for convergence
after each step, and writes the simulator's objects as JSON {"<avi type>": [objects]}.
Exits 1 when a step does not converge, something lands in a dead-letter queue, or an object is refused
(a Warning Event such as InvalidCertificate or InvalidHost on it).

  --instances FILE   instance registry (single cluster)
  --step FILE        a multi-document YAML step (repeatable, applied in order)
  --out FILE         write the JSON here instead of stdout
  --timeout SECONDS  convergence limit per step (default 300)
  --hold             after the last step, keep the development cluster serving until Ctrl-C, e.g. to read
                     what the instances wrote back: kubectl --server URL get hostrule -A -o yaml`;

/** Fields that change from run to run although nothing meaningful did. */
const VOLATILE = new Set(['_last_modified']);
/** The controller address in the output: the simulator listens on a random port. */
export const REPLAY_CONTROLLER_URL = 'https://avi-controller';

function uuidFor(type: string, key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${type}-${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Makes a simulator dump comparable across runs: uuids (allocated in creation order, which depends on
 * timing across instances) are replaced by ones derived from type, tenant and name; the controller URL is fixed;
 * `_last_modified` is dropped. Everything else is exactly what the REST API returned.
 */
export function stableDump(
  dump: Record<string, Record<string, unknown>[]>,
  baseUrl: string,
): Record<string, unknown[]> {
  const renames = new Map<string, string>();
  for (const [type, objects] of Object.entries(dump)) {
    for (const o of objects) {
      if (typeof o.uuid !== 'string' || !o.uuid.startsWith(`${type}-`)) continue;
      const tenant = String(o.tenant_ref ?? '').split('#')[1] ?? '';
      renames.set(o.uuid, uuidFor(type, `${type}/${tenant}/${String(o.name)}`));
    }
  }
  const uuidPattern = /[a-z]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value
        .split(baseUrl)
        .join(REPLAY_CONTROLLER_URL)
        .replace(uuidPattern, (u) => renames.get(u) ?? u);
    }
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !VOLATILE.has(k))
          .map(([k, v]) => [k, rewrite(v)]),
      );
    }
    return value;
  };
  const out: Record<string, unknown[]> = {};
  for (const type of Object.keys(dump).sort()) {
    out[type] = (dump[type] ?? []).map((o) => rewrite(o));
  }
  return out;
}

export interface ReplayResult {
  objects: Record<string, unknown[]>;
  deadLetters: string[];
  /** Warning Events whose reason means an object was refused (`<kind> <ns>/<name>: <reason>: <note>`). */
  refused: string[];
}

/** Event reasons that mean the user's object was refused (not merely waiting for something, like ServiceNotFound). */
export const REFUSED_REASONS = new Set([
  'InvalidCertificate',
  'InvalidHost',
  'HostConflict',
  'InvalidAnnotation',
  'UnsupportedBackend',
  'NameTooLong',
  'InvalidObject',
]);

/** The refused-object Warning Events the instances recorded in the development cluster (both Event APIs). */
function refusedEvents(dev: { list(apiVersion: string, kind: string): Record<string, unknown>[] }): string[] {
  const out = new Set<string>();
  for (const apiVersion of ['events.k8s.io/v1', 'v1']) {
    for (const e of dev.list(apiVersion, 'Event')) {
      // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
      const ev = e as any;
      if (ev.type !== 'Warning' || !REFUSED_REASONS.has(String(ev.reason))) continue;
      const target = ev.regarding ?? ev.involvedObject ?? {};
      const note = String(ev.note ?? ev.message ?? '');
      out.add(`${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}: ${ev.reason}: ${note}`);
    }
  }
  return [...out].sort();
}

export async function replay(
  instancesFile: string,
  steps: StepOperation[][],
  opts: {
    timeoutMs?: number;
    simRateLimit?: number;
    /** Called after each step has converged with the simulator's objects at that point (stable form). */
    afterStep?: (step: number, objects: Record<string, unknown[]>) => void;
    /** After the last step, with the development cluster still serving (e.g. `kubectl get hostrule -o yaml`). */
    beforeStop?: (devClusterUrl: string) => Promise<void>;
  } = {},
): Promise<ReplayResult> {
  const registry = loadRegistryForCommand(instancesFile);
  if (!registry) throw new UsageError(`${instancesFile} is not a valid registry`);
  const clusters = new Set(registry.instances.map((i) => i.clusterName));
  if (clusters.size !== 1)
    throw new UsageError(`replay needs a registry with one cluster, ${instancesFile} has ${clusters.size}`);
  const runtime = await startRuntime({
    registry,
    simSeed: 1,
    sweeps: false,
    logger: silentLogger,
    stateDir: '.ako-serverless',
    ...(opts.simRateLimit ? { simRateLimit: opts.simRateLimit } : {}),
    queue: { maxReceiveCount: 5, backoffMs: (n) => 50 * n },
  });
  try {
    const dev = [...runtime.devClusters.values()][0]!;
    await runtime.waitForConvergence({ timeoutMs: opts.timeoutMs ?? 300_000 });
    for (const [i, ops] of steps.entries()) {
      for (const op of ops) {
        if (op.op === 'apply') dev.apply(op.object as Parameters<typeof dev.apply>[0]);
        else dev.delete(op.target.apiVersion, op.target.kind, op.target.namespace, op.target.name);
      }
      try {
        await runtime.waitForConvergence({ timeoutMs: opts.timeoutMs ?? 300_000 });
      } catch (err) {
        throw new Error(`step ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
      }
      opts.afterStep?.(i + 1, stableDump(runtime.aviSim!.dump(), runtime.aviSim!.url));
    }
    await opts.beforeStop?.(dev.url);
    const deadLetters = runtime.deadLetters().map((d) => `${d.where}: ${d.reason}`);
    return {
      objects: stableDump(runtime.aviSim!.dump(), runtime.aviSim!.url),
      deadLetters,
      refused: refusedEvents(dev as unknown as Parameters<typeof refusedEvents>[0]),
    };
  } finally {
    await runtime.stop();
  }
}

export async function run(argv: string[], ctx: CommandContext = NO_STOP): Promise<number> {
  return runCommand(async () => {
    const parsed = parseFlags(
      argv,
      {
        instances: { type: 'string' },
        step: { type: 'string', multiple: true },
        out: { type: 'string' },
        timeout: { type: 'string' },
        hold: { type: 'boolean' },
      },
      HELP,
      { command: 'replay' },
    );
    if (!parsed) return EXIT_OK;
    const v = parsed.values;
    if (!v.instances) throw new UsageError('--instances FILE is required');
    if (!v.step || v.step.length === 0) throw new UsageError('at least one --step FILE is required');
    const timeout = v.timeout === undefined ? 300 : Number(v.timeout);
    if (!(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds, got '${v.timeout}'`);
    let steps: StepOperation[][];
    try {
      steps = v.step.map((f) => readStep(f));
    } catch (err) {
      if (err instanceof StepError) {
        console.error(`error: ${err.message}`);
        return EXIT_USAGE;
      }
      throw err;
    }
    const result = await replay(v.instances, steps, {
      timeoutMs: timeout * 1000,
      ...(v.hold ? { beforeStop: (url: string) => holdUntilSignal(url, ctx) } : {}),
    });
    const json = `${JSON.stringify(result.objects, null, 2)}\n`;
    if (v.out) writeFileSync(v.out, json);
    else process.stdout.write(json);
    if (result.deadLetters.length > 0) {
      console.error(`error: ${result.deadLetters.length} message(s) landed in a dead-letter queue:`);
      for (const d of result.deadLetters) console.error(`  - ${d}`);
      return EXIT_FAILURE;
    }
    if (result.refused.length > 0) {
      console.error(`error: ${result.refused.length} object(s) refused (see their Kubernetes Events):`);
      for (const r of result.refused) console.error(`  - ${r}`);
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  });
}

/** `--hold`: the development cluster stays up for kubectl until SIGINT/SIGTERM; then the output is written. */
async function holdUntilSignal(url: string, ctx: CommandContext): Promise<void> {
  console.error(`replay converged; the development cluster serves at ${url} until Ctrl-C`);
  console.error(`  kubectl --server ${url} get hostrule,httprule,aviinfrasetting,l4rule -A -o yaml`);
  await ctx.stopRequested();
}
