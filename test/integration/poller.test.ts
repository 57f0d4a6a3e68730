/**
 * The local SQS poller against the emulator, with a fake handler: it must behave like Lambda's
 * event source mapping (partial batch responses, whole-batch failure on throw, redrive to DLQ,
 * several batches at once up to the maximum concurrency, a refused endpoint reported).
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/emulator.js';
import {
  isConnectionRefused,
  startPoller,
  type BatchResult,
  type Poller,
} from '../../local/poller.js';
import { startTestEmulator, TEST_REGION, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let running: Poller | undefined;
let queueCount = 0;

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(async () => {
  await emu?.stop();
});

interface TestQueue {
  url: string;
  arn: string;
  dlqUrl: string;
}

async function createQueue(maxReceiveCount = 10, visibilityTimeout = 1): Promise<TestQueue> {
  const { sqs } = emu.clients;
  const name = `poller-test-${++queueCount}`;
  const attrs = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn ?? '';
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
  const url = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: String(visibilityTimeout),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: await attrs(dlqUrl),
            maxReceiveCount,
          }),
        },
      }),
    )
  ).QueueUrl!;
  return { url, arn: await attrs(url), dlqUrl };
}

async function send(queueUrl: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await emu.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({
          Id: `e${j}`,
          MessageBody: body,
          MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
        })),
      }),
    );
  }
}

async function count(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const res = await emu.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(res.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function poll(
  queue: TestQueue,
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>,
  options: {
    batchSize?: number;
    windowMs?: number;
    waitTimeSeconds?: number;
    maxConcurrency?: number;
  } = {},
) {
  const events: SQSEvent[] = [];
  const results: BatchResult[] = [];
  running = startPoller({
    sqs: emu.clients.sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    region: TEST_REGION,
    waitTimeSeconds: 1,
    log: () => {},
    onBatch: (r) => results.push(r),
    ...options,
    handler: async (event) => {
      events.push(event);
      return handler(event);
    },
  });
  return { events, results };
}

describe('local SQS poller', () => {
  it('hands the handler records shaped like Lambda gives them', async () => {
    const queue = await createQueue();
    await send(queue.url, ['{"hello":1}']);
    const { events } = poll(queue, async () => ({ batchItemFailures: [] }));
    const event = await until(() => events[0]);
    const record = event.Records[0]!;
    expect(record).toMatchObject({
      body: '{"hello":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: TEST_REGION,
      messageAttributes: {
        origin: {
          stringValue: 'test',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
      },
    });
    expect(record.messageId).toMatch(/\S/);
    expect(record.receiptHandle).toMatch(/\S/);
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(0);
    expect(record.attributes.SenderId).toMatch(/\S/);
  });

  it('deletes only the records not reported as failed, and the failed ones come back', async () => {
    const queue = await createQueue();
    await send(queue.url, ['ok-1', 'fail-1', 'ok-2', 'fail-2']);
    const seen: Array<{ body: string; receiveCount: string }> = [];
    const { results } = poll(
      queue,
      async (event) => {
        for (const r of event.Records) {
          seen.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
        }
        const failing = event.Records.filter(
          (r) => r.body.startsWith('fail') && r.attributes.ApproximateReceiveCount === '1',
        );
        return { batchItemFailures: failing.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { batchSize: 10, windowMs: 300 },
    );
    await until(() => (seen.filter((s) => s.receiveCount === '2').length === 2 ? true : undefined));
    expect(results[0]).toMatchObject({ records: 4, deleted: 2 });
    expect(results[0]!.failed).toHaveLength(2);
    expect(
      seen
        .filter((s) => s.receiveCount === '2')
        .map((s) => s.body)
        .sort(),
    ).toEqual(['fail-1', 'fail-2']);
    expect(seen.filter((s) => s.body.startsWith('ok'))).toHaveLength(2);
    await until(() => (results.reduce((n, r) => n + r.deleted, 0) === 4 ? true : undefined));
    expect(await count(queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('deletes nothing when the handler throws', async () => {
    const queue = await createQueue(10, 30);
    await send(queue.url, ['a', 'b', 'c']);
    let calls = 0;
    const { results } = poll(
      queue,
      async () => {
        calls += 1;
        throw new Error('boom');
      },
      { windowMs: 300 },
    );
    await until(() => (results.length ? true : undefined));
    await running?.stop();
    running = undefined;
    expect(calls).toBe(1);
    expect(results[0]).toMatchObject({ records: 3, deleted: 0 });
    expect((results[0]!.error as Error).message).toBe('boom');
    const total = await count(queue.url);
    expect(total.visible + total.inFlight).toBe(3);
  });

  it('fails the whole batch when the response names a message that is not in it', async () => {
    const queue = await createQueue();
    await send(queue.url, ['x', 'y']);
    const { results } = poll(
      queue,
      async () => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] }),
      {
        windowMs: 300,
      },
    );
    await until(() => results[0]);
    expect(results[0]).toMatchObject({ records: 2, deleted: 0 });
  });

  it('accumulates a batch over the window, beyond one receive of 10', async () => {
    const queue = await createQueue(10, 30);
    await send(
      queue.url,
      Array.from({ length: 25 }, (_, i) => `m${i}`),
    );
    const { events } = poll(queue, async () => undefined, { batchSize: 1000, windowMs: 1500 });
    const first = await until(() => events[0]);
    expect(first.Records).toHaveLength(25);
  });

  it('leaves redrive to the queue: a message failing maxReceiveCount times lands in the DLQ', async () => {
    const queue = await createQueue(2);
    await send(queue.url, ['poison']);
    let receives = 0;
    poll(queue, async (event) => {
      receives += event.Records.length;
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    const deadline = Date.now() + 15_000;
    let moved: string | undefined;
    while (!moved && Date.now() < deadline) {
      const res = await emu.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, WaitTimeSeconds: 1 }),
      );
      moved = res.Messages?.[0]?.Body;
    }
    expect(moved).toBe('poison');
    expect(receives).toBe(2);
  });

  it('stops promptly while a long poll is waiting', async () => {
    const queue = await createQueue();
    poll(queue, async () => undefined, { waitTimeSeconds: 20 });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await running?.stop();
    running = undefined;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('handles several batches at once, never more than maxConcurrency, each message once', async () => {
    const queue = await createQueue(10, 30);
    await send(
      queue.url,
      Array.from({ length: 60 }, (_, i) => `m${i}`),
    );
    let active = 0;
    let most = 0;
    const handled: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const { results } = poll(
      queue,
      async (event) => {
        active += 1;
        most = Math.max(most, active);
        // The first batches wait until three are in flight at once: concurrency, not speed.
        if (active >= 3) release();
        await gate;
        for (const r of event.Records) handled.push(r.body);
        active -= 1;
      },
      { batchSize: 5, maxConcurrency: 3 },
    );
    await until(() => (handled.length === 60 ? true : undefined), 20_000);
    expect(most).toBe(3);
    expect(Math.max(...results.map((r) => r.inFlight))).toBe(3);
    expect(results.every((r) => r.inFlight >= 1 && r.inFlight <= 3)).toBe(true);
    expect(results.every((r) => r.records <= 5)).toBe(true);
    expect(new Set(handled).size).toBe(60);
    await until(() => (results.reduce((n, r) => n + r.deleted, 0) === 60 ? true : undefined));
    expect(await count(queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('leaves messages on the queue while every slot is busy (not received and held)', async () => {
    const queue = await createQueue(10, 30);
    await send(
      queue.url,
      Array.from({ length: 30 }, (_, i) => `m${i}`),
    );
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const { events } = poll(
      queue,
      async () => {
        await gate;
      },
      { batchSize: 10, maxConcurrency: 2 },
    );
    await until(() => (events.length === 2 ? true : undefined));
    // Give a third receive every chance to happen: it must not.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(events).toHaveLength(2);
    expect(await count(queue.url)).toEqual({ visible: 10, inFlight: 20 });
    release();
    await until(() => (events.length === 3 ? true : undefined));
  });

  it('tells a refused endpoint apart, counting refusals in a row', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const sqs = new SQSClient({
      endpoint: dead,
      region: TEST_REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const seen: Array<{ refused: boolean; consecutive: number }> = [];
    running = startPoller({
      sqs,
      queueUrl: `${dead}/123456789012/gone`,
      queueArn: 'arn:aws:sqs:us-east-1:123456789012:gone',
      region: TEST_REGION,
      handler: async () => undefined,
      log: () => {},
      onReceiveError: (error, consecutive) =>
        seen.push({ refused: isConnectionRefused(error), consecutive }),
    });
    await until(() => (seen.length >= 2 ? true : undefined));
    expect(seen.slice(0, 2)).toEqual([
      { refused: true, consecutive: 1 },
      { refused: true, consecutive: 2 },
    ]);
    expect(isConnectionRefused(new Error('Throttling: Rate exceeded'))).toBe(false);
  });
});
