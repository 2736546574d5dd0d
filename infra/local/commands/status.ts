import { DEFAULT_STATUS_URL } from '../defaults.ts';
import type { StatusSnapshot } from '../status/snapshot.ts';
import { EXIT_FAILURE, EXIT_OK, parseFlags, runCommand, UsageError } from './common.ts';

const HELP = `usage: ako-serverless status [--url URL] [--output table|json]

Shows the state of a running 'ako-serverless start': instances, owned namespaces, conflicts,
queue depths, dead letters, last errors and the Avi objects of each instance.

  --url URL        status endpoint of the running start (default ${DEFAULT_STATUS_URL})
  --output FORMAT  table (default) or json`;

export function formatStatus(s: StatusSnapshot): string {
  const lines: string[] = [];
  lines.push(
    `controller ${s.controller}; kubernetes ${s.kubernetes.join(', ')}; ${s.health.state}${
      s.health.problems.length ? `: ${s.health.problems.join(', ')}` : ''
    }`,
  );
  lines.push(
    `objects seen ${s.totals.objectsSeen}, models applied ${s.totals.modelsApplied}, Avi requests ${s.totals.aviRequests}, errors ${s.totals.errors}`,
  );
  for (const c of s.conflicts)
    lines.push(`CONFLICT ${c.cluster}/${c.namespace}: matched by ${c.instances.join(' and ')}`);
  for (const u of s.unownedNamespaces ?? [])
    lines.push(
      `not synced: namespace ${u.cluster}/${u.namespace} (${u.why === 'blocked' ? 'in blockedNamespaceList' : 'no instance selects its labels'})`,
    );
  for (const i of s.instances) {
    lines.push('');
    lines.push(`${i.id}${i.primary ? ' (primary)' : ''}  created_by ${i.createdBy}  selector ${i.selector}`);
    lines.push(`  namespaces: ${i.ownedNamespaces.join(', ') || '(none)'}`);
    lines.push(`  queue ${i.queueDepth}, in flight ${i.inFlight}, dead letters ${i.deadLetters}`);
    for (const v of i.virtualServices) {
      lines.push(`  VS ${v.name} [${v.type}] vip ${v.vips.join(',') || '-'} fqdn ${v.fqdns.join(',') || '-'}`);
    }
    for (const p of i.pools) lines.push(`  pool ${p.name}: ${p.servers.join(', ') || '(no servers)'}`);
    for (const r of i.staticRoutes) lines.push(`  static route ${r}`);
    for (const o of i.objects ?? [])
      lines.push(`  ${o.object} → ${o.virtualServices.join(', ') || '-'} vip ${o.vips.join(',') || '-'}`);
    for (const w of i.warnings ?? []) lines.push(`  ${w.reason}: ${w.object}: ${w.note}`);
    for (const e of i.lastErrors) lines.push(`  error: ${e}`);
  }
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseFlags(argv, { url: { type: 'string' }, output: { type: 'string' } }, HELP, {
      command: 'status',
    });
    if (!parsed) return EXIT_OK;
    const output = parsed.values.output ?? 'table';
    if (output !== 'table' && output !== 'json')
      throw new UsageError(`--output must be table or json, got '${output}'`);
    const url = `${(parsed.values.url ?? DEFAULT_STATUS_URL).replace(/\/$/, '')}/api/status`;
    let res: Response;
    try {
      res = await fetch(url);
    } catch {
      console.error(`error: nothing answers at ${url}; start the system with 'npx ako-serverless start' or pass --url`);
      return EXIT_FAILURE;
    }
    if (!res.ok) {
      console.error(`error: ${url} answered ${res.status}; is this an ako-serverless status endpoint?`);
      return EXIT_FAILURE;
    }
    const snapshot = (await res.json()) as StatusSnapshot;
    console.log(output === 'json' ? JSON.stringify(snapshot, null, 2) : formatStatus(snapshot));
    return EXIT_OK;
  });
}
