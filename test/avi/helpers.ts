import { type AviSim, type AviSimOptions, startAviSim } from '../../infra/avi-sim/index.ts';
import { type AviClientOptions, createAviClient } from '../../shared/avi/index.ts';
import { SecretValue } from '../../shared/secret.ts';

export async function withSim<T>(opts: AviSimOptions, fn: (sim: AviSim) => Promise<T>): Promise<T> {
  const sim = await startAviSim(opts);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

/** A client for tests: fast budget and back-off so faults do not slow the suite. */
export function clientFor(sim: AviSim, opts: Partial<AviClientOptions> = {}) {
  return createAviClient({
    host: sim.url,
    username: 'admin',
    password: new SecretValue('admin'),
    owner: 'ako-c1',
    clusterName: 'c1',
    ratePerSecond: 5000,
    burst: 100,
    maxConcurrency: 8,
    baseDelayMs: 2,
    maxDelayMs: 20,
    timeoutMs: 5000,
    ...opts,
  });
}

/** The simulator's state of our object types, without server-set values (uuids, URLs, times, VIP addresses). */
export function comparableState(sim: AviSim): Record<string, unknown[]> {
  const types = [
    'vsvip',
    'sslkeyandcertificate',
    'pool',
    'poolgroup',
    'httppolicyset',
    'vsdatascriptset',
    'l4policyset',
    'virtualservice',
    'vrfcontext',
  ];
  const out: Record<string, unknown[]> = {};
  const dump = sim.dump();
  for (const t of types) {
    out[t] = (dump[t] ?? []).map((o) => {
      const text = JSON.stringify(o)
        .replace(/https?:\/\/[^/"]+\/api\/([a-z0-9]+)\/[^#"]+#/g, '$1#')
        .replace(/https?:\/\/[^/"]+\/api\/([a-z0-9]+)\/([a-z]+-[0-9a-f-]+)/g, '$1');
      const clean = JSON.parse(text) as Record<string, unknown>;
      delete clean.uuid;
      delete clean.url;
      delete clean._last_modified;
      if (t === 'vsvip') delete clean.vip;
      return clean;
    });
  }
  return out;
}
