/**
 * The scheduled health check: the CLI's checks (`checkHealth`) on the stack's content bucket,
 * every few minutes, mailing the alerts topic once when the chain starts failing and once when
 * it recovers.
 *
 * The state is the report's alarm state (shared/alarms/alarmState.ts), in the same table, under
 * its own metric `health` (so the report's reads and its sweep of unmonitored alarms skip these
 * rows): the same conditional write claims a transition before it is announced, so two runs at
 * once mail once, and a failed publish is taken back and retried at the next run. One failing
 * run raises the alarm and one passing run resolves it (K = 1): the checks read configuration,
 * not noisy metrics, so there is nothing to smooth. Warnings never alarm.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Transition } from '../../shared/alarms/alarmRule.js';
import {
  applyObservation,
  type AlarmStore,
  type ApplyStatus,
} from '../../shared/alarms/alarmState.js';
import { describeError, publishMail } from '../../shared/alarms/publishMail.js';
import type { HealthCheck, HealthClients, KnownGaps } from './check.js';
import { checkHealth } from './health.js';
import { healthMail } from './healthMail.js';

/** The alarm-state metric of the scheduled health check (one row per bucket). */
export const HEALTH_METRIC = 'health';
export type HealthMetric = typeof HEALTH_METRIC;

/** The row key: one per watched bucket, never a distribution id (those start with `E`). */
export const healthAlarmKey = (bucket: string): string => `health:${bucket}`;

/** The log lines the core writes (Powertools' logger in Lambda). */
export interface HealthLog {
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

export interface ScheduledHealthConfig {
  readonly bucket: string;
  readonly alertsTopicArn: string;
  readonly alarmTable: string;
  readonly stage: string;
  readonly region: string;
}

export interface ScheduledHealthDeps {
  readonly clients: HealthClients & {
    readonly dynamodb: DynamoDBClient;
    readonly sns: SNSClient;
    /** The existing-bucket route (EventBridge rule → object-events); without it, not checked. */
    readonly eventbridge?: EventBridgeClient;
  };
  readonly config: ScheduledHealthConfig;
  /** What the account is known not to report (local runs); on AWS: none. */
  readonly knownGaps?: KnownGaps;
  readonly log?: HealthLog;
}

export interface ScheduledHealthResult {
  readonly outcome: 'ok' | 'failed';
  /** Names of the failed checks. */
  readonly failed: readonly string[];
  readonly checks: number;
  /** What the alarm state did with this run. */
  readonly status: ApplyStatus;
  readonly transition: Transition | undefined;
  /** The subject of the mail sent (when one was). */
  readonly mailed?: string;
}

export async function runScheduledHealth(
  deps: ScheduledHealthDeps,
  at: Date,
): Promise<ScheduledHealthResult> {
  const { clients, config } = deps;
  const checks = await checkHealth(clients, {
    bucket: config.bucket,
    alertsTopicArn: config.alertsTopicArn,
    objectEventsQueue: `cdn-pipeline-${config.stage}-object-events`,
    ...(deps.knownGaps ? { knownGaps: deps.knownGaps } : {}),
  });
  const failed = checks.filter((c) => c.ok === false);
  const store: AlarmStore<HealthMetric> = {
    dynamodb: clients.dynamodb,
    table: config.alarmTable,
    metrics: [HEALTH_METRIC],
  };
  let mailed: string | undefined;
  const applied = await applyObservation(
    store,
    { distributionId: healthAlarmKey(config.bucket), metric: HEALTH_METRIC },
    { breaching: failed.length > 0, value: failed.length, periodEnd: at },
    1,
    async (transition, next) => {
      const mail = healthMail(
        { stage: config.stage, region: config.region, bucket: config.bucket },
        transition,
        failing(checks),
        next.since,
      );
      await publishMail(clients.sns, config.alertsTopicArn, mail, `health-${config.bucket}`);
      mailed = mail.subject;
    },
  );
  if (applied.status === 'announce-failed')
    deps.log?.error('health transition not mailed: retried at the next run', {
      bucket: config.bucket,
      transition: applied.transition,
      error: describeError(applied.error),
    });
  if (applied.status === 'conflict')
    deps.log?.warn('health state written by another run meanwhile: nothing stored by this one', {
      bucket: config.bucket,
    });
  return {
    outcome: failed.length > 0 ? 'failed' : 'ok',
    failed: failed.map((c) => c.name),
    checks: checks.length,
    status: applied.status,
    transition: applied.transition,
    ...(mailed ? { mailed } : {}),
  };
}

const failing = (checks: readonly HealthCheck[]) => checks.filter((c) => c.ok === false);
