/**
 * LOCAL ONLY. An SQS → handler poller that behaves like Lambda's SQS event source mapping:
 * long polls, accumulates a batch until `batchSize` or the batching window, hands the handler a
 * real `SQSEvent`, then deletes only the records the handler did not report in
 * `batchItemFailures`. A handler that throws, or reports an identifier that is not in the batch,
 * fails the whole batch (nothing deleted), as on AWS. Failed messages come back after the queue's
 * visibility timeout (nothing here shortens it) and the emulator's redrive moves them to the DLQ
 * after maxReceiveCount.
 *
 * Like the event source mapping, it runs several batches at once, up to `maxConcurrency`
 * (Lambda's MaximumConcurrency): one collector builds a batch while earlier ones are being
 * handled, and waits for a free slot before it receives more (messages stay on the queue, not
 * invisible in this process, while every slot is busy).
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { serializeQueueWrites } from './sqsSerial.js';

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface BatchResult {
  readonly records: number;
  readonly deleted: number;
  /** Message ids left on the queue (they come back after the visibility timeout). */
  readonly failed: readonly string[];
  /** Set when the handler threw or answered with identifiers not in the batch. */
  readonly error?: unknown;
  /** Batches being handled when this one started, itself included (1 … maxConcurrency). */
  readonly inFlight: number;
  /** Each failed message's ApproximateReceiveCount at this receive. */
  readonly receiveCounts: Readonly<Record<string, number>>;
}

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** The queue ARN as the API returned it (the records' `eventSourceARN`). */
  readonly queueArn: string;
  readonly region: string;
  readonly handler: BatchHandler;
  /** Lambda's BatchSize. Default 10. */
  readonly batchSize?: number;
  /** Lambda's MaximumBatchingWindowInSeconds, in ms. Default 0: invoke with what one receive returns. */
  readonly windowMs?: number;
  /** Lambda's MaximumConcurrency: batches handled at once. Default 1. */
  readonly maxConcurrency?: number;
  /** Long-poll wait of each ReceiveMessage, seconds (1-20). Default 5. */
  readonly waitTimeSeconds?: number;
  readonly log?: (line: string) => void;
  readonly onBatch?: (result: BatchResult) => void;
  /**
   * A receive failed (`consecutive` in a row, 1 after a success). The poller backs off and
   * retries; the caller decides when the endpoint is gone for good (see `isConnectionRefused`).
   */
  readonly onReceiveError?: (error: unknown, consecutive: number) => void;
}

export interface Poller {
  /** Ends the loop promptly (aborts the long poll) after the batches in flight have finished. */
  stop(): Promise<void>;
  /** Records in the batches being handled now. */
  readonly recordsInFlight: number;
}

const MAX_RECEIVE = 10;
const MAX_DELETE = 10;
const BACKOFF_MS = { first: 500, max: 10_000 } as const;

/** True when nothing listens at the endpoint any more (a dead emulator), not a slow answer. */
export function isConnectionRefused(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; errors?: unknown } | undefined; e;) {
    if (e.code === 'ECONNREFUSED') return true;
    if (Array.isArray(e.errors) && e.errors.some(isConnectionRefused)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

export function startPoller(options: PollerOptions): Poller {
  const abort = new AbortController();
  const log = options.log ?? ((line: string) => console.error(line));
  const state = { records: 0 };
  // Concurrent batches delete concurrently: the emulator needs those one at a time per queue.
  serializeQueueWrites(options.sqs);
  const loop = runLoop(options, abort.signal, log, state);
  return {
    stop: async () => {
      abort.abort();
      await loop;
    },
    get recordsInFlight() {
      return state.records;
    },
  };
}

async function runLoop(
  options: PollerOptions,
  signal: AbortSignal,
  log: (line: string) => void,
  state: { records: number },
): Promise<void> {
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? 1);
  const inFlight = new Set<Promise<void>>();
  const visibility = { seconds: undefined as number | undefined };
  void readVisibility(options, log).then((seconds) => (visibility.seconds = seconds));
  let backoff = 0;
  let failures = 0;
  while (!signal.aborted) {
    if (inFlight.size >= maxConcurrency) {
      await Promise.race(inFlight);
      continue;
    }
    try {
      const messages = await collectBatch(options, signal);
      backoff = 0;
      failures = 0;
      if (!messages.length) continue;
      state.records += messages.length;
      const receivedAt = Date.now();
      const batch: Promise<void> = processBatch(options, messages, log, inFlight.size + 1)
        .then(() => {
          // The local visibility timeouts are short (retries in seconds, not minutes): a batch
          // that outlasts its timeout may have been handed out again, a duplicate. Say so.
          const ms = Date.now() - receivedAt;
          if (visibility.seconds !== undefined && ms > visibility.seconds * 1000)
            log(
              `poller ${queueName(options.queueUrl)}: a batch of ${messages.length} took ` +
                `${Math.round(ms / 1000)} s, longer than the queue's visibility timeout ` +
                `(${visibility.seconds} s): its messages may have been handed out again`,
            );
        })
        .catch((error: unknown) => {
          log(`poller ${queueName(options.queueUrl)}: batch not acknowledged: ${describe(error)}`);
        })
        .finally(() => {
          state.records -= messages.length;
          inFlight.delete(batch);
        });
      inFlight.add(batch);
    } catch (error) {
      if (signal.aborted) break;
      failures += 1;
      options.onReceiveError?.(error, failures);
      backoff = Math.min(backoff ? backoff * 2 : BACKOFF_MS.first, BACKOFF_MS.max);
      log(`poller ${queueName(options.queueUrl)}: ${describe(error)}; retrying in ${backoff} ms`);
      await sleep(backoff, undefined, { signal }).catch(() => undefined);
    }
  }
  await Promise.allSettled([...inFlight]);
}

/**
 * The queue's visibility timeout, seconds. SQS's rule for event sources: a window at least as
 * long as it hands messages out again while their batch is still being collected.
 */
async function readVisibility(
  options: PollerOptions,
  log: (line: string) => void,
): Promise<number | undefined> {
  const windowMs = options.windowMs ?? 0;
  try {
    const res = await options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: options.queueUrl,
        AttributeNames: ['VisibilityTimeout'],
      }),
    );
    const seconds = Number(res.Attributes?.VisibilityTimeout);
    if (!Number.isFinite(seconds)) return undefined;
    if (windowMs > 0 && seconds * 1000 <= windowMs)
      log(
        `poller ${queueName(options.queueUrl)}: the batching window (${windowMs} ms) is not ` +
          `shorter than the queue's visibility timeout (${seconds} s): messages come back while ` +
          'their batch is collected (AWS requires the timeout to exceed the window)',
      );
    return seconds;
  } catch {
    return undefined; // the receive loop reports an unreachable queue
  }
}

/**
 * Receives until the batch is full or the window has passed since the first message. A stop
 * request ends the wait; messages already received are still handed to the handler.
 */
async function collectBatch(options: PollerOptions, signal: AbortSignal): Promise<Message[]> {
  const batchSize = options.batchSize ?? 10;
  const windowMs = options.windowMs ?? 0;
  const longPoll = options.waitTimeSeconds ?? 5;
  // Keyed by message id: a message seen twice in one window (visibility timeout shorter than
  // the window) is handed over once, with its latest receipt handle.
  const batch = new Map<string, Message>();
  let deadline: number | undefined;
  while (batch.size < batchSize && !signal.aborted) {
    let waitSeconds = longPoll;
    let last = false;
    if (deadline !== undefined) {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) break;
      waitSeconds = Math.min(longPoll, Math.floor(remainingMs / 1000));
      if (waitSeconds === 0) {
        // Long polls wait whole seconds: sleep out the last fraction, then one short poll.
        await sleep(remainingMs, undefined, { signal }).catch(() => undefined);
        last = true;
      }
    }
    let received: Message[];
    try {
      const res = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(MAX_RECEIVE, batchSize - batch.size),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      received = res.Messages ?? [];
    } catch (error) {
      // Messages already received (a stop, a failed receive mid-window) are handed over; the
      // failure shows on the next receive.
      if (batch.size) break;
      throw error;
    }
    for (const m of received) batch.set(m.MessageId ?? m.ReceiptHandle ?? String(batch.size), m);
    if (last || (batch.size && windowMs <= 0)) break;
    if (batch.size && deadline === undefined) deadline = Date.now() + windowMs;
  }
  return [...batch.values()];
}

async function processBatch(
  options: PollerOptions,
  messages: Message[],
  log: (line: string) => void,
  inFlight: number,
): Promise<void> {
  const event: SQSEvent = { Records: messages.map((m) => toRecord(m, options)) };
  const ids = new Set(event.Records.map((r) => r.messageId));
  let failedIds: Set<string>;
  let error: unknown;
  try {
    const response = await options.handler(event);
    const failures = response?.batchItemFailures ?? [];
    const unknown = failures.find((f) => !f.itemIdentifier || !ids.has(f.itemIdentifier));
    if (unknown) {
      error = new Error(
        `batchItemFailures names "${unknown.itemIdentifier}", which is not in the batch`,
      );
      failedIds = ids;
    } else {
      failedIds = new Set(failures.map((f) => f.itemIdentifier));
    }
  } catch (thrown) {
    error = thrown;
    failedIds = ids;
  }
  if (error)
    log(
      `poller ${queueName(options.queueUrl)}: handler failed the whole batch: ${describe(error)}`,
    );
  const toDelete = event.Records.filter((r) => !failedIds.has(r.messageId));
  const deleted = await deleteRecords(options, toDelete, log);
  const receiveCounts: Record<string, number> = {};
  for (const r of event.Records)
    if (failedIds.has(r.messageId))
      receiveCounts[r.messageId] = Number(r.attributes.ApproximateReceiveCount);
  options.onBatch?.({
    records: event.Records.length,
    deleted,
    failed: [...failedIds],
    ...(error === undefined ? {} : { error }),
    inFlight,
    receiveCounts,
  });
}

async function deleteRecords(
  options: PollerOptions,
  records: readonly SQSRecord[],
  log: (line: string) => void,
): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < records.length; i += MAX_DELETE) {
    const chunk = records.slice(i, i + MAX_DELETE);
    const res = await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: chunk.map((r, j) => ({ Id: `m${j}`, ReceiptHandle: r.receiptHandle })),
      }),
    );
    deleted += res.Successful?.length ?? 0;
    for (const failed of res.Failed ?? []) {
      log(
        `poller ${queueName(options.queueUrl)}: delete ${failed.Id} failed: ${failed.Code} ${failed.Message ?? ''}`,
      );
    }
  }
  return deleted;
}

/** One SQS message in the shape Lambda gives it to a function. */
export function toRecord(
  message: Message,
  source: { queueArn: string; region: string },
): SQSRecord {
  const attributes = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ...attributes,
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: toLambdaAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
  if (message.MD5OfMessageAttributes)
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

function toLambdaAttributes(
  attributes: Record<string, MessageAttributeValue>,
): SQSMessageAttributes {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    out[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: base64(value.BinaryValue) }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(base64),
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

function queueName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
