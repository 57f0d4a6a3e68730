/**
 * Feeds a workload to an invalidate step the way the deployed event source mapping does, on a
 * simulated clock: messages queue up as the overwrites happen; a batch closes when it holds
 * `batchSize` messages or `windowSeconds` after its first one; up to `maximumConcurrency`
 * invocations run at once (a second one starts at the same moment only when a second full batch
 * is waiting); a message the step reports as failed becomes visible again after the visibility
 * timeout and goes to the DLQ after `maxReceiveCount` receives. CloudFront (faked) completes
 * invalidations `completionSeconds` after creating them.
 *
 * While a feed runs, `Date.now` returns the simulated time, so the functions' own clock reads
 * (in-flight scan cut-offs, discovery cache) agree with the fake's invalidation timestamps.
 * CPU is process.cpuUsage() around each round of concurrent invocations: the step and the
 * in-memory fakes it calls, not the simulation's bookkeeping nor the over-invalidation count
 * (done afterwards from the fake's ledger). With `node --expose-gc` (as `npm run bench` runs),
 * the setup's garbage is collected before the first round.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DeployedFeed } from './deployed.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  FakeCloudFront,
  fakeDynamoDB,
  fakeS3,
  lowerBound,
  WRITTEN_BEFORE,
  type LedgerEntry,
} from './fakeAws.js';
import type { Workload } from './workloads.js';
import { invalidationPathForKey } from '../shared/keys.js';

export const BUCKET = 'example-content';

/** One SQS message of the invalidation-requests queue, as the invalidate function receives it. */
export interface FeedRecord {
  readonly messageId: string;
  readonly body: string;
  readonly key: string;
  readonly receiveCount: number;
}

/**
 * One warm function instance: takes a batch, answers which messages failed (come back later). As
 * a map, with the seconds after which each comes back (the function's ChangeMessageVisibility);
 * otherwise after the queue's visibility timeout.
 */
export type InvalidateInstance = (
  batch: readonly FeedRecord[],
) => Promise<ReadonlySet<string> | ReadonlyMap<string, number | undefined>>;

export interface StepContext {
  readonly cloudfront: CloudFrontClient;
  readonly s3: S3Client;
  /** The stack's ledger table (one per feed, shared by its instances). */
  readonly dynamodb: DynamoDBClient;
  readonly clock: () => number;
  readonly workload: Workload;
}

export interface Strategy {
  readonly name: string;
  /** Called once per concurrent instance (a warm Lambda keeps its caches). */
  readonly instance: (context: StepContext) => InvalidateInstance;
}

export interface FeedOptions extends DeployedFeed {
  readonly completionSeconds: number;
  /** Simulated duration of one invocation. */
  readonly invocationSeconds: number;
  /**
   * From the write to its request being visible on the invalidation-requests queue: the S3
   * event's delivery, ingest's batch, its SendMessage. Default 0.
   */
  readonly eventLagSeconds?: number;
}

export interface FeedResult {
  readonly workload: string;
  readonly strategy: string;
  readonly records: number;
  readonly deliveries: number;
  readonly invocations: number;
  readonly calls: number;
  readonly refusedCalls: number;
  readonly pathsBilled: number;
  readonly overInvalidated: number;
  readonly maxInFlightFiles: number;
  readonly maxInFlightWildcards: number;
  /** Most receives any covered message needed (1: everything covered on first delivery). */
  readonly rounds: number;
  readonly toDlq: number;
  /** Longest time from an overwrite to the invalidation covering it, simulated seconds. */
  readonly maxWaitSeconds: number;
  readonly cpuMsPer10kRecords: number;
}

const counters = new WeakMap<Workload, (entry: LedgerEntry) => number>();

/** Unchanged objects an invalidation evicts: exact paths, `prefix*` ranges and `#tag` items. */
export function evictionCounter(workload: Workload): (entry: LedgerEntry) => number {
  const known = counters.get(workload);
  if (known) return known;
  const changed = new Set(workload.overwrites.map((o) => o.key));
  const paths = workload.bucketKeys.map((k) => invalidationPathForKey(k)!);
  const unchangedBefore = new Int32Array(paths.length + 1);
  const unchangedPath = new Set<string>();
  const unchangedByTag = new Map<string, number>();
  workload.bucketKeys.forEach((key, i) => {
    const unchanged = !changed.has(key);
    unchangedBefore[i + 1] = unchangedBefore[i]! + (unchanged ? 1 : 0);
    if (!unchanged) return;
    unchangedPath.add(paths[i]!);
    const tag = workload.tagOf(key).toLowerCase();
    unchangedByTag.set(tag, (unchangedByTag.get(tag) ?? 0) + 1);
  });
  const count = (entry: LedgerEntry): number => {
    let evicted = 0;
    for (const p of entry.paths) {
      if (p.startsWith('#')) evicted += unchangedByTag.get(p.slice(1).toLowerCase()) ?? 0;
      else if (p.endsWith('*')) {
        const prefix = p.slice(0, -1);
        // Paths under the prefix are contiguous in sorted order, up to the prefix's successor.
        const next =
          prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
        const lo = lowerBound(paths, prefix);
        const hi = prefix ? lowerBound(paths, next) : paths.length;
        evicted += unchangedBefore[hi]! - unchangedBefore[lo]!;
      } else if (unchangedPath.has(p)) evicted += 1;
    }
    return evicted;
  };
  counters.set(workload, count);
  return count;
}

interface Message {
  readonly record: FeedRecord;
  readonly arrivedAt: number;
  visibleAt: number;
  receives: number;
}

/** Runs one workload through one strategy at the deployed settings. */
export async function runFeed(
  workload: Workload,
  strategy: Strategy,
  options: FeedOptions,
): Promise<FeedResult> {
  let now = 0;
  const clock = () => now;
  const cloudfront = new FakeCloudFront(BUCKET, clock, options.completionSeconds * 1000);
  // LastModified as S3 lists it: an overwritten object's latest write so far, else older. Per
  // object (by its place in the sorted bucket), its writes in time order and how many of them
  // the clock has passed: the simulated clock only moves forward.
  const writes = new Map<string, number[]>();
  for (const o of workload.overwrites) {
    const list = writes.get(o.key) ?? [];
    list.push(o.at);
    writes.set(o.key, list);
  }
  const writesAt: Array<number[] | undefined> = workload.bucketKeys.map((key) =>
    writes.get(key)?.sort((a, b) => a - b),
  );
  const passed = new Int32Array(workload.bucketKeys.length);
  const modifiedAt = (_key: string, index: number): number => {
    const list = writesAt[index];
    if (!list) return WRITTEN_BEFORE;
    let done = passed[index]!;
    while (done < list.length && list[done]! <= now) done += 1;
    passed[index] = done;
    return done === 0 ? WRITTEN_BEFORE : Math.max(WRITTEN_BEFORE, list[done - 1]!);
  };
  const s3 = fakeS3(BUCKET, workload.bucketKeys, modifiedAt);
  const context: StepContext = {
    cloudfront: cloudfront.client,
    s3,
    dynamodb: fakeDynamoDB(),
    clock,
    workload,
  };
  const instances = Array.from({ length: options.maximumConcurrency }, () =>
    strategy.instance(context),
  );

  const arrivals: Message[] = workload.overwrites.map((o, i) => ({
    record: {
      messageId: `m-${i}`,
      key: o.key,
      receiveCount: 0,
      body: JSON.stringify({
        v: 1,
        bucket: BUCKET,
        key: o.key,
        versionId: `v${i}`,
        eventTime: new Date(o.at).toISOString(),
        sequencer: i.toString(16).toUpperCase().padStart(16, '0'),
        reason: 'overwrite',
      }),
    },
    arrivedAt: o.at,
    visibleAt: o.at + (options.eventLagSeconds ?? 0) * 1000,
    receives: 0,
  }));
  // Messages coming back, grouped by when they become visible (a round's failures share a few
  // times: the visibility timeout, or what the step asked for), groups sorted by that time.
  const returns: Array<{ readonly at: number; readonly messages: Message[]; next: number }> = [];
  const queueReturn = (m: Message): void => {
    let lo = 0;
    let hi = returns.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (returns[mid]!.at < m.visibleAt) lo = mid + 1;
      else hi = mid;
    }
    const group = returns[lo];
    if (group && group.at === m.visibleAt) group.messages.push(m);
    else returns.splice(lo, 0, { at: m.visibleAt, messages: [m], next: 0 });
  };
  const firstReturn = (): Message | undefined => {
    while (returns.length && returns[0]!.next >= returns[0]!.messages.length) returns.shift();
    const group = returns[0];
    return group?.messages[group.next];
  };
  let nextArrival = 0;
  const ready: Message[] = [];
  let readyHead = 0;
  const readyCount = () => ready.length - readyHead;
  const nextVisible = (): number => {
    const a = arrivals[nextArrival]?.visibleAt ?? Infinity;
    const r = firstReturn()?.visibleAt ?? Infinity;
    return Math.min(a, r);
  };
  const takeNext = (): void => {
    const a = arrivals[nextArrival];
    const r = firstReturn();
    if (a && (!r || a.visibleAt <= r.visibleAt)) {
      ready.push(a);
      nextArrival += 1;
    } else if (r) {
      ready.push(r);
      returns[0]!.next += 1;
    }
  };

  const { batchSize } = options;
  const windowMs = options.windowSeconds * 1000;
  let settled = 0;
  let deliveries = 0;
  let invocations = 0;
  let rounds = 0;
  let toDlq = 0;
  let maxWait = 0;
  let cpuMicros = 0;
  // The setup's garbage (workload, messages) is not the step's: collect it before measuring.
  (globalThis as { gc?: () => void }).gc?.();
  const realNow = Date.now;
  Date.now = clock;
  try {
    while (settled < arrivals.length) {
      if (readyCount() === 0) {
        const t = nextVisible();
        if (t === Infinity) break;
        now = Math.max(now, t);
      }
      while (nextVisible() <= now) takeNext();
      // A batch window opens with the first visible message and closes full or on time.
      const deadline = now + windowMs;
      let close = now;
      while (readyCount() < batchSize && nextVisible() <= deadline) {
        close = Math.max(close, nextVisible());
        takeNext();
      }
      close = readyCount() >= batchSize ? close : deadline;
      now = close;
      while (nextVisible() <= now) takeNext();
      const batches: Message[][] = [];
      for (let slot = 0; slot < instances.length && readyCount() > 0; slot += 1) {
        if (slot > 0 && readyCount() < batchSize) break;
        const batch = ready.slice(readyHead, readyHead + batchSize);
        readyHead += batch.length;
        for (const m of batch) m.receives += 1;
        batches.push(batch);
      }
      if (readyHead > 100_000) {
        ready.splice(0, readyHead);
        readyHead = 0;
      }
      const before = process.cpuUsage();
      const failures = await Promise.all(
        batches.map((batch, slot) =>
          instances[slot]!(batch.map((m) => ({ ...m.record, receiveCount: m.receives }))),
        ),
      );
      const used = process.cpuUsage(before);
      cpuMicros += used.user + used.system;
      invocations += batches.length;
      batches.forEach((batch, slot) => {
        const failed = failures[slot]!;
        for (const m of batch) {
          deliveries += 1;
          if (!failed.has(m.record.messageId)) {
            settled += 1;
            rounds = Math.max(rounds, m.receives);
            maxWait = Math.max(maxWait, now - m.arrivedAt);
          } else if (m.receives >= options.maxReceiveCount) {
            settled += 1;
            toDlq += 1;
          } else {
            const after = failed instanceof Map ? failed.get(m.record.messageId) : undefined;
            m.visibleAt = now + (after ?? options.visibilityTimeoutSeconds) * 1000;
            queueReturn(m);
          }
        }
      });
      now += options.invocationSeconds * 1000;
    }
  } finally {
    Date.now = realNow;
  }
  const { stats } = cloudfront;
  const evictions = evictionCounter(workload);
  const overInvalidated = cloudfront.created.reduce((sum, entry) => sum + evictions(entry), 0);
  return {
    workload: workload.name,
    strategy: strategy.name,
    records: arrivals.length,
    deliveries,
    invocations,
    calls: stats.calls,
    refusedCalls: stats.refused,
    pathsBilled: stats.pathsBilled,
    overInvalidated,
    maxInFlightFiles: stats.maxFiles,
    maxInFlightWildcards: stats.maxWildcards,
    rounds,
    toDlq,
    maxWaitSeconds: Math.round(maxWait / 1000),
    cpuMsPer10kRecords: deliveries ? (cpuMicros / 1000) * (10_000 / deliveries) : 0,
  };
}
