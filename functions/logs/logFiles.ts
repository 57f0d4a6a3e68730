/**
 * Each log file counted once: S3 and SQS deliver at least once, so the same file can be announced
 * twice (a duplicated S3 event, an SQS redelivery, a message redriven from the DLQ). A small
 * DynamoDB table (`LOG_FILES_TABLE`) holds one item per file version, `pk` =
 * `<bucket>/<key>#<versionId or ETag>` (a rewritten file is another version and counts again):
 *
 * 1. claim: PutItem `attribute_not_exists(pk)` → state `claimed`, `claimedAt`.
 *    ConditionalCheckFailed returns the item:
 *    - `counted` → the file is skipped ("already counted"; not an error);
 *    - `claimed` and older than the lease → the earlier attempt died (the lease outlives the
 *      function's timeout): taken over by an UpdateItem conditional on the `claimedAt` seen, so
 *      two late attempts cannot both take it;
 *    - `claimed` and younger → another attempt may still be counting: the message is returned as
 *      a batch item failure and comes back after the queue's visibility timeout (longer than the
 *      lease).
 * 2. read and count (nothing published yet); a failure releases the claim (`claimedAt` = 0, so the
 *    retry takes it over at once) and retries the message.
 * 3. print the EMF, then mark `counted` (conditional on our `claimedAt`).
 *
 * Order: claim → print → mark, i.e. at least once, narrowed to one window. What remains: an
 * attempt that prints a file's EMF and then dies (or cannot mark it) before `counted` is written
 * leaves a `claimed` item; a redelivery after the lease counts that one file a second time. The
 * other order (mark, then print) would lose a file's counts silently on the same crash; a double
 * count is bounded (one file, once per such crash) and visible in the log ("counted but not
 * marked"), a loss is not.
 *
 * Expiry: items expire `TTL_DAYS` (15) after their last write. A delivery later than that cannot
 * count anyway: a log file's minutes precede its claim, and CloudWatch takes no EMF timestamp
 * older than 14 days (emf.ts refuses them), so an expired item can never let a count through
 * twice. The source queue keeps messages 4 days and its DLQ 14 (resources/standardLogs.yml).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { RetryableError } from '../../shared/errors.js';
import type { LogObject } from './parseEvent.js';

export const LOG_FILE_STATES = ['claimed', 'counted'] as const;
export type LogFileState = (typeof LOG_FILE_STATES)[number];

/** The logs function's timeout (120 s, serverless.yml) + a margin: a claim older is dead. */
export const CLAIM_LEASE_MS = 150_000;
/** Longer than CloudWatch's 14 days of EMF timestamps (see above). */
export const TTL_DAYS = 15;

/** A claim this attempt holds: the file is ours to count. */
export interface HeldClaim {
  readonly kind: 'held';
  readonly pk: string;
  readonly claimedAt: number;
  /** A stale claim of an earlier attempt was taken over. */
  readonly takenOver: boolean;
}

export type Claim =
  | HeldClaim
  | { readonly kind: 'counted'; readonly pk: string }
  | { readonly kind: 'busy'; readonly pk: string; readonly claimedAt: number };

/** Another attempt holds the file's claim: the message is retried after the lease. */
export class LogFileBusy extends RetryableError {}

export interface LogFileLedger {
  claim(object: LogObject): Promise<Claim>;
  /** After the EMF is printed. `false`: the claim was no longer ours (taken over). */
  markCounted(claim: HeldClaim, outcome: string): Promise<boolean>;
  /** Nothing was printed: the next attempt may take the file at once. */
  release(claim: HeldClaim): Promise<void>;
}

export interface LogFileLedgerOptions {
  readonly table: string;
  readonly now: () => number;
  readonly leaseMs?: number;
}

/** The item key of a file version; undefined when the event names no version. */
export function logFileKey(object: LogObject): string | undefined {
  const version = object.versionId ?? object.eTag;
  return version ? `${object.bucket}/${object.key}#${version}` : undefined;
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

const n = (value: number): AttributeValue => ({ N: String(value) });

export function logFileLedger(db: DynamoDBClient, options: LogFileLedgerOptions): LogFileLedger {
  const { table, now } = options;
  const leaseMs = options.leaseMs ?? CLAIM_LEASE_MS;
  const expiresAt = (at: number) => n(Math.floor(at / 1000) + TTL_DAYS * 86_400);

  async function current(pk: string, returned?: Record<string, AttributeValue>) {
    const item =
      returned ??
      (
        await db.send(
          new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }),
        )
      ).Item;
    return item?.pk
      ? { state: item.state?.S, claimedAt: Number(item.claimedAt?.N ?? 0) }
      : undefined;
  }

  async function claim(object: LogObject): Promise<Claim> {
    const pk = logFileKey(object);
    if (!pk) throw new Error('logFileLedger.claim: the object names no version');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const at = now();
      try {
        await db.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              pk: { S: pk },
              state: { S: 'claimed' satisfies LogFileState },
              claimedAt: n(at),
              expiresAt: expiresAt(at),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { kind: 'held', pk, claimedAt: at, takenOver: false };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const item = await current(pk, (error as ConditionalCheckFailedException).Item);
        if (!item) continue; // expired between the two calls: claim again
        if (item.state === 'counted') return { kind: 'counted', pk };
        if (at - item.claimedAt < leaseMs) return { kind: 'busy', pk, claimedAt: item.claimedAt };
        try {
          await db.send(
            new UpdateItemCommand({
              TableName: table,
              Key: { pk: { S: pk } },
              UpdateExpression: 'SET claimedAt = :at, expiresAt = :exp',
              ConditionExpression: '#s = :claimed AND claimedAt = :seen',
              ExpressionAttributeNames: { '#s': 'state' },
              ExpressionAttributeValues: {
                ':at': n(at),
                ':exp': expiresAt(at),
                ':claimed': { S: 'claimed' },
                ':seen': n(item.claimedAt),
              },
            }),
          );
          return { kind: 'held', pk, claimedAt: at, takenOver: true };
        } catch (takeover) {
          if (!isConditionFailure(takeover)) throw takeover;
          // Another attempt took it over (or counted it) in between: look again.
        }
      }
    }
    throw new LogFileBusy(`log file ${pk}: its claim changed hands three times; retried`);
  }

  async function markCounted(held: HeldClaim, outcome: string): Promise<boolean> {
    const at = now();
    try {
      await db.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: held.pk } },
          UpdateExpression:
            'SET #s = :counted, countedAt = :at, outcome = :outcome, expiresAt = :exp',
          ConditionExpression: '#s = :claimed AND claimedAt = :mine',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: {
            ':counted': { S: 'counted' },
            ':claimed': { S: 'claimed' },
            ':at': n(at),
            ':outcome': { S: outcome },
            ':exp': expiresAt(at),
            ':mine': n(held.claimedAt),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async function release(held: HeldClaim): Promise<void> {
    try {
      await db.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { pk: { S: held.pk } },
          UpdateExpression: 'SET claimedAt = :zero',
          ConditionExpression: '#s = :claimed AND claimedAt = :mine',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: {
            ':zero': n(0),
            ':claimed': { S: 'claimed' },
            ':mine': n(held.claimedAt),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  return { claim, markCounted, release };
}
