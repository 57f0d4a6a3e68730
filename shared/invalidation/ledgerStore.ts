/**
 * The shared in-flight budget in DynamoDB: one item per distribution (`distributionId`), every
 * write a PutItem conditional on the `version` read, retried on a conflict after a fresh
 * consistent read — so the ceiling check of a reservation always runs against the latest
 * ledger, whoever else is reserving (invalidate instances, the CLI). The rules are in ledger.ts.
 * (Just over 300 lines: the item codec stays beside the only reads and writes that use it.)
 *
 * Cost per invocation and distribution: one consistent GetItem when the in-flight state is read
 * (beside CloudFront's snapshot, in parallel), then a GetItem + PutItem to reserve and another
 * pair to settle; a conflict adds a pair. A few requests of an item under 1 KB: well under a
 * thousandth of a cent, against half a cent for one billed invalidation path.
 *
 * Failure modes: the table unreadable → the in-flight state is unknown and the work is deferred
 * (it returns through SQS), never sent blind. A crash after reserving → the reservation lapses
 * when its lease ends (pending) or is claimed by CloudFront's own list (sent). A settle that
 * fails → the reservation holds its budget until its lease ends: fewer paths sent meanwhile,
 * never more.
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { InFlight } from './inflight.js';
import {
  EMPTY_LEDGER,
  LEASE_MS,
  converted,
  fits,
  needOf,
  replaced,
  usage,
  withReservations,
  type LedgerState,
  type Need,
  type Reservation,
} from './ledger.js';

/** Conflicting writes retried this many times before the reserver gives up (and re-plans). */
const WRITE_ATTEMPTS = 8;
/** `ttl` (epoch seconds): items of distributions no longer invalidated expire a day later. */
const ITEM_TTL_SECONDS = 24 * 60 * 60;

export interface BudgetOptions {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  /** Our ceilings (MAX_INFLIGHT_PATHS, MAX_INFLIGHT_WILDCARDS). */
  readonly ceilings: Need;
  /** How long a pending reservation holds; default {@link LEASE_MS}. */
  readonly leaseMs?: number;
  /** Written on each reservation: `invalidate`, `cli`. */
  readonly holder: string;
  /** Told when a settle failed (the reservation then lapses with its lease). */
  readonly warn?: (message: string, detail: Record<string, unknown>) => void;
  readonly now?: () => number;
}

export interface CreatedInvalidation {
  readonly invalidationId: string;
  readonly callerReference: string;
  readonly paths: readonly string[];
}

/** A reservation held: `settle` awaits the sends, then keeps exactly what CloudFront accepted. */
export type Hold =
  | {
      readonly ok: true;
      settle<T extends { readonly invalidations: readonly CreatedInvalidation[] }>(
        sending: Promise<T>,
      ): Promise<T>;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /** Others took the room meanwhile: reading the in-flight state again may find some. */
      readonly contended: boolean;
    };

export interface BudgetView {
  /** CloudFront's snapshot with every other invoker's reservations added. */
  readonly inFlight: InFlight;
  /** Reserves what `paths` need (`reference`: the plan's CallerReference) before sending. */
  reserve(paths: readonly string[], reference: string): Promise<Hold>;
}

export interface InvalidationBudget {
  /** Reads CloudFront's in-flight snapshot (`read`) and the ledger together. */
  open(distributionId: string, read: () => Promise<InFlight>): Promise<BudgetView>;
}

// ── Item encoding ─────────────────────────────────────────────────────────────────────────

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const L = (items: readonly string[]): AttributeValue => ({ L: items.map(S) });

function toAttribute(r: Reservation): AttributeValue {
  const m: Record<string, AttributeValue> = {
    id: S(r.id),
    holder: S(r.holder),
    files: N(r.files),
    wildcards: N(r.wildcards),
    references: L(r.references),
    reservedAt: N(r.reservedAt),
    expiresAt: N(r.expiresAt),
  };
  if (r.convertedAt !== undefined) m.convertedAt = N(r.convertedAt);
  if (r.invalidationIds) m.invalidationIds = L(r.invalidationIds);
  return { M: m };
}

function fromAttribute(value: AttributeValue): Reservation | undefined {
  const m = value.M;
  const num = (v: AttributeValue | undefined) => (v?.N === undefined ? undefined : Number(v.N));
  const list = (v: AttributeValue | undefined) => (v?.L ?? []).flatMap((x) => (x.S ? [x.S] : []));
  const id = m?.id?.S;
  const files = num(m?.files);
  const wildcards = num(m?.wildcards);
  const expiresAt = num(m?.expiresAt);
  if (!m || !id || files === undefined || wildcards === undefined || expiresAt === undefined)
    return undefined;
  const convertedAt = num(m.convertedAt);
  return {
    id,
    holder: m.holder?.S ?? '',
    files,
    wildcards,
    references: list(m.references),
    reservedAt: num(m.reservedAt) ?? 0,
    expiresAt,
    ...(convertedAt !== undefined ? { convertedAt, invalidationIds: list(m.invalidationIds) } : {}),
  };
}

async function load(
  dynamodb: DynamoDBClient,
  table: string,
  distributionId: string,
): Promise<LedgerState> {
  const out = await dynamodb.send(
    new GetItemCommand({
      TableName: table,
      Key: { distributionId: S(distributionId) },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return EMPTY_LEDGER;
  return {
    version: Number(out.Item.version?.N ?? 0),
    reservations: (out.Item.reservations?.L ?? []).flatMap((v) => fromAttribute(v) ?? []),
  };
}

/** Writes `next` if the item is still at `seen.version`; false when someone wrote first. */
async function store(
  dynamodb: DynamoDBClient,
  table: string,
  distributionId: string,
  seen: LedgerState,
  next: LedgerState,
): Promise<boolean> {
  const latest = Math.max(0, ...next.reservations.map((r) => r.expiresAt));
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          distributionId: S(distributionId),
          version: N(next.version),
          reservations: { L: next.reservations.map(toAttribute) },
          ttl: N(Math.ceil(latest / 1000) + ITEM_TTL_SECONDS),
        },
        ...(seen.version === 0
          ? { ConditionExpression: 'attribute_not_exists(distributionId)' }
          : {
              ConditionExpression: 'version = :seen',
              ExpressionAttributeValues: { ':seen': N(seen.version) },
            }),
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as { name?: string })?.name === 'ConditionalCheckFailedException'
    )
      return false;
    throw error;
  }
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));

function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

// ── The budget ────────────────────────────────────────────────────────────────────────────

export function createInvalidationBudget(options: BudgetOptions): InvalidationBudget {
  const { dynamodb, table, ceilings, holder } = options;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  // Late-bound: a clock installed after the budget was built (fake timers, the bench) is read.
  const now = options.now ?? (() => Date.now());

  /** Read-modify-write until it lands; `change` returns undefined to write nothing. */
  async function mutate(
    distributionId: string,
    first: LedgerState | undefined,
    change: (state: LedgerState) => LedgerState | { readonly refuse: string } | undefined,
  ): Promise<{ written: boolean; refused?: string; conflicts: number }> {
    let state = first ?? (await load(dynamodb, table, distributionId));
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const next = change(state);
      if (next === undefined) return { written: false, conflicts: attempt };
      if ('refuse' in next) return { written: false, refused: next.refuse, conflicts: attempt };
      if (await store(dynamodb, table, distributionId, state, next))
        return { written: true, conflicts: attempt };
      await pause();
      state = await load(dynamodb, table, distributionId);
    }
    return { written: false, refused: 'the ledger kept changing', conflicts: WRITE_ATTEMPTS };
  }

  return {
    async open(distributionId, read) {
      const snapshotAt = now();
      const [snapshot, state] = await Promise.all([read(), load(dynamodb, table, distributionId)]);
      const used = usage(state, snapshot, snapshotAt);
      return {
        inFlight: withReservations(snapshot, used),
        async reserve(paths, reference): Promise<Hold> {
          if (now() - snapshotAt > leaseMs / 2)
            return { ok: false, reason: 'the in-flight snapshot is too old', contended: true };
          const reservedAt = now();
          const mine: Reservation = {
            id: randomUUID(),
            holder,
            ...needOf(paths),
            references: [reference],
            reservedAt,
            expiresAt: reservedAt + leaseMs,
          };
          let result;
          try {
            result = await mutate(distributionId, state, (current) => {
              const next = replaced(current, usage(current, snapshot, snapshotAt).lapsed, mine);
              const after = usage(next, snapshot, snapshotAt);
              return fits(after, ceilings)
                ? next
                : {
                    refuse:
                      `in-flight budget taken by other invokers (${after.files - mine.files} files, ` +
                      `${after.wildcards - mine.wildcards} wildcards in flight or reserved)`,
                  };
            });
          } catch (error) {
            return {
              ok: false,
              reason: `could not reserve in-flight budget: ${errorText(error)}`,
              contended: false,
            };
          }
          if (!result.written)
            return { ok: false, reason: result.refused ?? 'not reserved', contended: true };

          const settle = (created: readonly CreatedInvalidation[]) =>
            mutate(distributionId, undefined, (current) => {
              const found = current.reservations.find((r) => r.id === mine.id);
              const lapsed = usage(current, snapshot, snapshotAt).lapsed;
              if (!found && !created.length && !lapsed.length) return undefined;
              const held = found ?? mine;
              return created.length
                ? replaced(current, lapsed, converted(held, created, now()))
                : replaced(current, lapsed, undefined, mine.id);
            }).catch((error: unknown) => {
              options.warn?.('invalidation budget not settled: it lapses with its lease', {
                distributionId,
                reservation: mine.id,
                error: errorText(error),
              });
            });
          return {
            ok: true,
            async settle(sending) {
              let sent;
              try {
                sent = await sending;
              } catch (error) {
                await settle([]);
                throw error;
              }
              await settle(sent.invalidations);
              return sent;
            },
          };
        },
      };
    },
  };
}

/** No shared budget: CloudFront's snapshot as it is, every reservation granted. */
async function unshared(read: () => Promise<InFlight>): Promise<BudgetView> {
  return {
    inFlight: await read(),
    reserve: async () => ({ ok: true, settle: (sending) => sending }),
  };
}

/** The view an invoker plans with: shared when a budget is configured. */
export function openBudget(
  budget: InvalidationBudget | undefined,
  distributionId: string,
  read: () => Promise<InFlight>,
): Promise<BudgetView> {
  return budget ? budget.open(distributionId, read) : unshared(read);
}
