/**
 * The upload pipeline against the emulator: real uploads → real S3 notifications → ingest →
 * the invalidation-requests queue → invalidate → CloudFront invalidations, asserted in the
 * emulator's state. The stage, its distribution and the handlers are npm start's; the test
 * hands the handlers their batches itself, one step at a time.
 */
import { GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { provisionedStack, type LocalResources } from '../../local/pipeline.js';
import type { IngestOutcome } from '../../functions/ingest/types.js';
import type { InvalidateReport } from '../../functions/invalidate/types.js';
import { buildPipelineHandlers } from '../../local/handlers.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { logger } from '../../shared/observability.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { s3EventRecord, s3Message, sqsEvent } from '../helpers/factories.js';
import { acknowledge, bodies, purge, receive } from '../helpers/sqs.js';

let emu: TestEmulator;
let res: LocalResources;

beforeAll(async () => {
  emu = await startTestEmulator();
  res = await provisionedStack(emu.clients, { stage: 'it' });
  // S3 sends a test event when the notification is configured; later reads start clean.
}, 60_000);
afterAll(() => emu?.stop());

const ingestOutcomes: IngestOutcome[] = [];
const reports: InvalidateReport[] = [];
/** The handlers as npm start builds them (`local/handlers.ts`), with this test's settings. */
function handlers(env: Record<string, string> = {}) {
  return buildPipelineHandlers(
    emu.clients,
    res,
    { DISCOVERY_CACHE_SECONDS: '0', ...env },
    { ingest: (o) => ingestOutcomes.push(o), invalidate: (r) => reports.push(r) },
  );
}

beforeEach(async () => {
  ingestOutcomes.length = 0;
  reports.length = 0;
  await purge(emu.clients.sqs, res.objectEvents);
  await purge(emu.clients.sqs, res.invalidationRequests);
});

async function put(
  key: string,
  body = 'x',
  extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {},
) {
  return emu.clients.s3.send(
    new PutObjectCommand({ Bucket: res.bucket, Key: key, Body: body, ...extra }),
  );
}

/** Runs ingest on every S3 notification now waiting, like the event source mapping would. */
async function runIngest(expected: number, env: Record<string, string> = {}) {
  const event = await receive(emu.clients.sqs, res.objectEvents, {
    min: expected,
    filter: (r) => !r.body.includes('s3:TestEvent'),
  });
  expect(event.Records).toHaveLength(expected);
  const response = await handlers(env).ingest(event);
  await acknowledge(emu.clients.sqs, res.objectEvents, event);
  return response;
}

async function pendingRequests(min: number): Promise<SQSEvent> {
  return receive(emu.clients.sqs, res.invalidationRequests, {
    min,
    timeoutMs: min ? 5_000 : 1_500,
  });
}

async function invalidationPaths(): Promise<Array<{ id: string; ref: string; paths: string[] }>> {
  const list = await emu.clients.cloudfront.send(
    new ListInvalidationsCommand({ DistributionId: res.distribution.id }),
  );
  const out = [];
  for (const item of list.InvalidationList?.Items ?? []) {
    const got = await emu.clients.cloudfront.send(
      new GetInvalidationCommand({ DistributionId: res.distribution.id, Id: item.Id }),
    );
    out.push({
      id: item.Id!,
      ref: got.Invalidation!.InvalidationBatch!.CallerReference!,
      paths: [...(got.Invalidation!.InvalidationBatch!.Paths!.Items ?? [])].sort(),
    });
  }
  return out;
}

async function tagsOf(key: string): Promise<Record<string, string>> {
  const out = await emu.clients.s3.send(
    new GetObjectTaggingCommand({ Bucket: res.bucket, Key: key }),
  );
  return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key, t.Value]));
}

describe('ingest', () => {
  it('classifies and tags a new object and asks for no invalidation', async () => {
    await put('videos/new clip.mp4');
    const response = await runIngest(1);
    expect(response.batchItemFailures).toEqual([]);
    expect(await tagsOf('videos/new clip.mp4')).toEqual({
      'cdn:class': 'video',
      'cdn:cache': 'video',
      'cdn:ttl': '604800',
      'cdn:path': '/videos/new clip.mp4',
    });
    expect(ingestOutcomes).toMatchObject([
      { status: 'processed', invalidation: 'not-needed', reason: 'new-object' },
    ]);
    expect((await pendingRequests(0)).Records).toHaveLength(0);
  });

  it('asks for an invalidation when an upload overwrites a key, and keeps the owner tags', async () => {
    await put('charts/q3.png', 'v1');
    await put('charts/q3.png', 'v2', { Tagging: 'owner=team-a&cost-centre=42' });
    await runIngest(2);
    expect(await tagsOf('charts/q3.png')).toMatchObject({
      owner: 'team-a',
      'cost-centre': '42',
      'cdn:class': 'image',
    });
    // Both events are handled once the second upload exists; only the second replaced a
    // version older than its own, so one request (issue 8: not one per event).
    const requests = bodies<InvalidationRequest>(await pendingRequests(1));
    expect(requests.map((r) => [r.key, r.reason])).toEqual([['charts/q3.png', 'overwrite']]);
  });

  it('skips the S3 test event', async () => {
    const response = await handlers().ingest(
      sqsEvent([JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' })]),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(ingestOutcomes).toMatchObject([{ status: 'skipped', reason: 's3:TestEvent' }]);
  });

  it('never writes an object: versions are unchanged and no new notification follows tagging', async () => {
    await put('reports/r.pdf', 'a');
    await put('reports/r.pdf', 'b');
    const before = await emu.clients.s3.send(new ListObjectVersionsCommand({ Bucket: res.bucket }));
    await runIngest(2);
    const after = await emu.clients.s3.send(new ListObjectVersionsCommand({ Bucket: res.bucket }));
    expect(after.Versions?.length).toBe(before.Versions?.length);
    const again = await receive(emu.clients.sqs, res.objectEvents, { min: 1, timeoutMs: 1_500 });
    expect(again.Records).toHaveLength(0);
  });

  it('rejects bad records naming the field while the rest of the batch proceeds', async () => {
    const errors = vi.spyOn(logger, 'error');
    await put('ok/fine.json', '{}');
    const good = await receive(emu.clients.sqs, res.objectEvents, {
      min: 1,
      filter: (r) => !r.body.includes('TestEvent'),
    });
    const bad = sqsEvent([
      'not json',
      s3Message({
        ...s3EventRecord({ key: 'x.png', bucket: res.bucket }),
        eventName: 'ObjectRemoved:Delete',
      }),
      s3Message(s3EventRecord({ key: '%E0%A4%A', encoded: false, bucket: res.bucket })),
      s3Message({
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: res.bucket }, object: {} },
      }),
      JSON.stringify({ Records: 'nope' }),
    ]);
    const event: SQSEvent = { Records: [...bad.Records, ...good.Records] };
    const response = await handlers().ingest(event);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      bad.Records.map((r) => r.messageId).sort(),
    );
    const failures = ingestOutcomes.filter((o) => o.status === 'failed');
    expect(failures.map((f) => f.status === 'failed' && f.field).sort()).toEqual([
      'Records',
      'Records[0].eventName',
      'Records[0].s3.object.key',
      'Records[0].s3.object.key',
      'body',
    ]);
    expect(errors).toHaveBeenCalledWith(
      'record rejected',
      expect.objectContaining({ field: 'Records[0].eventName' }),
    );
    expect(await tagsOf('ok/fine.json')).toMatchObject({ 'cdn:class': 'document' });
    errors.mockRestore();
  });

  it.each([
    ['all', 'policy-all', 1],
    ['none', 'policy-none', 0],
  ])('honours INVALIDATE_ON=%s', async (policy, reason, queued) => {
    await put(`policy/${policy}.png`);
    await runIngest(1, { INVALIDATE_ON: policy });
    expect(ingestOutcomes).toMatchObject([{ reason }]);
    expect((await pendingRequests(queued)).Records).toHaveLength(queued);
  });

  it('falls back to invalidating every upload on an unversioned bucket', async () => {
    const bucket = 'cdn-pipeline-it-unversioned';
    await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await emu.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.png', Body: 'x' }));
    const response = await handlers().ingest(
      sqsEvent([s3Message(s3EventRecord({ key: 'a.png', bucket }))]),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(ingestOutcomes).toMatchObject([
      { invalidation: 'requested', reason: 'unversioned-bucket' },
    ]);
  });
});

describe('ingest → invalidate', () => {
  const oddKeys = [
    ['videos/clip final.mp4', '/videos/clip%20final.mp4'],
    ['a+b.png', '/a%2Bb.png'],
    ['what?#.png', '/what%3F%23.png'],
    ['ünï côdé/ré sumé.pdf', '/%C3%BCn%C3%AF%20c%C3%B4d%C3%A9/r%C3%A9%20sum%C3%A9.pdf'],
    ['100%.csv', '/100%25.csv'],
    ['stars/a*b.png', '/stars/a*'],
    ['ctrl/\u0007bell.png', '/ctrl/%07bell.png'],
    [`long/${'k'.repeat(1019)}`, `/long/${'k'.repeat(1019)}`],
  ] as const;

  it('invalidates exactly the CloudFront path of every overwritten key, whatever its characters', async () => {
    for (const [key] of oddKeys) await put(key, 'v1');
    await runIngest(oddKeys.length);
    expect((await pendingRequests(0)).Records).toHaveLength(0); // all new
    for (const [key] of oddKeys) await put(key, 'v2');
    await runIngest(oddKeys.length);
    const requests = await pendingRequests(oddKeys.length);
    const before = await invalidationPaths();
    const response = await handlers().invalidate(requests);
    expect(response.batchItemFailures).toEqual([]);
    const created = (await invalidationPaths()).filter((i) => !before.some((b) => b.id === i.id));
    expect(created).toHaveLength(1);
    expect(created[0]!.paths).toEqual(oddKeys.map(([, path]) => path).sort());
    expect(reports.at(-1)).toMatchObject({ deferred: [], rejected: [], unserved: 0 });
    expect(reports.at(-1)!.invalidations[0]).toMatchObject({
      distributionId: res.distribution.id,
      requests: oddKeys.length,
    });
  });

  it('gives a redelivered batch the same CallerReference, so CloudFront creates nothing new', async () => {
    await put('dup/a.png', '1');
    await put('dup/a.png', '2');
    await runIngest(2);
    const requests = await pendingRequests(1); // the second upload's: the first replaced nothing
    const { invalidate } = handlers();
    await invalidate(requests);
    await invalidate(requests);
    const refs = reports.map((r) => r.invalidations[0]?.callerReference);
    expect(refs[0]).toMatch(/^cdnp-/);
    // The redelivery calls again with the same reference (CloudFront returns the first
    // invalidation; moto ignores references, hence the comparison) — or, when the first
    // invalidation was created more than CLOCK_SKEW_MS after the event (a slow machine), it sees
    // that invalidation covering its path and makes no call at all. Either way nothing new.
    expect(reports[1]!.deferred).toEqual([]);
    if (reports[1]!.invalidations.length) expect(refs[1]).toBe(refs[0]);
    else
      expect(
        (await invalidationPaths()).filter((i) => i.paths.includes('/dup/a.png')),
      ).toHaveLength(1);
    // A later overwrite of the same key is a new upload: a new reference.
    await put('dup/a.png', '3');
    await runIngest(1);
    await invalidate(await pendingRequests(1));
    expect(reports.at(-1)!.invalidations[0]!.callerReference).not.toBe(refs[0]);
  });

  it('collapses a dense folder into one wildcard when few unchanged objects share it', async () => {
    const keys = Array.from(
      { length: 25 },
      (_, i) => `renders/job-7/frame-${String(i).padStart(4, '0')}.png`,
    );
    for (const key of keys) await put(key, 'v1');
    await put('renders/job-7/unchanged.png', 'v1');
    await runIngest(26);
    for (const key of keys) await put(key, 'v2');
    await runIngest(25);
    const response = await handlers({
      COLLAPSE_MIN_SIBLINGS: '20',
      WILDCARD_MAX_UNCHANGED: '5',
    }).invalidate(await pendingRequests(25));
    expect(response.batchItemFailures).toEqual([]);
    expect(reports.at(-1)!.invalidations[0]!.paths).toEqual(['/renders/job-7/*']);
  });

  it('keeps exact paths when a wildcard would evict too many unchanged objects', async () => {
    const keys = Array.from({ length: 22 }, (_, i) => `busy/f-${i}.png`);
    for (const key of [...keys, ...Array.from({ length: 10 }, (_, i) => `busy/keep-${i}.png`)])
      await put(key, 'v1');
    await runIngest(32);
    for (const key of keys) await put(key, 'v2');
    await runIngest(22);
    await handlers({ COLLAPSE_MIN_SIBLINGS: '20', WILDCARD_MAX_UNCHANGED: '5' }).invalidate(
      await pendingRequests(22),
    );
    const paths = reports.at(-1)!.invalidations[0]!.paths;
    expect(paths).toHaveLength(22);
    expect(paths.some((p) => p.endsWith('*'))).toBe(false);
  });

  it('rejects a malformed request naming the field and invalidates the rest', async () => {
    const good: InvalidationRequest = {
      v: 1,
      bucket: res.bucket,
      key: 'fine.png',
      reason: 'overwrite',
      versionId: 'v9',
    };
    const event = sqsEvent([
      JSON.stringify(good),
      JSON.stringify({ ...good, key: '' }),
      '{"v":2}',
      'nope',
    ]);
    const response = await handlers().invalidate(event);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      event.Records.slice(1).map((r) => r.messageId),
    );
    expect(reports.at(-1)!.rejected.map((r) => r.field)).toEqual(['key', 'v', 'body']);
    expect(reports.at(-1)!.invalidations[0]!.paths).toEqual(['/fine.png']);
  });

  it('succeeds without an invalidation for a bucket no distribution serves', async () => {
    const request: InvalidationRequest = {
      v: 1,
      bucket: 'some-other-bucket',
      key: 'x.png',
      reason: 'overwrite',
    };
    const response = await handlers().invalidate(sqsEvent([JSON.stringify(request)]));
    expect(response.batchItemFailures).toEqual([]);
    expect(reports.at(-1)).toMatchObject({ invalidations: [], unserved: 1 });
  });
});
