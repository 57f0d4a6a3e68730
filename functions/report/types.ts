/**
 * Shapes shared by the report's handlers, cores and their callers (CLI, local runner, tests).
 */
import type { AwsClients } from '../../shared/clients.js';
import type { AlarmMetric, AlarmStatus, Transition } from '../../shared/alarms/alarmRule.js';
import type { ApplyStatus } from '../../shared/alarms/alarmState.js';
import type { ReportConfig } from './config.js';
import type { ClassAlarmKey, ReportAlarmMetric } from './classAlarmKeys.js';
import type { ClassSummary } from './classMetrics.js';
import type { SkippedDistribution } from './managed.js';
import type { TrafficSummary } from './metrics.js';
import type { Recommendation } from './recommendations.js';
import type { Spend } from './spend.js';

/** The clients the report uses: CloudFront metrics from us-east-1, the rest in the stack's region. */
export type ReportClients = Pick<
  AwsClients,
  'cloudwatchGlobal' | 'cloudwatch' | 'dynamodb' | 'sns' | 'cloudfront'
>;

/** Structured log sink (the Powertools logger in Lambda; silent by default in a core). */
export interface ReportLog {
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

export const SILENT_LOG: ReportLog = { info() {}, warn() {}, error() {} };

export interface ReportCoreDeps {
  readonly clients: ReportClients;
  readonly config: ReportConfig;
  readonly log?: ReportLog;
}

export interface IsoWindow {
  readonly start: string;
  readonly end: string;
}

/** One (distribution, metric) after a check. */
export interface AlarmCheck {
  readonly distributionId: string;
  readonly metric: AlarmMetric;
  /** undefined: not judged (no data, light traffic, metric off). */
  readonly breaching: boolean | undefined;
  readonly value: number | undefined;
  readonly status: ApplyStatus | 'error';
  readonly state: AlarmStatus;
  readonly breaches: number;
  readonly clean: number;
}

/** One (distribution, content class) hit-rate alarm after a check. */
export type ClassAlarmCheck = Omit<AlarmCheck, 'metric'> & {
  readonly metric: ClassAlarmKey;
  readonly contentClass: string;
  readonly window: IsoWindow;
};

export interface TransitionRecord {
  readonly distributionId: string;
  readonly metric: ReportAlarmMetric;
  /** `stale` (no data for ALARM_STALE_AFTER checks) and `unmonitored` close without a verdict. */
  readonly transition: Transition;
  readonly value: number | undefined;
  /** `mailed`: stored and announced; `mail-failed`: not announced, retried at the next check. */
  readonly status: 'mailed' | 'mail-failed';
  readonly subject: string;
}

export interface CheckResult {
  readonly kind: 'check';
  readonly window: IsoWindow;
  readonly distributions: TrafficSummary[];
  readonly alarms: AlarmCheck[];
  /** Per content class, from standard logs (the class window; empty without logs). */
  readonly classes: ClassSummary[];
  /** The per-class hit-rate alarms (classAlarms.ts), apart: their metric is a class key. */
  readonly classAlarms: ClassAlarmCheck[];
  readonly transitions: TransitionRecord[];
  /** Subjects of the mails published. */
  readonly mails: string[];
  readonly skipped: SkippedDistribution[];
}

export interface DigestResult {
  readonly kind: 'digest';
  readonly window: IsoWindow;
  readonly previousWindow: IsoWindow;
  readonly distributions: TrafficSummary[];
  readonly previous: TrafficSummary[];
  /** Per content class, from standard logs (empty without logs). */
  readonly classes: ClassSummary[];
  readonly spend: Spend | undefined;
  readonly recommendations: Array<{ distributionId: string | undefined } & Recommendation>;
  /** Subjects of the mails published (one, or none when publishing failed). */
  readonly mails: string[];
  readonly skipped: SkippedDistribution[];
  /** The mail as built (published or not), for the CLI and tests. */
  readonly mail: { subject: string; body: string };
}
