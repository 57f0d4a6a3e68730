/**
 * LOCAL ONLY. `npm start`'s command line: flags, their environment variables and defaults, the
 * local target (port and stage), and the AWS and Powertools variables set for this process.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bucketNameProblem } from '../shared/distributionSpec/values.js';
import { FaultScriptError, readFaultScript } from './faultProxyScript.js';
import { DEFAULT_LOCAL_PORT, DEFAULT_STAGES, resolveTarget, TargetError } from './target.js';

import type { WritableEnv as Env } from '../shared/env.js';

export type { Env };

/** The emulator's port when nothing says otherwise (the CLI's `--local` default too). */
export const DEFAULT_PORT = DEFAULT_LOCAL_PORT;
/** The report's schedules, accelerated: AWS checks every 15 min and digests daily. */
export const DEFAULT_CHECK_SECONDS = 60;
export const DEFAULT_DIGEST_SECONDS = 600;
const MAX_SCHEDULE_SECONDS = 86_400;
/** Where every mail lands (git-ignored with `.local/`). */
export const OUTBOX_DIR = resolve(import.meta.dirname, '..', '.local', 'outbox');

export const HELP = `Usage: npm start -- [options]

Runs the cdn-pipeline locally: an embedded AWS emulator (moto), the stage's bucket, queues,
topic, alarm-state table and a CloudFront distribution on it (made by the provisioning
workflow, the same one \`npx cdn-pipeline provision --local --bucket <bucket>\` finds), the
ingest and invalidate functions fed by local SQS pollers, and the report's check and digest on
an accelerated schedule. One pipeline per stage and emulator: a second one for the same queues
is refused. Ctrl-C stops everything it started.

Options:
  --port <n>          emulator port (default: $CDN_PIPELINE_LOCAL_PORT, else the port of a
                      local $AWS_ENDPOINT_URL, else ${DEFAULT_PORT}); an emulator already
                      listening is reused
  --stage <name>      stage whose resource names to use (default: ${DEFAULT_STAGES.local})
  --bucket <name>     run on this bucket, which already exists on the emulator (with --port,
                      the emulator that holds it), instead of the stage's own: its settings
                      stay as they are and its notifications are kept (S3's EventBridge
                      delivery is merged in, with a rule to the object-events queue); the one
                      distribution that reads it is adopted (OAI → OAC), else one is made
                      (README: "Adopting an existing bucket")
  --distribution <id> with --bucket: adopt this distribution (when several read the bucket)
  --check-every <s>   seconds between report checks, the first at start (default:
                      $CDN_PIPELINE_CHECK_SECONDS, else ${DEFAULT_CHECK_SECONDS}; AWS: 15 min)
  --digest-every <s>  seconds between digests (default: $CDN_PIPELINE_DIGEST_SECONDS, else
                      ${DEFAULT_DIGEST_SECONDS}; AWS: daily at 08:00 UTC)
  --faults <file>     put the fault proxy between the pipeline and the emulator, scripted by
                      this JSON file (default: $CDN_PIPELINE_FAULTS): CloudFront's in-flight
                      quotas, CallerReference idempotency and refusals, plus the faults it
                      names (README: "Fault proxy")
  --edge-port <n>     port of the local edge, a local CloudFront serving the distribution
                      (default: $CDN_PIPELINE_EDGE_PORT, else 4580; README: "Local edge")
  --quiet             print only the ready lines and failures
  -h, --help          show this help

Every mail sent to the alerts topic (the ready mail, alarms, digests) is written to
.local/outbox/ (or $CDN_PIPELINE_OUTBOX_DIR) and named on the console. The ready block ends
with the \`export\` lines a second terminal needs for aws and npx cdn-pipeline.

The pollers run several batches at once, with serverless.yml's batch sizes and concurrency (the
invalidate window is 2 s here). A message that reaches a DLQ prints a line, and the DLQ alarm's
mail lands in the outbox. If the emulator dies, npm start exits with code 3 and says what was
lost.

Environment: AWS_ENDPOINT_URL, AWS_REGION (default us-east-1), AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (default test/test) are set for the pipeline when absent; the functions'
own settings (INVALIDATE_ON, CONTENT_CLASSES, DISTRIBUTION_IDS, MAX_INFLIGHT_PATHS, …) are read
as in AWS, and so are the report's (HIT_RATE_MIN, MIN_REQUESTS, ALARM_AFTER, …; a check reads
the last CHECK_WINDOW_MINUTES, by default the check interval rounded to whole minutes).
POWERTOOLS_LOG_LEVEL=INFO shows the functions' own JSON logs (silent by default here).
`;

export interface StartOptions {
  readonly port: number;
  readonly stage: string;
  /** A bucket that already exists on the emulator (`--bucket`). */
  readonly bucket?: string;
  /** With `bucket`: the distribution to adopt (`--distribution`). */
  readonly distribution?: string;
  readonly quiet: boolean;
  readonly checkSeconds: number;
  readonly digestSeconds: number;
  /** Absolute. */
  readonly outboxDir: string;
  /** The fault proxy's script (absolute), when asked for. */
  readonly faults?: string;
  /** The local edge's port (local/edge/). */
  readonly edgePort: number;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function isLoopback(hostname: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname);
}

/** Whole seconds between scheduled runs: 1 s to a day. */
function parseSeconds(value: string, source: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 1 || seconds > MAX_SCHEDULE_SECONDS) {
    throw new UsageError(
      `${source}: must be whole seconds, 1-${MAX_SCHEDULE_SECONDS} (got "${value}")`,
    );
  }
  return seconds;
}

/** A flag, else its environment variable, else the default. */
function secondsOption(
  flag: string | undefined,
  name: string,
  envName: string,
  env: Env,
  fallback: number,
): number {
  if (flag !== undefined) return parseSeconds(flag, name);
  const fromEnv = env[envName];
  return fromEnv ? parseSeconds(fromEnv, envName) : fallback;
}

export interface LocalTarget {
  readonly port: number;
  readonly stage: string;
}

/**
 * Which local stack `npm start` talks to: the emulator's port (`--port`, else
 * $CDN_PIPELINE_LOCAL_PORT, else the port of a loopback $AWS_ENDPOINT_URL, else 4566) and the
 * stage (`--stage`, else `local`). The one place npm start decides it.
 */
export function resolveLocalTarget(
  flags: { readonly port?: string | undefined; readonly stage?: string | undefined },
  env: Env,
): LocalTarget {
  try {
    const target = resolveTarget({ local: true, port: flags.port, stage: flags.stage }, env);
    return { port: target.port ?? DEFAULT_LOCAL_PORT, stage: target.stage };
  } catch (error) {
    if (error instanceof TargetError) throw new UsageError(error.message);
    throw error;
  }
}

/** Returns undefined when help was asked for. */
export function parseStartArgs(argv: readonly string[], env: Env): StartOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        stage: { type: 'string' },
        bucket: { type: 'string' },
        distribution: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        'check-every': { type: 'string' },
        'digest-every': { type: 'string' },
        faults: { type: 'string' },
        'edge-port': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return undefined;
  const { port, stage } = resolveLocalTarget({ port: values.port, stage: values.stage }, env);
  const { bucket, distribution } = bucketOptions(values.bucket, values.distribution);
  const checkSeconds = secondsOption(
    values['check-every'],
    '--check-every',
    'CDN_PIPELINE_CHECK_SECONDS',
    env,
    DEFAULT_CHECK_SECONDS,
  );
  const digestSeconds = secondsOption(
    values['digest-every'],
    '--digest-every',
    'CDN_PIPELINE_DIGEST_SECONDS',
    env,
    DEFAULT_DIGEST_SECONDS,
  );
  const outboxDir = env.CDN_PIPELINE_OUTBOX_DIR ? resolve(env.CDN_PIPELINE_OUTBOX_DIR) : OUTBOX_DIR;
  const faults = faultsOption(values.faults, env);
  const edge = values['edge-port'] ?? env.CDN_PIPELINE_EDGE_PORT ?? '4580';
  const edgePort = Number(edge);
  if (!/^\d+$/.test(edge) || edgePort < 1 || edgePort > 65_535)
    throw new UsageError(`--edge-port: must be a port number 1-65535 (got "${edge}")`);
  return {
    port,
    stage,
    ...(bucket ? { bucket } : {}),
    ...(distribution ? { distribution } : {}),
    quiet: values.quiet ?? false,
    checkSeconds,
    digestSeconds,
    outboxDir,
    ...(faults ? { faults } : {}),
    edgePort,
  };
}

/** `--bucket NAME` (any valid bucket name, dots included) and `--distribution ID`, checked. */
function bucketOptions(
  bucket: string | undefined,
  distribution: string | undefined,
): { bucket?: string; distribution?: string } {
  if (distribution !== undefined && bucket === undefined) {
    throw new UsageError(
      '--distribution goes with --bucket: it names the distribution of that bucket to adopt',
    );
  }
  if (bucket === undefined) return {};
  const why = bucketNameProblem(bucket);
  if (why) throw new UsageError(`--bucket: "${bucket}" is not a valid S3 bucket name: it ${why}`);
  if (distribution !== undefined && !/^[A-Z0-9]{1,64}$/.test(distribution)) {
    throw new UsageError(
      `--distribution: expected a distribution id such as E2EXAMPLE1ABCD (got ${JSON.stringify(distribution)})`,
    );
  }
  return { bucket, ...(distribution !== undefined ? { distribution } : {}) };
}

/**
 * `--faults FILE`, else $CDN_PIPELINE_FAULTS: the script, checked now (a usage error names the
 * file and the field). The resolved path is also left in $CDN_PIPELINE_FAULTS, where the local
 * pipeline reads it when its caller does not pass `faults`.
 */
function faultsOption(flag: string | undefined, env: Env): string | undefined {
  const given = flag ?? env.CDN_PIPELINE_FAULTS;
  if (!given) return undefined;
  const file = resolve(given);
  try {
    readFaultScript(file);
  } catch (error) {
    if (error instanceof FaultScriptError)
      throw new UsageError(
        `${flag !== undefined ? '--faults' : 'CDN_PIPELINE_FAULTS'}: ${error.message}`,
      );
    throw error;
  }
  env.CDN_PIPELINE_FAULTS = file;
  return file;
}

/**
 * Sets the standard AWS variables for code in this process, keeping what the user exported.
 * Returns notes worth printing (an exported endpoint that had to be replaced).
 */
export function applyAwsEnvDefaults(env: Env, endpoint: string): string[] {
  const notes: string[] = [];
  const current = env.AWS_ENDPOINT_URL;
  if (current) {
    const a = new URL(current);
    const b = new URL(endpoint);
    if (!(isLoopback(a.hostname) && a.port === b.port)) {
      notes.push(
        `AWS_ENDPOINT_URL was ${current}; set to ${endpoint} for the pipeline (the emulator's port)`,
      );
      env.AWS_ENDPOINT_URL = endpoint;
    }
  } else {
    env.AWS_ENDPOINT_URL = endpoint;
  }
  env.AWS_REGION ||= env.AWS_DEFAULT_REGION || 'us-east-1';
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    // Both or neither: a key id from one source and a secret from another would not sign.
    env.AWS_ACCESS_KEY_ID = 'test';
    env.AWS_SECRET_ACCESS_KEY = 'test';
    delete env.AWS_SESSION_TOKEN;
  }
  return notes;
}

/**
 * Locally the readable lines replace the functions' JSON logs and EMF metrics (there is no
 * CloudWatch). Must run before the functions' modules load: Powertools reads them at import.
 */
export function applyPowertoolsDefaults(env: Env): void {
  env.POWERTOOLS_LOG_LEVEL ||= 'SILENT';
  env.POWERTOOLS_METRICS_DISABLED ||= 'true';
  // Lambda runs Node 22; on an older laptop Node the SDK's upgrade notice is noise here.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
}
