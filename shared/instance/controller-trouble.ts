/**
 * When the controller itself is the problem (unreachable, overloaded, TLS refused, login refused), the objects
 * whose changes wait behind it get a Kubernetes Event saying so: otherwise `kubectl describe ingress` shows
 * `Events: <none>` beside an empty address while the cause is only in a log. Pure decisions; the sync handler
 * publishes the Events through the status reporter.
 */
import { isOutageReason } from './outage.ts';

export type ControllerTroubleCode =
  | 'ControllerUnreachable'
  | 'ControllerTLSVerificationFailed'
  | 'ControllerLoginFailed';

export interface ControllerTrouble {
  code: ControllerTroubleCode;
  /** What is wrong and what happens next, in plain words (the client's reason, which never carries secrets). */
  message: string;
}

/** The controller trouble behind a failure reason, or undefined when the controller answered and refused. */
export function controllerTroubleOf(reason: string | undefined): ControllerTrouble | undefined {
  if (!reason) return undefined;
  if (/TLS verification of \S+ failed/.test(reason))
    return {
      code: 'ControllerTLSVerificationFailed',
      message: `the Avi Controller's certificate is not trusted: ${reason}`,
    };
  if (/\blogin\b[^:]*: HTTP 40[13]\b/i.test(reason))
    return {
      code: 'ControllerLoginFailed',
      message: `the Avi Controller refused the instance's credentials (${reason}); fix avi-secret, CTRL_USERNAME/CTRL_PASSWORD or the credentials file`,
    };
  if (isOutageReason(reason))
    return {
      code: 'ControllerUnreachable',
      message: `the Avi Controller is not answering (${reason}); the change is retried with back-off and applied once it answers`,
    };
  return undefined;
}

/** Kinds that carry an address, hence the objects whose users ask "why no address?". */
const ADDRESS_KINDS = new Set(['Ingress', 'Service', 'Route']);

export interface WaitingObject {
  kind: string;
  namespace: string | undefined;
  name: string;
}

/**
 * Remembers which objects were told about which trouble, so a retry every few seconds during a long outage does
 * not post an Event each time: one per object and cause per `everyMs`, at most `maxPerNotice` per batch.
 */
export function createTroubleNotices(opts: { everyMs?: number; maxPerNotice?: number; now: () => number }) {
  const everyMs = opts.everyMs ?? 10 * 60_000;
  const maxPerNotice = opts.maxPerNotice ?? 200;
  const told = new Map<string, number>();
  return {
    /** The objects to tell now about `trouble` (address-bearing kinds with a namespace, not told recently). */
    due(objects: readonly WaitingObject[], trouble: ControllerTrouble): WaitingObject[] {
      const now = opts.now();
      for (const [k, at] of told) if (now - at >= everyMs) told.delete(k);
      const out: WaitingObject[] = [];
      for (const o of objects) {
        if (!ADDRESS_KINDS.has(o.kind) || !o.namespace || out.length >= maxPerNotice) continue;
        const key = `${trouble.code}/${o.kind}/${o.namespace}/${o.name}`;
        if (told.has(key)) continue;
        told.set(key, now);
        out.push(o);
      }
      return out;
    },
  };
}
