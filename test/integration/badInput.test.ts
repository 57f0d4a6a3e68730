/**
 * The bad-input corpus (test/fixtures/bad-input/ingest, …/invalidate) through the real handlers
 * against the emulator. Each case goes in a batch with a good message: the case ends as its
 * manifest says (rejected naming the field, skipped, or accepted), and the good message's effect
 * is asserted in the emulator (its tags; its invalidation). A last test sends every case of a
 * target in one batch.
 */
import { GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IngestOutcome } from '../../functions/ingest/types.js';
import type { InvalidateReport } from '../../functions/invalidate/types.js';
import { buildPipelineHandlers } from '../../local/handlers.js';
import { provisionedStack, type LocalResources } from '../../local/pipeline.js';
import { logger } from '../../shared/observability.js';
import { fillPlaceholders, loadCases, type CorpusCase } from '../helpers/badInput.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { s3EventRecord, s3Message, sqsRecord } from '../helpers/factories.js';

let emu: TestEmulator;
let res: LocalResources;

beforeAll(async () => {
  emu = await startTestEmulator();
  res = await provisionedStack(emu.clients, { stage: 'badinput' });
}, 60_000);
afterAll(() => emu?.stop());

const ingestOutcomes: IngestOutcome[] = [];
const reports: InvalidateReport[] = [];
const handlers = () =>
  buildPipelineHandlers(
    emu.clients,
    res,
    { DISCOVERY_CACHE_SECONDS: '0' },
    { ingest: (o) => ingestOutcomes.push(o), invalidate: (r) => reports.push(r) },
  );

beforeEach(() => {
  ingestOutcomes.length = 0;
  reports.length = 0;
  vi.restoreAllMocks();
});

async function put(key: string): Promise<void> {
  await emu.clients.s3.send(
    new PutObjectCommand({ Bucket: res.bucket, Key: key, Body: 'x', ContentType: 'text/plain' }),
  );
}

async function tagsOf(key: string): Promise<Record<string, string>> {
  const out = await emu.clients.s3.send(
    new GetObjectTaggingCommand({ Bucket: res.bucket, Key: key }),
  );
  return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key, t.Value]));
}

/** Every path of every invalidation on the stage's distribution. */
async function invalidatedPaths(): Promise<Set<string>> {
  const cf = emu.clients.cloudfront;
  const id = res.distribution.id;
  const list = await cf.send(new ListInvalidationsCommand({ DistributionId: id, MaxItems: 1000 }));
  const paths = new Set<string>();
  for (const item of list.InvalidationList?.Items ?? []) {
    const got = await cf.send(new GetInvalidationCommand({ DistributionId: id, Id: item.Id }));
    for (const p of got.Invalidation?.InvalidationBatch?.Paths?.Items ?? []) paths.add(p);
  }
  return paths;
}

// ---------------------------------------------------------------------------------------------
// ingest
// ---------------------------------------------------------------------------------------------

const ingestCases = loadCases('ingest');

/** The case's SQS body: placeholders filled, its record repeated when the case says so. */
function ingestBody(c: CorpusCase): string {
  const text = fillPlaceholders(c.text, { bucket: res.bucket });
  const repeat = c.options?.repeatRecords;
  if (typeof repeat !== 'number') return text;
  const message = JSON.parse(text) as { Records: unknown[] };
  return JSON.stringify({ Records: Array.from({ length: repeat }, () => message.Records[0]) });
}

/**
 * The key the case's event names: S3's form encoding decoded the documented way (`+` is a
 * space, then percent-decoding); an EventBridge event's key as it is (not encoded).
 */
function eventKey(c: CorpusCase): string {
  const message = JSON.parse(ingestBody(c)) as {
    Records?: Array<{ s3: { object: { key: string } } }>;
    detail?: { object: { key: string } };
  };
  if (!message.Records) return message.detail!.object.key;
  return decodeURIComponent(message.Records[0]!.s3.object.key.replace(/\+/g, ' '));
}

/** A good upload and its event, for the same batch as a case. */
async function goodIngestRecord(name: string): Promise<{ key: string; record: SQSRecord }> {
  const key = `good/${name}.json`;
  await put(key);
  return { key, record: sqsRecord(s3Message(s3EventRecord({ key, bucket: res.bucket }))) };
}

function outcomeOf(messageId: string): IngestOutcome[] {
  return ingestOutcomes.filter((o) => o.messageId === messageId);
}

describe('ingest: the bad-input corpus', () => {
  it('holds at least the cases the issue names', () => {
    expect(ingestCases.length).toBeGreaterThanOrEqual(25);
  });

  describe.each(ingestCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    it(`ends ${c.expect} and the good record of its batch is tagged`, async () => {
      const errors = vi.spyOn(logger, 'error');
      if (c.expect === 'accepted') await put(eventKey(c));
      const bad = sqsRecord(ingestBody(c));
      const good = await goodIngestRecord(c.id);
      const response = await handlers().ingest({ Records: [bad, good.record] });

      expect(await tagsOf(good.key)).toMatchObject({ 'cdn:class': 'document' });
      expect(outcomeOf(good.record.messageId)).toMatchObject([{ status: 'processed' }]);
      const outcomes = outcomeOf(bad.messageId);

      if (c.expect === 'rejected') {
        expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
        expect(outcomes).toHaveLength(1);
        const [failed] = outcomes;
        expect(failed).toMatchObject({ status: 'failed', field: c.expectField });
        if (failed?.status !== 'failed') throw new Error('not failed');
        expect(failed.error).toContain(c.expectField);
        if (c.expectMessageIncludes) expect(failed.error).toContain(c.expectMessageIncludes);
        // One log line naming the field, without the body.
        expect(errors).toHaveBeenCalledWith(
          'record rejected',
          expect.objectContaining({ messageId: bad.messageId, field: c.expectField }),
        );
        for (const call of errors.mock.calls)
          expect(JSON.stringify(call)).not.toContain(bad.body.slice(0, 200));
      } else if (c.expect === 'skipped') {
        expect(response.batchItemFailures).toEqual([]);
        expect(outcomes).toMatchObject([{ status: 'skipped' }]);
        if (c.expectMessageIncludes)
          expect(outcomes[0]).toMatchObject({
            reason: expect.stringContaining(c.expectMessageIncludes),
          });
      } else {
        expect(response.batchItemFailures).toEqual([]);
        expect(outcomes).toMatchObject([{ status: 'processed', key: eventKey(c) }]);
        const expectTags = (c.options?.expectTags ?? {}) as Record<string, string>;
        expect(await tagsOf(eventKey(c))).toMatchObject(expectTags);
        if (c.expectMessageIncludes) {
          const [done] = outcomes;
          if (done?.status !== 'processed') throw new Error('not processed');
          expect(done.warnings.join('\n')).toContain(c.expectMessageIncludes);
        }
      }
    });
  });

  it('fails exactly the rejected messages when the whole corpus arrives in one batch', async () => {
    for (const c of ingestCases) if (c.expect === 'accepted') await put(eventKey(c));
    const cases = ingestCases.map((c) => ({ c, record: sqsRecord(ingestBody(c)) }));
    const goods = [await goodIngestRecord('batch-1'), await goodIngestRecord('batch-2')];
    const event: SQSEvent = {
      Records: [goods[0]!.record, ...cases.map((x) => x.record), goods[1]!.record],
    };
    const response = await handlers().ingest(event);
    const rejected = cases.filter((x) => x.c.expect === 'rejected');
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      rejected.map((x) => x.record.messageId).sort(),
    );
    for (const x of rejected)
      expect(outcomeOf(x.record.messageId)).toMatchObject([
        { status: 'failed', field: x.c.expectField },
      ]);
    for (const g of goods) expect(await tagsOf(g.key)).toMatchObject({ 'cdn:class': 'document' });
  });
});

// ---------------------------------------------------------------------------------------------
// invalidate
// ---------------------------------------------------------------------------------------------

const invalidateCases = loadCases('invalidate');

function goodRequest(name: string): { path: string; record: SQSRecord } {
  const key = `inv/good-${name}.html`;
  return {
    path: `/${key}`,
    record: sqsRecord(
      JSON.stringify({
        v: 1,
        bucket: res.bucket,
        key,
        etag: 'd41d8cd98f00b204e9800998ecf8427e',
        eventTime: '2026-11-22T00:00:00.000Z',
        reason: 'overwrite',
      }),
    ),
  };
}

describe('invalidate: the bad-input corpus', () => {
  it('holds malformed and valid-but-unusual requests', () => {
    expect(invalidateCases.length).toBeGreaterThanOrEqual(15);
  });

  describe.each(invalidateCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    it(`ends ${c.expect} and the good request of its batch is invalidated`, async () => {
      const errors = vi.spyOn(logger, 'error');
      const bad = sqsRecord(fillPlaceholders(c.text, { bucket: res.bucket }));
      const good = goodRequest(c.id);
      const response = await handlers().invalidate({ Records: [good.record, bad] });
      const paths = await invalidatedPaths();
      expect(paths).toContain(good.path);
      const [report] = reports;

      if (c.expect === 'rejected') {
        expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
        expect(report!.rejected).toHaveLength(1);
        const [rejected] = report!.rejected;
        expect(rejected).toMatchObject({ messageId: bad.messageId, field: c.expectField });
        expect(rejected!.error).toContain(`${c.expectField}:`);
        if (c.expectMessageIncludes) expect(rejected!.error).toContain(c.expectMessageIncludes);
        expect(errors).toHaveBeenCalledWith(
          'invalidation request rejected',
          expect.objectContaining({ messageId: bad.messageId, field: c.expectField }),
        );
      } else {
        expect(response.batchItemFailures).toEqual([]);
        expect(report!.rejected).toEqual([]);
        expect(paths).toContain(c.options?.expectPath);
      }
    });
  });

  it('fails exactly the rejected messages when the whole corpus arrives in one batch', async () => {
    const cases = invalidateCases.map((c) => ({
      c,
      record: sqsRecord(fillPlaceholders(c.text, { bucket: res.bucket })),
    }));
    const good = goodRequest('whole-batch');
    const response = await handlers().invalidate({
      Records: [...cases.map((x) => x.record), good.record],
    });
    const rejected = cases.filter((x) => x.c.expect === 'rejected');
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      rejected.map((x) => x.record.messageId).sort(),
    );
    expect(reports[0]!.rejected.map((r) => r.field).sort()).toEqual(
      rejected.map((x) => x.c.expectField).sort(),
    );
    expect(await invalidatedPaths()).toContain(good.path);
  });
});
