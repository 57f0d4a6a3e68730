/**
 * LOCAL ONLY. `npm run demo`: the pipeline end to end on this machine, with numbers (what it does:
 * local/demoRun.ts; flags: local/demoOptions.ts). Progress goes to stderr; the summary (or, with
 * `--json`, the result as JSON) to stdout, ending with where the report is. Exit 0 when the
 * report was mailed into the outbox, 1 when the run failed, 2 for a bad option.
 */
import { realpathSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatCount, formatPercent } from '../shared/text/numbers.js';
import { DEMO_HELP, parseDemoArgs, type DemoOptions } from './demoOptions.js';
import type { DemoResult } from './demoRun.js';
import { applyPowertoolsDefaults } from './startOptions.js';

/** `/repo/.local/outbox/x.txt` → `.local/outbox/x.txt` when under the working directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** The summary a person reads: the edge's counts, the report's, freshness, where the mail is. */
export function formatDemoSummary(r: DemoResult): string[] {
  const e = r.edge.overall;
  const fresh = r.overwrites.map(
    (o) =>
      `  ${o.key} v${o.version}: ${o.freshMs === undefined ? 'not seen fresh' : `fresh at the edge after ${(o.freshMs / 1000).toFixed(1)} s`}`,
  );
  const classes = Object.entries(r.edge.byClass).map(
    ([name, c]) =>
      `  ${name.padEnd(10)}${formatCount(c.requests).padStart(8)} requests  ${formatPercent(c.hitRate).padStart(6)} hits`,
  );
  return [
    `demo: ${r.durationSeconds} s of traffic at ${r.rate}/s over ${r.samples} samples, distribution ${r.distributionId}`,
    `edge served ${e.requests} requests: ${e.hits} hits, ${e.misses} misses, ${e.errors} errors (${formatPercent(e.hitRate)} hits)`,
    ...classes,
    `overwrites (${r.invalidations} invalidations, ${r.pathsInvalidated} paths):`,
    ...fresh,
    `report: ${r.report.requests ?? 'n/a'} requests, ${formatPercent(r.report.hitRate)} hits, ` +
      `${r.report.pathsBilled ?? 'n/a'} invalidation paths billed this month`,
    `report per class (standard logs: ${r.logs.files} files, ${r.logs.requests} requests):`,
    ...Object.entries(r.report.byClass).map(
      ([name, c]) =>
        `  ${name.padEnd(10)}${formatCount(c.requests).padStart(8)} requests  ${formatPercent(c.hitRate).padStart(6)} hits`,
    ),
    `report mailed: ${shown(r.report.file)}`,
  ];
}

async function main(): Promise<void> {
  const env = process.env;
  let options: DemoOptions | undefined;
  try {
    options = parseDemoArgs(process.argv.slice(2), env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun \`npm run demo -- --help\`.\n`);
    process.exit(2);
  }
  if (!options) {
    process.stdout.write(DEMO_HELP);
    return;
  }
  // Powertools reads its settings at import: before the pipeline loads the functions.
  applyPowertoolsDefaults(env);
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => abort.abort(new Error(`stopped by ${signal}`)));
  const { runDemo } = await import('./demoRun.js');
  const started = Date.now();
  const progress = (line: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
  try {
    const result = await runDemo(options, env, { progress, signal: abort.signal });
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatDemoSummary(result).join('\n')}\n`);
    process.exit(0);
  } catch (error) {
    const e = error as Error;
    process.stderr.write(`npm run demo failed: ${e.name}: ${e.message}\n`);
    process.exit(1);
  }
}

// Run only as the entry point.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main();
}
