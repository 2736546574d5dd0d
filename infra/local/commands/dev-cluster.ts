import { writeFileSync } from 'node:fs';
import { type CniKind, startDevCluster } from '../../dev-cluster/index.ts';
import {
  type CommandContext,
  directoryFlag,
  EXIT_OK,
  NO_STOP,
  parseFlags,
  portFlag,
  runCommand,
  UsageError,
} from './common.ts';

const HELP = `Usage: ako-serverless dev-cluster [--port N] [--host ADDR] [--seed DIR] [--routes] [--cni calico,openshift,cilium]
                                  [--kubeconfig FILE]

Runs a small Kubernetes API server over HTTP (loopback by default) that kubectl and the forwarder can use:
  kubectl --server http://127.0.0.1:N get ingresses -A

  --port N          port to listen on (default 0: a free port, printed at start)
  --host ADDR       address to bind (default 127.0.0.1)
  --seed DIR        apply every manifest (.yaml/.yml/.json, multi-document) of DIR at start
  --routes          also serve OpenShift Routes (route.openshift.io/v1)
  --cni LIST        also serve the pod-CIDR objects of these CNIs
  --kubeconfig FILE write a kubeconfig pointing at the server to FILE`;

const CNIS: CniKind[] = ['calico', 'openshift', 'cilium'];

export async function run(argv: string[], ctx: CommandContext = NO_STOP): Promise<number> {
  return runCommand(async () => {
    const parsed = parseFlags(
      argv,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        routes: { type: 'boolean' },
        cni: { type: 'string' },
        kubeconfig: { type: 'string' },
      },
      HELP,
      { command: 'dev-cluster' },
    );
    if (!parsed) return EXIT_OK;
    const v = parsed.values;
    const port = portFlag('--port', v.port, 0);
    const seedDir = v.seed === undefined ? undefined : directoryFlag('--seed', v.seed);
    const cni = (v.cni ? v.cni.split(',') : []).map((c) => c.trim()).filter(Boolean);
    for (const c of cni) {
      if (!CNIS.includes(c as CniKind)) throw new UsageError(`--cni: unknown CNI '${c}' (known: ${CNIS.join(', ')})`);
    }
    const cluster = await startDevCluster({
      port,
      host: v.host,
      seedDir,
      routes: v.routes,
      cni: cni as CniKind[],
    });
    if (v.kubeconfig) writeFileSync(v.kubeconfig, cluster.kubeconfig(), { mode: 0o600 });
    console.log(`dev cluster listening on ${cluster.url}`);
    console.log(`  kubectl --server ${cluster.url} get namespaces`);
    await ctx.stopRequested();
    await cluster.close();
    return EXIT_OK;
  });
}
