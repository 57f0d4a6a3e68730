/**
 * LOCAL ONLY. What the local run saw of each message's last failure (the reason, the receive
 * count), so that the line and the mail for a message reaching a DLQ can say why: fed by the
 * handlers' observers (a record ingest rejected, a request invalidate deferred or rejected) and
 * by the pollers' batch results (a whole batch failed, each failed message's receive count).
 * Bounded: the oldest notes go first.
 */
import type { PipelineObservers } from './handlers.js';
import type { BatchResult } from './poller.js';

export interface FailureNote {
  readonly reason?: string;
  readonly receiveCount?: number;
}

export interface FailureNotes {
  get(messageId: string): FailureNote | undefined;
  /** The handlers' observers, noting failures before passing each report on. */
  observe(observers: PipelineObservers): PipelineObservers;
  /** A poller's batch result. */
  batch(result: BatchResult): void;
}

const MAX_NOTES = 10_000;

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function failureNotes(max = MAX_NOTES): FailureNotes {
  const notes = new Map<string, FailureNote>();
  const note = (messageId: string, n: FailureNote) => {
    const merged = { ...notes.get(messageId), ...n };
    notes.delete(messageId); // re-inserted last: the map's order is the notes' age
    notes.set(messageId, merged);
    if (notes.size > max) notes.delete(notes.keys().next().value!);
  };
  return {
    get: (messageId) => notes.get(messageId),
    observe: (observers) => ({
      ingest: (outcome) => {
        if (outcome.status === 'failed') note(outcome.messageId, { reason: outcome.error });
        observers.ingest?.(outcome);
      },
      invalidate: (report) => {
        for (const d of report.deferred) note(d.messageId, { reason: d.reason });
        for (const r of report.rejected) note(r.messageId, { reason: r.error });
        observers.invalidate?.(report);
      },
      // A log file is never retried for its content (rejected: counted as such); passed on.
      ...(observers.logs ? { logs: observers.logs } : {}),
    }),
    batch: (result) => {
      const whole = result.error === undefined ? undefined : describeError(result.error);
      for (const id of result.failed)
        note(id, {
          ...(whole ? { reason: `the whole batch failed: ${whole}` } : {}),
          ...(result.receiveCounts[id] ? { receiveCount: result.receiveCounts[id] } : {}),
        });
    },
  };
}
