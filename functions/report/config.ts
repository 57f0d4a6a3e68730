/**
 * The report function's configuration (check and digest), parsed once from the environment and
 * validated with zod: a bad value fails the cold start with the variable's name.
 */
import { z } from 'zod';
import { parseEnv } from '../../shared/config.js';

type Env = Record<string, string | undefined>;

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** DynamoDB table names: 3–255 of `[a-zA-Z0-9_.-]`. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
/** CloudWatch dashboard names: up to 255 of `[a-zA-Z0-9_-]`. */
const DASHBOARD_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const reportSchema = z.object({
  /** Hit rate (%, request-weighted) below which a check breaches. */
  HIT_RATE_MIN: num(0, 100).default(80),
  /** 5xx error rate (%) above which a check breaches. */
  ERROR_5XX_MAX: num(0, 100).default(1),
  /** 4xx error rate (%) above which a check breaches. */
  ERROR_4XX_MAX: num(0, 100).default(5),
  /** Origin latency (ms, request-weighted average) above which a check breaches. */
  ORIGIN_LATENCY_MAX_MS: num(1, 600_000).default(1000),
  /** Requests a check window must hold before any threshold is judged (no alarm on noise). */
  MIN_REQUESTS: int(0, 1_000_000_000).default(500),
  /** Consecutive breaching checks before OK → ALARM. */
  ALARM_AFTER: int(1, 100).default(3),
  /** Consecutive clean checks before ALARM → OK. */
  RECOVER_AFTER: int(1, 100).default(3),
  /**
   * Consecutive checks without data (too little traffic, a metric off, nothing published) after
   * which an ALARM is closed without a verdict (one "ALARM CLEARED (no data)" mail). 0: never.
   * Default 8: two hours at the default 15-minute check.
   */
  ALARM_STALE_AFTER: int(0, 10_000).default(8),
  /** Length of the window one check reads (1-minute periods). */
  CHECK_WINDOW_MINUTES: int(1, 1440).default(15),
  /** Length of the digest window, compared with the same length before it. */
  DIGEST_WINDOW_HOURS: int(1, 24 * 14).default(24),
  ALERTS_TOPIC_ARN: z
    .string({ error: 'is required: the SNS topic that receives alarm and report mail' })
    .regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)'),
  ALARM_TABLE: z
    .string({ error: 'is required: the DynamoDB table that keeps alarm states' })
    .regex(TABLE_NAME, 'must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)'),
  /** Extra distribution ids to report on, besides the ones tagged as managed. */
  DISTRIBUTION_IDS: z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.string().regex(/^[A-Z0-9]{1,64}$/, 'must be a comma list of distribution ids')),
    ),
  /** The stack's CloudWatch dashboard, linked from every mail; empty → no link. */
  DASHBOARD_NAME: z
    .string()
    .optional()
    .refine((s) => !s || DASHBOARD_NAME.test(s), 'must be a dashboard name (a-z A-Z 0-9 _ -)'),
  /** Where the invalidate function's EMF `PathsBilled` lives (spend tracking). */
  METRICS_NAMESPACE: z.string().min(1).default('CdnPipeline'),
  INVALIDATE_SERVICE_NAME: z.string().min(1).default('cdn-pipeline-invalidate'),
  STAGE: z
    .string()
    .regex(/^[a-zA-Z0-9-]{1,32}$/, 'must be a stage name')
    .default('dev'),
  /** The stack's region (Lambda sets it), for the dashboard link. */
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region')
    .default('us-east-1'),
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
}

export interface ReportConfig {
  readonly thresholds: ReportThresholds;
  readonly alarmAfter: number;
  readonly recoverAfter: number;
  /** Consecutive no-data checks that close an ALARM without a verdict; 0: never. */
  readonly staleAfter: number;
  readonly checkWindowMinutes: number;
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
  const raw = parseEnv(reportSchema, env);
  return Object.freeze({
    thresholds: Object.freeze({
      hitRateMin: raw.HIT_RATE_MIN,
      error5xxMax: raw.ERROR_5XX_MAX,
      error4xxMax: raw.ERROR_4XX_MAX,
      originLatencyMaxMs: raw.ORIGIN_LATENCY_MAX_MS,
      minRequests: raw.MIN_REQUESTS,
    }),
    alarmAfter: raw.ALARM_AFTER,
    recoverAfter: raw.RECOVER_AFTER,
    staleAfter: raw.ALARM_STALE_AFTER,
    checkWindowMinutes: raw.CHECK_WINDOW_MINUTES,
    digestWindowHours: raw.DIGEST_WINDOW_HOURS,
    alertsTopicArn: raw.ALERTS_TOPIC_ARN,
    alarmTable: raw.ALARM_TABLE,
    distributionIds: Object.freeze(raw.DISTRIBUTION_IDS),
    dashboardName: raw.DASHBOARD_NAME || undefined,
    metricsNamespace: raw.METRICS_NAMESPACE,
    invalidateServiceName: raw.INVALIDATE_SERVICE_NAME,
    stage: raw.STAGE,
    region: raw.AWS_REGION,
  });
}
