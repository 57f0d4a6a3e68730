/**
 * LOCAL ONLY. The local pollers' settings: the event sources the stack deploys for ingest and
 * invalidate, read from serverless.yml (each function's `sqs` event: batchSize,
 * maximumBatchingWindow, maximumConcurrency, with the `${param:…}` defaults), with the window
 * capped for a laptop and an unbounded concurrency bounded. The same small indentation reader as
 * bench/deployed.ts (enough for these keys; it names the key it could not find).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { yamlBlock, yamlLines, type YamlLine } from './yamlBlocks.js';

const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));

export interface DeployedEventSource {
  readonly batchSize: number;
  readonly windowSeconds: number;
  /** undefined: the stack sets none (Lambda then scales out to its account's limits). */
  readonly maximumConcurrency: number | undefined;
}

export interface DeployedPolling {
  readonly ingest: DeployedEventSource;
  readonly invalidate: DeployedEventSource;
}

function value(ls: readonly YamlLine[], key: string): string | undefined {
  const l = ls.find((x) => x.text.startsWith(`${key}:`));
  return l?.text.slice(key.length + 1).trim();
}

function number(text: string, where: string, params: readonly YamlLine[]): number {
  const param = /^\$\{param:([A-Za-z0-9]+)\}$/.exec(text);
  const raw = param ? value(params, param[1]!) : text;
  if (raw === undefined) throw new Error(`serverless.yml params.default.${param?.[1]}: not found`);
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`serverless.yml ${where}: not a number: ${raw}`);
  return n;
}

function eventSource(
  all: readonly YamlLine[],
  params: readonly YamlLine[],
  fn: string,
): DeployedEventSource {
  const sqs = yamlBlock(all, ['functions', fn, 'events', 'sqs']);
  const where = `functions.${fn}.events.sqs`;
  const required = (key: string) => {
    const text = value(sqs, key);
    if (text === undefined) throw new Error(`serverless.yml ${where}.${key}: not found`);
    return number(text, `${where}.${key}`, params);
  };
  const concurrency = value(sqs, 'maximumConcurrency');
  return {
    batchSize: required('batchSize'),
    windowSeconds:
      value(sqs, 'maximumBatchingWindow') === undefined ? 0 : required('maximumBatchingWindow'),
    maximumConcurrency:
      concurrency === undefined
        ? undefined
        : number(concurrency, `${where}.maximumConcurrency`, params),
  };
}

/** Ingest's and invalidate's event sources as `sls deploy` would create them (default params). */
export function readDeployedPolling(file = SERVERLESS_YML): DeployedPolling {
  const all = yamlLines(readFileSync(file, 'utf8'));
  const params = yamlBlock(all, ['params', 'default']);
  return {
    ingest: eventSource(all, params, 'ingest'),
    invalidate: eventSource(all, params, 'invalidate'),
  };
}

/** One poller's settings: Lambda's BatchSize, batching window and MaximumConcurrency. */
export interface PollingSettings {
  readonly batchSize: number;
  readonly windowMs: number;
  readonly maxConcurrency: number;
}
export type QueueName = 'ingest' | 'invalidate';
export type Polling = Readonly<Record<QueueName, PollingSettings>>;

/**
 * The logs function's poller: serverless.yml's batch of 10 log files and no window; one batch at
 * a time (its counts are published before the next batch is read: see local/handlers.ts).
 */
export const LOCAL_LOGS_POLLING: PollingSettings = {
  batchSize: 10,
  windowMs: 0,
  maxConcurrency: 1,
};

/** Locally a batching window is at most this (the deployed invalidate window is 60 s). */
export const LOCAL_MAX_WINDOW_MS = 2_000;
/**
 * Batches at once for a function whose event source sets no maximumConcurrency (ingest): Lambda
 * would scale out to ~1 000; the emulator is one Python process on this machine. Measured with
 * bench:pipeline (300 objects, caps 1/2/4/8): upload → tagged 12/11/12/14 objects/s (the
 * emulator's limit), overwrite → invalidation p50 6.9/8.1/10.4/17.6 s: more batches only queue up
 * inside the emulator and slow the uploads, so 2.
 */
export const LOCAL_UNBOUNDED_CONCURRENCY = 2;

/** serverless.yml's event sources, with the window capped and unbounded concurrency bounded. */
export function localPolling(deployed: DeployedPolling = readDeployedPolling()): Polling {
  const local = (d: DeployedPolling[QueueName]): PollingSettings => ({
    batchSize: d.batchSize,
    windowMs: Math.min(d.windowSeconds * 1000, LOCAL_MAX_WINDOW_MS),
    maxConcurrency: d.maximumConcurrency ?? LOCAL_UNBOUNDED_CONCURRENCY,
  });
  return { ingest: local(deployed.ingest), invalidate: local(deployed.invalidate) };
}

/** Lambda's settings from serverless.yml, with the invalidate window shortened for a laptop. */
export const LOCAL_POLLING: Polling = localPolling();
