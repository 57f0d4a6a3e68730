/**
 * LOCAL ONLY (the local edge). The edge's own count of what it served, per distribution and
 * viewer path: requests, hits (`Hit` and `RefreshHit`, as the logs' x-edge-result-type counts
 * them), misses, errors and bytes sent. Kept beside the logs and metrics it also writes, so that a
 * test or the demo can hold what the report says against what the edge did (`edgeCountsByClass`
 * in local/demoCounts.ts groups it by content class).
 */
import type { ResultType } from './edgeDeps.js';

export interface ServedCounts {
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  readonly errors: number;
  readonly bytes: number;
}

export interface TalliedPath extends ServedCounts {
  readonly distributionId: string;
  /** The viewer path as the distribution saw it (as requested: encoded characters kept). */
  readonly path: string;
}

export interface EdgeTally {
  count(distributionId: string, path: string, resultType: ResultType, bytes: number): void;
  entries(): TalliedPath[];
}

export function edgeTally(): EdgeTally {
  const byPath = new Map<string, { -readonly [K in keyof TalliedPath]: TalliedPath[K] }>();
  return {
    count(distributionId, path, resultType, bytes) {
      const key = `${distributionId}\0${path}`;
      const entry = byPath.get(key) ?? {
        distributionId,
        path,
        requests: 0,
        hits: 0,
        misses: 0,
        errors: 0,
        bytes: 0,
      };
      entry.requests += 1;
      entry.bytes += bytes;
      if (resultType === 'Hit' || resultType === 'RefreshHit') entry.hits += 1;
      else if (resultType === 'Miss') entry.misses += 1;
      else entry.errors += 1;
      byPath.set(key, entry);
    },
    entries: () => [...byPath.values()].map((e) => ({ ...e })),
  };
}
