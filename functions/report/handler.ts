/**
 * The report function's two scheduled entry points: `check` (thresholds with state, every 15
 * minutes by default) and `digest` (the daily mail). Thin: take the time from the EventBridge
 * event, call the core, log, publish EMF (`HitRate` per distribution, dimension DistributionId;
 * the digest also `InvalidationPathsBilledThisMonth`; `lambdaHandler` flushes them), return the
 * result.
 *
 * Neither throws for what it could not read or send: a throttled GetMetricData or a failed SNS
 * publish is a log line (and an entry in the result), never an invocation error that EventBridge
 * would retry into a second mail.
 */
import { cloudfrontClient } from '../../shared/clients/cloudfront.js';
import { cloudwatchClient, cloudwatchGlobalClient } from '../../shared/clients/cloudwatch.js';
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
import { loadReportConfig, type ReportConfig } from './config.js';
import type { TrafficSummary } from './metrics.js';
import { runCheck } from './check.js';
import { runDigest } from './digest.js';
import type { CheckResult, DigestResult, ReportClients, ReportLog } from './types.js';

export interface ReportDeps {
  readonly clients: ReportClients;
  readonly config: ReportConfig;
  readonly log?: ReportLog;
  /** Clock for runs whose event carries no time (tests, CLI). */
  readonly now?: () => Date;
}

/** What the schedule sends (`time` is the scheduled time); the CLI and tests may send `{}`. */
export interface ReportEvent {
  readonly time?: string;
}

/** The bare handlers (the Lambda entry points below wrap them; the CLI, local runs and tests call them). */
export interface ReportHandlers {
  readonly check: Handler<ReportEvent | undefined, CheckResult>;
  readonly digest: Handler<ReportEvent | undefined, DigestResult>;
}

/** The time the run is about: the event's scheduled time, else the clock. */
export function runTime(event: ReportEvent | undefined, now: () => Date): Date {
  const t = event?.time ? Date.parse(event.time) : Number.NaN;
  return Number.isFinite(t) ? new Date(t) : now();
}

function publishHitRates(summaries: readonly TrafficSummary[]): void {
  for (const s of summaries) {
    // A hit rate CloudWatch did not have is not published as 0: the dashboard shows a gap.
    if (s.hitRate === undefined) continue;
    const single = metrics.singleMetric();
    single.addDimension('DistributionId', s.distributionId);
    single.addMetric('HitRate', MetricUnit.Percent, s.hitRate);
  }
}

export function createReportHandlers(deps: ReportDeps): ReportHandlers {
  const { config } = deps;
  const log = deps.log ?? logger;
  const now = deps.now ?? (() => new Date());

  return {
    async check(event) {
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
    },
    async digest(event) {
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
    },
  };
}

const build = (): ReportHandlers =>
  createReportHandlers({
    clients: lazyClients({
      cloudfront: cloudfrontClient,
      cloudwatchGlobal: cloudwatchGlobalClient,
      cloudwatch: cloudwatchClient,
      dynamodb: dynamodbClient,
      sns: snsClient,
    }),
    config: loadReportConfig(),
  });

/** Lambda entry point of the scheduled check (`functions/report/handler.check`). */
export const check: Handler<ReportEvent | undefined, CheckResult> = lambdaHandler(
  () => build().check,
);

/** Lambda entry point of the scheduled digest (`functions/report/handler.digest`). */
export const digest: Handler<ReportEvent | undefined, DigestResult> = lambdaHandler(
  () => build().digest,
);
