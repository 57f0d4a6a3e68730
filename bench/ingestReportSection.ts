/**
 * The ingest and report section of `npm run bench` (issue 9): a batch of 10 on the emulator
 * against its slowest record alone, and the report's GetMetricData calls against the API's bound.
 * Returns both tables' lines and writes bench/results/<label>-ingest-report.json. The ingest "before" row
 * is the committed bench/results/ingest-batch-before.json (the code before records ran
 * concurrently), when present.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ingestBatchTable, runIngestBatch, type IngestBatchResult } from './ingestBatch.js';
import { reportCallsTable, runReportCalls } from './reportCalls.js';

const RESULTS = new URL('./results/', import.meta.url);

export interface IngestReportSectionOptions {
  readonly label: string;
  /** Rounds of the ingest measurement (median taken). */
  readonly repeats?: number;
  /** Formats the JSON as the repository's formatter would. */
  readonly format?: (json: string) => Promise<string>;
}

function committedBefore(): IngestBatchResult | undefined {
  const file = new URL('ingest-batch-before.json', RESULTS);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as IngestBatchResult;
}

export async function runIngestReportSection(
  options: IngestReportSectionOptions,
): Promise<string[]> {
  const started = performance.now();
  const ingest = await runIngestBatch({ repeats: options.repeats ?? 5 });
  const report = await runReportCalls();
  const seconds = (performance.now() - started) / 1000;
  const result = { label: options.label, date: new Date().toISOString(), ingest, report, seconds };
  mkdirSync(RESULTS, { recursive: true });
  const json = JSON.stringify(result, null, 2);
  writeFileSync(
    new URL(`${options.label}-ingest-report.json`, RESULTS),
    options.format ? await options.format(json) : `${json}\n`,
  );
  return [
    '',
    ...ingestBatchTable(ingest, committedBefore()),
    '',
    ...reportCallsTable(report),
    '',
    `Ingest and report section (issue 9): ${seconds.toFixed(1)} s; written: bench/results/${options.label}-ingest-report.json`,
  ];
}
