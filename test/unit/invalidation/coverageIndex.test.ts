/**
 * The coverage checks answer as the scans they replace: CoverageIndex (recent invalidations,
 * moved from batch to batch) against a scan of every path of every invalidation, and
 * coverageOf against covers().
 */
import { describe, expect, it } from 'vitest';
import { covers, coverageOf } from '../../../functions/invalidate/bisect.js';
import {
  CoverageIndex,
  type IndexedInvalidation,
} from '../../../functions/invalidate/coverageIndex.js';
import {
  latestInvalidation,
  recentCoverage,
  forgetRecentInvalidations,
} from '../../../functions/invalidate/recentCoverage.js';

/** The scan the index replaced: every exact path, then every wildcard's prefix. */
function scanLatest(recent: readonly IndexedInvalidation[], path: string): number {
  const wildcard = path.endsWith('*');
  let at = -Infinity;
  for (const i of recent)
    for (const p of i.paths) {
      if (p.endsWith('*')) {
        const own = wildcard ? path.slice(0, -1) : path;
        if (own.startsWith(p.slice(0, -1))) at = Math.max(at, i.createTime);
      } else if (!wildcard && p === path) at = Math.max(at, i.createTime);
    }
  return at;
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const PATHS = ['/a', '/a/', '/a/b', '/a/b.ts', '/a/bc', '/b/x', '/', '/a~', '/ab', '/#tag'];
const pickPath = (rand: () => number) => {
  const p = PATHS[Math.floor(rand() * PATHS.length)]!;
  return rand() < 0.3 ? `${p.replace(/\/$/, '')}*`.replace(/^\*$/, '/*') : p;
};
const invalidations = (rand: () => number, count: number): IndexedInvalidation[] =>
  Array.from({ length: count }, (_, n) => ({
    id: `I${n}`,
    createTime: Math.floor(rand() * 10) * 1000, // ties on purpose
    paths: Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pickPath(rand)),
  }));
const queries = [...PATHS, ...PATHS.map((p) => `${p}*`), '/a/b/c/d', '/zzz*'];

describe('CoverageIndex', () => {
  it('answers as a scan of the recent invalidations, as the set slides from batch to batch', () => {
    const rand = random(3);
    const all = invalidations(rand, 40);
    const index = new CoverageIndex();
    for (let start = 0; start < all.length; start += 3) {
      const recent = all.slice(start, start + 1 + Math.floor(rand() * 12));
      index.update(recent);
      for (const q of queries)
        expect(index.latest(q), `${q} in ${start}`).toBe(scanLatest(recent, q));
    }
    index.update([]);
    for (const q of queries) expect(index.latest(q)).toBe(-Infinity);
  });

  it('counts an invalidation listed twice once, and keeps a path two invalidations name', () => {
    const a = { id: 'A', createTime: 1000, paths: ['/x', '/y*'] };
    const b = { id: 'B', createTime: 2000, paths: ['/x'] };
    const index = new CoverageIndex().update([a, a, b]);
    expect(index.latest('/x')).toBe(2000);
    index.update([a]);
    expect(index.latest('/x')).toBe(1000);
    expect(index.latest('/y/z')).toBe(1000);
  });

  it('latestInvalidation and recentCoverage give the same answers', () => {
    forgetRecentInvalidations();
    const rand = random(5);
    const recent = invalidations(rand, 20);
    const fresh = latestInvalidation(recent);
    // Another batch holds one index while this one takes a second: each answers for its own set.
    const other = recentCoverage('E1', recent.slice(0, 5));
    const pooled = recentCoverage('E1', recent);
    for (const q of queries) {
      expect(pooled.latest(q)).toBe(fresh(q));
      expect(other.latest(q)).toBe(scanLatest(recent.slice(0, 5), q));
    }
    other.release();
    pooled.release();
    const again = recentCoverage('E1', recent.slice(2));
    for (const q of queries) expect(again.latest(q)).toBe(scanLatest(recent.slice(2), q));
    again.release();
  });
});

describe('coverageOf', () => {
  it('answers as covers() for random sent lists and paths', () => {
    const rand = random(9);
    for (let round = 0; round < 200; round += 1) {
      const sent = Array.from({ length: Math.floor(rand() * 6) }, () => pickPath(rand));
      const check = coverageOf(sent);
      for (const q of queries) expect(check(q), `${q} by ${sent.join(' ')}`).toBe(covers(sent, q));
    }
  });
});
