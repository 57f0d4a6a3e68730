/**
 * Exact overwrite detection on a bucket that keeps no versions: a small DynamoDB ledger with one
 * item per key (`pk` = `<bucket>/<key>`) holding the last version seen (ETag, size, sequencer).
 * Each upload is one PutItem conditional on `attribute_not_exists(pk)`: it succeeds for a key
 * never seen (a new key), and fails with ConditionalCheckFailed for a key seen before, returning
 * the old item. The same ETag (and size) is the same version — a redelivered event, or the same
 * bytes uploaded again — and repeats the verdict recorded for it, so a crash between this write
 * and the invalidation request is retried with the same answer, never turned into "nothing to
 * do". Another ETag is an overwrite: the item is rewritten conditionally on the revision read.
 *
 * A key's absence only means "new" once the ledger knows every key the bucket held when it
 * started: the coverage row (`coverage#<bucket>`, written by `seedKeyLedger` after listing the
 * bucket). Until then a first sighting is `unknown` and is invalidated, as on an unversioned
 * bucket without a ledger: a key uploaded before the ledger existed is never taken for new.
 *
 * Calls per upload: one PutItem for a new key or a redelivery, two for an overwrite, plus one
 * GetItem of the coverage row per bucket per VERSIONING_CACHE_SECONDS per instance.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { RetryableError } from '../../shared/errors.js';
import { coverageKey, ledgerKey } from '../../shared/keyLedgerRows.js';

export { coverageKey, ledgerKey } from '../../shared/keyLedgerRows.js';

/** What the ledger recorded for a version: how its first sighting was judged. */
export const LEDGER_KINDS = ['new', 'overwrite', 'unknown', 'seeded'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** The ledger's answer for one upload. */
export type LedgerVerdict = 'new' | 'overwrite' | 'unknown';

export interface LedgerAnswer {
  readonly verdict: LedgerVerdict;
  /** The version was already recorded (a redelivered event, or the same bytes again). */
  readonly replayed: boolean;
  /** DynamoDB requests this answer took (the coverage read excluded). */
  readonly writes: number;
}

/** One upload, as its event describes it. */
export interface ObservedUpload {
  readonly bucket: string;
  readonly key: string;
  readonly eTag?: string;
  readonly size?: number;
  readonly sequencer?: string;
}

export interface KeyLedgerOptions {
  readonly table: string;
  /** How long a bucket's coverage answer is reused (ms); 0 asks every time. */
  readonly coverageTtlMs: number;
  /** Items expire this many days after their last write; 0 or unset: never (see the README). */
  readonly ttlDays?: number;
  readonly now?: () => number;
}

export interface KeyLedger {
  observe(upload: ObservedUpload): Promise<LedgerAnswer>;
  /** Whether the ledger knows every key of the bucket (its coverage row exists). */
  covered(bucket: string): Promise<boolean>;
}

/** Conflicting rewrites of one key retried this many times, then the message is retried. */
const WRITE_ATTEMPTS = 5;

/** Too many writers on one key at once: the message is retried through SQS. */
export class KeyLedgerContention extends RetryableError {}

const unquote = (etag: string | undefined) => etag?.replace(/"/g, '') || undefined;

/**
 * S3 sequencers order the events of one key: the greater hexadecimal value is the later event;
 * values of different lengths are compared after left-padding the shorter with zeros.
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const pa = a.toUpperCase().padStart(width, '0');
  const pb = b.toUpperCase().padStart(width, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

interface LedgerItem {
  readonly etag?: string;
  readonly size?: number;
  readonly seq?: string;
  readonly kind: LedgerKind;
  readonly rev: number;
}

function readItem(item: Record<string, AttributeValue> | undefined): LedgerItem | undefined {
  if (!item?.pk) return undefined;
  const kind = item.kind?.S as LedgerKind | undefined;
  return {
    ...(item.etag?.S ? { etag: item.etag.S } : {}),
    ...(item.size?.N !== undefined ? { size: Number(item.size.N) } : {}),
    ...(item.seq?.S ? { seq: item.seq.S } : {}),
    kind: kind && LEDGER_KINDS.includes(kind) ? kind : 'unknown',
    rev: Number(item.rev?.N ?? 0),
  };
}

function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

/** Same version: same ETag, and the same size when both sides know it. */
function sameVersion(item: LedgerItem, upload: ObservedUpload, etag: string): boolean {
  if (item.etag !== etag) return false;
  return item.size === undefined || upload.size === undefined || item.size === upload.size;
}

/** What a recorded version's kind means for a redelivery of the same version. */
const REPLAYED: Readonly<Record<LedgerKind, LedgerVerdict>> = {
  new: 'new',
  overwrite: 'overwrite',
  // Seeded: it existed before the ledger covered the bucket; what it replaced is not known.
  seeded: 'unknown',
  unknown: 'unknown',
};

/** The item for this upload (`kind`, `rev`) as DynamoDB attributes. */
export function ledgerItem(
  upload: ObservedUpload & { readonly eTag: string },
  kind: LedgerKind,
  rev: number,
  at: number,
  ttlDays = 0,
): Record<string, AttributeValue> {
  return {
    pk: { S: ledgerKey(upload.bucket, upload.key) },
    etag: { S: unquote(upload.eTag)! },
    kind: { S: kind },
    rev: { N: String(rev) },
    at: { S: new Date(at).toISOString() },
    ...(upload.size !== undefined ? { size: { N: String(upload.size) } } : {}),
    ...(upload.sequencer ? { seq: { S: upload.sequencer } } : {}),
    ...(ttlDays > 0 ? { expiresAt: { N: String(Math.ceil(at / 1000) + ttlDays * 86_400) } } : {}),
  };
}

export function keyLedger(dynamodb: DynamoDBClient, options: KeyLedgerOptions): KeyLedger {
  const now = options.now ?? Date.now;
  const coverage = new Map<string, { readonly at: number; readonly answer: Promise<boolean> }>();

  const covered = (bucket: string): Promise<boolean> => {
    const hit = coverage.get(bucket);
    if (hit && now() - hit.at < options.coverageTtlMs) return hit.answer;
    const answer = dynamodb
      .send(
        new GetItemCommand({
          TableName: options.table,
          Key: { pk: { S: coverageKey(bucket) } },
          ProjectionExpression: 'pk',
        }),
      )
      .then((out) => Boolean(out.Item?.pk));
    const entry = { at: now(), answer };
    answer.catch(() => {
      if (coverage.get(bucket) === entry) coverage.delete(bucket);
    });
    coverage.set(bucket, entry);
    return answer;
  };

  /** The item as it is now: from the failed write's ALL_OLD, else a consistent read. */
  const current = async (
    error: ConditionalCheckFailedException,
    pk: string,
  ): Promise<{ item: LedgerItem | undefined; reads: number }> => {
    const returned = readItem(error.Item);
    if (returned) return { item: returned, reads: 0 };
    const out = await dynamodb.send(
      new GetItemCommand({
        TableName: options.table,
        Key: { pk: { S: pk } },
        ConsistentRead: true,
      }),
    );
    return { item: readItem(out.Item), reads: 1 };
  };

  const observe = async (upload: ObservedUpload): Promise<LedgerAnswer> => {
    const etag = unquote(upload.eTag);
    // No ETag: nothing to tell versions apart by (S3's ObjectCreated events always carry one).
    if (!etag) return { verdict: 'unknown', replayed: false, writes: 0 };
    const first: LedgerKind = (await covered(upload.bucket)) ? 'new' : 'unknown';
    const pk = ledgerKey(upload.bucket, upload.key);
    const named = { ...upload, eTag: etag };
    let writes = 0;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      try {
        writes++;
        await dynamodb.send(
          new PutItemCommand({
            TableName: options.table,
            Item: ledgerItem(named, first, 1, now(), options.ttlDays),
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { verdict: first === 'new' ? 'new' : 'unknown', replayed: false, writes };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const { item, reads } = await current(error, pk);
        writes += reads;
        if (!item) continue; // removed meanwhile: write it again
        if (sameVersion(item, upload, etag))
          return { verdict: REPLAYED[item.kind], replayed: true, writes };
        // A late event of an older version: the key has had two versions, so its edges are
        // refreshed, but the item keeps the newer one.
        if (item.seq && upload.sequencer && compareSequencers(upload.sequencer, item.seq) < 0)
          return { verdict: 'overwrite', replayed: false, writes };
        try {
          writes++;
          await dynamodb.send(
            new PutItemCommand({
              TableName: options.table,
              Item: ledgerItem(named, 'overwrite', item.rev + 1, now(), options.ttlDays),
              ConditionExpression: '#rev = :rev',
              ExpressionAttributeNames: { '#rev': 'rev' },
              ExpressionAttributeValues: { ':rev': { N: String(item.rev) } },
            }),
          );
          return { verdict: 'overwrite', replayed: false, writes };
        } catch (rewrite) {
          if (!isConditionFailure(rewrite)) throw rewrite;
          // Another writer changed the key between our read and write: look again.
        }
      }
    }
    throw new KeyLedgerContention(
      `key ledger: ${WRITE_ATTEMPTS} conflicting writes on one key (s3://${upload.bucket}/…); retried through SQS`,
    );
  };

  return { observe, covered };
}
