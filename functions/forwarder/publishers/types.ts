/** The bus as the forwarder sees it: PutEvents-shaped entries, per-entry failures. */
export interface PublishEntry {
  Source: string;
  DetailType: string;
  /** JSON text of the event detail. */
  Detail: string;
  Resources?: string[];
}

export interface PublishFailure {
  /** Index of the failed entry in the call's entries. */
  index: number;
  /** Bus error code, e.g. ThrottlingException, InternalFailure, ValidationException. */
  code: string;
  message: string;
}

export interface Publisher {
  /** At most 10 entries per call. Throwing means every entry failed (e.g. a network error). */
  putEvents(entries: PublishEntry[]): Promise<{ failed: PublishFailure[] }>;
}

/** Bytes the bus counts for an entry: 14 for Time, plus the UTF-8 text fields. */
export function entrySize(e: PublishEntry): number {
  const len = (s?: string) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return 14 + len(e.Source) + len(e.DetailType) + len(e.Detail) + (e.Resources ?? []).reduce((n, r) => n + len(r), 0);
}

/** Error codes worth retrying (throttling and transient service failures). */
export function isRetryable(code: string): boolean {
  return /Throttl|InternalFailure|InternalException|ServiceUnavailable|Timeout|LimitExceeded|NetworkError|5\d\d/i.test(
    code,
  );
}

/**
 * Adapts anything with an SDK-shaped `putEvents` (`{Entries: [{ErrorCode?, ErrorMessage?}]}` results, like the
 * embedded bus) to the forwarder's Publisher.
 */
export function publisherFromPutEvents(
  put: (
    entries: PublishEntry[],
  ) => Promise<{ FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] }>,
): Publisher {
  return {
    async putEvents(entries) {
      const out = await put(entries);
      const failed: PublishFailure[] = [];
      (out.Entries ?? []).forEach((r, index) => {
        if (r.ErrorCode) failed.push({ index, code: r.ErrorCode, message: r.ErrorMessage ?? '' });
      });
      // A count without per-entry detail: treat every entry as failed rather than lose any.
      if (!failed.length && (out.FailedEntryCount ?? 0) > 0) {
        entries.forEach((_, index) => {
          failed.push({ index, code: 'InternalFailure', message: 'FailedEntryCount without entry results' });
        });
      }
      return { failed };
    },
  };
}
