/** EventBridge adapter: one PutEvents call per batch on the configured bus; per-entry failures returned. */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type Publisher, publisherFromPutEvents } from './types.ts';

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  /** Bus name or ARN. */
  eventBusName: string;
}

export function eventBridgePublisher(opts: EventBridgePublisherOptions): Publisher {
  return publisherFromPutEvents(async (entries) => {
    const out = await opts.client.send(
      new PutEventsCommand({
        Entries: entries.map((e) => ({
          EventBusName: opts.eventBusName,
          Source: e.Source,
          DetailType: e.DetailType,
          Detail: e.Detail,
          ...(e.Resources?.length ? { Resources: e.Resources } : {}),
        })),
      }),
    );
    return { FailedEntryCount: out.FailedEntryCount, Entries: out.Entries };
  });
}
