/**
 * LOCAL ONLY. The functions' handlers built the way their Lambda entry points build them, with
 * the local stage's clients, queue, topic, table and names: the one place the local runs (npm
 * start, the bench, the integration tests) turn serverless.yml's environment into handlers.
 * Each invocation's EMF metrics reach the emulator's CloudWatch as CloudWatch would extract them
 * (local/emfSink.ts), under the function's serverless.yml service name (`<service>-<stage>-<fn>`).
 * Heavy (the SDK, Powertools): `local/pipeline.ts` loads it while the emulator boots.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createIngestHandler } from '../functions/ingest/handler.js';
import type { IngestObserver } from '../functions/ingest/types.js';
import { createInvalidateHandler } from '../functions/invalidate/handler.js';
import type { InvalidateObserver } from '../functions/invalidate/types.js';
import { loadReportConfig } from '../functions/report/config.js';
import { createReportHandlers, type ReportHandlers } from '../functions/report/handler.js';
import type { AwsClients } from '../shared/clients.js';
import { loadIngestConfig } from '../functions/ingest/config.js';
import { loadInvalidateConfig } from '../functions/invalidate/config.js';
import { ENV_SCHEMA, parseEnv } from '../shared/env.js';
import type { Handler } from '../shared/observability.js';
import { loadLogsConfig } from '../functions/logs/config.js';
import { logFilesTableName } from './keyLedgerTable.js';
import { createLogsHandler, type LogsDeps, type LogsObserver } from '../functions/logs/handler.js';
import type { LogOutcome } from '../functions/logs/logs.js';
import type { LocalStack } from './bootstrap.js';
import { createEmfSink, type EmfSink } from './emfSink.js';
import { SERVICE } from './resources.js';
import type { Env } from './startOptions.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface PipelineHandlers {
  readonly ingest: SqsHandler;
  readonly invalidate: SqsHandler;
  /** Log files of the log bucket → per-class counts in the emulator's CloudWatch. */
  readonly logs: SqsHandler;
}

export interface PipelineObservers {
  readonly ingest?: IngestObserver;
  readonly invalidate?: InvalidateObserver;
  /** Each log file read, once its counts are in CloudWatch (PutMetricData answered). */
  readonly logs?: LogsObserver;
}

/** serverless.yml's POWERTOOLS_SERVICE_NAME of a function: `cdn-pipeline-<stage>-<function>`. */
export function functionServiceName(stage: string, fn: string): string {
  return `${SERVICE}-${stage}-${fn}`;
}

/** The sink the handlers' metrics go through, for the stage region's CloudWatch. */
function emfSinkFor(clients: AwsClients, env: Env): EmfSink {
  const { POWERTOOLS_METRICS_NAMESPACE: namespace } = parseEnv(
    ENV_SCHEMA.pick({ POWERTOOLS_METRICS_NAMESPACE: true }),
    env,
  );
  return createEmfSink({ cloudwatch: clients.cloudwatch, namespace });
}

/** `handler`, each invocation's metrics published as that function's (see local/emfSink.ts). */
function withMetrics<E, R>(sink: EmfSink, service: string, handler: Handler<E, R>): Handler<E, R> {
  return (event, context) => sink.invoke(service, () => handler(event, context));
}

/**
 * The logs function with its per-class EMF put into CloudWatch as CloudWatch Logs would extract
 * it (each object's `_aws.Timestamp` is the minute of its requests: a datapoint lands on the
 * minute the requests were served, not the minute the file was read). The observer hears of a
 * file once its counts are stored, so a caller waiting on it can read them at once.
 */
function logsWithSink(
  sink: EmfSink,
  service: string,
  deps: Omit<LogsDeps, 'emit'>,
  observer: LogsObserver | undefined,
): SqsHandler {
  let pending: Array<Promise<number>> = [];
  let heard: LogOutcome[] = [];
  const handler = createLogsHandler(
    { ...deps, emit: (emf) => void pending.push(sink.publish(emf)) },
    (outcome) => heard.push(outcome),
  );
  return async (event) => {
    try {
      return await sink.invoke(service, () => handler(event));
    } finally {
      const [published, outcomes] = [pending, heard];
      [pending, heard] = [[], []];
      await Promise.allSettled(published);
      for (const outcome of outcomes) observer?.(outcome);
    }
  };
}

/**
 * Ingest, invalidate and logs, as Lambda builds them, reading their settings from `env` as in
 * AWS (the logs function's STAGE is the local stage's: it counts the stage's distributions).
 */
export function buildPipelineHandlers(
  clients: AwsClients,
  stack: Pick<LocalStack, 'invalidationRequests' | 'invalidationLedgerTable' | 'names'>,
  env: Env,
  observers: PipelineObservers = {},
): PipelineHandlers {
  const ingestConfig = loadIngestConfig({
    ...env,
    INVALIDATION_QUEUE_URL: stack.invalidationRequests.url,
  });
  // The stack's ledger, as serverless.yml sets it: npm start and the CLI share one budget. An
  // INVALIDATION_LEDGER_TABLE in `env` wins (empty: no ledger, CloudFront's snapshot alone).
  const invalidateConfig = loadInvalidateConfig({
    INVALIDATION_LEDGER_TABLE: stack.invalidationLedgerTable,
    ...env,
  });
  const sink = emfSinkFor(clients, env);
  const service = (fn: string) => functionServiceName(stack.names.stage, fn);
  return {
    ingest: withMetrics(
      sink,
      service('ingest'),
      createIngestHandler({ clients, config: ingestConfig }, observers.ingest),
    ),
    invalidate: withMetrics(
      sink,
      service('invalidate'),
      createInvalidateHandler({ clients, config: invalidateConfig }, observers.invalidate),
    ),
    logs: logsWithSink(
      sink,
      service('logs'),
      {
        clients,
        // The stack's table of counted log files, as serverless.yml sets it (each file once); a
        // LOG_FILES_TABLE in `env` wins.
        config: loadLogsConfig({
          LOG_FILES_TABLE: logFilesTableName(`${SERVICE}-${stack.names.stage}`),
          ...env,
          STAGE: stack.names.stage,
        }),
      },
      observers.logs,
    ),
  };
}

/**
 * The report's handlers as Lambda builds them, with the local stage's topic, table and names.
 * Thresholds and K come from the environment as in AWS; a check reads the last check interval
 * (whole minutes, at least one) unless CHECK_WINDOW_MINUTES says otherwise. No dashboard locally.
 */
export function buildReportHandlers(
  clients: AwsClients,
  stack: Pick<LocalStack, 'alertsTopicArn' | 'alarmTable' | 'names' | 'region'>,
  env: Env,
  options: { checkSeconds: number },
): ReportHandlers {
  const prefix = `${SERVICE}-${stack.names.stage}`;
  const config = loadReportConfig({
    ...env,
    ALERTS_TOPIC_ARN: stack.alertsTopicArn,
    ALARM_TABLE: stack.alarmTable,
    STAGE: stack.names.stage,
    AWS_REGION: stack.region,
    DASHBOARD_NAME: '',
    INVALIDATE_SERVICE_NAME: functionServiceName(stack.names.stage, 'invalidate'),
    CHECK_WINDOW_MINUTES:
      env.CHECK_WINDOW_MINUTES || String(Math.max(1, Math.round(options.checkSeconds / 60))),
  });
  const handlers = createReportHandlers({ clients, config });
  const sink = emfSinkFor(clients, env);
  return {
    check: withMetrics(sink, `${prefix}-report-check`, handlers.check),
    digest: withMetrics(sink, `${prefix}-report-digest`, handlers.digest),
  };
}

/** The logs function (log files → per-class EMF) as Lambda builds it; `emit` gets its EMF. */
export const buildLogsHandler = (clients: AwsClients, env: Env, emit?: LogsDeps['emit']) =>
  createLogsHandler({ clients, config: loadLogsConfig(env), ...(emit ? { emit } : {}) });
