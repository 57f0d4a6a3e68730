import { describe, expect, it } from 'vitest';
import {
  FREE_PATHS_PER_MONTH,
  PRICE_PER_PATH_USD,
  invalidationSpend,
  startOfMonthUtc,
} from '../../../functions/report/spend.js';

describe('invalidationSpend', () => {
  // 2026-11-16T00:00Z: 15 of November's 30 days have passed, so the projection doubles.
  const MID_MONTH = new Date('2026-11-16T00:00:00Z');

  describe.each([
    ['below the free tier', 400, 0, 0, 800],
    ['exactly at the free tier', 1000, 0, 0, 2000],
    ['one path above', 1001, 1, 0.005, 2002],
    ['above the free tier', 1240, 240, 1.2, 2480],
    ['far above', 20_000, 19_000, 95, 40_000],
  ])('%s (%i paths)', (_title, paths, billable, usd, projected) => {
    it(`bills ${billable} paths ≈ $${usd} and projects ${projected}`, () => {
      expect(invalidationSpend(paths, MID_MONTH)).toEqual({
        pathsBilled: paths,
        freePaths: FREE_PATHS_PER_MONTH,
        billablePaths: billable,
        estimatedUsd: usd,
        projectedPaths: projected,
      });
    });
  });

  it('does not project in the first day of the month', () => {
    const spend = invalidationSpend(10, new Date('2026-11-01T05:00:00Z'));
    expect(spend.projectedPaths).toBeUndefined();
    expect(spend.billablePaths).toBe(0);
  });

  it('projects linearly over the month’s real length (February)', () => {
    // 7 of 28 days: ×4.
    expect(invalidationSpend(300, new Date('2027-02-08T00:00:00Z')).projectedPaths).toBe(1200);
  });

  it('uses $0.005 per path and 1 000 free paths', () => {
    expect(PRICE_PER_PATH_USD).toBe(0.005);
    expect(FREE_PATHS_PER_MONTH).toBe(1000);
  });

  it('starts the month at 00:00 UTC on the first', () => {
    expect(startOfMonthUtc(new Date('2026-12-31T23:59:59Z'))).toEqual(
      new Date('2026-12-01T00:00:00Z'),
    );
  });
});
