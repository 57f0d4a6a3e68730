/**
 * LOCAL ONLY. The local pipeline, composed once: the emulator (started, or reused when one
 * answers), the stage's resources (on a bucket that already exists, with `bucket`), the poller
 * lease (one pipeline per stage's queues), the outbox, the distribution through the provisioning
 * workflow (adopted, for an existing bucket a distribution already serves), the ingest and
 * invalidate pollers (several batches at once, as serverless.yml's event sources), the DLQ
 * alarms' watch, the emulator's watch, and the report's check and digest schedules. `npm
 * start`, the bench and the tests all run this; `stop()` takes it down in the order that loses
 * nothing. Over 400 lines: the one composition, in start order, with its stop beside it.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { CheckResult, DigestResult } from '../functions/report/types.js';
import type { AwsClients } from '../shared/clients.js';
import type { LocalStack } from './bootstrap.js';
import {
  LOCAL_LOGS_POLLING,
  LOCAL_POLLING,
  type Polling,
  type PollingSettings,
  type QueueName,
} from './pollingSettings.js';
import type { DlqArrival } from './dlqAlarmMail.js';
import { startEmulator, type Emulator } from './emulator.js';
import type { EmulatorLoss, EmulatorWatch } from './emulatorWatch.js';
import type { FaultProxy } from './faultProxy.js';
import type { PipelineObservers } from './handlers.js';
import type { Lease } from './lease.js';
import type { Outbox, OutboxMail } from './outbox.js';
import type { BatchResult, Poller } from './poller.js';
import type { StageDistribution } from './provision.js';
import type { Schedule } from './schedule.js';
import { applyAwsEnvDefaults, type Env } from './startOptions.js';
import type { Edge } from './edge/server.js';

export {
  LOCAL_MAX_WINDOW_MS,
  LOCAL_POLLING,
  LOCAL_UNBOUNDED_CONCURRENCY,
  localPolling,
} from './pollingSettings.js';
export type { Polling, PollingSettings, QueueName } from './pollingSettings.js';

const DEFAULT_HOST = '127.0.0.1';

/** Everything heavy (SDK, handlers, workflow), loaded while the emulator boots. */
async function loadModules() {
  const [clients, bootstrap, handlers, lease, outbox, poller, bucketDistribution, schedule] =
    await Promise.all([
      import('../shared/clients.js'),
      import('./bootstrap.js'),
      import('./handlers.js'),
      import('./lease.js'),
      import('./outbox.js'),
      import('./poller.js'),
      import('./bucketDistribution.js'),
      import('./schedule.js'),
    ]);
  const [dlqWatch, emulatorWatch, failureNotes, existingBucket] = await Promise.all([
    import('./dlqWatch.js'),
    import('./emulatorWatch.js'),
    import('./failureNotes.js'),
    import('./existingBucket.js'),
  ]);
  return {
    clients,
    bootstrap,
    handlers,
    lease,
    outbox,
    poller,
    bucketDistribution,
    schedule,
    dlqWatch,
    emulatorWatch,
    failureNotes,
    existingBucket,
  };
}

/** The stage's resources and the distribution the provisioning workflow made for its bucket. */
export interface LocalResources extends LocalStack {
  readonly distribution: StageDistribution;
}

/**
 * The stage's resources and its distribution, without pollers: for tests that drive the
 * handlers themselves. The distribution is the one `npm start` and `provision --local` make.
 */
export async function provisionedStack(
  clients: AwsClients,
  options: { stage: string; region?: string },
): Promise<LocalResources> {
  const { bootstrapLocalStack } = await import('./bootstrap.js');
  const { provisionStageDistribution } = await import('./provision.js');
  const stack = await bootstrapLocalStack(clients, options);
  const distribution = await provisionStageDistribution(clients, {
    bucket: stack.bucket,
    alertsTopicArn: stack.alertsTopicArn,
    stage: stack.names.stage,
    logBucket: stack.standardLogBucket,
  });
  return Object.freeze({ ...stack, distribution });
}

export interface LocalPipelineObservers extends PipelineObservers {
  readonly mail?: (mail: OutboxMail) => void;
  readonly check?: (result: CheckResult, ms: number) => void;
  readonly digest?: (result: DigestResult, ms: number) => void;
  /** Each batch a poller finished (`inFlight`: batches being handled when it started). */
  readonly batch?: (queue: QueueName, result: BatchResult) => void;
  /** A message that arrived in a DLQ (its alarm's mail goes to the alerts topic). */
  readonly dlq?: (arrival: DlqArrival) => void;
}

export interface LocalPipelineOptions {
  /** The emulator's port; 0 picks a free one. */
  readonly port: number;
  readonly host?: string;
  /** Reuse an emulator already answering on the port (default true). */
  readonly reuseEmulator?: boolean;
  readonly stage: string;
  /**
   * A bucket that already exists on the emulator (`npm start -- --bucket NAME`), used instead of
   * the stage's own: its notifications are merged (S3's EventBridge delivery and a rule to the
   * object-events queue), its distribution adopted or provisioned.
   */
  readonly bucket?: string;
  /** With `bucket`: adopt this distribution (`--distribution ID`). */
  readonly distribution?: string;
  /**
   * The functions' settings, read as in AWS. The standard AWS variables (endpoint, region,
   * test keys) are written into it when absent: pass `process.env` for this process.
   */
  readonly env: Env;
  /** Where mail lands; omitted: no outbox. */
  readonly outboxDir?: string;
  /** The report's schedules; omitted: none. */
  readonly schedules?: { readonly checkSeconds: number; readonly digestSeconds: number };
  /** Default LOCAL_POLLING (serverless.yml's event sources, window capped). */
  readonly polling?: Polling;
  readonly observers?: LocalPipelineObservers;
  /** Notes worth a dim line (a reused emulator, a replaced endpoint). */
  readonly log?: (line: string) => void;
  /** Failures of the running parts (a poller's receive, the outbox, a scheduled run). */
  readonly onError?: (line: string) => void;
  /**
   * The emulator died under the running pipeline (it exited, or refuses connections): called
   * once, with what was lost; the pipeline's parts are stopped. Default: onError with the text.
   */
  readonly onEmulatorLost?: (loss: EmulatorLoss) => void;
  /** Aborting during startup stops what was started and rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /**
   * A fault script (JSON file; default: $CDN_PIPELINE_FAULTS of `env`): the pipeline's clients
   * then talk to the fault proxy (local/faultProxy.ts), which forwards to the emulator.
   */
  readonly faults?: string;
  /** The local edge (local/edge/server.ts) on this port for the distributions; omitted: none. */
  readonly edge?: { readonly port: number };
}

export interface LocalPipeline {
  readonly emulator: Emulator;
  readonly clients: AwsClients;
  readonly region: string;
  readonly stack: LocalStack;
  readonly distribution: StageDistribution;
  readonly polling: Polling;
  /** The fault proxy the clients talk to, when a fault script was given. */
  readonly faultProxy?: FaultProxy;
  /** The local edge, when asked for and its port was free. */
  readonly edge?: Edge;
  /** Pollers and schedules finish their run, the lease and the outbox let go, then the emulator. */
  stop(): Promise<void>;
}

/** Startup was aborted; what had been started is stopped. Names the emulator it had. */
export class StartAborted extends Error {
  override readonly name = 'StartAborted';
  constructor(
    readonly emulator: Emulator | undefined,
    options?: { cause?: unknown },
  ) {
    super('startup aborted', options);
  }
}

/** How to stop an emulator nobody will stop for the user. */
function stopHint(port: number, pid: number | undefined): string {
  return pid
    ? `To stop it: kill ${pid}`
    : `To stop it: kill the process listening on port ${port} (lsof -i :${port})`;
}

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { env, signal, stage } = options;
  const log = options.log ?? (() => undefined);
  const reportError = options.onError ?? ((line: string) => console.error(line));
  const observers = options.observers ?? {};
  const polling = options.polling ?? LOCAL_POLLING;
  // Once the emulator is gone, the parts' retries against it are noise: the loss is the message.
  let lost = false;
  const onError = (line: string) => {
    if (!lost) reportError(line);
  };

  let emulator: Emulator | undefined;
  let faultProxy: FaultProxy | undefined;
  let lease: Lease | undefined;
  let outbox: Outbox | undefined;
  let edge: Edge | undefined;
  let watch: EmulatorWatch | undefined;
  const running: Array<Poller | Schedule> = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    watch?.stop();
    // Runs in progress finish first (they may publish: the outbox still listens), then the
    // lease and the outbox let go (moto fails every publish to a silent http subscriber), then
    // moto. An emulator started here got the same Ctrl-C: nothing to let go of on it. A dead
    // one: nothing to wait for (a batch in flight only retries it), nothing to let go of.
    const finishing = Promise.allSettled(running.map((r) => r.stop()));
    if (lost) await Promise.race([finishing, new Promise((r) => setTimeout(r, 1_000).unref())]);
    else await finishing;
    await edge?.close().catch(() => undefined);
    const keep = !emulator?.owned && !lost;
    if (keep) await lease?.release().catch(() => undefined);
    await outbox?.stop({ unsubscribe: keep }).catch(() => undefined);
    await faultProxy?.stop().catch(() => undefined);
    if (emulator?.owned) await emulator.stop();
  };
  const step = async <T>(work: Promise<T>): Promise<T> => {
    const value = await work;
    if (signal?.aborted) throw signal.reason ?? new DOMException('aborted', 'AbortError');
    return value;
  };

  try {
    const loading = loadModules();
    loading.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    emulator = await step(
      startEmulator({
        port: options.port,
        host: options.host ?? DEFAULT_HOST,
        reuse: options.reuseEmulator ?? true,
        log,
      }),
    );
    for (const line of applyAwsEnvDefaults(env, emulator.endpoint)) log(line);
    const faults = options.faults ?? env.CDN_PIPELINE_FAULTS;
    if (faults) {
      const [{ startFaultProxy }, { readFaultScript }] = await Promise.all([
        import('./faultProxy.js'),
        import('./faultProxyScript.js'),
      ]);
      faultProxy = await step(
        startFaultProxy({
          upstream: emulator.endpoint,
          script: readFaultScript(faults),
          host: options.host ?? DEFAULT_HOST,
        }),
      );
      log(
        `fault proxy on ${faultProxy.endpoint} (script ${faults}): the pipeline's calls go ` +
          `through it to the emulator at ${emulator.endpoint}; it answers CloudFront ` +
          `invalidations from its own ledger (a second terminal on the emulator does not see them)`,
      );
    }
    const modules = await step(loading);
    const region = env.AWS_REGION ?? 'us-east-1';
    const endpoint = faultProxy?.endpoint ?? emulator.endpoint;
    const credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
    };
    const clients = modules.clients.createClients({ endpoint, region, credentials });
    // A bucket that already exists (--bucket): its events come through EventBridge.
    const existingBucket = options.bucket && {
      name: options.bucket,
      where: `the emulator at ${emulator.endpoint}`,
      events: modules.existingBucket.localEventsClient({ endpoint, region, credentials }),
    };
    const stack = await step(
      modules.bootstrap.bootstrapLocalStack(clients, {
        stage,
        region,
        ...(existingBucket ? { existingBucket } : {}),
      }),
    );
    if (stack.existingBucket) log(modules.existingBucket.wiringNote(stack));

    // Before anything that another run on these queues would notice (outbox, pollers).
    lease = await step(
      modules.lease.acquireLease({
        sqs: clients.sqs,
        queueUrl: stack.objectEvents.url,
        describe: `${stack.names.objectEventsQueue} on ${emulator.endpoint}`,
        ...(emulator.pid ? { emulatorPid: emulator.pid } : {}),
      }),
    );
    if (!emulator.owned) {
      const previous = lease.previous;
      const pid =
        emulator.pid ??
        (previous?.holder.emulatorPid && modules.lease.processAlive(previous.holder.emulatorPid)
          ? previous.holder.emulatorPid
          : undefined);
      const where = `the emulator on port ${emulator.port}${pid ? ` (pid ${pid})` : ''}`;
      log(
        previous
          ? `${where} was left behind by an earlier npm start that did not stop it (pid ` +
              `${previous.holder.pid}, started ${previous.holder.startedAt}: ${previous.reason}); ` +
              `this run uses it and leaves it running. ${stopHint(emulator.port, pid)}`
          : `${where} was not started by this run and stays running after it. ` +
              stopHint(emulator.port, pid),
      );
    }

    // Before provisioning, so that the ready mail lands in the outbox too.
    if (options.outboxDir) {
      outbox = await step(
        modules.outbox.startOutbox({
          sns: clients.sns,
          topicArn: stack.alertsTopicArn,
          dir: options.outboxDir,
          ...(observers.mail ? { onMail: observers.mail } : {}),
          onError,
        }),
      );
    }
    const distribution = await step(
      modules.bucketDistribution.stageDistribution(clients, stack, {
        ...(options.distribution ? { distribution: options.distribution } : {}),
        ...(signal ? { signal } : {}),
        log,
      }),
    );
    await step(lease.confirm());

    // Why each message last failed, for the line and mail when it reaches a DLQ.
    const failures = modules.failureNotes.failureNotes();
    const handlers = modules.handlers.buildPipelineHandlers(
      clients,
      stack,
      env,
      failures.observe(observers),
    );
    const pollers: Poller[] = [];
    const poll = (
      name: QueueName | 'logs',
      queue: { url: string; arn: string },
      handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
    ) => {
      const settings: PollingSettings = name === 'logs' ? LOCAL_LOGS_POLLING : polling[name];
      const poller = modules.poller.startPoller({
        sqs: clients.sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        region,
        handler,
        ...settings,
        log: onError,
        onBatch: (result) => {
          failures.batch(result);
          if (name !== 'logs') observers.batch?.(name, result);
        },
        onReceiveError: (error) => {
          if (modules.poller.isConnectionRefused(error)) watch?.noteRefused();
        },
      });
      pollers.push(poller);
      return poller;
    };
    running.push(
      poll('ingest', stack.objectEvents, handlers.ingest),
      poll('invalidate', stack.invalidationRequests, handlers.invalidate),
      // The edge's log files, as the stack's log bucket notifies the logs function.
      poll('logs', stack.logEvents, handlers.logs),
    );

    // CloudWatch's part for the DLQ alarms: a line per arrival, the alarm's mail on a change.
    running.push(
      await modules.dlqWatch.watchStageDlqs(clients, stack, {
        failures: (id) => failures.get(id),
        onArrival: (arrival) => observers.dlq?.(arrival),
        onNote: log,
        onError: (error) => {
          if (!stopping) onError(`DLQ watch: ${(error as Error).message}`);
        },
      }),
    );

    // A dead emulator ends the run with what was lost, instead of retries for ever.
    watch = modules.emulatorWatch.watchStageEmulator(emulator, clients.sqs, stack, {
      recordsInFlight: () => pollers.reduce((n, p) => n + p.recordsInFlight, 0),
      onLost: (loss) => {
        if (stopping) return;
        lost = true;
        if (options.onEmulatorLost) options.onEmulatorLost(loss);
        else reportError(modules.emulatorWatch.describeLoss(loss));
      },
    });

    if (options.edge) {
      const { startPipelineEdge } = await import('./edge/pipelineEdge.js');
      const at = { clients, port: options.edge.port, distributionId: distribution.id, region };
      // Once the emulator is lost, the run ends with one message saying what was lost: the edge's
      // failed polls of the dead emulator would only repeat it.
      const edgeLog = (line: string) => {
        if (!lost) log(line);
      };
      edge = await startPipelineEdge({ ...at, faultProxy, log: edgeLog, onError });
    }

    if (options.schedules) {
      const { checkSeconds, digestSeconds } = options.schedules;
      const report = modules.handlers.buildReportHandlers(clients, stack, env, { checkSeconds });
      const failed = (what: string) => (error: unknown) => {
        // A run cut short by Ctrl-C (moto got the signal too) is not a failure worth a line.
        if (!stopping)
          onError(`${what} failed: ${(error as Error).name}: ${(error as Error).message}`);
      };
      const timed = async <R>(run: () => Promise<R>, seen?: (result: R, ms: number) => void) => {
        const started = performance.now();
        const result = await run();
        seen?.(result, performance.now() - started);
      };
      // The first check runs on the next turn of the event loop: after the caller's ready lines.
      running.push(
        modules.schedule.startSchedule({
          everyMs: checkSeconds * 1000,
          runAtStart: true,
          onError: failed('report check'),
          job: (time) => timed(() => report.check({ time: time.toISOString() }), observers.check),
        }),
        modules.schedule.startSchedule({
          everyMs: digestSeconds * 1000,
          onError: failed('report digest'),
          job: (time) => timed(() => report.digest({ time: time.toISOString() }), observers.digest),
        }),
      );
    }
    return {
      emulator,
      clients,
      region,
      stack,
      distribution,
      polling,
      ...(faultProxy ? { faultProxy } : {}),
      ...(edge ? { edge } : {}),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    if (signal?.aborted) throw new StartAborted(emulator, { cause: error });
    throw error;
  }
}
