/**
 * The (d) rows alone: the pipeline's step and (d) with cache tags on the workloads whose name
 * contains the argument (default: all), at the deployed feed, one repeat, no warm-up. A quick
 * look while working on cache tags; `npm run bench` runs every strategy.
 *
 *   node --expose-gc --import tsx bench/tagRows.ts product
 */
import './quiet.js';
import { pipeline, withCacheTags } from './baselines.js';
import { readDeployedFeed } from './deployed.js';
import {
  DEFAULT_COMPLETION_SECONDS,
  EVENT_LAG_SECONDS,
  INVOCATION_SECONDS,
  runWorkloads,
  workloadTable,
} from './report.js';
import { allWorkloads } from './workloads.js';

const filter = (process.argv[2] ?? '').toLowerCase();
const options = {
  ...readDeployedFeed(),
  completionSeconds: DEFAULT_COMPLETION_SECONDS,
  invocationSeconds: INVOCATION_SECONDS,
  eventLagSeconds: EVENT_LAG_SECONDS,
};
const workloads = allWorkloads().filter((w) => w.name.toLowerCase().includes(filter));
const rows = await runWorkloads(workloads, options, {
  strategies: [pipeline, withCacheTags],
  pipelineRepeats: 1,
  warmUp: false,
});
console.log(workloadTable(rows).join('\n'));
