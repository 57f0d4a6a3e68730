/**
 * Sends SQS messages in batches of up to 10 (SendMessageBatch) while callers await each message
 * on its own: everything enqueued in the same tick is flushed together, and each caller learns
 * whether *its* message was accepted. Lets per-record handlers run in parallel without paying
 * one SendMessage call per record.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

const MAX_BATCH = 10;

interface Pending {
  readonly body: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class SqsBatcher {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  send(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ body, resolve, reject });
      if (this.pending.length >= MAX_BATCH) {
        void this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.pending.length) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        const out = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((p, i) => ({ Id: String(i), MessageBody: p.body })),
          }),
        );
        const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
        batch.forEach((p, i) => {
          const failure = failed.get(String(i));
          if (failure)
            p.reject(
              new Error(
                `SendMessageBatch entry failed: ${failure.Code} ${failure.Message ?? ''}`.trim(),
              ),
            );
          else p.resolve();
        });
      } catch (error) {
        for (const p of batch) p.reject(error as Error);
      }
    }
  }
}
