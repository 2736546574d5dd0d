/**
 * A namespace two instances select is routed nowhere (nothing in it is synced or deleted). The user learns why
 * from a Warning `OwnershipConflict` on the namespace and on the object whose change was not routed — what
 * `kubectl describe ingress` shows (describe namespace lists no events). Used by the AWS and embedded routers.
 */
import type { StatusUpdate } from '../forwarder/status.ts';
import type { DeadLetterRecord } from './handler.ts';

const ADDRESS_KINDS = new Set(['Ingress', 'Service', 'Route']);

export function conflictStatusUpdates(record: DeadLetterRecord): StatusUpdate[] {
  if (record.reason !== 'ownership-conflict' || !record.cluster || !record.namespace) return [];
  const events = [
    { type: 'Warning' as const, reason: 'OwnershipConflict', note: record.message.slice(0, 1024), action: 'Route' },
  ];
  const d = (record.event as { detail?: { kind?: string; apiVersion?: string; name?: string } } | undefined)?.detail;
  const onObject: StatusUpdate[] =
    d?.kind && d.name && d.apiVersion && ADDRESS_KINDS.has(d.kind)
      ? [
          {
            instance: 'router',
            target: {
              apiVersion: d.apiVersion,
              kind: d.kind as 'Ingress' | 'Service' | 'Route',
              namespace: record.namespace,
              name: d.name,
            },
            events,
          },
        ]
      : [];
  return [
    { instance: 'router', target: { apiVersion: 'v1', kind: 'Namespace', name: record.namespace }, events },
    ...onObject,
  ];
}
