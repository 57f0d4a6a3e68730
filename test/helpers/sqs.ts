/** Test helpers that read queues the way Lambda's event source mapping would. */
import {
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { toRecord } from '../../local/poller.js';
import type { QueueRef } from '../../local/queues.js';

/** Receives until `min` messages arrived (or `timeoutMs` passed), as Lambda-shaped records. */
export async function receive(
  sqs: SQSClient,
  queue: QueueRef,
  options: { min?: number; timeoutMs?: number; filter?: (r: SQSRecord) => boolean } = {},
): Promise<SQSEvent> {
  const min = options.min ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  const records: SQSRecord[] = [];
  while (records.length < min && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    for (const m of out.Messages ?? []) {
      const record = toRecord(m, { queueArn: queue.arn, region: 'us-east-1' });
      if (!options.filter || options.filter(record)) records.push(record);
    }
  }
  return { Records: records };
}

/** Deletes the records of an event (what the event source mapping does after success). */
export async function acknowledge(sqs: SQSClient, queue: QueueRef, event: SQSEvent): Promise<void> {
  for (let i = 0; i < event.Records.length; i += 10) {
    const chunk = event.Records.slice(i, i + 10);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
      }),
    );
  }
}

export async function purge(sqs: SQSClient, queue: QueueRef): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
}

/** The messages' bodies, parsed. */
export function bodies<T = unknown>(event: SQSEvent): T[] {
  return event.Records.map((r) => JSON.parse(r.body) as T);
}
