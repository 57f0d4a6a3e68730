/**
 * The scheduled health function (`functions/health/handler.scheduled`): EventBridge → the CLI's
 * checks on the content bucket → one mail per transition (scheduled.ts). Thin: take the time
 * from the event, call the core, log, count, return. It never throws for a failed check or a
 * failed mail (an EventBridge retry would not help; the next run retries the mail).
 */
import { cloudfrontClient } from '../../shared/clients/cloudfront.js';
import { dynamodbClient } from '../../shared/clients/dynamodb.js';
import { eventbridgeClient } from '../../shared/clients/eventbridge.js';
import { lazyClients } from '../../shared/clients/lazy.js';
import { s3Client } from '../../shared/clients/s3.js';
import { snsClient } from '../../shared/clients/sns.js';
import { sqsClient } from '../../shared/clients/sqs.js';
import {
  lambdaHandler,
  logger,
  metrics,
  MetricUnit,
  type Handler,
} from '../../shared/observability.js';
import { loadScheduledHealthConfig } from './config.js';
import {
  runScheduledHealth,
  type ScheduledHealthDeps,
  type ScheduledHealthResult,
} from './scheduled.js';

export interface ScheduledHealthEvent {
  readonly time?: string;
}

export function createScheduledHealthHandler(
  deps: ScheduledHealthDeps & { readonly now?: () => Date },
): Handler<ScheduledHealthEvent | undefined, ScheduledHealthResult> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? logger;
  return async (event) => {
    const t = event?.time ? Date.parse(event.time) : Number.NaN;
    const at = Number.isFinite(t) ? new Date(t) : now();
    const result = await runScheduledHealth({ ...deps, log }, at);
    metrics.addMetric('HealthChecksFailed', MetricUnit.Count, result.failed.length);
    log.info('health done', {
      bucket: deps.config.bucket,
      outcome: result.outcome,
      failed: result.failed,
      status: result.status,
      transition: result.transition,
    });
    return result;
  };
}

/** Lambda entry point (`functions/health/handler.scheduled`). */
export const scheduled: Handler<ScheduledHealthEvent | undefined, ScheduledHealthResult> =
  lambdaHandler(() =>
    createScheduledHealthHandler({
      clients: lazyClients({
        s3: s3Client,
        sqs: sqsClient,
        sns: snsClient,
        cloudfront: cloudfrontClient,
        dynamodb: dynamodbClient,
        eventbridge: eventbridgeClient,
      }),
      config: loadScheduledHealthConfig(),
    }),
  );
