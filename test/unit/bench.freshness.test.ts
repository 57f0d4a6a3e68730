/** The freshness bench's figures (bench/freshness.ts): nearest-rank percentiles and its table. */
import { describe, expect, it } from 'vitest';
import { freshnessTable, spread, type FreshnessReport } from '../../bench/freshness.js';

describe('spread', () => {
  it('returns nearest-rank p50 and p99, min and max', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(spread(values)).toEqual({ p50: 50, p99: 99, max: 100, min: 1 });
    expect(spread([7])).toEqual({ p50: 7, p99: 7, max: 7, min: 7 });
    expect(spread([]).p50).toBeNaN();
  });
});

describe('freshnessTable', () => {
  it('shows each figure in seconds and against the window', () => {
    const report = {
      runs: 3,
      windowMs: 2000,
      edgePollMs: 500,
      pollMs: 50,
      invalidationMs: { p50: 2500, p99: 3000, max: 3000, min: 2100 },
      freshMs: { p50: 3000, p99: 3500, max: 3500, min: 2600 },
      neverFresh: 0,
    } as FreshnessReport;
    const lines = freshnessTable(report);
    expect(lines[0]).toMatch(
      /^Freshness at the local edge: 3 overwrites, invalidate window 2.00 s/,
    );
    expect(lines).toContain('| invalidation created | 2.50 s | 3.00 s | 3.00 s | 1.25× |');
    expect(lines).toContain('| new bytes served by the edge | 3.00 s | 3.50 s | 3.50 s | 1.50× |');
  });
});
