/**
 * Overwrite detection against the emulator: real uploads, real versions, real S3 notifications
 * (which on the emulator carry no versionId and no sequencer), plus events crafted with the
 * version id S3 returned, the shape AWS sends for a versioned bucket. Ingest runs as Lambda
 * builds it; the requests it queues are read back from the invalidation-requests queue.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/handler.js';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import { versioningLookup } from '../../functions/ingest/versioning.js';
import type { IngestOutcome } from '../../functions/ingest/types.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import {
  invalidationRequestSchema,
  type InvalidationRequest,
} from '../../shared/invalidation/request.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { s3EventRecord, s3Message, sqsEvent } from '../helpers/factories.js';
import { acknowledge, bodies, purge, receive } from '../helpers/sqs.js';

let emu: TestEmulator;
let stack: LocalStack;

beforeAll(async () => {
  emu = await startTestEmulator();
  stack = await bootstrapLocalStack(emu.clients, { stage: 'ow' });
}, 60_000);
afterAll(() => emu?.stop());

const outcomes: IngestOutcome[] = [];
beforeEach(async () => {
  outcomes.length = 0;
  await purge(emu.clients.sqs, stack.objectEvents);
  await purge(emu.clients.sqs, stack.invalidationRequests);
});

function ingest(env: Record<string, string> = {}, now?: () => number) {
  return createIngestHandler(
    {
      clients: emu.clients,
      config: loadIngestConfig({ ...env, INVALIDATION_QUEUE_URL: stack.invalidationRequests.url }),
      ...(now ? { now } : {}),
    },
    (o) => outcomes.push(o),
  );
}

async function put(key: string, body: string, bucket = stack.bucket) {
  const out = await emu.clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
  );
  return { versionId: out.VersionId!, eTag: out.ETag!.replace(/"/g, '') };
}

/** Ingest on every S3 notification now waiting, as the event source mapping would. */
async function ingestNotifications(expected: number, env: Record<string, string> = {}) {
  const event = await receive(emu.clients.sqs, stack.objectEvents, {
    min: expected,
    timeoutMs: 10_000,
    filter: (r) => !r.body.includes('s3:TestEvent'),
  });
  expect(event.Records).toHaveLength(expected);
  const response = await ingest(env)(event);
  expect(response.batchItemFailures).toEqual([]);
  await acknowledge(emu.clients.sqs, stack.objectEvents, event);
}

async function queuedRequests(min: number): Promise<InvalidationRequest[]> {
  return bodies<InvalidationRequest>(
    await receive(emu.clients.sqs, stack.invalidationRequests, {
      min: min || 1,
      timeoutMs: min ? 5_000 : 1_500,
    }),
  );
}

const reasons = () =>
  outcomes.map((o) => (o.status === 'processed' ? `${o.key} ${o.reason}` : o.status)).sort();

describe('a late event of a new upload, handled once the key was overwritten', () => {
  it('asks for one invalidation per overwrite, not one per event (real notifications)', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `late/job-${i % 4}/frame-${i}.png`);
    // Both uploads land before ingest sees either event: the first upload's event then finds
    // two versions, but only the second upload replaced anything.
    for (const key of keys) await put(key, `v1 ${key}`);
    for (const key of keys) await put(key, `v2 ${key}`);
    await ingestNotifications(2 * keys.length);
    const requested = outcomes.filter(
      (o) => o.status === 'processed' && o.invalidation === 'requested',
    );
    expect(requested).toHaveLength(keys.length);
    const requests = await queuedRequests(keys.length);
    expect(requests).toHaveLength(keys.length);
    expect(requests.map((r) => r.key).sort()).toEqual([...keys].sort());
    expect(requests.every((r) => r.reason === 'overwrite')).toBe(true);
  });

  it('tells the two uploads apart by version id when the event names one (AWS event shape)', async () => {
    const v1 = await put('exact/a.png', 'same body');
    const v2 = await put('exact/a.png', 'same body'); // same ETag: only the version id tells
    const event = sqsEvent([
      s3Message(s3EventRecord({ key: 'exact/a.png', bucket: stack.bucket, ...v1 })),
      s3Message(s3EventRecord({ key: 'exact/a.png', bucket: stack.bucket, ...v2 })),
    ]);
    await ingest()(event);
    const requests = await queuedRequests(1);
    expect(requests.map((r) => r.versionId)).toEqual([v2.versionId]);
    expect(outcomes.map((o) => o.status === 'processed' && o.reason).sort()).toEqual([
      'new-object',
      'overwrite',
    ]);
  });

  it('without a version id, cannot tell two uploads of the same body apart: asks for both', async () => {
    // The emulator's own notifications: the ETag is the same, so each event is placed at the
    // newest version with it; a spare invalidation, never a missed one.
    await put('same/body.png', 'identical');
    await put('same/body.png', 'identical');
    await ingestNotifications(2);
    expect(reasons()).toEqual(['same/body.png overwrite', 'same/body.png overwrite']);
  });

  it('does not count a delete marker newer than the upload (a new key deleted before its event)', async () => {
    const key = 'late/deleted-after.png';
    const v1 = await put(key, 'v1');
    await new Promise((r) => setTimeout(r, 1_100)); // S3 time stamps have whole seconds
    await emu.clients.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: key }));
    await ingest()(sqsEvent([s3Message(s3EventRecord({ key, bucket: stack.bucket, ...v1 }))]));
    expect(outcomes).toMatchObject([{ invalidation: 'not-needed', reason: 'new-object' }]);
  });

  it('reads every page of a key with many versions (page after page)', async () => {
    const key = 'many/versions.json';
    const versions = [];
    for (let i = 0; i < 120; i += 1) versions.push(await put(key, `v${i}`));
    // A key that shares the prefix must not be taken for an older version.
    const other = await put(`${key}.bak`, 'other');
    const event = sqsEvent([
      s3Message(s3EventRecord({ key, bucket: stack.bucket, ...versions[0]! })),
      s3Message(s3EventRecord({ key, bucket: stack.bucket, ...versions[119]! })),
      s3Message(s3EventRecord({ key: `${key}.bak`, bucket: stack.bucket, eTag: other.eTag })),
    ]);
    await ingest()(event);
    expect(reasons()).toEqual([`${key} new-object`, `${key} overwrite`, `${key}.bak new-object`]);
  });
});

describe('a key whose older versions are gone', () => {
  async function overwrittenThenPruned(key: string) {
    const v1 = await put(key, 'v1');
    const v2 = await put(key, 'v2');
    // The version the upload replaced is removed for good, as lifecycle expiry does.
    await emu.clients.s3.send(
      new DeleteObjectCommand({ Bucket: stack.bucket, Key: key, VersionId: v1.versionId }),
    );
    return v2;
  }

  it('asks for an invalidation when the event is older than lifecycle could act (a day)', async () => {
    const key = 'gone/expired.png';
    const v2 = await overwrittenThenPruned(key);
    const now = () => Date.now() + 25 * 3600_000; // e.g. redriven from the DLQ a day later
    await ingest(
      {},
      now,
    )(sqsEvent([s3Message(s3EventRecord({ key, bucket: stack.bucket, ...v2 }))]));
    expect(outcomes).toMatchObject([{ invalidation: 'requested', reason: 'history-unknown' }]);
  });

  it('cannot see a version-id delete within the day: documented, the key counts as new', async () => {
    const key = 'gone/pruned.png';
    const v2 = await overwrittenThenPruned(key);
    await ingest()(sqsEvent([s3Message(s3EventRecord({ key, bucket: stack.bucket, ...v2 }))]));
    expect(outcomes).toMatchObject([{ invalidation: 'not-needed', reason: 'new-object' }]);
  });

  it('counts a delete marker older than the upload as proof the key existed', async () => {
    const key = 'gone/recreated.png';
    const v1 = await put(key, 'v1');
    await emu.clients.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: key }));
    // The old version is removed for good (a version-id delete, as lifecycle expiry does).
    await emu.clients.s3.send(
      new DeleteObjectCommand({ Bucket: stack.bucket, Key: key, VersionId: v1.versionId }),
    );
    const v2 = await put(key, 'v2');
    await ingest()(sqsEvent([s3Message(s3EventRecord({ key, bucket: stack.bucket, ...v2 }))]));
    expect(outcomes).toMatchObject([{ invalidation: 'requested', reason: 'recreated' }]);
    expect((await queuedRequests(1)).map((r) => r.reason)).toEqual(['recreated']);
  });
});

describe('a new key, whose 404 (or 403) CloudFront may have cached', () => {
  it('is asked for, conditionally, with INVALIDATE_NEW_KEYS=when-error-cached', async () => {
    await put('fresh/next-segment.ts', 'v1');
    await ingestNotifications(1, { INVALIDATE_NEW_KEYS: 'when-error-cached' });
    expect(outcomes).toMatchObject([{ invalidation: 'conditional', reason: 'new-object' }]);
    const [request] = await queuedRequests(1);
    expect(request).toMatchObject({
      key: 'fresh/next-segment.ts',
      reason: 'new-object',
      ifErrorCachedOver: 120,
    });
    expect(invalidationRequestSchema.parse(request)).toEqual(request);
  });

  it('is asked for everywhere with always, and not at all with never (the default)', async () => {
    await put('fresh/always.ts', 'v1');
    await ingestNotifications(1, { INVALIDATE_NEW_KEYS: 'always' });
    const [request] = await queuedRequests(1);
    expect(request).toMatchObject({ key: 'fresh/always.ts', reason: 'new-object' });
    expect(request).not.toHaveProperty('ifErrorCachedOver');
    await put('fresh/never.ts', 'v1');
    await ingestNotifications(1);
    expect(outcomes.at(-1)).toMatchObject({ invalidation: 'not-needed', reason: 'new-object' });
    expect(await queuedRequests(0)).toHaveLength(0);
  });
});

describe('the versioning status', () => {
  it('is read again once VERSIONING_CACHE_SECONDS have passed', async () => {
    const bucket = 'cdn-pipeline-ow-switching';
    await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const setVersioning = (Status: 'Enabled' | 'Suspended') =>
      emu.clients.s3.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status } }),
      );
    let now = 1_000_000;
    const isVersioned = versioningLookup(emu.clients.s3, { ttlSeconds: 300, now: () => now });
    await setVersioning('Enabled');
    expect(await isVersioned(bucket)).toBe(true);
    await setVersioning('Suspended');
    now += 299_000;
    expect(await isVersioned(bucket)).toBe(true); // still the cached answer
    now += 1_000;
    expect(await isVersioned(bucket)).toBe(false);
    await setVersioning('Enabled');
    now += 300_000;
    expect(await isVersioned(bucket)).toBe(true);
  });
});
