/**
 * The report's scheduled check (thresholds with state, every 15 minutes by default): its Lambda
 * entry (`functions/report/handler.check`), and `createReportHandlers`, both runs composed for
 * the CLI, local runs and tests. The digest (the daily mail) has its own entry file,
 * `digestHandler.ts`, so its bundle carries neither this code nor the check's DynamoDB client.
 * Thin: take the time from the EventBridge event, call the core, log, publish EMF (`HitRate` per
 * distribution, dimension DistributionId; `lambdaHandler` flushes them), return the result.
 *
 * Neither run throws for what it could not read or send: a throttled GetMetricData or a failed
 * SNS publish is a log line (and an entry in the result), never an invocation error that
 * EventBridge would retry into a second mail.
 */
import { cloudfrontClient } from '../../shared/clients/cloudfront.js';
import { cloudwatchGlobalClient } from '../../shared/clients/cloudwatch.js';
import { dynamodbClient } from '../../shared/clients/dynamodb.js';
import { lazyClients } from '../../shared/clients/lazy.js';
import { snsClient } from '../../shared/clients/sns.js';
import {
  lambdaHandler,
  logger,
  metrics,
  MetricUnit,
  type Handler,
} from '../../shared/observability.js';
import { loadReportConfig } from './config.js';
import { runCheck } from './check.js';
import { createDigestHandler } from './digestHandler.js';
import {
  clientsWithout,
  publishHitRates,
  runTime,
  type ReportDeps,
  type ReportEvent,
  type ReportHandlers,
} from './scheduledRun.js';
import type { CheckResult } from './types.js';

export { runTime, type ReportDeps, type ReportEvent, type ReportHandlers } from './scheduledRun.js';
export { createDigestHandler } from './digestHandler.js';

/** The bare scheduled check. */
export function createCheckHandler(deps: ReportDeps): ReportHandlers['check'] {
  const { config } = deps;
  const log = deps.log ?? logger;
  const now = deps.now ?? (() => new Date());
  return async (event) => {
    const result = await runCheck({ clients: deps.clients, config, log }, runTime(event, now));
    publishHitRates(result.distributions);
    metrics.addMetric('AlarmTransitions', MetricUnit.Count, result.transitions.length);
    metrics.addMetric('DistributionsSkipped', MetricUnit.Count, result.skipped.length);
    log.info('check done', {
      window: result.window,
      distributions: result.distributions.length,
      transitions: result.transitions.map(
        (t) => `${t.distributionId} ${t.metric} ${t.transition} ${t.status}`,
      ),
      skipped: result.skipped.length,
    });
    return result;
  };
}

/** Both scheduled handlers (the CLI, local runs and tests call them). */
export function createReportHandlers(deps: ReportDeps): ReportHandlers {
  return { check: createCheckHandler(deps), digest: createDigestHandler(deps) };
}

/**
 * Lambda entry point of the scheduled check (`functions/report/handler.check`): the clients the
 * check calls (its alarm state lives in DynamoDB).
 */
export const check: Handler<ReportEvent | undefined, CheckResult> = lambdaHandler(() =>
  createCheckHandler({
    clients: clientsWithout(
      lazyClients({
        cloudfront: cloudfrontClient,
        cloudwatchGlobal: cloudwatchGlobalClient,
        dynamodb: dynamodbClient,
        sns: snsClient,
      }),
      'cloudwatch',
    ),
    config: loadReportConfig(),
  }),
);

/**
 * The digest's Lambda entry is `functions/report/digestHandler.digest` (its bundle without the
 * check's code and DynamoDB client); re-exported for the callers of this module.
 */
export { digest } from './digestHandler.js';
