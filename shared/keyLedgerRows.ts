/**
 * The key ledger's row keys and its coverage row, for ingest (which writes the ledger,
 * `functions/ingest/keyLedger.ts`) and the health check (which reads whether it covers a
 * bucket). One item per key, `pk` = `<bucket>/<key>`; one coverage row per seeded bucket,
 * `pk` = `coverage#<bucket>` (bucket names have no `#`, so it can never be a key's item).
 */
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const ledgerKey = (bucket: string, key: string): string => `${bucket}/${key}`;
export const coverageKey = (bucket: string): string => `coverage#${bucket}`;

export interface LedgerCoverage {
  /** When the seed that wrote it started listing the bucket (ISO 8601). */
  readonly since: string;
  /** Keys the seed listed. */
  readonly keys: number;
}

/** The coverage row of a bucket, or undefined when it was never seeded. */
export async function ledgerCoverage(
  dynamodb: DynamoDBClient,
  table: string,
  bucket: string,
): Promise<LedgerCoverage | undefined> {
  const out = await dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: coverageKey(bucket) } } }),
  );
  if (!out.Item?.pk) return undefined;
  return { since: out.Item.since?.S ?? '', keys: Number(out.Item.keys?.N ?? 0) };
}
