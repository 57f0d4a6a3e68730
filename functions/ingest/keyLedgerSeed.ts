/**
 * Seeding the key ledger (`keyLedger.ts`) from what the bucket holds: one conditional PutItem per
 * existing key (`kind: seeded`; a key ingest already recorded is left as it is), then the
 * coverage row that lets ingest take a key it has never seen for a new one. Until the coverage
 * row exists every first sighting is invalidated, so a bucket seeded while uploads go on stays
 * exact: a key listed here and uploaded meanwhile is, at worst, invalidated once more.
 *
 * Cost: one ListObjectsV2 per 1 000 keys and one write per key (a million keys: ~$0.63 of
 * on-demand writes, once).
 */
import {
  ConditionalCheckFailedException,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { coverageKey } from '../../shared/keyLedgerRows.js';
import { ledgerItem } from './keyLedger.js';

export { ledgerCoverage } from '../../shared/keyLedgerRows.js';

export interface SeedResult {
  readonly bucket: string;
  /** Keys listed. */
  readonly keys: number;
  /** Items written (the others were already recorded). */
  readonly written: number;
  /** When the coverage row says the ledger covers the bucket from. */
  readonly coveredSince: string;
}

/** Writes in flight at once while seeding. */
const SEED_CONCURRENCY = 16;

export interface SeedOptions {
  readonly table: string;
  readonly ttlDays?: number;
  readonly now?: () => number;
  /** Called after each page of keys (progress for a long seed). */
  readonly onPage?: (keysSoFar: number) => void;
}

export async function seedKeyLedger(
  clients: { readonly s3: S3Client; readonly dynamodb: DynamoDBClient },
  bucket: string,
  options: SeedOptions,
): Promise<SeedResult> {
  const now = options.now ?? Date.now;
  const started = now();
  let keys = 0;
  let written = 0;
  for await (const page of paginateListObjectsV2({ client: clients.s3 }, { Bucket: bucket })) {
    const objects = (page.Contents ?? []).filter((o) => o.Key && o.ETag);
    for (let i = 0; i < objects.length; i += SEED_CONCURRENCY) {
      const slice = objects.slice(i, i + SEED_CONCURRENCY);
      const results = await Promise.all(
        slice.map(async (o) => {
          try {
            await clients.dynamodb.send(
              new PutItemCommand({
                TableName: options.table,
                Item: ledgerItem(
                  {
                    bucket,
                    key: o.Key!,
                    eTag: o.ETag!,
                    ...(o.Size !== undefined ? { size: o.Size } : {}),
                  },
                  'seeded',
                  1,
                  now(),
                  options.ttlDays,
                ),
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            );
            return 1;
          } catch (error) {
            if (
              error instanceof ConditionalCheckFailedException ||
              (error as { name?: string }).name === 'ConditionalCheckFailedException'
            )
              return 0;
            throw error;
          }
        }),
      );
      written += results.reduce((a: number, b) => a + b, 0);
    }
    keys += objects.length;
    options.onPage?.(keys);
  }
  const coveredSince = new Date(started).toISOString();
  await clients.dynamodb.send(
    new PutItemCommand({
      TableName: options.table,
      Item: {
        pk: { S: coverageKey(bucket) },
        kind: { S: 'coverage' },
        since: { S: coveredSince },
        keys: { N: String(keys) },
      },
    }),
  );
  return { bucket, keys, written, coveredSince };
}
