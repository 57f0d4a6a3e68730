/**
 * `npm run bench`: invalidations under real workloads, measured, not asserted. Each workload is
 * fed through the deployed batch size and window (read from serverless.yml) to the stack's
 * invalidate step and to four baselines, against CloudFront and S3 faked in memory; then the
 * planner alone on big synthetic inputs. Prints the Markdown tables and writes everything to
 * bench/results/<label>.json.
 *
 * `npm run bench -- [--label latest] [--completion-seconds 25] [--invocation-seconds 5]
 *   [--event-lag-seconds 2] [--workload hls] [--repeats 3]
 *   [--no-planner-alone] [--no-ingest-report] [--json]
 *   [--only cold-start|freshness|invalidation|ingest] [--strategy pipeline]
 *   [--cold-start-runs 11] [--freshness-runs 30]`
 *
 * `--only ingest` runs the ingest batch measurement alone (`--repeats` rounds), printing its JSON
 * and table. `--only invalidation` runs the workload feeds alone (no planner-alone table, no ingest/report
 * section, no cold start), writes nothing unless `--label` is given; `--strategy` keeps the
 * strategies whose name contains it (e.g. `pipeline`): for profiling with `node --cpu-prof`.
 */
import './quiet.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { loadInvalidateConfig } from '../functions/invalidate/config.js';
import { coldStartMain } from './coldStart.js';
import { freshnessMain } from './freshness.js';
import { readDeployedFeed } from './deployed.js';
import { ingestBatchTable, runIngestBatch } from './ingestBatch.js';
import { runIngestReportSection } from './ingestReportSection.js';
import type { FeedOptions } from './feed.js';
import { plannerAloneTable, runPlannerAlone } from './plannerAlone.js';
import {
  DEFAULT_COMPLETION_SECONDS,
  INVOCATION_SECONDS,
  EVENT_LAG_SECONDS,
  n,
  runWorkloads,
  targetLines,
  targets,
  workloadTable,
} from './report.js';
import { STRATEGIES } from './baselines.js';
import { allWorkloads } from './workloads.js';

/** The JSON as the repository's formatter writes it (so `npm run lint` accepts a committed result). */
async function formatted(json: string): Promise<string> {
  const prettier = await import('prettier');
  const config = await prettier.resolveConfig(fileURLToPath(import.meta.url));
  return prettier.format(json, { ...config, parser: 'json' });
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      label: { type: 'string', default: 'latest' },
      'completion-seconds': { type: 'string', default: String(DEFAULT_COMPLETION_SECONDS) },
      workload: { type: 'string' },
      repeats: { type: 'string', default: '3' },
      'invocation-seconds': { type: 'string', default: String(INVOCATION_SECONDS) },
      'event-lag-seconds': { type: 'string', default: String(EVENT_LAG_SECONDS) },
      'no-planner-alone': { type: 'boolean', default: false },
      'no-ingest-report': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' }, // cold-start, freshness, invalidation or ingest: that part alone
      strategy: { type: 'string' },
      'cold-start-runs': { type: 'string', default: '11' },
      'freshness-runs': { type: 'string', default: '30' }, // bench/freshness.ts
    },
  });
  const ONLY = ['cold-start', 'freshness', 'invalidation', 'ingest'];
  if (values.only && !ONLY.includes(values.only))
    throw new Error(`--only: cold-start, freshness, invalidation or ingest: ${values.only}`);
  if (values.only === 'cold-start') return coldStartMain(Number(values['cold-start-runs']));
  if (values.only === 'freshness') return freshnessMain(Number(values['freshness-runs']));
  if (values.only === 'ingest') {
    const ingest = await runIngestBatch({ repeats: Number(values.repeats) });
    console.log(JSON.stringify(ingest));
    console.log(ingestBatchTable(ingest).join('\n'));
    return;
  }
  const invalidationOnly = values.only === 'invalidation';
  const label = values.label!;
  if (!/^[A-Za-z0-9._-]+$/.test(label))
    throw new Error(`--label: letters, digits, ".", "_" and "-" only: ${label}`);
  const completionSeconds = Number(values['completion-seconds']);
  if (!Number.isFinite(completionSeconds) || completionSeconds < 0)
    throw new Error(
      `--completion-seconds: not a number of seconds: ${values['completion-seconds']}`,
    );
  const invocationSeconds = Number(values['invocation-seconds']);
  if (!Number.isFinite(invocationSeconds) || invocationSeconds <= 0)
    throw new Error(
      `--invocation-seconds: not a number of seconds: ${values['invocation-seconds']}`,
    );
  const eventLagSeconds = Number(values['event-lag-seconds']);
  if (!Number.isFinite(eventLagSeconds) || eventLagSeconds < 0)
    throw new Error(`--event-lag-seconds: not a number of seconds: ${values['event-lag-seconds']}`);
  const deployed = readDeployedFeed();
  const options: FeedOptions = {
    ...deployed,
    completionSeconds,
    invocationSeconds,
    eventLagSeconds,
  };
  const filter = values.workload?.toLowerCase();
  const workloads = allWorkloads().filter((w) => !filter || w.name.toLowerCase().includes(filter));
  if (workloads.length === 0) throw new Error(`--workload: no workload matches ${values.workload}`);

  const started = performance.now();
  const pipelineRepeats = Number(values.repeats);
  if (!Number.isInteger(pipelineRepeats) || pipelineRepeats < 1)
    throw new Error(`--repeats: a whole number ≥ 1: ${values.repeats}`);
  const strategyFilter = values.strategy?.toLowerCase();
  const strategies = STRATEGIES.filter(
    (s) => !strategyFilter || s.name.toLowerCase().includes(strategyFilter),
  );
  if (strategies.length === 0)
    throw new Error(`--strategy: no strategy matches ${values.strategy}`);
  const results = await runWorkloads(workloads, options, { pipelineRepeats, strategies });
  if (invalidationOnly) {
    console.log([...workloadTable(results), '', ...targetLines(targets(results))].join('\n'));
    return;
  }
  const seconds = (performance.now() - started) / 1000;
  const plannerAlone = values['no-planner-alone'] ? undefined : runPlannerAlone();
  const t = targets(results);
  const report = {
    label,
    date: new Date().toISOString(),
    commit: commit(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    feed: options,
    invalidateConfig: loadInvalidateConfig({}),
    workloads: workloads.map((w) => ({
      name: w.name,
      description: w.description,
      objects: w.bucketKeys.length,
      overwrites: w.overwrites.length,
    })),
    results,
    targets: t,
    seconds,
    ...(plannerAlone ? { plannerAlone } : {}),
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${label}.json`, dir);
  writeFileSync(file, await formatted(JSON.stringify(report, null, 2)));
  const ingestReport = values['no-ingest-report']
    ? []
    : await runIngestReportSection({ label, format: formatted });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const lines = [
    `Deployed feed (serverless.yml): batches of ${deployed.batchSize}, window ${deployed.windowSeconds} s, ` +
      `${deployed.maximumConcurrency} concurrent, visibility ${deployed.visibilityTimeoutSeconds} s, ` +
      `DLQ after ${deployed.maxReceiveCount} receives; requests queue ${eventLagSeconds} s after the write, invocations take ${invocationSeconds} s, ` +
      `invalidations complete after ${completionSeconds} s; ` +
      `commit ${report.commit}; node ${process.version}; ${report.cpus}; ${seconds.toFixed(1)} s`,
    '',
    ...workloads.map((w) => `- ${w.name}: ${w.description} (${n(w.bucketKeys.length)} objects)`),
    '',
    ...workloadTable(results),
    '',
    'Targets (issue 8):',
    ...targetLines(t),
    ...(plannerAlone ? ['', ...plannerAloneTable(plannerAlone)] : []),
    ...ingestReport,
    '',
    `Written: bench/results/${label}.json`,
  ];
  console.log(lines.join('\n'));
  console.log('');
  await coldStartMain(Number(values['cold-start-runs']));
  console.log('');
  await freshnessMain(Number(values['freshness-runs']));
}

await main();
