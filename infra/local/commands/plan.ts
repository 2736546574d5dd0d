import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeRequester } from '../../../functions/forwarder/kube.ts';
import { silentLogger } from '../../../shared/log.ts';
import { SecretValue } from '../../../shared/secret.ts';
import { resolveLocalCredentials } from '../credentials.ts';
import { formatPlanJson, formatPlanTable } from '../plan/format.ts';
import { buildPlan } from '../plan/index.ts';
import { EXIT_OK, EXIT_USAGE, fileFlag, parseFlags, runCommand, UsageError } from './common.ts';
import { loadRegistryForCommand } from './registry-input.ts';

const HELP = `usage: ako-serverless plan --instances FILE [--kubeconfig FILE] [--controller HOST] [--output table|json]

Read-only, like 'terraform plan': reads the cluster and the Avi Controller and lists the operations a sync
would perform now — objects to create, update (with the fields that change) and delete per instance, plus
objects skipped with the reason and ownership conflicts (a namespace two instances claim, or an object of
the same name the instance does not own). Nothing is written to the cluster or to the controller.

  --instances FILE    the instance registry (one cluster)
  --kubeconfig FILE   the cluster to read (default: $KUBECONFIG)
  --controller HOST   the controller (host[:port] or URL; default: controllerSettings.controllerHost of the registry)
  --output FORMAT     table (default) or json

  --controller-credentials FILE          controller credentials (an avi-secret manifest or a YAML/JSON map)
  --controller-insecure-skip-tls-verify  do not verify the controller's certificate (test controllers only)

Credentials are found as 'start' finds them: --controller-credentials, the CTRL_* environment variables,
the Secret avi-secret in each instance's namespace, the registry's avicredentials (else admin/admin).
Credentials and TLS private keys are never printed.`;

export async function run(argv: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseFlags(
      argv,
      {
        instances: { type: 'string' },
        kubeconfig: { type: 'string' },
        controller: { type: 'string' },
        'controller-credentials': { type: 'string' },
        'controller-insecure-skip-tls-verify': { type: 'boolean' },
        output: { type: 'string' },
      },
      HELP,
      { command: 'plan' },
    );
    if (!parsed) return EXIT_OK;
    const v = parsed.values;
    if (!v.instances) throw new UsageError('--instances FILE is required');
    const output = v.output ?? 'table';
    if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, not ${output}`);
    const kubeconfig = v.kubeconfig ?? process.env.KUBECONFIG;
    if (!kubeconfig) {
      throw new UsageError(
        'no cluster to read: pass --kubeconfig FILE or set KUBECONFIG (plan never starts a development cluster)',
      );
    }
    const registry = loadRegistryForCommand(v.instances);
    if (!registry) return EXIT_USAGE;
    const controller = v.controller ?? registry.instances.find((i) => i.controller.host)?.controller.host;
    if (!controller) {
      throw new UsageError(
        'no controller to compare with: pass --controller HOST or set controllerSettings.controllerHost in the registry',
      );
    }
    const kc = new KubeConfig();
    try {
      // KUBECONFIG may list several files, as kubectl allows; --kubeconfig names one.
      if (v.kubeconfig) kc.loadFromFile(v.kubeconfig);
      else if (kubeconfig.includes(process.platform === 'win32' ? ';' : ':')) kc.loadFromDefault();
      else kc.loadFromFile(kubeconfig);
    } catch (err) {
      throw new UsageError(`cannot read kubeconfig ${kubeconfig}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const file = v['controller-credentials'];
    const resolved = await resolveLocalCredentials({
      registry,
      kube: new Map(registry.instances.map((i) => [i.clusterName, kubeRequester(kc, { timeoutMs: 10_000 })])),
      env: process.env,
      ...(file ? { file: { path: file, text: readFileSync(fileFlag('--controller-credentials', file), 'utf8') } } : {}),
      fallback: { source: 'the default login admin', username: 'admin', password: new SecretValue('admin') },
      logger: silentLogger,
    });
    const plan = await buildPlan({
      registry: {
        ...registry,
        instances: registry.instances.map((i) => ({ ...i, credentials: resolved.get(i.id)!.credentials })),
      },
      kubeConfig: kc,
      controller,
      ...(v['controller-insecure-skip-tls-verify'] ? { insecureSkipVerify: true } : {}),
    });
    console.log(output === 'json' ? formatPlanJson(plan) : formatPlanTable(plan));
    return EXIT_OK;
  });
}
