// EventBridge publisher for the Lambda entries: PutEvents in batches of ten entries on the project bus, with the
// entries that failed (FailedEntryCount / per-entry ErrorCode) sent again.
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** An entry may be at most 1 MiB (Time + Source + DetailType + Detail + Resources, UTF-8). */
export const MAX_ENTRY_BYTES = 1024 * 1024;

export interface BusEvent {
  detailType: string;
  detail: unknown;
}

export class PublishError extends Error {
  override name = 'PublishError';
}

export interface PublisherOptions {
  client: EventBridgeClient;
  busName: string;
  /** EventBridge `source`; the IAM policy only allows the function's own source. */
  source: string;
  maxAttempts?: number;
}

export interface Publisher {
  publish(events: BusEvent[]): Promise<void>;
}

/** Bytes EventBridge counts for an entry (14 for Time, plus the UTF-8 text fields). */
export function entrySize(e: PutEventsRequestEntry): number {
  const len = (s?: string) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return 14 + len(e.Source) + len(e.DetailType) + len(e.Detail) + (e.Resources ?? []).reduce((n, r) => n + len(r), 0);
}

export function createEventBridgePublisher(opts: PublisherOptions): Publisher {
  const maxAttempts = opts.maxAttempts ?? 3;
  return {
    async publish(events) {
      const entries: PutEventsRequestEntry[] = events.map((e) => {
        const entry = {
          EventBusName: opts.busName,
          Source: opts.source,
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
        };
        const size = entrySize(entry);
        if (size > MAX_ENTRY_BYTES) {
          throw new PublishError(
            `${e.detailType} event is ${size} bytes; EventBridge accepts at most ${MAX_ENTRY_BYTES}`,
          );
        }
        return entry;
      });
      for (let start = 0; start < entries.length; start += 10) {
        let pending = entries.slice(start, start + 10);
        let codes: string[] = [];
        for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
          const out = await opts.client.send(new PutEventsCommand({ Entries: pending }));
          if (!out.FailedEntryCount) {
            pending = [];
            break;
          }
          // Result entries line up with request entries; a failed one carries ErrorCode.
          const results = out.Entries ?? [];
          codes = results.filter((r) => r.ErrorCode).map((r) => String(r.ErrorCode));
          pending = pending.filter((_, i) => results[i]?.ErrorCode);
        }
        if (pending.length > 0) {
          throw new PublishError(
            `${pending.length} event(s) to bus ${opts.busName} failed after ${maxAttempts} attempts (${[...new Set(codes)].join(', ')})`,
          );
        }
      }
    },
  };
}
