/**
 * Keeps the ingest part of `npm run bench` running (bench/ingestBatch.ts, its own emulator): one
 * round, every column present. Its calls per object are counted, not timed: one GetObjectTagging
 * and PutObjectTagging per overwrite, one ListObjectVersions (the histories share it) and one
 * SendMessageBatch for the batch.
 */
import { describe, expect, it } from 'vitest';
import { ingestBatchTable, runIngestBatch } from '../../bench/ingestBatch.js';

describe('npm run bench, ingest section (smoke)', () => {
  it('measures a batch of 10 against its records alone and counts the calls per object', async () => {
    const result = await runIngestBatch({ repeats: 1, addedLatencyMs: [0], model: false });
    expect(result.concurrency).toBe(10);
    expect(result.measurements).toHaveLength(1);
    const [m] = result.measurements;
    expect(m!.callsByOperation).toEqual({
      GetObjectTagging: 1,
      ListObjectVersions: 0.1,
      PutObjectTagging: 1,
      SendMessageBatch: 0.1,
    });
    expect(m!.callsPerObject).toBeCloseTo(2.2);
    for (const value of [m!.batchMs, m!.slowestSingleMs, m!.ratio, result.emulator.tenAtOnceMs])
      expect(Number.isFinite(value) && value > 0).toBe(true);
    expect(ingestBatchTable(result).join('\n')).toContain('| after | emulator |');
  }, 60_000);
});
