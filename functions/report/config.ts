/**
 * The report function's configuration (check and digest): a pick of the one env schema
 * (`shared/env.ts`, where every type, range, default and doc is declared), parsed once and frozen.
 * A bad value fails the cold start with the variable's name.
 */
import type { ContentClassRule } from '../../shared/contentClasses.js';
import { ENV_SCHEMA, parseEnv, type Env } from '../../shared/env.js';

const reportEnv = ENV_SCHEMA.pick({
  HIT_RATE_MIN: true,
  HIT_RATE_THRESHOLDS: true,
  CLASS_CHECK_WINDOW_MINUTES: true,
  CONTENT_CLASSES: true,
  ERROR_5XX_MAX: true,
  ERROR_4XX_MAX: true,
  ORIGIN_LATENCY_MAX_MS: true,
  MIN_REQUESTS: true,
  ALARM_AFTER: true,
  RECOVER_AFTER: true,
  ALARM_STALE_AFTER: true,
  CHECK_WINDOW_MINUTES: true,
  DIGEST_WINDOW_HOURS: true,
  ALERTS_TOPIC_ARN: true,
  ALARM_TABLE: true,
  DISTRIBUTION_IDS: true,
  DASHBOARD_NAME: true,
  METRICS_NAMESPACE: true,
  INVALIDATE_SERVICE_NAME: true,
  STAGE: true,
  AWS_REGION: true,
});

export interface ReportThresholds {
  /** Percent. */
  readonly hitRateMin: number;
  /** Percent. */
  readonly error5xxMax: number;
  /** Percent. */
  readonly error4xxMax: number;
  readonly originLatencyMaxMs: number;
  readonly minRequests: number;
  /** Percent, per content class (from standard logs); a class not named uses hitRateMin. */
  readonly classHitRateMin: Readonly<Record<string, number>>;
}

export interface ReportConfig {
  readonly thresholds: ReportThresholds;
  readonly alarmAfter: number;
  readonly recoverAfter: number;
  /** Consecutive no-data checks that close an ALARM without a verdict; 0: never. */
  readonly staleAfter: number;
  readonly checkWindowMinutes: number;
  /** The aligned window one per-class check reads (standard logs arrive late). */
  readonly classWindowMinutes: number;
  /** The classes ingest and the logs function use (CONTENT_CLASSES): which class alarms exist. */
  readonly contentClasses: readonly ContentClassRule[];
  readonly digestWindowHours: number;
  readonly alertsTopicArn: string;
  readonly alarmTable: string;
  readonly distributionIds: readonly string[];
  readonly dashboardName: string | undefined;
  readonly metricsNamespace: string;
  readonly invalidateServiceName: string;
  readonly stage: string;
  readonly region: string;
}

export function loadReportConfig(env: Env = process.env): ReportConfig {
  const raw = parseEnv(reportEnv, env);
  return Object.freeze({
    thresholds: Object.freeze({
      hitRateMin: raw.HIT_RATE_MIN,
      error5xxMax: raw.ERROR_5XX_MAX,
      error4xxMax: raw.ERROR_4XX_MAX,
      originLatencyMaxMs: raw.ORIGIN_LATENCY_MAX_MS,
      minRequests: raw.MIN_REQUESTS,
      classHitRateMin: raw.HIT_RATE_THRESHOLDS,
    }),
    alarmAfter: raw.ALARM_AFTER,
    recoverAfter: raw.RECOVER_AFTER,
    staleAfter: raw.ALARM_STALE_AFTER,
    checkWindowMinutes: raw.CHECK_WINDOW_MINUTES,
    classWindowMinutes: raw.CLASS_CHECK_WINDOW_MINUTES,
    contentClasses: raw.CONTENT_CLASSES,
    digestWindowHours: raw.DIGEST_WINDOW_HOURS,
    alertsTopicArn: raw.ALERTS_TOPIC_ARN,
    alarmTable: raw.ALARM_TABLE,
    distributionIds: Object.freeze(raw.DISTRIBUTION_IDS),
    dashboardName: raw.DASHBOARD_NAME,
    metricsNamespace: raw.METRICS_NAMESPACE,
    invalidateServiceName: raw.INVALIDATE_SERVICE_NAME,
    stage: raw.STAGE,
    region: raw.AWS_REGION,
  });
}
