import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import {
  buildCrStatuses,
  buildModels,
  buildStaticRoutes,
  type CrStatus,
  type InstancePartition,
  partitionByInstance,
} from '../../../shared/model/index.ts';
import type { AviModel, CloudFacts, KubeObject, SkippedObject, StaticRoute } from '../../../shared/model/types.ts';
import {
  buildOwnerIndex,
  formatProblem,
  loadRegistryFile,
  RegistryValidationError,
} from '../../../shared/registry/index.ts';
import type { InstanceConfig, Registry } from '../../../shared/registry/types.ts';
import { EXIT_OK, EXIT_USAGE, parseFlags, runCommand, UsageError } from './common.ts';

const HELP = `usage: ako-serverless model --instances FILE --objects FILE... [--summary] [--output json|table]
                            [--cluster NAME] [--dns-subdomains a.com,b.com]

Prints, per instance of the registry, the Avi objects AKO would create for the given Kubernetes manifests
(multi-document YAML: Namespaces, Ingresses, Routes, Services, EndpointSlices, Secrets, Nodes, ...), the
primary's static routes, and every skipped object with the reason. Namespaces go to the instance whose
namespaceSelector matches their labels (a namespace matched by two instances goes to none).

  --instances FILE       the registry file (e.g. examples/instances.yaml)
  --objects FILE...      manifest files (repeat the flag or list several files)
  --summary              a readable summary instead of JSON (same as --output table)
  --output FORMAT        json (default) or table
  --cluster NAME         which registry cluster the manifests belong to (needed when there are several)
  --dns-subdomains LIST  the cloud's IPAM-DNS sub-domains (enables auto-FQDN and host checks as AKO does)

TLS private keys are never printed.`;

/** Reads multi-document YAML manifests (a `kind: List` contributes its items). */
export function readManifests(
  files: string[],
  read: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): KubeObject[] {
  const out: KubeObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = read(file);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    parseAllDocuments(text).forEach((doc, i) => {
      if (doc.errors.length > 0) {
        throw new UsageError(`${file}: document ${i + 1} is not valid YAML: ${doc.errors[0]!.message}`);
      }
      const value = doc.toJS();
      if (value === null || value === undefined) return;
      const items = value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
      items.forEach((o: KubeObject, j: number) => {
        if (!o || typeof o !== 'object' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
          const where = items.length > 1 ? ` item ${j + 1}` : '';
          throw new UsageError(`${file}: document ${i + 1}${where} has no kind or metadata.name`);
        }
        out.push(o);
      });
    });
  }
  return out;
}

export interface InstanceOutput {
  instance: InstanceConfig;
  models: AviModel[];
  staticRoutes: StaticRoute[];
  skipped: SkippedObject[];
  /** HostRule/HTTPRule/AviInfraSetting/L4Rule statuses as the instance would write them. */
  crStatuses: CrStatus[];
}

/** The whole computation, pure given the registry and the objects. */
export function modelsForRegistry(
  registry: Registry,
  cluster: string,
  objects: KubeObject[],
  facts: CloudFacts,
): { outputs: InstanceOutput[]; partition: InstancePartition } {
  const owners = buildOwnerIndex(registry);
  const instances = registry.instances.filter((i) => i.clusterName === cluster);
  const partition = partitionByInstance(instances, (ns, labels) => owners.resolve(cluster, ns, labels), objects);
  const outputs = instances.map((instance) => {
    const view = partition.views.get(instance.id)!;
    const state = buildModels(instance, view, facts);
    const routes = buildStaticRoutes(instance, view);
    return {
      instance,
      models: state.models,
      staticRoutes: routes.routes,
      skipped: [...state.skipped, ...routes.skipped],
      crStatuses: buildCrStatuses(instance, view, facts),
    };
  });
  return { outputs, partition };
}

/** Private keys stay out of any printed output. */
function redact(m: AviModel): AviModel {
  return {
    ...m,
    objects: m.objects.map((o) =>
      o.type === 'sslkeyandcertificate' && 'key' in o.body ? { ...o, body: { ...o.body, key: '<redacted>' } } : o,
    ),
  };
}

function toJson(outputs: InstanceOutput[], partition: InstancePartition): string {
  return JSON.stringify(
    {
      instances: outputs.map((o) => ({
        id: o.instance.id,
        cluster: o.instance.clusterName,
        namespace: o.instance.namespace,
        primary: o.instance.primary,
        createdBy: o.instance.createdBy,
        namespaces: partition.views.get(o.instance.id)!.namespaces.map((n) => n.metadata.name),
        models: o.models.map(redact),
        staticRoutes: o.staticRoutes,
        skipped: o.skipped,
        crStatuses: o.crStatuses,
      })),
      unownedNamespaces: partition.unowned,
    },
    null,
    2,
  );
}

function skippedLine(s: SkippedObject): string {
  return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name} ${s.field}: ${s.reason}`;
}

export function formatSummary(outputs: InstanceOutput[], partition: InstancePartition): string {
  const lines: string[] = [];
  for (const o of outputs) {
    const i = o.instance;
    const owned = partition.views.get(i.id)!.namespaces.map((n) => n.metadata.name);
    lines.push(
      `instance ${i.id} (${i.primary ? 'primary' : 'non-primary'}, created_by ${i.createdBy}) — namespaces: ${owned.join(', ') || '(none)'}`,
    );
    if (o.models.length === 0) lines.push('  (no models)');
    for (const m of o.models) {
      lines.push(`  model ${m.name}`);
      for (const obj of m.objects) lines.push(`    ${obj.type.padEnd(20)} ${obj.name}`);
    }
    if (o.staticRoutes.length > 0) {
      lines.push('  static routes');
      for (const r of o.staticRoutes) {
        lines.push(`    ${r.prefix.ip_addr.addr}/${r.prefix.mask} via ${r.next_hop.addr}  (${r.route_id})`);
      }
    }
    if (o.skipped.length > 0) {
      lines.push('  skipped');
      for (const s of o.skipped) lines.push(`    ${skippedLine(s)}`);
    }
    if (o.crStatuses.length > 0) {
      lines.push('  CR status');
      for (const c of o.crStatuses) {
        const where = c.namespace ? `${c.namespace}/${c.name}` : c.name;
        lines.push(`    ${c.kind} ${where}: ${c.status}${c.error ? ` (${c.error})` : ''}`);
      }
    }
    lines.push('');
  }
  if (partition.unowned.length > 0) {
    lines.push('namespaces owned by no instance');
    for (const u of partition.unowned) lines.push(`  ${u.namespace}: ${u.reason}`);
  }
  return lines.join('\n').trimEnd();
}

export async function run(argv: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseFlags(
      argv,
      {
        instances: { type: 'string' },
        objects: { type: 'string', multiple: true },
        summary: { type: 'boolean' },
        output: { type: 'string' },
        cluster: { type: 'string' },
        'dns-subdomains': { type: 'string' },
      },
      HELP,
      { command: 'model', positionals: true },
    );
    if (!parsed) return EXIT_OK;
    const v = parsed.values;
    if (!v.instances) throw new UsageError('--instances FILE is required');
    const files = [...(v.objects ?? []), ...parsed.positionals];
    if (files.length === 0) throw new UsageError('--objects FILE is required (one or more manifest files)');
    const output = v.summary ? 'table' : (v.output ?? 'json');
    if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be json or table, not ${output}`);
    let registry: Registry;
    try {
      registry = loadRegistryFile(v.instances);
    } catch (err) {
      if (!(err instanceof RegistryValidationError)) throw err;
      console.error(`error: the registry ${v.instances} is not valid:`);
      for (const p of err.problems) console.error(`  ${formatProblem(p)}`);
      return EXIT_USAGE;
    }
    const clusters = [...new Set(registry.instances.map((i) => i.clusterName))];
    const cluster = v.cluster ?? (clusters.length === 1 ? clusters[0] : undefined);
    if (!cluster) throw new UsageError(`the registry has clusters ${clusters.join(', ')}: choose one with --cluster`);
    if (!clusters.includes(cluster))
      throw new UsageError(`cluster ${cluster} is not in the registry (${clusters.join(', ')})`);
    const facts: CloudFacts = {
      dnsSubdomains: (v['dns-subdomains'] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
    const objects = readManifests(files);
    const { outputs, partition } = modelsForRegistry(registry, cluster, objects, facts);
    console.log(output === 'json' ? toJson(outputs, partition) : formatSummary(outputs, partition));
    return EXIT_OK;
  });
}
