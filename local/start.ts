/**
 * LOCAL ONLY. `npm start`: the whole pipeline on this machine. Starts (or reuses) the embedded
 * AWS emulator, creates the stage's resources on it, and runs the same ingest and invalidate
 * handlers that Lambda runs, fed by pollers that behave like Lambda's SQS event source mapping,
 * and the report's check and digest handlers on an accelerated schedule. Every mail sent to the
 * alerts topic lands in the local outbox (`.local/outbox/`) and on the console.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { realpathSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { IngestObserver } from '../functions/ingest/types.js';
import type { InvalidateObserver } from '../functions/invalidate/types.js';
import type { ReportHandlers } from '../functions/report/handler.js';
import type { AwsClients } from '../shared/clients.js';
import type { LocalStack } from './bootstrap.js';
import { startEmulator, type Emulator } from './emulator.js';
import type { Outbox } from './outbox.js';
import type { Poller } from './poller.js';
import {
  COLOR_PALETTE,
  NO_COLOR_PALETTE,
  checkKey,
  formatCheck,
  formatDigest,
  formatIngestOutcome,
  formatInvalidateReport,
  formatMail,
  formatReady,
  useColor,
  type Palette,
} from './print.js';
import { DEFAULT_STAGE, SERVICE, localResourceNames } from './resources.js';
import { startSchedule, type Schedule } from './schedule.js';

type Env = Record<string, string | undefined>;

export const DEFAULT_PORT = 4566;
const HOST = '127.0.0.1';
/** Lambda's settings from serverless.yml, with the invalidate window shortened for a laptop. */
export const LOCAL_POLLING = {
  ingest: { batchSize: 10, windowMs: 0 },
  invalidate: { batchSize: 1000, windowMs: 2000 },
} as const;
/** The report's schedules, accelerated: AWS checks every 15 min and digests daily. */
export const DEFAULT_CHECK_SECONDS = 60;
export const DEFAULT_DIGEST_SECONDS = 600;
const MAX_SCHEDULE_SECONDS = 86_400;
/** Where every mail lands (git-ignored with `.local/`). */
export const OUTBOX_DIR = resolve(import.meta.dirname, '..', '.local', 'outbox');
const SHUTDOWN_GRACE_MS = 15_000;
const REPEAT_SIGNAL_WINDOW_MS = 2_000;

const HELP = `Usage: npm start -- [options]

Runs the cdn-pipeline locally: an embedded AWS emulator (moto), the stage's bucket, queues,
topic, alarm-state table and a CloudFront distribution on it, the ingest and invalidate
functions fed by local SQS pollers, and the report's check and digest on an accelerated
schedule. Ctrl-C stops everything it started.

Options:
  --port <n>          emulator port (default: $CDN_PIPELINE_LOCAL_PORT, else the port of a
                      local $AWS_ENDPOINT_URL, else ${DEFAULT_PORT}); an emulator already
                      listening is reused
  --stage <name>      stage whose resource names to use (default: ${DEFAULT_STAGE})
  --check-every <s>   seconds between report checks, the first at start (default:
                      $CDN_PIPELINE_CHECK_SECONDS, else ${DEFAULT_CHECK_SECONDS}; AWS: 15 min)
  --digest-every <s>  seconds between digests (default: $CDN_PIPELINE_DIGEST_SECONDS, else
                      ${DEFAULT_DIGEST_SECONDS}; AWS: daily at 08:00 UTC)
  --quiet             print only the ready lines and failures
  -h, --help          show this help

Every mail sent to the alerts topic (the ready mail, alarms, digests) is written to
.local/outbox/ (or $CDN_PIPELINE_OUTBOX_DIR) and named on the console.

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
  readonly quiet: boolean;
  readonly checkSeconds: number;
  readonly digestSeconds: number;
  /** Absolute. */
  readonly outboxDir: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function isLoopback(hostname: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname);
}

function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new UsageError(`${source}: must be a port number 0-65535 (got "${value}")`);
  }
  return port;
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

/** The port of a loopback AWS_ENDPOINT_URL; an error for an endpoint that is not this machine. */
function portFromEndpoint(endpoint: string): number | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`AWS_ENDPOINT_URL: not a URL (got "${endpoint}")`);
  }
  if (!isLoopback(url.hostname) || url.protocol !== 'http:') {
    throw new UsageError(
      `AWS_ENDPOINT_URL: npm start runs against a local emulator, but it is set to ${endpoint}. ` +
        'Unset it, or point it at http://127.0.0.1:<port>.',
    );
  }
  return url.port ? Number(url.port) : undefined;
}

/** Returns undefined when help was asked for. */
export function parseStartArgs(argv: readonly string[], env: Env): StartOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        stage: { type: 'string', default: DEFAULT_STAGE },
        quiet: { type: 'boolean', default: false },
        'check-every': { type: 'string' },
        'digest-every': { type: 'string' },
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
  let port = DEFAULT_PORT;
  if (values.port !== undefined) port = parsePort(values.port, '--port');
  else if (env.CDN_PIPELINE_LOCAL_PORT)
    port = parsePort(env.CDN_PIPELINE_LOCAL_PORT, 'CDN_PIPELINE_LOCAL_PORT');
  else if (env.AWS_ENDPOINT_URL) port = portFromEndpoint(env.AWS_ENDPOINT_URL) ?? DEFAULT_PORT;
  const stage = values.stage ?? DEFAULT_STAGE;
  try {
    localResourceNames(stage);
  } catch (error) {
    throw new UsageError(`--${(error as Error).message}`);
  }
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
  return { port, stage, quiet: values.quiet ?? false, checkSeconds, digestSeconds, outboxDir };
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

/** Everything heavy (SDK, handlers), loaded while the emulator boots. */
async function loadModules() {
  const [
    clients,
    bootstrap,
    poller,
    config,
    ingest,
    invalidate,
    provision,
    report,
    reportConfig,
    outbox,
  ] = await Promise.all([
    import('../shared/clients.js'),
    import('./bootstrap.js'),
    import('./poller.js'),
    import('../shared/config.js'),
    import('../functions/ingest/handler.js'),
    import('../functions/invalidate/handler.js'),
    import('./provision.js'),
    import('../functions/report/handler.js'),
    import('../functions/report/config.js'),
    import('./outbox.js'),
  ]);
  return {
    clients,
    bootstrap,
    poller,
    config,
    ingest,
    invalidate,
    provision,
    report,
    reportConfig,
    outbox,
  };
}
type Modules = Awaited<ReturnType<typeof loadModules>>;

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

interface Pipeline {
  ingest: Handler;
  invalidate: Handler;
}

/** Builds the two handlers the way their Lambda entry points do, with this run's clients and queue. */
function buildHandlers(
  modules: Modules,
  clients: AwsClients,
  resources: LocalStack,
  env: Env,
  observers: { ingest: IngestObserver; invalidate: InvalidateObserver },
): Pipeline {
  const { loadIngestConfig, loadInvalidateConfig } = modules.config;
  const ingestConfig = loadIngestConfig({
    ...env,
    INVALIDATION_QUEUE_URL: resources.invalidationRequests.url,
  });
  const invalidateConfig = loadInvalidateConfig({ ...env });
  return {
    ingest: modules.ingest.createIngestHandler({ clients, config: ingestConfig }, observers.ingest),
    invalidate: modules.invalidate.createInvalidateHandler(
      { clients, config: invalidateConfig },
      observers.invalidate,
    ),
  };
}

/**
 * The report's handlers as Lambda builds them, with the local stage's topic, table and names.
 * Thresholds and K come from the environment as in AWS; a check reads the last check interval
 * (whole minutes, at least one) unless CHECK_WINDOW_MINUTES says otherwise. No dashboard locally.
 */
function buildReportHandlers(
  modules: Modules,
  clients: AwsClients,
  stack: LocalStack,
  env: Env,
  options: { stage: string; region: string; checkSeconds: number },
): ReportHandlers {
  const prefix = `${SERVICE}-${options.stage}`;
  const config = modules.reportConfig.loadReportConfig({
    ...env,
    ALERTS_TOPIC_ARN: stack.alertsTopicArn,
    ALARM_TABLE: stack.alarmTable,
    STAGE: options.stage,
    AWS_REGION: options.region,
    DASHBOARD_NAME: '',
    INVALIDATE_SERVICE_NAME: `${prefix}-invalidate`,
    CHECK_WINDOW_MINUTES:
      env.CHECK_WINDOW_MINUTES || String(Math.max(1, Math.round(options.checkSeconds / 60))),
  });
  return modules.report.createReportHandlers({ clients, config });
}

/** `/repo/.local/outbox/x.txt` → `.local/outbox/x.txt` when under the working directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

async function main(): Promise<void> {
  const env = process.env;
  const palette: Palette = useColor(process.stdout, env) ? COLOR_PALETTE : NO_COLOR_PALETTE;
  const errPalette: Palette = useColor(process.stderr, env) ? COLOR_PALETTE : NO_COLOR_PALETTE;
  const out = (lines: readonly string[]) => {
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
  };
  const note = (line: string) => process.stderr.write(`${errPalette.dim(line)}\n`);
  const fail = (line: string) => process.stderr.write(`${errPalette.red(line)}\n`);

  let options: StartOptions | undefined;
  try {
    options = parseStartArgs(process.argv.slice(2), env);
  } catch (error) {
    fail((error as Error).message);
    process.stderr.write('Run `npm start -- --help` for the options.\n');
    process.exit(2);
  }
  if (!options) {
    process.stdout.write(HELP);
    return;
  }
  const { quiet, stage } = options;

  let emulator: Emulator | undefined;
  const pollers: Poller[] = [];
  const schedules: Schedule[] = [];
  let outbox: Outbox | undefined;
  let stopping = false;
  const shutdown = async (code: number): Promise<never> => {
    stopping = true;
    const force = setTimeout(() => {
      fail(`shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting`);
      process.exit(code || 1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Runs in progress finish first (they may publish: the outbox still listens), then the
    // outbox unsubscribes (moto fails every publish to a silent http subscriber), then moto.
    await Promise.allSettled([...schedules, ...pollers].map((s) => s.stop()));
    // An emulator started here got the same Ctrl-C: nothing to unsubscribe from.
    await outbox?.stop({ unsubscribe: !emulator?.owned }).catch(() => undefined);
    if (emulator?.owned) await emulator.stop();
    if (emulator && !quiet) {
      out([
        palette.dim(
          emulator.owned
            ? 'stopped (emulator stopped)'
            : `stopped (emulator left running at ${emulator.endpoint})`,
        ),
      ]);
    }
    process.exit(code);
  };
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) {
        firstSignalAt = Date.now();
        void shutdown(0);
      } else if (Date.now() - firstSignalAt > REPEAT_SIGNAL_WINDOW_MS) {
        // A second Ctrl-C: leave now (the emulator's exit hook still stops moto). Copies of the
        // first signal relayed by npm and tsx arrive within milliseconds and are ignored.
        process.exit(1);
      }
    });
  }

  try {
    applyPowertoolsDefaults(env);
    const loading = loadModules();
    loading.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    emulator = await startEmulator({ port: options.port, host: HOST, log: note });
    for (const line of applyAwsEnvDefaults(env, emulator.endpoint)) note(line);
    const modules = await loading;
    const { createClients } = modules.clients;
    const { startPoller } = modules.poller;
    const region = env.AWS_REGION ?? 'us-east-1';
    const clients = createClients({
      endpoint: emulator.endpoint,
      region,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
      },
    });
    const stack = await modules.bootstrap.bootstrapLocalStack(clients, { stage, region });
    if (stopping) return;
    // Before provisioning, so that the ready mail lands in the outbox too.
    outbox = await modules.outbox.startOutbox({
      sns: clients.sns,
      topicArn: stack.alertsTopicArn,
      dir: options.outboxDir,
      onMail: (mail) => {
        if (!quiet) out(formatMail(mail.subject, shown(mail.file), palette));
      },
      onError: fail,
    });
    if (stopping) return;
    // The distribution comes from the provisioning workflow: the same ASL and tasks as on AWS.
    const provisioned = await modules.provision.provisionLocally({
      clients,
      alertsTopicArn: stack.alertsTopicArn,
      spec: { bucket: stack.bucket, bucketRegion: region, name: stage },
      stage,
      pollSecondsOverride: 1,
    });
    if (stopping) return;
    if (provisioned.status !== 'SUCCEEDED') {
      throw new Error(
        `provisioning the local distribution failed: ${provisioned.error?.Error ?? provisioned.status}: ` +
          `${provisioned.error?.Cause ?? ''}`,
      );
    }
    const distribution = provisioned.output as {
      distributionId: string;
      domainName: string;
      action: string;
    };
    if (!quiet) {
      note(
        `distribution ${distribution.distributionId} ${distribution.action} by the provisioning workflow ` +
          `(${provisioned.transitions} state transitions, ${Math.round(provisioned.elapsedMs)} ms)`,
      );
    }
    const resources = stack;

    const pipeline = buildHandlers(modules, clients, resources, env, {
      ingest: (outcome) => {
        if (!quiet || outcome.status === 'failed') out(formatIngestOutcome(outcome, palette));
      },
      invalidate: (report) => {
        const shown = quiet ? { ...report, invalidations: [], deferred: [], unserved: 0 } : report;
        out(formatInvalidateReport(shown, palette));
      },
    });
    const pollerLog = (line: string) => fail(line);
    pollers.push(
      startPoller({
        sqs: clients.sqs,
        queueUrl: resources.objectEvents.url,
        queueArn: resources.objectEvents.arn,
        region,
        handler: pipeline.ingest,
        ...LOCAL_POLLING.ingest,
        log: pollerLog,
      }),
      startPoller({
        sqs: clients.sqs,
        queueUrl: resources.invalidationRequests.url,
        queueArn: resources.invalidationRequests.arn,
        region,
        handler: pipeline.invalidate,
        ...LOCAL_POLLING.invalidate,
        log: pollerLog,
      }),
    );
    const report = buildReportHandlers(modules, clients, stack, env, {
      stage,
      region,
      checkSeconds: options.checkSeconds,
    });
    const scheduleError = (what: string) => (error: unknown) => {
      // A run cut short by Ctrl-C (moto got the signal too) is not a failure worth a line.
      if (!stopping) fail(`${what} failed: ${(error as Error).name}: ${(error as Error).message}`);
    };
    out(
      formatReady(
        {
          readyMs: Math.round(performance.now()),
          endpoint: emulator.endpoint,
          emulatorOwned: emulator.owned,
          stage,
          region,
          bucket: resources.bucket,
          distributionId: distribution.distributionId,
          distributionDomain: distribution.domainName,
          ingestQueue: resources.names.objectEventsQueue,
          invalidateQueue: resources.names.invalidationRequestsQueue,
          invalidateWindowMs: LOCAL_POLLING.invalidate.windowMs,
          checkEverySeconds: options.checkSeconds,
          digestEverySeconds: options.digestSeconds,
          alarmTable: stack.alarmTable,
          outbox: `${shown(options.outboxDir)}${sep}`,
        },
        palette,
      ),
    );
    let lastCheck = '';
    schedules.push(
      startSchedule({
        everyMs: options.checkSeconds * 1000,
        runAtStart: true,
        onError: scheduleError('report check'),
        job: async (time) => {
          const started = performance.now();
          const result = await report.check({ time: time.toISOString() });
          // A check of the same window with the same outcome (a short --check-every) is quiet.
          const key = checkKey(result);
          if (!quiet && key !== lastCheck)
            out(formatCheck(result, performance.now() - started, palette));
          lastCheck = key;
        },
      }),
      startSchedule({
        everyMs: options.digestSeconds * 1000,
        onError: scheduleError('report digest'),
        job: async (time) => {
          const started = performance.now();
          const result = await report.digest({ time: time.toISOString() });
          if (!quiet || !result.mails.length)
            out(formatDigest(result, performance.now() - started, palette));
        },
      }),
    );
  } catch (error) {
    if (stopping) return; // interrupted during startup: shutdown() is already under way
    const e = error as Error;
    fail(`npm start failed: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`);
    await shutdown(1);
  }
}

// Run only as the entry point, so tests can import the helpers above.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main();
}
