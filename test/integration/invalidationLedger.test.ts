/**
 * The shared in-flight budget against the emulator's DynamoDB (real conditional writes): many
 * reservers at once never exceed the ceilings together, a crashed holder's reservation lapses
 * with its lease, a sent one is released once CloudFront reports it done, a failed send gives the
 * budget back, and an unreadable ledger defers the work instead of sending it blind.
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvalidateHandler } from '../../functions/invalidate/handler.js';
import { loadInvalidateConfig } from '../../functions/invalidate/config.js';
import type { InFlight } from '../../shared/invalidation/inflight.js';
import { LEASE_MS, VISIBLE_AFTER_MS } from '../../shared/invalidation/ledger.js';
import { createInvalidationBudget } from '../../shared/invalidation/ledgerStore.js';
import { ensureInvalidationLedgerTable } from '../../local/bootstrap.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { sqsEvent } from '../helpers/factories.js';
import { prng } from '../helpers/prng.js';

const TABLE = 'cdn-pipeline-ledger-invalidation-ledger';
const BUCKET = 'example-ledger-content';
const CEILINGS = { files: 2800, wildcards: 13 } as const;
const NOTHING: InFlight = { files: 0, wildcards: 0, invalidations: [] };

let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator();
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await ensureInvalidationLedgerTable(emu.clients.dynamodb, TABLE);
}, 60_000);
afterAll(async () => {
  await emu?.stop();
});

const budget = (now?: () => number, holder = 'test') =>
  createInvalidationBudget({
    dynamodb: emu.clients.dynamodb,
    table: TABLE,
    ceilings: CEILINGS,
    holder,
    ...(now ? { now } : {}),
  });

/** `files` file paths and `wildcards` wildcard paths. */
const paths = (tag: string, files: number, wildcards = 0) => [
  ...Array.from({ length: files }, (_, i) => `/${tag}/f${i}.ts`),
  ...Array.from({ length: wildcards }, (_, i) => `/${tag}/w${i}/*`),
];

async function reservations(distributionId: string) {
  const out = await emu.clients.dynamodb.send(
    new GetItemCommand({ TableName: TABLE, Key: { distributionId: { S: distributionId } } }),
  );
  return (out.Item?.reservations?.L ?? []).map((r) => ({
    holder: r.M!.holder!.S!,
    files: Number(r.M!.files!.N),
    wildcards: Number(r.M!.wildcards!.N),
    converted: r.M!.convertedAt !== undefined,
  }));
}

describe('the invalidation ledger', () => {
  it('never lets concurrent reservers exceed the ceilings together', async () => {
    const random = prng(8);
    const distributionId = 'ECONCURRENT';
    const needs = Array.from({ length: 12 }, () => ({
      files: 100 + Math.floor(random() * 1400),
      wildcards: Math.floor(random() * 6),
    }));
    // Every reserver read the same (empty) snapshot and ledger before any of them wrote.
    const views = await Promise.all(
      needs.map((_, i) =>
        budget(undefined, `reserver-${i}`).open(distributionId, async () => NOTHING),
      ),
    );
    const holds = await Promise.all(
      views.map((view, i) =>
        view.reserve(paths(`r${i}`, needs[i]!.files, needs[i]!.wildcards), `ref-${i}`),
      ),
    );
    const granted = needs.filter((_, i) => holds[i]!.ok);
    const sum = (f: (n: (typeof needs)[number]) => number) => granted.reduce((n, x) => n + f(x), 0);
    expect(granted.length).toBeGreaterThan(0);
    expect(granted.length).toBeLessThan(needs.length);
    expect(sum((n) => n.files)).toBeLessThanOrEqual(CEILINGS.files);
    expect(sum((n) => n.wildcards)).toBeLessThanOrEqual(CEILINGS.wildcards);
    // What the ledger holds is exactly what was granted; a refusal says why.
    const held = await reservations(distributionId);
    expect(held.reduce((n, r) => n + r.files, 0)).toBe(sum((n) => n.files));
    for (const hold of holds)
      if (!hold.ok) expect(hold.reason).toMatch(/in-flight budget taken by other invokers/);
    // A later reader plans with what is left.
    const later = await budget().open(distributionId, async () => NOTHING);
    expect(later.inFlight.files).toBe(sum((n) => n.files));
  });

  it('gives the budget of a crashed holder back once its lease ended', async () => {
    const distributionId = 'ECRASH';
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const now = () => clock;
    const crashed = await budget(now, 'crashed').open(distributionId, async () => NOTHING);
    expect((await crashed.reserve(paths('c', 2800), 'ref-crashed')).ok).toBe(true);
    // …and never sends nor settles. Within the lease, nobody else gets room.
    clock += LEASE_MS - 1000;
    const during = await budget(now).open(distributionId, async () => NOTHING);
    expect(during.inFlight.files).toBe(2800);
    expect((await during.reserve(paths('d', 1), 'ref-during')).ok).toBe(false);
    // Once a snapshot starts after the lease, whatever the holder sent would be in it.
    clock += 2000;
    const after = await budget(now).open(distributionId, async () => NOTHING);
    expect(after.inFlight.files).toBe(0);
    expect((await after.reserve(paths('a', 2800), 'ref-after')).ok).toBe(true);
    expect(await reservations(distributionId)).toEqual([
      { holder: 'test', files: 2800, wildcards: 0, converted: false },
    ]);
  });

  it('holds a sent reservation until CloudFront reports its invalidation done, counted once', async () => {
    const distributionId = 'ESENT';
    let clock = Date.parse('2026-12-01T11:00:00Z');
    const now = () => clock;
    const view = await budget(now).open(distributionId, async () => NOTHING);
    const hold = await view.reserve(paths('s', 1000, 2), 'ref-sent');
    if (!hold.ok) throw new Error(hold.reason);
    await hold.settle(
      Promise.resolve({
        invalidations: [
          { invalidationId: 'I1', callerReference: 'ref-sent', paths: paths('s', 900, 2) },
        ],
      }),
    );
    expect(await reservations(distributionId)).toEqual([
      { holder: 'test', files: 900, wildcards: 2, converted: true },
    ]);
    const inProgress: InFlight = {
      files: 900,
      wildcards: 2,
      invalidations: [{ id: 'I1', callerReference: 'ref-sent', files: 900, wildcards: 2 }],
    };
    // In progress: the reservation claims it, so it counts once.
    clock += VISIBLE_AFTER_MS * 3;
    const busy = await budget(now).open(distributionId, async () => inProgress);
    expect(busy.inFlight).toMatchObject({ files: 900, wildcards: 2 });
    // Just sent, and not listed yet (CloudFront's list may lag): still held.
    const listLag = await budget(() => clock - VISIBLE_AFTER_MS * 3 + 1000).open(
      distributionId,
      async () => NOTHING,
    );
    expect(listLag.inFlight).toMatchObject({ files: 900, wildcards: 2 });
    // Completed: released, and dropped by the next write.
    const done = await budget(now).open(distributionId, async () => NOTHING);
    expect(done.inFlight).toMatchObject({ files: 0, wildcards: 0 });
    expect((await done.reserve(paths('n', 10), 'ref-next')).ok).toBe(true);
    expect(await reservations(distributionId)).toEqual([
      { holder: 'test', files: 10, wildcards: 0, converted: false },
    ]);
  });

  it('gives the budget back when the send fails', async () => {
    const distributionId = 'EFAILED';
    const view = await budget().open(distributionId, async () => NOTHING);
    const hold = await view.reserve(paths('f', 2000), 'ref-failed');
    if (!hold.ok) throw new Error(hold.reason);
    await expect(hold.settle(Promise.reject(new Error('network down')))).rejects.toThrow(
      'network down',
    );
    expect(await reservations(distributionId)).toEqual([]);
    const nothingSent = await (
      await budget().open(distributionId, async () => NOTHING)
    ).reserve(paths('g', 2800), 'ref-g');
    if (!nothingSent.ok) throw new Error(nothingSent.reason);
    await nothingSent.settle(Promise.resolve({ invalidations: [] }));
    expect(await reservations(distributionId)).toEqual([]);
  });
});

describe('the invalidate function with the ledger', () => {
  const body = (key: string) =>
    JSON.stringify({ v: 1, bucket: BUCKET, key, eventTime: '2026-12-01T00:00:00Z', reason: 'x' });
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `k-${i}/a.ts`);

  /** A pending reservation of a holder that crashed `ago` ms ago (never sent, never settled). */
  async function crashedHolder(distributionId: string, ago: number, files: number) {
    const reservedAt = Date.now() - ago;
    await emu.clients.dynamodb.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          distributionId: { S: distributionId },
          version: { N: '1' },
          reservations: {
            L: [
              {
                M: {
                  id: { S: `crashed-${ago}` },
                  holder: { S: 'invalidate' },
                  files: { N: String(files) },
                  wildcards: { N: '0' },
                  references: { L: [{ S: 'ref-crashed' }] },
                  reservedAt: { N: String(reservedAt) },
                  expiresAt: { N: String(reservedAt + LEASE_MS) },
                },
              },
            ],
          },
        },
      }),
    );
  }

  const handlerFor = (distributionId: string, table = TABLE) =>
    createInvalidateHandler({
      clients: emu.clients,
      config: loadInvalidateConfig({
        DISTRIBUTION_IDS: distributionId,
        MAX_INFLIGHT_WILDCARDS: '0',
        INVALIDATION_LEDGER_TABLE: table,
      }),
    });

  it('defers the work a crashed holder still reserves, and sends it once the lease ended', async () => {
    const distributionId = await createTaggedDistribution(
      emu.clients.cloudfront,
      'crash',
      {},
      {
        originBucket: BUCKET,
      },
    );
    await crashedHolder(distributionId, 60_000, 2800);
    const held = await handlerFor(distributionId)(sqsEvent(keys(20).map(body)));
    expect(held!.batchItemFailures).toHaveLength(20);

    await crashedHolder(distributionId, LEASE_MS + 1000, 2800);
    const freed = await handlerFor(distributionId)(sqsEvent(keys(20).map(body)));
    expect(freed!.batchItemFailures).toEqual([]);
    expect(await reservations(distributionId)).toEqual([
      { holder: 'invalidate', files: 20, wildcards: 0, converted: true },
    ]);
  });

  it('defers the batch, sending nothing, when the ledger cannot be read', async () => {
    const distributionId = await createTaggedDistribution(
      emu.clients.cloudfront,
      'noledger',
      {},
      {
        originBucket: BUCKET,
      },
    );
    const reports: string[] = [];
    const handler = createInvalidateHandler(
      {
        clients: emu.clients,
        config: loadInvalidateConfig({
          DISTRIBUTION_IDS: distributionId,
          INVALIDATION_LEDGER_TABLE: 'no-such-ledger-table',
        }),
      },
      (r) => reports.push(...r.deferred.map((d) => d.reason)),
    );
    const result = await handler(sqsEvent(keys(3).map(body)));
    expect(result!.batchItemFailures).toHaveLength(3);
    expect(reports[0]).toMatch(/could not read quota state: ResourceNotFoundException/);
  });
});
