/**
 * Ingest on an unversioned bucket with the key ledger (KEY_LEDGER_TABLE), against the emulator:
 * real objects, events in the shape S3 sends (ETag, sequencer), the requests read back from the
 * invalidation-requests queue. Without the ledger every upload is invalidated; with it, only
 * overwrites are — and a versioned bucket whose versioning is suspended stays exact.
 */
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/handler.js';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import { seedKeyLedger } from '../../functions/ingest/keyLedgerSeed.js';
import type { IngestOutcome } from '../../functions/ingest/types.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { ensureKeyLedgerTable } from '../../local/keyLedgerTable.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { s3EventRecord, s3Message, sqsEvent } from '../helpers/factories.js';
import { bodies, purge, receive } from '../helpers/sqs.js';

const TABLE = 'cdn-pipeline-ikl-key-ledger';
let emu: TestEmulator;
let stack: LocalStack;

beforeAll(async () => {
  emu = await startTestEmulator();
  stack = await bootstrapLocalStack(emu.clients, { stage: 'ikl' });
  await ensureKeyLedgerTable(emu.clients.dynamodb, TABLE);
}, 60_000);
afterAll(() => emu?.stop());

const outcomes: IngestOutcome[] = [];
beforeEach(async () => {
  outcomes.length = 0;
  await purge(emu.clients.sqs, stack.invalidationRequests);
});

let n = 0;
async function plainBucket(options: { seed?: boolean; versioned?: boolean } = {}) {
  const bucket = `ikl-plain-${++n}`;
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (options.versioned)
    await emu.clients.s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
  if (options.seed !== false) await seedKeyLedger(emu.clients, bucket, { table: TABLE });
  return bucket;
}

function ingest(env: Record<string, string> = { KEY_LEDGER_TABLE: TABLE }) {
  return createIngestHandler(
    {
      clients: emu.clients,
      config: loadIngestConfig({
        VERSIONING_CACHE_SECONDS: '0',
        ...env,
        INVALIDATION_QUEUE_URL: stack.invalidationRequests.url,
      }),
    },
    (o) => outcomes.push(o),
  );
}

/** Uploads `body` and returns the event S3 sends for it. */
async function upload(bucket: string, key: string, body: string) {
  const out = await emu.clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
  );
  return s3EventRecord({
    key,
    bucket,
    eTag: out.ETag!.replace(/"/g, ''),
    ...(out.VersionId ? { versionId: out.VersionId } : {}),
  });
}

async function run(handler: ReturnType<typeof ingest>, ...records: Record<string, unknown>[]) {
  const response = await handler(sqsEvent(records.map((r) => s3Message(r))));
  expect(response.batchItemFailures).toEqual([]);
}

const decisions = () =>
  outcomes.map((o) =>
    o.status === 'processed' ? `${o.key} ${o.invalidation} ${o.reason}` : o.status,
  );

async function queued(min: number): Promise<InvalidationRequest[]> {
  return bodies<InvalidationRequest>(
    await receive(emu.clients.sqs, stack.invalidationRequests, {
      min: min || 1,
      timeoutMs: min ? 5_000 : 1_500,
    }),
  );
}

describe('ingest with a key ledger on an unversioned bucket', () => {
  it('invalidates overwrites only: a new key costs no invalidation', async () => {
    const bucket = await plainBucket();
    const handler = ingest();
    await run(handler, await upload(bucket, 'charts/q1.png', 'v1'));
    await run(handler, await upload(bucket, 'charts/q1.png', 'v2'));
    expect(decisions()).toEqual([
      'charts/q1.png not-needed new-object',
      'charts/q1.png requested overwrite',
    ]);
    const requests = await queued(1);
    expect(requests.map((r) => `${r.key} ${r.reason}`)).toEqual(['charts/q1.png overwrite']);
  });

  it('answers a redelivered overwrite with the same request (a crash before queueing loses nothing)', async () => {
    const bucket = await plainBucket();
    const handler = ingest();
    await run(handler, await upload(bucket, 'k.png', 'v1'));
    const overwrite = await upload(bucket, 'k.png', 'v2');
    await run(handler, overwrite);
    await run(handler, overwrite);
    expect(decisions().slice(1)).toEqual([
      'k.png requested overwrite',
      'k.png requested overwrite',
    ]);
  });

  it('does not take a redelivered new-key event for an overwrite', async () => {
    const bucket = await plainBucket();
    const handler = ingest();
    const first = await upload(bucket, 'once.png', 'v1');
    await run(handler, first);
    await run(handler, first);
    expect(decisions()).toEqual([
      'once.png not-needed new-object',
      'once.png not-needed new-object',
    ]);
    expect(await queued(0)).toEqual([]);
  });

  it('invalidates every first sighting until the bucket is seeded (keys may predate the ledger)', async () => {
    const bucket = await plainBucket({ seed: false });
    await run(ingest(), await upload(bucket, 'before-ledger.png', 'v2'));
    expect(decisions()).toEqual(['before-ledger.png requested unversioned-bucket']);
  });

  it('without KEY_LEDGER_TABLE, invalidates every upload (as before)', async () => {
    const bucket = await plainBucket();
    await run(ingest({}), await upload(bucket, 'no-ledger.png', 'v1'));
    expect(decisions()).toEqual(['no-ledger.png requested unversioned-bucket']);
  });

  it('stays exact when versioning is suspended: uploads made while versioned were recorded', async () => {
    const bucket = await plainBucket({ versioned: true });
    const handler = ingest();
    await run(handler, await upload(bucket, 'v.png', 'while versioned'));
    expect(decisions()).toEqual(['v.png not-needed new-object']);
    await emu.clients.s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    );
    await run(handler, await upload(bucket, 'v.png', 'after suspension'));
    await run(handler, await upload(bucket, 'fresh.png', 'after suspension'));
    expect(decisions().slice(1)).toEqual([
      'v.png requested overwrite',
      'fresh.png not-needed new-object',
    ]);
  });
});
