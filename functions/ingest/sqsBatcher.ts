/**
 * Sends SQS messages in batches of up to 10 (SendMessageBatch) while callers await each message
 * on its own, and each caller learns whether *its* message was accepted. A full batch goes out at
 * once; a partial one waits until nothing that may still send is busy (`busy`, checked after the
 * current tick and again on each `poke`), so the records of an invocation that finish at
 * different times still share their calls. Without `busy`, a partial batch goes out after the
 * tick it was started in.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

const MAX_BATCH = 10;

interface Pending {
  readonly body: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export interface SqsBatcherOptions {
  /** True while work that may still call `send` is under way: a partial batch then waits. */
  readonly busy?: () => boolean;
}

export class SqsBatcher {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly options: SqsBatcherOptions = {},
  ) {}

  send(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ body, resolve, reject });
      while (this.pending.length >= MAX_BATCH)
        void this.sendBatch(this.pending.splice(0, MAX_BATCH));
      this.poke();
    });
  }

  /** Looks again after the current tick: a partial batch goes out once nothing is busy. */
  poke(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.pending.length && !this.options.busy?.())
        void this.sendBatch(this.pending.splice(0, MAX_BATCH));
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
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
