/**
 * The shared in-flight budget of a distribution, as plain data and pure rules: what every
 * invoker (each invalidate instance, the CLI) has reserved, and how much of the distribution's
 * quota is in use once CloudFront's own snapshot of in-flight invalidations is added.
 *
 * Why a ledger at all: CloudFront's in-flight list only shows an invalidation once it exists.
 * Between reading it and CreateInvalidation, a second invoker sees the same snapshot and plans
 * into the same room (two batches of 1 450 files: 2 900 in flight against a ceiling of 2 800).
 * So every invoker reserves its plan here, with a conditional write, before it sends it.
 *
 * The rules, each judged against the START time of the reader's CloudFront snapshot:
 * - A pending reservation (reserved, not yet sent) holds its files and wildcards until its lease
 *   ends. Its holder must send within the lease (the lease outlives the function's timeout), so
 *   once a snapshot starts after the lease ended, whatever the holder created is in it: a crashed
 *   holder's reservation lapses, never leaks.
 * - A converted reservation (sent: it names the invalidations CloudFront accepted) holds what was
 *   created, and claims those invalidations in the snapshot so nothing is counted twice. It is
 *   released once a snapshot started at least {@link VISIBLE_AFTER_MS} after the conversion no
 *   longer lists them in progress (CloudFront reports them Completed), and at the latest after
 *   {@link CONVERTED_MAX_MS}, when the snapshot alone counts them.
 * - Invalidations in the snapshot that no live reservation claims (a person's, the console's, a
 *   holder that crashed after sending) count as they are.
 * Clocks of the invokers are assumed to agree within a few seconds (NTP on Lambda and laptops).
 */
import { isWildcardPath } from '../keys.js';
import { isTagItem } from './cacheTags.js';
import type { InFlight } from './inflight.js';

/**
 * How long a pending reservation holds: longer than a holder takes from reserving to the end of
 * its sends (the invalidate function times out after 120 s; the CLI sends at most 24 calls).
 */
export const LEASE_MS = 5 * 60 * 1000;
/** A converted reservation holds its budget at least this long after the send (list lag). */
export const VISIBLE_AFTER_MS = 10_000;
/** …and at most this long: later, CloudFront's in-flight list alone counts its invalidations. */
export const CONVERTED_MAX_MS = 60 * 60 * 1000;

export interface Need {
  readonly files: number;
  readonly wildcards: number;
}

export interface Reservation extends Need {
  readonly id: string;
  /** Who holds it, for people reading the table: `invalidate`, `cli`. */
  readonly holder: string;
  /** CallerReferences of its invalidations: the plan's before the send, every call's after. */
  readonly references: readonly string[];
  readonly reservedAt: number;
  /** Pending: the end of the lease. Converted: {@link CONVERTED_MAX_MS} after the send. */
  readonly expiresAt: number;
  /** Set once sent: the invalidations CloudFront accepted. */
  readonly convertedAt?: number;
  readonly invalidationIds?: readonly string[];
}

/** One item per distribution; `version` orders every write (conditional on the one read). */
export interface LedgerState {
  readonly version: number;
  readonly reservations: readonly Reservation[];
}

export const EMPTY_LEDGER: LedgerState = Object.freeze({ version: 0, reservations: [] });

/** Files and wildcards of a list of paths (a `#tag` item counts in both pools: conservative). */
export function needOf(paths: readonly string[]): Need {
  const wildcards = paths.filter(isWildcardPath).length;
  const tags = paths.filter(isTagItem).length;
  return { files: paths.length - wildcards, wildcards: wildcards + tags };
}

/** Whether a reservation still holds budget for a reader whose snapshot started at `snapshotAt`. */
export function isLive(r: Reservation, snapshot: InFlight, snapshotAt: number): boolean {
  if (r.expiresAt < snapshotAt) return false;
  if (r.convertedAt === undefined) return true;
  if (r.convertedAt + VISIBLE_AFTER_MS >= snapshotAt) return true;
  const ids = new Set(r.invalidationIds ?? []);
  return snapshot.invalidations.some((i) => ids.has(i.id));
}

export interface Usage extends Need {
  /** What the ledger's live reservations hold. */
  readonly reserved: Need;
  /** Reservations that no longer hold anything (a writer drops them). */
  readonly lapsed: readonly string[];
}

/**
 * The distribution's quota in use: live reservations plus the snapshot's invalidations that no
 * live reservation claims (by invalidation id, or by CallerReference before the id is known).
 */
export function usage(state: LedgerState, snapshot: InFlight, snapshotAt: number): Usage {
  const live = state.reservations.filter((r) => isLive(r, snapshot, snapshotAt));
  const ids = new Set(live.flatMap((r) => r.invalidationIds ?? []));
  const references = new Set(live.flatMap((r) => r.references));
  let files = 0;
  let wildcards = 0;
  for (const r of live) {
    files += r.files;
    wildcards += r.wildcards;
  }
  const reserved = { files, wildcards };
  for (const i of snapshot.invalidations) {
    if (ids.has(i.id) || references.has(i.callerReference)) continue;
    files += i.files;
    wildcards += i.wildcards;
  }
  const lapsed = state.reservations.filter((r) => !live.includes(r)).map((r) => r.id);
  return { files, wildcards, reserved, lapsed };
}

/** The snapshot as the planner reads it: the reservations of every other invoker added. */
export function withReservations(snapshot: InFlight, used: Need): InFlight {
  return { ...snapshot, files: used.files, wildcards: used.wildcards };
}

/** Whether `used` fits the ceilings. */
export function fits(used: Need, ceilings: Need): boolean {
  return used.files <= ceilings.files && used.wildcards <= ceilings.wildcards;
}

/** The state with the lapsed reservations dropped and `reservation` put in (replacing its id). */
export function replaced(
  state: LedgerState,
  lapsed: readonly string[],
  reservation: Reservation | undefined,
  dropId?: string,
): LedgerState {
  const drop = new Set([
    ...lapsed,
    ...(dropId ? [dropId] : []),
    ...(reservation ? [reservation.id] : []),
  ]);
  return {
    version: state.version + 1,
    reservations: [
      ...state.reservations.filter((r) => !drop.has(r.id)),
      ...(reservation ? [reservation] : []),
    ],
  };
}

/** A reservation once sent: exactly what CloudFront accepted, claimed by id from now on. */
export function converted(
  r: Reservation,
  created: ReadonlyArray<{
    readonly invalidationId: string;
    readonly callerReference: string;
    readonly paths: readonly string[];
  }>,
  now: number,
): Reservation {
  const need = needOf(created.flatMap((c) => c.paths));
  return {
    ...r,
    ...need,
    references: created.map((c) => c.callerReference),
    invalidationIds: created.map((c) => c.invalidationId),
    convertedAt: now,
    expiresAt: now + CONVERTED_MAX_MS,
  };
}
