/**
 * The key ledger against the emulator's DynamoDB: conditional writes decide new key vs
 * overwrite, a redelivered event repeats its verdict, seeding makes absence mean "new".
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyLedger, ledgerKey, compareSequencers } from '../../functions/ingest/keyLedger.js';
import { ledgerCoverage, seedKeyLedger } from '../../functions/ingest/keyLedgerSeed.js';
import { ensureKeyLedgerTable } from '../../local/keyLedgerTable.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const TABLE = 'cdn-pipeline-kl-key-ledger';
let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
  await ensureKeyLedgerTable(emu.clients.dynamodb, TABLE);
}, 60_000);
afterAll(() => emu?.stop());

let n = 0;
/** A fresh bucket name per test, so coverage rows never leak between tests. */
const bucketName = () => `kl-bucket-${++n}`;

async function seededBucket(): Promise<string> {
  const bucket = bucketName();
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await seedKeyLedger(emu.clients, bucket, { table: TABLE });
  return bucket;
}

const ledger = (options: { ttlDays?: number; now?: () => number } = {}) =>
  keyLedger(emu.clients.dynamodb, { table: TABLE, coverageTtlMs: 60_000, ...options });

async function item(bucket: string, key: string) {
  const out = await emu.clients.dynamodb.send(
    new GetItemCommand({ TableName: TABLE, Key: { pk: { S: ledgerKey(bucket, key) } } }),
  );
  return out.Item;
}

describe('keyLedger on a seeded bucket', () => {
  it('returns new for a first upload, in one write', async () => {
    const bucket = await seededBucket();
    const answer = await ledger().observe({ bucket, key: 'a.png', eTag: '"e1"', size: 3 });
    expect(answer).toEqual({ verdict: 'new', replayed: false, writes: 1 });
    expect((await item(bucket, 'a.png'))?.etag?.S).toBe('e1');
  });

  it('returns overwrite for another ETag, in two writes, and records the new one', async () => {
    const bucket = await seededBucket();
    const l = ledger();
    await l.observe({ bucket, key: 'a.png', eTag: 'e1' });
    const answer = await l.observe({ bucket, key: 'a.png', eTag: 'e2' });
    expect(answer).toEqual({ verdict: 'overwrite', replayed: false, writes: 2 });
    const stored = await item(bucket, 'a.png');
    expect(stored?.etag?.S).toBe('e2');
    expect(stored?.kind?.S).toBe('overwrite');
    expect(stored?.rev?.N).toBe('2');
  });

  it('repeats the recorded verdict for a redelivered event (same ETag and size)', async () => {
    const bucket = await seededBucket();
    const l = ledger();
    await l.observe({ bucket, key: 'k', eTag: 'e1', size: 1 });
    expect(await l.observe({ bucket, key: 'k', eTag: 'e1', size: 1 })).toEqual({
      verdict: 'new',
      replayed: true,
      writes: 1,
    });
    await l.observe({ bucket, key: 'k', eTag: 'e2', size: 2 });
    // The overwrite's event delivered again (say ingest crashed before queueing its request):
    // still an overwrite, so the invalidation is asked again rather than lost.
    expect(await l.observe({ bucket, key: 'k', eTag: 'e2', size: 2 })).toMatchObject({
      verdict: 'overwrite',
      replayed: true,
    });
  });

  it('takes the same ETag with another size for another version', async () => {
    const bucket = await seededBucket();
    const l = ledger();
    await l.observe({ bucket, key: 'k', eTag: 'e1', size: 1 });
    expect((await l.observe({ bucket, key: 'k', eTag: 'e1', size: 2 })).verdict).toBe('overwrite');
  });

  it('answers overwrite for a late event of an older version, keeping the newer item', async () => {
    const bucket = await seededBucket();
    const l = ledger();
    await l.observe({ bucket, key: 'k', eTag: 'new', sequencer: '0055AED6DCD90281F0' });
    const late = await l.observe({
      bucket,
      key: 'k',
      eTag: 'old',
      sequencer: '0055AED6DCD90281E5',
    });
    expect(late).toEqual({ verdict: 'overwrite', replayed: false, writes: 1 });
    expect((await item(bucket, 'k'))?.etag?.S).toBe('new');
  });

  it('gives exactly one new verdict when many versions of one key arrive at once', async () => {
    const bucket = await seededBucket();
    const l = ledger();
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => l.observe({ bucket, key: 'race', eTag: `e${i}` })),
    );
    expect(answers.filter((a) => a.verdict === 'new')).toHaveLength(1);
    expect(answers.filter((a) => a.verdict === 'overwrite')).toHaveLength(4);
  });

  it('writes expiresAt only when a TTL is configured', async () => {
    const bucket = await seededBucket();
    const now = () => Date.parse('2026-12-01T00:00:00Z');
    await ledger({ now }).observe({ bucket, key: 'forever', eTag: 'e' });
    await ledger({ now, ttlDays: 30 }).observe({ bucket, key: 'month', eTag: 'e' });
    expect((await item(bucket, 'forever'))?.expiresAt).toBeUndefined();
    expect(Number((await item(bucket, 'month'))?.expiresAt?.N)).toBe(now() / 1000 + 30 * 86_400);
  });

  it('returns unknown without an ETag, writing nothing', async () => {
    const bucket = await seededBucket();
    expect(await ledger().observe({ bucket, key: 'k' })).toEqual({
      verdict: 'unknown',
      replayed: false,
      writes: 0,
    });
    expect(await item(bucket, 'k')).toBeUndefined();
  });
});

describe('keyLedger before the bucket is seeded', () => {
  it('returns unknown for a first sighting, and replays unknown for its redelivery', async () => {
    const bucket = bucketName();
    const l = ledger();
    expect(await l.covered(bucket)).toBe(false);
    expect((await l.observe({ bucket, key: 'old.png', eTag: 'e1' })).verdict).toBe('unknown');
    expect(await l.observe({ bucket, key: 'old.png', eTag: 'e1' })).toMatchObject({
      verdict: 'unknown',
      replayed: true,
    });
    expect((await l.observe({ bucket, key: 'old.png', eTag: 'e2' })).verdict).toBe('overwrite');
  });

  it('sees the seed within its coverage cache time', async () => {
    const bucket = bucketName();
    await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    let t = 0;
    const l = keyLedger(emu.clients.dynamodb, { table: TABLE, coverageTtlMs: 1000, now: () => t });
    expect(await l.covered(bucket)).toBe(false);
    await seedKeyLedger(emu.clients, bucket, { table: TABLE });
    expect(await l.covered(bucket)).toBe(false); // cached answer, within its bound
    t = 1000;
    expect(await l.covered(bucket)).toBe(true);
  });
});

describe('seedKeyLedger', () => {
  it('records the keys a bucket holds, so overwriting one is an overwrite, not a new key', async () => {
    const bucket = bucketName();
    await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of ['charts/a.png', 'charts/b.png', 'weird key+%.png'])
      await emu.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    // Ingest saw one upload before the seed ran: the seed leaves its item alone.
    await ledger().observe({ bucket, key: 'charts/a.png', eTag: 'seen-by-ingest' });
    const result = await seedKeyLedger(emu.clients, bucket, { table: TABLE });
    expect(result).toMatchObject({ bucket, keys: 3, written: 2 });
    expect(await ledgerCoverage(emu.clients.dynamodb, TABLE, bucket)).toMatchObject({ keys: 3 });
    expect((await item(bucket, 'charts/a.png'))?.etag?.S).toBe('seen-by-ingest');
    expect((await item(bucket, 'weird key+%.png'))?.kind?.S).toBe('seeded');
    const l = ledger();
    expect((await l.observe({ bucket, key: 'charts/b.png', eTag: 'v2' })).verdict).toBe(
      'overwrite',
    );
    expect((await l.observe({ bucket, key: 'charts/new.png', eTag: 'v1' })).verdict).toBe('new');
  });
});

describe('compareSequencers', () => {
  it.each([
    ['0055AED6DCD90281E5', '0055AED6DCD90281E6', -1],
    ['FF', '0100', -1],
    ['0A', 'a', 0],
    ['10', '0F', 1],
  ])('compares %s with %s as %d', (a, b, want) => {
    expect(compareSequencers(a, b)).toBe(want);
  });
});
