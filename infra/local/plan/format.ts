/** Printing a plan: a terraform-like table for people, JSON for scripts. Secrets are already masked. */
import type { FieldChange } from './diff.ts';
import { type Plan, planTotals } from './index.ts';

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function changeLine(c: FieldChange): string {
  if (c.before === undefined) return `${c.path}: + ${value(c.after)}`;
  if (c.after === undefined) return `${c.path}: - ${value(c.before)}`;
  return `${c.path}: ${value(c.before)} -> ${value(c.after)}`;
}

export function formatPlanTable(plan: Plan): string {
  const lines: string[] = [
    `plan for cluster ${plan.cluster} against ${plan.controller} (read-only; nothing was changed)`,
    '',
  ];
  for (const c of plan.namespaceConflicts) {
    lines.push(`! namespace ${c.namespace}: ${c.reason}; no instance syncs it until one selector no longer matches`);
  }
  if (plan.namespaceConflicts.length) lines.push('');
  for (const i of plan.instances) {
    lines.push(
      `instance ${i.instance} (${i.primary ? 'primary' : 'non-primary'}, created_by ${i.createdBy}) — namespaces: ${i.namespaces.join(', ') || '(none)'}`,
    );
    if (i.actions.length === 0 && i.staticRoutes?.op !== 'update' && i.conflicts.length === 0) {
      lines.push(`  no changes (${i.unchanged} object${i.unchanged === 1 ? '' : 's'} up to date)`);
    }
    for (const a of i.actions) {
      const where = a.tenant === 'admin' ? '' : ` (tenant ${a.tenant})`;
      const why =
        a.op === 'update' && a.reason !== 'changed'
          ? ` [${a.reason === 'drift' ? 'changed on the controller' : 'adopt'}]`
          : '';
      lines.push(`  ${SYMBOL[a.op]} ${a.op.padEnd(6)} ${a.type.padEnd(20)} ${a.name}${where}${why}`);
      if (a.op === 'update') for (const c of a.changes) lines.push(`        ${changeLine(c)}`);
    }
    if (i.staticRoutes?.op === 'update') {
      const s = i.staticRoutes;
      lines.push(`  ~ update vrfcontext           ${s.vrf} (static routes of cluster ${i.cluster})`);
      for (const r of s.add)
        lines.push(`        + ${r.prefix.ip_addr.addr}/${r.prefix.mask} via ${r.next_hop.addr} (${r.route_id})`);
      for (const r of s.remove) lines.push(`        - ${r.route_id} ${value(r.prefix)} via ${value(r.next_hop)}`);
    }
    for (const c of i.conflicts) lines.push(`  ! conflict ${c.type} ${c.name}: ${c.reason}`);
    for (const s of i.skipped) {
      lines.push(`  skipped ${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name} ${s.field}: ${s.reason}`);
    }
    lines.push('');
  }
  const t = planTotals(plan);
  lines.push(
    `Plan: ${t.create} to create, ${t.update} to update, ${t.delete} to delete${t.conflicts ? `, ${t.conflicts} conflict${t.conflicts === 1 ? '' : 's'}` : ''}.`,
  );
  return lines.join('\n');
}

export function formatPlanJson(plan: Plan): string {
  return JSON.stringify({ ...plan, totals: planTotals(plan) }, null, 2);
}
