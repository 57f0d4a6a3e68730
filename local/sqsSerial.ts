/**
 * LOCAL ONLY, an emulator workaround. moto 5 deletes SQS messages by rebuilding the queue's
 * message list without its lock: two deletes at once on one queue bring a deleted message back
 * (it is handed out again after its visibility timeout: a duplicate), and a send during a delete
 * can be dropped. SQS has no such race. With several batches per queue in flight, the pipeline's
 * own writes to a queue (DeleteMessage*, SendMessage*, ChangeMessageVisibility*) therefore go
 * out one at a time per queue, through this middleware on the local SQS client. (S3's
 * notifications are sent inside the emulator and cannot be ordered from here.)
 */
import type { SQSClient } from '@aws-sdk/client-sqs';

const SERIAL = new Set([
  'DeleteMessageCommand',
  'DeleteMessageBatchCommand',
  'SendMessageCommand',
  'SendMessageBatchCommand',
  'ChangeMessageVisibilityCommand',
  'ChangeMessageVisibilityBatchCommand',
]);

const MARK = Symbol.for('cdn-pipeline.local.sqsSerial');

/** Orders the client's writes per queue URL. Idempotent per client. */
export function serializeQueueWrites(sqs: SQSClient): SQSClient {
  const marked = sqs as SQSClient & { [MARK]?: true };
  if (marked[MARK]) return sqs;
  marked[MARK] = true;
  const tails = new Map<string, Promise<unknown>>();
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const queueUrl = (args.input as { QueueUrl?: string }).QueueUrl;
      if (!queueUrl || !SERIAL.has(context.commandName ?? '')) return next(args);
      const before = tails.get(queueUrl) ?? Promise.resolve();
      const run = before.then(
        () => next(args),
        () => next(args),
      );
      const tail = run.catch(() => undefined);
      tails.set(queueUrl, tail);
      void tail.then(() => {
        if (tails.get(queueUrl) === tail) tails.delete(queueUrl);
      });
      return run;
    },
    { step: 'initialize', name: 'cdnPipelineLocalSqsSerial' },
  );
  return sqs;
}
