/**
 * The digest's Lambda entry (`functions/report/digestHandler.digest`, the daily mail): its own
 * entry file, so its bundle holds the digest's core and the clients it calls — not the check's
 * code nor its DynamoDB client (they shared `handler.ts` before). Thin: take the time from the
 * EventBridge event, call the core, log, publish EMF (`HitRate` per distribution,
 * `InvalidationPathsBilledThisMonth`; `lambdaHandler` flushes them), return the result. It does
 * not throw for what it could not read or send (see `handler.ts`).
 */
import { cloudfrontClient } from '../../shared/clients/cloudfront.js';
import { cloudwatchClient, cloudwatchGlobalClient } from '../../shared/clients/cloudwatch.js';
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
import { runDigest } from './digest.js';
import {
  clientsWithout,
  publishHitRates,
  runTime,
  type ReportDeps,
  type ReportEvent,
} from './scheduledRun.js';
import type { DigestResult } from './types.js';

/** The bare scheduled digest. */
export function createDigestHandler(
  deps: ReportDeps,
): Handler<ReportEvent | undefined, DigestResult> {
  const { config } = deps;
  const log = deps.log ?? logger;
  const now = deps.now ?? (() => new Date());
  return async (event) => {
    const result = await runDigest({ clients: deps.clients, config, log }, runTime(event, now));
    publishHitRates(result.distributions);
    if (result.spend)
      metrics.addMetric(
        'InvalidationPathsBilledThisMonth',
        MetricUnit.Count,
        result.spend.pathsBilled,
      );
    metrics.addMetric('DigestMails', MetricUnit.Count, result.mails.length);
    log.info('digest done', {
      window: result.window,
      distributions: result.distributions.length,
      recommendations: result.recommendations.length,
      mailed: result.mails.length > 0,
    });
    return result;
  };
}

/** Lambda entry point of the scheduled digest (`functions/report/digestHandler.digest`). */
export const digest: Handler<ReportEvent | undefined, DigestResult> = lambdaHandler(() =>
  createDigestHandler({
    clients: clientsWithout(
      lazyClients({
        cloudfront: cloudfrontClient,
        cloudwatchGlobal: cloudwatchGlobalClient,
        cloudwatch: cloudwatchClient,
        sns: snsClient,
      }),
      'dynamodb',
    ),
    config: loadReportConfig(),
  }),
);
