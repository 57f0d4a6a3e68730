/**
 * Ingest reads an object's cache tags (its `cache-tag` metadata) with one HeadObject, against the
 * emulator, only for buckets whose distributions read tags (CACHE_TAG_BUCKETS) and only for records
 * that ask for an invalidation; the tags travel in the invalidation request. Calls per object are
 * counted with an SDK middleware, before (tags off) and after (tags on).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/handler.js';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import type { IngestOutcome } from '../../functions/ingest/types.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { cacheTagMetadata } from '../../shared/invalidation/cacheTags.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { acknowledge, bodies, purge, receive } from '../helpers/sqs.js';

let emu: TestEmulator;
let stack: LocalStack;
const s3Calls: string[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  stack = await bootstrapLocalStack(emu.clients, { stage: 'tags' });
  emu.clients.s3.middlewareStack.add(
    (next, context) => (args) => {
      s3Calls.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize', name: 'countS3Calls' },
  );
}, 60_000);
afterAll(() => emu?.stop());

const outcomes: IngestOutcome[] = [];
beforeEach(async () => {
  outcomes.length = 0;
  await purge(emu.clients.sqs, stack.objectEvents);
  await purge(emu.clients.sqs, stack.invalidationRequests);
});

async function put(key: string, metadata?: Record<string, string>) {
  await emu.clients.s3.send(
    new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: key, Metadata: metadata }),
  );
}

/** Ingest on the S3 notifications waiting; the S3 calls it made, by command. */
async function ingestNotifications(expected: number, env: Record<string, string>) {
  const event = await receive(emu.clients.sqs, stack.objectEvents, {
    min: expected,
    timeoutMs: 10_000,
    filter: (r) => !r.body.includes('s3:TestEvent'),
  });
  expect(event.Records).toHaveLength(expected);
  s3Calls.length = 0;
  const handler = createIngestHandler(
    {
      clients: emu.clients,
      config: loadIngestConfig({ ...env, INVALIDATION_QUEUE_URL: stack.invalidationRequests.url }),
    },
    (o) => outcomes.push(o),
  );
  expect((await handler(event)).batchItemFailures).toEqual([]);
  await acknowledge(emu.clients.sqs, stack.objectEvents, event);
  const calls = new Map<string, number>();
  for (const c of s3Calls) calls.set(c, (calls.get(c) ?? 0) + 1);
  return calls;
}

async function requests(min: number): Promise<InvalidationRequest[]> {
  return bodies<InvalidationRequest>(
    await receive(emu.clients.sqs, stack.invalidationRequests, { min, timeoutMs: 5_000 }),
  );
}

/** Uploads `keys` twice (the second upload overwrites) and ingests each round. */
async function twoRounds(
  keys: string[],
  env: Record<string, string>,
  metadata?: (k: string) => Record<string, string>,
) {
  for (const k of keys) await put(k, metadata?.(k));
  const first = await ingestNotifications(keys.length, env);
  for (const k of keys) await put(k, metadata?.(k));
  const second = await ingestNotifications(keys.length, env);
  return { first, second, sent: await requests(keys.length) };
}

const ladder = () => cacheTagMetadata(['Ladder:7', 'title-7'], { 'Ladder:7': 501 });

describe('ingest and cache tags', () => {
  it('passes the tags and declared sizes along, with one HeadObject per requested object', async () => {
    const keys = ['hls/t7/seg-1.ts', 'hls/t7/seg-2.ts', 'hls/t7/index.m3u8'];
    const on = await twoRounds(keys, { CACHE_TAG_BUCKETS: stack.bucket }, ladder);
    // First upload: new keys, nothing requested, no HeadObject.
    expect(on.first.get('HeadObjectCommand') ?? 0).toBe(0);
    // The overwrites: each requested, each read once.
    expect(on.second.get('HeadObjectCommand')).toBe(keys.length);
    expect(on.sent.map((r) => [r.key, r.cacheTags, r.cacheTagMembers]).sort()).toEqual(
      keys.map((k) => [k, ['Ladder:7', 'title-7'], { 'ladder:7': 501 }]).sort(),
    );
  });

  it('makes no extra call and sends no tags where no distribution reads them', async () => {
    const keys = ['plain/a.css', 'plain/b.css'];
    const off = await twoRounds(keys, {}, ladder);
    expect(off.second.get('HeadObjectCommand') ?? 0).toBe(0);
    expect(off.sent.every((r) => r.cacheTags === undefined)).toBe(true);
    // Calls per object with tags on are the same plus one HeadObject per requested object.
    const on = await twoRounds(['plain/c.css', 'plain/d.css'], { CACHE_TAG_BUCKETS: '*' }, ladder);
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(total(on.second) - total(off.second)).toBe(2);
  });

  it('sends an untagged object without tags, and keeps the valid tags of a bad value', async () => {
    await twoRounds(['mixed/none.txt'], { CACHE_TAG_BUCKETS: '*' });
    expect(
      (
        await twoRounds(['mixed/bad.txt'], { CACHE_TAG_BUCKETS: '*' }, () => ({
          'cache-tag': 'good,has space,also-good',
        }))
      ).sent[0]!.cacheTags,
    ).toEqual(['good', 'also-good']);
    const warned = outcomes.find(
      (o) =>
        o.status === 'processed' && o.key === 'mixed/bad.txt' && o.invalidation === 'requested',
    );
    expect(warned?.status === 'processed' && warned.warnings.join(' ')).toMatch(
      /has space.*printable ASCII/,
    );
  });
});
