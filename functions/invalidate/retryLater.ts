/**
 * Brings deferred messages back sooner than the queue's visibility timeout (17 minutes): a
 * held request after a minute, a quota deferral with backoff (hold.ts). The handler reports them
 * as batch item failures as before; this only shortens how long SQS keeps them invisible, with
 * ChangeMessageVisibility on the receipt handles Lambda passed in. If the call fails, the messages
 * come back at the visibility timeout: later, never lost.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueUrlCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** ChangeMessageVisibilityBatch takes at most 10 entries. */
const MAX_ENTRIES = 10;
const queueUrls = new Map<string, Promise<string>>();

/** The queue URL of a record's `eventSourceARN` (arn:aws:sqs:REGION:ACCOUNT:NAME), looked up once. */
function queueUrl(sqs: SQSClient, arn: string): Promise<string> {
  let url = queueUrls.get(arn);
  if (!url) {
    const [, , , , account, name] = arn.split(':');
    if (!name || !account) return Promise.reject(new Error(`not an SQS queue ARN: ${arn}`));
    url = sqs
      .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
      .then((r) => r.QueueUrl ?? Promise.reject(new Error(`no URL for queue ${name}`)));
    url.catch(() => queueUrls.delete(arn));
    queueUrls.set(arn, url);
  }
  return url;
}

/** Sets each listed message's visibility to its `retryAfter` seconds; failures go to `onError`. */
export async function retryLater(
  sqs: SQSClient,
  records: readonly SQSRecord[],
  retryAfter: ReadonlyMap<string, number>,
  onError: (error: string) => void,
): Promise<void> {
  const byQueue = new Map<string, SQSRecord[]>();
  for (const record of records) {
    if (!retryAfter.has(record.messageId)) continue;
    const list = byQueue.get(record.eventSourceARN) ?? [];
    list.push(record);
    byQueue.set(record.eventSourceARN, list);
  }
  for (const [arn, list] of byQueue) {
    try {
      const QueueUrl = await queueUrl(sqs, arn);
      const chunks: SQSRecord[][] = [];
      for (let i = 0; i < list.length; i += MAX_ENTRIES)
        chunks.push(list.slice(i, i + MAX_ENTRIES));
      await Promise.all(
        chunks.map(async (chunk) => {
          const res = await sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl,
              Entries: chunk.map((r, j) => ({
                Id: `m${j}`,
                ReceiptHandle: r.receiptHandle,
                VisibilityTimeout: Math.max(0, Math.round(retryAfter.get(r.messageId)!)),
              })),
            }),
          );
          if (res.Failed?.length)
            onError(`${res.Failed.length} of ${chunk.length}: ${res.Failed[0]!.Code ?? 'failed'}`);
        }),
      );
    } catch (error) {
      onError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  }
}
