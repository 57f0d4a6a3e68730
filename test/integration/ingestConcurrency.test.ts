/**
 * Ingest works on the records of a batch concurrently, against the emulator: never more than
 * INGEST_CONCURRENCY at once, the records of one key one after another, each message failing on
 * its own, and the batch's invalidation requests sharing SendMessageBatch calls. The calls are
 * watched by a middleware on clients of this file's own (counts and order, never time).
 */
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import { createIngestHandler } from '../../functions/ingest/handler.js';
import type { IngestOutcome } from '../../functions/ingest/types.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { createClients, type AwsClients } from '../../shared/clients.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import {
  startTestEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestEmulator,
} from '../helpers/emulator.js';
import { s3EventRecord, s3Message, sqsEvent } from '../helpers/factories.js';
import { bodies, purge, receive } from '../helpers/sqs.js';

let emu: TestEmulator;
let stack: LocalStack;

beforeAll(async () => {
  emu = await startTestEmulator();
  stack = await bootstrapLocalStack(emu.clients, { stage: 'conc' });
}, 60_000);
afterAll(() => emu?.stop());

beforeEach(async () => {
  await purge(emu.clients.sqs, stack.invalidationRequests);
});

interface Call {
  readonly op: string;
  readonly input: { Key?: string; VersionId?: string; Entries?: unknown[] };
  readonly seq: number;
  phase: 'start' | 'end';
}

/** Fresh clients whose every call is logged at start and end, in order (a sequence number). */
function watchedClients() {
  const clients = createClients({
    endpoint: emu.endpoint,
    credentials: { ...TEST_CREDENTIALS },
    region: TEST_REGION,
  });
  const log: Call[] = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  let seq = 0;
  for (const stackOf of [clients.s3.middlewareStack, clients.sqs.middlewareStack] as Array<
    AwsClients['s3']['middlewareStack']
  >) {
    stackOf.add(
      (next, context) => async (args) => {
        const op = String(context.commandName).replace(/Command$/, '');
        const input = args.input as Call['input'];
        log.push({ op, input, seq: (seq += 1), phase: 'start' });
        inFlight.set(op, (inFlight.get(op) ?? 0) + 1);
        maxInFlight.set(op, Math.max(maxInFlight.get(op) ?? 0, inFlight.get(op)!));
        try {
          return await next(args);
        } finally {
          inFlight.set(op, inFlight.get(op)! - 1);
          log.push({ op, input, seq: (seq += 1), phase: 'end' });
        }
      },
      { step: 'initialize', name: 'testCallWatch' },
    );
  }
  const count = (op: string) => log.filter((c) => c.op === op && c.phase === 'start').length;
  return { clients, log, maxInFlight, count };
}

function ingest(clients: AwsClients, env: Record<string, string> = {}) {
  const outcomes: IngestOutcome[] = [];
  const handler = createIngestHandler(
    {
      clients,
      config: loadIngestConfig({ ...env, INVALIDATION_QUEUE_URL: stack.invalidationRequests.url }),
    },
    (o) => outcomes.push(o),
  );
  return { handler, outcomes };
}

async function put(key: string, body: string) {
  const out = await emu.clients.s3.send(
    new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }),
  );
  return { versionId: out.VersionId!, eTag: out.ETag!.replace(/"/g, '') };
}

/** `n` keys, each overwritten once; one message per key for the second upload (AWS shape). */
async function overwrites(prefix: string, n: number) {
  const messages: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const key = `${prefix}/clip-${i}.mp4`;
    await put(key, 'v1');
    messages.push(
      s3Message(s3EventRecord({ key, bucket: stack.bucket, ...(await put(key, `v2 ${i}`)) })),
    );
  }
  return messages;
}

async function queued(min: number): Promise<InvalidationRequest[]> {
  return bodies<InvalidationRequest>(
    await receive(emu.clients.sqs, stack.invalidationRequests, { min, timeoutMs: 5_000 }),
  );
}

describe('ingest, a batch handled concurrently', () => {
  it('works on at most INGEST_CONCURRENCY records at once, and reaches it', async () => {
    const watched = watchedClients();
    const { handler } = ingest(watched.clients, { INGEST_CONCURRENCY: '3' });
    const response = await handler(sqsEvent(await overwrites('bounded', 12)));
    expect(response.batchItemFailures).toEqual([]);
    // One GetObjectTagging (and one PutObjectTagging) per record, made while it is worked on.
    expect(watched.count('GetObjectTagging')).toBe(12);
    expect(watched.maxInFlight.get('GetObjectTagging')).toBe(3);
    expect(watched.maxInFlight.get('PutObjectTagging')).toBeLessThanOrEqual(3);
    expect(watched.maxInFlight.get('ListObjectVersions')).toBeLessThanOrEqual(3);
  });

  it('makes one call of each kind per object, and one SendMessageBatch for a batch of 10', async () => {
    const watched = watchedClients();
    const { handler, outcomes } = ingest(watched.clients);
    const response = await handler(sqsEvent(await overwrites('calls', 10)));
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes.map((o) => o.status === 'processed' && o.reason)).toEqual(
      Array(10).fill('overwrite'),
    );
    expect({
      GetObjectTagging: watched.count('GetObjectTagging'),
      PutObjectTagging: watched.count('PutObjectTagging'),
      ListObjectVersions: watched.count('ListObjectVersions'),
      GetBucketVersioning: watched.count('GetBucketVersioning'),
      SendMessageBatch: watched.count('SendMessageBatch'),
    }).toEqual({
      GetObjectTagging: 10,
      PutObjectTagging: 10,
      ListObjectVersions: 1, // the batch's histories share one listing (history.ts)
      GetBucketVersioning: 1,
      SendMessageBatch: 1,
    });
    expect(await queued(10)).toHaveLength(10);
  });

  it('runs two records of the same key one after the other, each with its own outcome', async () => {
    const key = 'same/key.png';
    const v1 = await put(key, 'first');
    const v2 = await put(key, 'second');
    const others = await overwrites('same-others', 6);
    const watched = watchedClients();
    const { handler, outcomes } = ingest(watched.clients);
    const event = sqsEvent([
      s3Message(s3EventRecord({ key, bucket: stack.bucket, ...v1 })),
      ...others.slice(0, 3),
      s3Message(s3EventRecord({ key, bucket: stack.bucket, ...v2 })),
      ...others.slice(3),
    ]);
    const response = await handler(event);
    expect(response.batchItemFailures).toEqual([]);
    const ofVersion = (versionId: string) =>
      watched.log.filter((c) => c.input.Key === key && c.input.VersionId === versionId);
    const first = ofVersion(v1.versionId);
    const second = ofVersion(v2.versionId);
    expect(first.map((c) => `${c.phase} ${c.op}`)).toEqual([
      'start GetObjectTagging',
      'end GetObjectTagging',
      'start PutObjectTagging',
      'end PutObjectTagging',
    ]);
    expect(second).toHaveLength(4);
    // Every call of the first event's record ended before the second's began, although
    // other keys' records ran in between.
    expect(Math.max(...first.map((c) => c.seq))).toBeLessThan(
      Math.min(...second.map((c) => c.seq)),
    );
    const sameKey = outcomes.filter((o) => o.status === 'processed' && o.key === key);
    expect(sameKey.map((o) => o.status === 'processed' && o.reason)).toEqual([
      'new-object',
      'overwrite',
    ]);
    const requests = await queued(7);
    expect(requests.filter((r) => r.key === key).map((r) => r.versionId)).toEqual([v2.versionId]);
  });

  it('fails only the message whose record fails, while its batch-mates run beside it', async () => {
    const messages = await overwrites('partial', 7);
    const broken = s3Message(
      s3EventRecord({ key: 'partial/x.png', bucket: 'example-no-such-bucket' }),
    );
    const watched = watchedClients();
    const { handler, outcomes } = ingest(watched.clients, { INGEST_CONCURRENCY: '8' });
    const event = sqsEvent([...messages.slice(0, 3), broken, ...messages.slice(3)]);
    const response = await handler(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[3]!.messageId }]);
    expect(watched.maxInFlight.get('GetObjectTagging')).toBeGreaterThan(1);
    expect(outcomes.find((o) => o.status === 'failed')).toMatchObject({
      messageId: event.Records[3]!.messageId,
      error: expect.stringContaining('NoSuchBucket'),
    });
    expect(outcomes.filter((o) => o.status === 'processed')).toHaveLength(7);
    const requests = await queued(7);
    expect(requests.map((r) => r.key).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `partial/clip-${i}.mp4`),
    );
    const tags = await emu.clients.s3.send(
      new GetObjectTaggingCommand({ Bucket: stack.bucket, Key: 'partial/clip-6.mp4' }),
    );
    expect(tags.TagSet?.map((t) => t.Key)).toContain('cdn:class');
  });
});
