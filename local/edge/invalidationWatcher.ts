/**
 * LOCAL ONLY (the local edge). Makes accepted invalidations take effect: polls each distribution's
 * invalidations — on the emulator (ListInvalidations, then GetInvalidation for each id not seen
 * before), or, when the fault proxy answers invalidations, in its ledger directly (so the edge's
 * reads neither count as the script's calls nor meet its faults) — and evicts the matching cache
 * entries as soon as it sees one, InProgress or not (an accepted invalidation starts taking effect
 * at once on CloudFront). Invalidations that existed when the watcher started are taken as already
 * applied (nothing was cached before them).
 */
import {
  GetInvalidationCommand,
  paginateListInvalidations,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import type { InvalidationLedger } from '../faultProxyLedger.js';
import type { EdgeCache } from './EdgeCache.js';

/** Where invalidations are read. */
export interface InvalidationSource {
  ids(distributionId: string): Promise<string[]>;
  paths(distributionId: string, id: string): Promise<readonly string[]>;
}

/** CloudFront's API (the emulator). */
export function cloudFrontSource(cloudfront: CloudFrontClient): InvalidationSource {
  return {
    async ids(distributionId) {
      const ids: string[] = [];
      const pages = paginateListInvalidations(
        { client: cloudfront },
        { DistributionId: distributionId },
      );
      for await (const page of pages) {
        for (const item of page.InvalidationList?.Items ?? []) if (item.Id) ids.push(item.Id);
      }
      return ids;
    },
    async paths(distributionId, id) {
      const out = await cloudfront.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
      );
      return out.Invalidation?.InvalidationBatch?.Paths?.Items ?? [];
    },
  };
}

/** The fault proxy's ledger, read in this process. */
export function ledgerSource(ledger: Pick<InvalidationLedger, 'list' | 'get'>): InvalidationSource {
  return {
    ids: async (distributionId) => ledger.list(distributionId).map((i) => i.id),
    paths: async (distributionId, id) => ledger.get(distributionId, id)?.paths ?? [],
  };
}

export interface InvalidationWatcher {
  /** One poll of every distribution now (tests and the poll loop call it). */
  poll(): Promise<void>;
  stop(): Promise<void>;
  /** Invalidations applied so far, and the entries they evicted. */
  stats(): { readonly invalidations: number; readonly evicted: number };
}

export interface WatcherOptions {
  readonly source: InvalidationSource;
  readonly cache: EdgeCache;
  /** The distributions to watch (re-read on every poll: distributions come and go). */
  readonly distributionIds: () => readonly string[];
  readonly everyMs: number;
  /** A line for each applied invalidation and each failed poll. */
  readonly log?: (line: string) => void;
}

export function startInvalidationWatcher(options: WatcherOptions): InvalidationWatcher {
  const { source, cache } = options;
  const log = options.log ?? (() => undefined);
  const seen = new Map<string, Set<string>>();
  let invalidations = 0;
  let evicted = 0;
  let stopped = false;
  let running: Promise<void> | undefined;
  let lastFailure = '';

  async function pollOne(distributionId: string): Promise<void> {
    const known = seen.get(distributionId);
    const ids = await source.ids(distributionId);
    if (!known) {
      seen.set(distributionId, new Set(ids));
      return;
    }
    for (const id of ids) {
      if (known.has(id)) continue;
      const paths = await source.paths(distributionId, id);
      const n = cache.invalidate(distributionId, paths);
      known.add(id);
      invalidations += 1;
      evicted += n;
      log(
        `edge: invalidation ${id} on ${distributionId} (${paths.length} path(s)) evicted ${n} cached object(s)`,
      );
    }
  }

  async function poll(): Promise<void> {
    const results = await Promise.allSettled(options.distributionIds().map((id) => pollOne(id)));
    // A poll that outlived stop() (the emulator going away, say) has nothing left to report.
    if (stopped) return;
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const line = failure
      ? `${(failure.reason as Error).name}: ${(failure.reason as Error).message}`
      : '';
    // One line per new kind of failure, not one per poll.
    if (line && line !== lastFailure) log(`edge: reading invalidations failed: ${line}`);
    lastFailure = line;
  }

  const timer = setInterval(() => {
    if (stopped || running) return;
    running = poll().finally(() => {
      running = undefined;
    });
  }, options.everyMs);
  timer.unref();

  return {
    poll: async () => {
      await running;
      await poll();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
    stats: () => ({ invalidations, evicted }),
  };
}
