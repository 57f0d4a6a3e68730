/**
 * Keeps `npm run bench` from rotting: one small workload through every strategy at the deployed
 * feed settings, and the planner-alone table on its smallest size. The numbers are measured by
 * the bench, not asserted here: only that it runs and produces every column.
 */
import { describe, expect, it } from 'vitest';
import { STRATEGIES } from '../../bench/baselines.js';
import { readDeployedFeed } from '../../bench/deployed.js';
import { plannerAloneTable, runPlannerAlone } from '../../bench/plannerAlone.js';
import {
  DEFAULT_COMPLETION_SECONDS,
  INVOCATION_SECONDS,
  runWorkloads,
  targets,
  workloadTable,
} from '../../bench/report.js';
import { hlsBurst } from '../../bench/workloads.js';

const COLUMNS = [
  'calls',
  'refusedCalls',
  'pathsBilled',
  'overInvalidated',
  'maxInFlightFiles',
  'maxInFlightWildcards',
  'rounds',
  'toDlq',
  'maxWaitSeconds',
  'cpuMsPer10kRecords',
] as const;

describe('npm run bench (smoke)', () => {
  it('reads the deployed feed from serverless.yml and the queue resources', () => {
    const feed = readDeployedFeed();
    for (const value of Object.values(feed)) expect(Number.isFinite(value)).toBe(true);
  });

  it('feeds a small HLS burst to every strategy and reports every column', async () => {
    const workload = hlsBurst({ ladders: 2, segments: 30, otherLadders: 2, spanMs: 5_000 });
    const results = await runWorkloads(
      [workload],
      {
        ...readDeployedFeed(),
        completionSeconds: DEFAULT_COMPLETION_SECONDS,
        invocationSeconds: INVOCATION_SECONDS,
      },
      { pipelineRepeats: 1, warmUp: false },
    );
    expect(results.map((r) => r.strategy)).toEqual(STRATEGIES.map((s) => s.name));
    for (const r of results) {
      expect(r.records).toBe(workload.overwrites.length);
      for (const column of COLUMNS) expect(Number.isFinite(r[column]), column).toBe(true);
    }
    const table = workloadTable(results);
    expect(table).toHaveLength(2 + results.length);
    expect(table[0]).toContain('paths billed');
    expect(targets(results).cpuMsPer10kRecords.target).toBeGreaterThan(0);
  });

  it('prints the planner-alone table', () => {
    const table = plannerAloneTable(runPlannerAlone([100]));
    expect(table.filter((line) => line.startsWith('| '))).toHaveLength(1 + 3 * 2 * 3);
  });
});
