import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../../../shared/log.ts';
import { AKO_LOG_LEVELS } from '../../../shared/registry/defaults.ts';
import type { AkoLogLevel, Registry } from '../../../shared/registry/types.ts';
import { DEFAULT_AVI_SIM_PORT, DEFAULT_DEV_CLUSTER_PORT, DEFAULT_STATUS_PORT } from '../defaults.ts';
import { openRunLog } from '../log/run-log.ts';
import { createTerminalSink } from '../log/terminal-sink.ts';
import type { Runtime } from '../runtime.ts';
import type { startStatusServer } from '../status/server.ts';
import { DEMO_DEV_CLUSTER_FLAG, devClusterWithRealControllerRefusal } from '../view-guard.ts';
import {
  type CommandContext,
  directoryFlag,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  fileFlag,
  NO_STOP,
  parseFlags,
  portFlag,
  runCommand,
  UsageError,
} from './common.ts';
import { loadRegistryForCommand } from './registry-input.ts';
import { formatStatus } from './status.ts';

const HELP = `usage: ako-serverless start [options]

Runs the whole system on this machine: forwarder, router, sync, primary and sweep functions on an
in-process event bus and FIFO queues, against the embedded Avi Controller simulator and development
Kubernetes API server unless a controller or kubeconfig is given. Keeps syncing until Ctrl-C.

  --instances FILE        instance registry (default examples/instances.yaml)
  --kubeconfig FILE       a real cluster instead of the development cluster (default: $KUBECONFIG if set)
  --controller HOST       a real Avi Controller instead of the simulator (default: ControllerSettings.controllerHost)
  --${DEMO_DEV_CLUSTER_FLAG}
                          allow a real controller with the development cluster (refused otherwise: the
                          controller's objects of these instances would look deleted and be removed)
  --controller-credentials FILE
                          controller credentials: an avi-secret manifest (kubectl get secret avi-secret -o yaml)
                          or a YAML/JSON map of username, password or authtoken, certificateAuthorityData
  --controller-insecure-skip-tls-verify
                          do not verify the controller's certificate (a throwaway test controller only;
                          anyone on the path can read the password and change what is sent)
  --seed DIR              manifests the development cluster starts with (default examples/manifests)
  --dev-cluster-port N    development cluster port (default ${DEFAULT_DEV_CLUSTER_PORT}; 0 = any free port)
  --avi-sim-port N        simulator port (default ${DEFAULT_AVI_SIM_PORT}; 0 = any free port)
  --status-port N         status page port (default ${DEFAULT_STATUS_PORT}; 0 = any free port)
  --once                  exit after the first converged state (for scripts and benchmarks)
  --output table|json     summary format (default table)
  --log-level LEVEL       terminal lines at DEBUG, INFO, WARN or ERROR for every instance (default: each
                          instance's AKOSettings.logLevel, else INFO); the run's JSON log file keeps everything

Controller credentials of each instance, first found: --controller-credentials, the CTRL_USERNAME /
CTRL_PASSWORD / CTRL_AUTHTOKEN / CTRL_CA_DATA environment variables, the Secret avi-secret in the
instance's namespace (as AKO reads it), the registry's avicredentials. They are never printed.`;

export async function run(argv: string[], ctx: CommandContext = NO_STOP): Promise<number> {
  return runCommand(async () => {
    const parsed = parseFlags(
      argv,
      {
        instances: { type: 'string' },
        kubeconfig: { type: 'string' },
        controller: { type: 'string' },
        'controller-credentials': { type: 'string' },
        'controller-insecure-skip-tls-verify': { type: 'boolean' },
        seed: { type: 'string' },
        'dev-cluster-port': { type: 'string' },
        'avi-sim-port': { type: 'string' },
        'status-port': { type: 'string' },
        once: { type: 'boolean' },
        output: { type: 'string' },
        'log-level': { type: 'string' },
        [DEMO_DEV_CLUSTER_FLAG]: { type: 'boolean' },
      },
      HELP,
      { command: 'start' },
    );
    if (!parsed) return EXIT_OK;
    const v = parsed.values;
    const output = v.output ?? 'table';
    if (output !== 'table' && output !== 'json')
      throw new UsageError(`--output must be table or json, got '${output}'`);
    const logLevelFlag = v['log-level']?.toUpperCase();
    if (logLevelFlag !== undefined && !(AKO_LOG_LEVELS as readonly string[]).includes(logLevelFlag))
      throw new UsageError(`--log-level must be one of ${AKO_LOG_LEVELS.join(', ')}, got '${v['log-level']}'`);
    const ports = {
      devCluster: portFlag('--dev-cluster-port', v['dev-cluster-port'], DEFAULT_DEV_CLUSTER_PORT),
      aviSim: portFlag('--avi-sim-port', v['avi-sim-port'], DEFAULT_AVI_SIM_PORT),
      status: portFlag('--status-port', v['status-port'], DEFAULT_STATUS_PORT),
    };
    const instancesFile = v.instances ?? 'examples/instances.yaml';
    const registry = loadRegistryForCommand(instancesFile);
    if (!registry) return EXIT_USAGE;
    if (v.kubeconfig) fileFlag('--kubeconfig', v.kubeconfig);
    const kubeconfig = v.kubeconfig ?? process.env.KUBECONFIG;
    const refusal = devClusterWithRealControllerRefusal({
      controllerHost: v.controller ?? registry.instances.find((i) => i.controller.host)?.controller.host,
      ...(kubeconfig ? { kubeconfig } : {}),
      demo: Boolean(v[DEMO_DEV_CLUSTER_FLAG]),
    });
    if (refusal) throw new UsageError(refusal);
    const seedDir = v.seed ?? (kubeconfig ? undefined : 'examples/manifests');
    if (seedDir) directoryFlag('--seed', seedDir);
    const credentialsFile = v['controller-credentials'] && readCredentialsFile(v['controller-credentials']);
    const insecure = v['controller-insecure-skip-tls-verify'] === true;
    // From here on SIGINT/SIGTERM stop the runtime cleanly (queues drained) and exit 0.
    let stopSignal: NodeJS.Signals | undefined;
    const stopped = ctx.stopRequested().then((signal) => {
      stopSignal = signal;
      console.log(`\n${signal}: stopping`);
    });

    const stateDir = resolve('.ako-serverless');
    const runLog = openRunLog(join(stateDir, 'logs'));
    const logFile = runLog.path;
    const terminal = createTerminalSink({
      levelOf: terminalLevels(registry, logLevelFlag as AkoLogLevel | undefined),
      write: (text) => console.log(text),
    });
    const logger = createLogger(
      {},
      {
        level: 'debug',
        write: (line, entry) => {
          runLog.write(line);
          terminal.entry(entry);
        },
      },
    );

    // Loaded after the arguments are checked, so a usage error answers at once.
    const [{ startRuntime }, { startStatusServer }] = await Promise.all([
      import('../runtime.ts'),
      import('../status/server.ts'),
    ]);
    const began = Date.now();
    let runtime: Runtime;
    try {
      runtime = await startRuntime({
        registry,
        ...(kubeconfig ? { kubeconfig } : {}),
        ...(v.controller ? { controller: v.controller } : {}),
        ...(v[DEMO_DEV_CLUSTER_FLAG] ? { demoDevClusterWithRealController: true } : {}),
        ...(seedDir ? { seedDir } : {}),
        devClusterPort: ports.devCluster,
        aviSimPort: ports.aviSim,
        stateDir,
        logger,
        env: process.env,
        ...(credentialsFile ? { credentialsFile } : {}),
        ...(insecure ? { controllerInsecureSkipTlsVerify: true } : {}),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const hint = /EADDRINUSE/.test(message) ? ' (a port is taken: pass another with the --*-port flags, or 0)' : '';
      console.error(`error: could not start: ${message}${hint}`);
      return EXIT_FAILURE;
    }
    let status: Awaited<ReturnType<typeof startStatusServer>>;
    try {
      status = await startStatusServer(() => runtime.snapshot({ cached: true }), {
        port: ports.status,
        metrics: () => runtime.metrics(),
      });
    } catch (err) {
      await runtime.stop();
      const message = err instanceof Error ? err.message : String(err);
      console.error(`error: could not start the status page: ${message}`);
      return EXIT_FAILURE;
    }
    const shutdown = async () => {
      console.log('stopping: draining queues…');
      await status.close();
      await runtime.stop();
      terminal.close();
      await runLog.end();
      console.log('stopped');
    };
    if (stopSignal) {
      await shutdown();
      return EXIT_OK;
    }

    console.log(`ako-serverless: ${registry.instances.length} instance(s) from ${instancesFile}`);
    console.log(`  Avi controller:   ${runtime.controllerUrl}${runtime.aviSim ? ' (embedded simulator)' : ''}`);
    for (const [id, source] of runtime.credentialSources) console.log(`  credentials:      ${id} from ${source}`);
    if (insecure && !runtime.aviSim) {
      console.log(
        `  WARNING:          the controller's TLS certificate is NOT verified (--controller-insecure-skip-tls-verify)`,
      );
    }
    for (const [cluster, dev] of runtime.devClusters) {
      console.log(
        `  cluster ${cluster}:    ${dev.url} (development API server)  try: kubectl --server ${dev.url} get ingress -A`,
      );
    }
    if (kubeconfig) console.log(`  cluster:          ${kubeconfig}`);
    console.log(`  status page:      ${status.url}   (or: npx ako-serverless status --url ${status.url})`);
    console.log(`  logs:             ${logFile}`);

    // Progress while the first sync runs: only when something moved (the causes of errors are on their own lines).
    let lastProgress = '';
    const progress = setInterval(async () => {
      const s = await runtime.snapshot({ cached: true }).catch(() => undefined);
      if (!s) return;
      const text = `  syncing… objects seen ${s.totals.objectsSeen}, Avi requests ${s.totals.aviRequests}, errors ${s.totals.errors}`;
      if (text !== lastProgress) console.log(text);
      lastProgress = text;
    }, 2000);
    try {
      await Promise.race([runtime.waitForConvergence({ timeoutMs: 300_000 }), stopped]);
    } catch (err) {
      console.error(`warning: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearInterval(progress);
    }
    if (stopSignal) {
      await shutdown();
      return EXIT_OK;
    }
    const snapshot = await runtime.snapshot();
    console.log(`\nfirst sync converged in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
    console.log(output === 'json' ? JSON.stringify(snapshot, null, 2) : formatStatus(snapshot));

    if (v.once) {
      await shutdown();
      return snapshot.totals.errors > 0 ? EXIT_FAILURE : EXIT_OK;
    }
    console.log('\nwatching for changes; Ctrl-C to stop');
    await stopped;
    await shutdown();
    return EXIT_OK;
  });
}

/** The --controller-credentials file, read once; a file others can read is worth a warning, as ssh gives. */
function readCredentialsFile(path: string): { path: string; text: string } {
  fileFlag('--controller-credentials', path);
  if ((statSync(path).mode & 0o077) !== 0) {
    console.error(`warning: ${path} is readable by other users; chmod 600 ${path}`);
  }
  return { path, text: readFileSync(path, 'utf8') };
}

/**
 * The terminal level of each instance's lines: --log-level, else the instance's AKOSettings.logLevel, else INFO;
 * lines of no instance (forwarder, router) at the most verbose level any instance asked for.
 */
function terminalLevels(registry: Registry, flag: AkoLogLevel | undefined): (instance?: string) => AkoLogLevel {
  const levels = new Map(registry.instances.map((i) => [i.id, flag ?? i.logLevel ?? 'INFO']));
  const order = AKO_LOG_LEVELS as readonly AkoLogLevel[];
  const mostVerbose = flag ?? order.find((l) => [...levels.values()].includes(l)) ?? 'INFO';
  return (instance) => (instance && levels.get(instance)) || mostVerbose;
}
