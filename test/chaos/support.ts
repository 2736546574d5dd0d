/** What the chaos suites compare: the controller objects the instances own, and a polling wait (never a timing). */
import type { AviSim } from '../../infra/avi-sim/index.ts';
import type { Runtime } from '../../infra/local/runtime.ts';

type Obj = Record<string, unknown>;
const AKO_TYPES = ['virtualservice', 'vsvip', 'pool', 'poolgroup', 'httppolicyset', 'vsdatascriptset'];

/** Every object carrying an `ako-` created_by with the fields that matter (servers, members, hosts), sorted. */
export function fingerprint(rt: Runtime): string[] {
  return simFingerprint(rt.aviSim!);
}

/** The same, of any simulator (e.g. one outside the process under test). */
export function simFingerprint(sim: AviSim): string[] {
  const out: string[] = [];
  for (const type of AKO_TYPES) {
    for (const o of sim.objects(type)) {
      const owner = String(o.created_by ?? '');
      if (!owner.startsWith('ako-')) continue;
      const detail: Obj = {};
      if (type === 'pool') detail.servers = ((o.servers as Obj[]) ?? []).map((s) => (s.ip as Obj).addr).sort();
      if (type === 'poolgroup')
        detail.members = ((o.members as Obj[]) ?? []).map((m) => String(m.pool_ref).split('#')[1]).sort();
      if (type === 'virtualservice') detail.hosts = [...((o.vh_domain_name as string[]) ?? [])].sort();
      out.push(`${type} ${o.name} ${owner} ${JSON.stringify(detail)}`);
    }
  }
  return out.sort();
}

export async function eventually(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not converged: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
