/**
 * Keeps the cold-start part of `npm run bench` from rotting: one function, one run, every column
 * and both row sets present. The numbers are the bench's to report, never asserted here.
 */
import { describe, expect, it } from 'vitest';
import { coldStartTables, runColdStart } from '../../bench/coldStart.js';

describe('cold-start bench (smoke)', () => {
  it('builds ingest and its floor, bundled and SDK-external, and times a require of each', async () => {
    const report = await runColdStart(1, ['ingest']);
    for (const rows of [report.bundled, report.sdkExternal]) {
      expect(rows.map((r) => r.function)).toEqual(['ingest']);
      for (const value of Object.values(rows[0]!).filter((v) => typeof v === 'number'))
        expect(value).toBeGreaterThan(0);
    }
    expect(report.sdkExternal[0]!.bundleBytes).toBeLessThan(report.bundled[0]!.bundleBytes);
    expect(report.nodeOptions).toBe('--enable-source-maps');
    expect(coldStartTables(report).join('\n')).toContain('| ingest |');
  }, 120_000);
});
