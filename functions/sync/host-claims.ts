/**
 * The sync side of cross-instance host claims (shared/instance/host-claims.ts): after a build, claim the hosts
 * the built models serve; hosts another instance holds are excluded and the models rebuilt without them; hosts
 * this instance no longer serves are released and their waiters asked to rebuild (a sweep of that instance).
 */
import {
  type ClaimedObject,
  describeHolder,
  type HostClaim,
  type HostClaimRegistry,
  objectWords,
  sameObject,
} from '../../shared/instance/host-claims.ts';
import type { PublishedEvent } from '../../shared/instance/reporting.ts';
import type { Logger } from '../../shared/log.ts';
import type { DesiredState, ServedHost, SkippedObject } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';

export interface HostClaimStepDeps {
  instance: InstanceConfig;
  registry: HostClaimRegistry;
  log: Logger;
  publish(event: PublishedEvent): Promise<void> | void;
  now(): Date;
}

export interface ClaimResult {
  /** Hosts held elsewhere that the build asked for: host → holder in words (rebuild without them). */
  lostNow: Map<string, string>;
  /** Events for the holders' objects: someone else asked for their host. */
  notices: SkippedObject[];
}

const HELD_CACHE_MS = 60_000;
const objectOf = (h: ServedHost): ClaimedObject => ({ kind: h.kind, namespace: h.namespace, name: h.name });

export function createHostClaimStep(deps: HostClaimStepDeps) {
  const { instance, registry, log } = deps;
  /** Claims this instance holds, by host, as read from the registry (re-read after a minute: other containers). */
  let held: { claims: Map<string, HostClaim>; at: number } | undefined;

  async function heldClaims(): Promise<Map<string, HostClaim>> {
    const now = deps.now().getTime();
    if (!held || now - held.at > HELD_CACHE_MS || now < held.at)
      held = { claims: new Map((await registry.heldBy(instance.id)).map((c) => [c.host, c])), at: now };
    return held.claims;
  }

  /**
   * Claim every host of the build not held yet. Hosts held elsewhere are asked for again at every build of their
   * model (one registry request each; contested hosts are rare), so a released host is taken up at the next build.
   */
  async function claim(built: DesiredState): Promise<ClaimResult> {
    const mine = await heldClaims();
    const lostNow = new Map<string, string>();
    const notices: SkippedObject[] = [];
    for (const h of built.hosts ?? []) {
      const have = mine.get(h.host);
      const object = objectOf(h);
      if (have && sameObject(have.object, object) && have.model === h.model) continue;
      const c = await registry.claim({ host: h.host, instance: instance.id, object, model: h.model });
      if (c.instance === instance.id) {
        mine.set(h.host, c);
        continue;
      }
      const holder = describeHolder(c);
      lostNow.set(h.host, holder);
      log.warn('host served by another instance: not served here (the first claimant keeps it)', {
        object: `${h.kind}/${h.namespace}/${h.name}`,
        host: h.host,
        outcome: 'skipped',
        reason: `held by ${holder}`,
      });
      notices.push({
        ...c.object,
        field: c.object.kind === 'Route' ? 'spec.host' : 'spec.rules[].host',
        reason: `host ${h.host} is also asked for by ${objectWords(object)} of instance ${instance.id}, which does not serve it; this object keeps it (first claimant)`,
        code: 'HostConflict',
      });
    }
    return { lostNow, notices };
  }

  /**
   * Release the claims of the rebuilt models (every model when `models` is undefined) whose hosts the build no
   * longer serves; each waiter is asked to rebuild so the first of them can take the host.
   */
  async function releaseUnserved(built: DesiredState, models?: ReadonlySet<string>): Promise<void> {
    const mine = await heldClaims();
    const serving = new Set((built.hosts ?? []).map((h) => h.host));
    for (const [host, c] of [...mine]) {
      if (serving.has(host) || (models && !models.has(c.model))) continue;
      const released = await registry.release(host, instance.id);
      mine.delete(host);
      for (const waiter of released?.waiters ?? []) {
        log.info('host released: asking the instance that waited for it to rebuild', {
          host,
          outcome: waiter.instance,
          model: waiter.model,
        });
        await deps.publish({
          detailType: 'sweep-requested',
          detail: {
            version: 1,
            cluster: instance.clusterName,
            instance: waiter.instance,
            requestedAt: deps.now().toISOString(),
            models: [waiter.model],
          },
        });
      }
    }
  }

  /** deleteConfig: every claim of the instance goes back to the cluster (as after a build that serves nothing). */
  const releaseAll = () => releaseUnserved({ models: [], skipped: [] });

  return { claim, releaseUnserved, releaseAll };
}
