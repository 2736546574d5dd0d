/**
 * Cross-instance host claims (the ownership registry of hosts, as external-dns keeps one for DNS names). Two
 * instances of a cluster own disjoint namespaces but nothing stops two namespaces from asking for the same host;
 * served by both, the host would get two VIPs and DNS would pick one at random. So each instance claims the hosts
 * of its L7 models in one registry per cluster, and **the first claimant keeps a host**: a later claimant skips the
 * host (a HostConflict Event on its object, naming who serves it) and waits. When the holder releases the host
 * (its object gone or changed), the waiters are asked to rebuild, and the first of them to claim it serves it.
 */

/** The Ingress or Route a host is claimed for. */
export interface ClaimedObject {
  kind: string;
  namespace: string;
  name: string;
}

export interface HostClaim {
  host: string;
  /** Instance id holding the host. */
  instance: string;
  /** The object asking for it. */
  object: ClaimedObject;
  /** The holder's model that serves it (its claims are released by model). */
  model: string;
  /** Who asked for the host while it was held, and for which model (rebuilt once the host is released). */
  waiters: HostWaiter[];
}

export interface HostWaiter {
  instance: string;
  model: string;
}

export type Claimant = Omit<HostClaim, 'waiters'>;

/** One registry per cluster: claims are atomic (a conditional write where the registry is shared). */
export interface HostClaimRegistry {
  /** Claims a host; returns the claim as it now stands: the claimant's, or the first claimant's. */
  claim(c: Claimant): Promise<HostClaim>;
  /** Releases the instance's claim on a host; the released claim (for its waiters), or undefined if not held. */
  release(host: string, instance: string): Promise<HostClaim | undefined>;
  /** Every claim an instance holds. */
  heldBy(instance: string): Promise<HostClaim[]>;
}

/** The claim after `c` asked for its host; `write` when the registry's record changes. */
export function decideClaim(existing: HostClaim | undefined, c: Claimant): { claim: HostClaim; write: boolean } {
  if (!existing) return { claim: { ...c, waiters: [] }, write: true };
  if (existing.instance === c.instance) {
    const same = sameObject(existing.object, c.object) && existing.model === c.model;
    return same ? { claim: existing, write: false } : { claim: { ...existing, ...c }, write: true };
  }
  if (existing.waiters.some((w) => w.instance === c.instance && w.model === c.model))
    return { claim: existing, write: false };
  const waiters = [
    ...existing.waiters.filter((w) => w.instance !== c.instance),
    { instance: c.instance, model: c.model },
  ];
  return { claim: { ...existing, waiters }, write: true };
}

export function sameObject(a: ClaimedObject, b: ClaimedObject): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/** An object in the words of an Event: `Ingress shop/web`. */
export function objectWords(o: ClaimedObject): string {
  return `${o.kind} ${o.namespace}/${o.name}`;
}

/** Who serves a host, in the words of a HostConflict Event. */
export function describeHolder(c: HostClaim): string {
  return `${objectWords(c.object)} of instance ${c.instance}`;
}

/** In-memory registry: one per cluster, shared by every instance of the embedded runtime. */
export function createMemoryHostClaims(): HostClaimRegistry {
  const claims = new Map<string, HostClaim>();
  return {
    async claim(c) {
      const d = decideClaim(claims.get(c.host), c);
      if (d.write) claims.set(c.host, d.claim);
      return d.claim;
    },
    async release(host, instance) {
      const c = claims.get(host);
      if (!c || c.instance !== instance) return undefined;
      claims.delete(host);
      return c;
    },
    async heldBy(instance) {
      return [...claims.values()].filter((c) => c.instance === instance);
    },
  };
}
