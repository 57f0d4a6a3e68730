/**
 * The threshold check (every 15 minutes by default): managed distributions → their CloudFront
 * metrics over the last check window (1-minute periods, request-weighted) → one observation per
 * (distribution, metric) → alarm state (DynamoDB, hysteresis) → one mail per transition.
 *
 * Nothing it could not read moves an alarm: a throttled or failed GetMetricData, a window with
 * fewer than MIN_REQUESTS requests, or a metric the distribution does not publish (hit rate and
 * origin latency need the additional metrics) all give "no observation". An alarm that sees no
 * observation for ALARM_STALE_AFTER checks in a row is closed without a verdict (one "ALARM
 * CLEARED (no data)" mail), and once discovery succeeded, an alarm of a distribution the check no
 * longer finds (deleted, untagged, removed from DISTRIBUTION_IDS) is closed the same way (one
 * "ALARM CLEARED (no longer monitored)" mail): no alarm stays raised forever.
 */
import {
  ALARM_METRICS,
  ALARM_METRIC_NAMES,
  applyObservation,
  applyStep,
  initialAlarmState,
  readAlarmStates,
  scanAlarmedStates,
  unmonitoredState,
  type AlarmMetric,
  type AlarmState,
  type AlarmStore,
  type ApplyResult,
} from './alarmState.js';
import type { ReportThresholds } from './config.js';
import { alarmMail, clearedMail, type MailContext } from './mail.js';
import {
  displayDomain,
  findReportDistributions,
  type ReportDistribution,
  type SkippedDistribution,
} from './managed.js';
import {
  emptySeries,
  fetchDistributionMetrics,
  summarize,
  type MetricWindow,
  type TrafficSummary,
} from './metrics.js';
import { describeError, publishMail } from './publish.js';
import {
  SILENT_LOG,
  type AlarmCheck,
  type CheckResult,
  type ReportCoreDeps,
  type TransitionRecord,
} from './types.js';

export interface MetricObservation {
  readonly breaching: boolean | undefined;
  readonly value: number | undefined;
  /** Why `breaching` is undefined. */
  readonly reason?: 'low-traffic' | 'no-data' | 'additional-metrics-off';
}

const VALUE_OF: Record<AlarmMetric, (s: TrafficSummary) => number | undefined> = {
  hitRate: (s) => s.hitRate,
  errorRate5xx: (s) => s.errorRate5xx,
  errorRate4xx: (s) => s.errorRate4xx,
  originLatencyMs: (s) => s.originLatencyMs,
};

export function thresholdOf(metric: AlarmMetric, t: ReportThresholds): number {
  switch (metric) {
    case 'hitRate':
      return t.hitRateMin;
    case 'errorRate5xx':
      return t.error5xxMax;
    case 'errorRate4xx':
      return t.error4xxMax;
    case 'originLatencyMs':
      return t.originLatencyMaxMs;
  }
}

/**
 * One observation per metric from a window's summary. Too few requests: nothing is judged
 * (a 50 % hit rate on 4 requests is noise). A value CloudWatch did not have: not judged either.
 */
export function observe(
  summary: TrafficSummary,
  thresholds: ReportThresholds,
): Record<AlarmMetric, MetricObservation> {
  const lowTraffic = summary.requests < thresholds.minRequests || summary.requests <= 0;
  const entries = ALARM_METRIC_NAMES.map((metric): [AlarmMetric, MetricObservation] => {
    const value = VALUE_OF[metric](summary);
    if (lowTraffic) return [metric, { breaching: undefined, value, reason: 'low-traffic' }];
    if (value === undefined) {
      const additional = metric === 'hitRate' || metric === 'originLatencyMs';
      const reason =
        additional && !summary.additionalMetrics ? 'additional-metrics-off' : 'no-data';
      return [metric, { breaching: undefined, value, reason }];
    }
    const threshold = thresholdOf(metric, thresholds);
    const breaching =
      ALARM_METRICS[metric].breachesWhen === 'below' ? value < threshold : value > threshold;
    return [metric, { breaching, value }];
  });
  return Object.fromEntries(entries) as Record<AlarmMetric, MetricObservation>;
}

/**
 * The check window: the last `minutes` ending on a multiple of `minutes` (UTC). Aligned windows
 * make every run of the same slot observe the same window — a retried or concurrent run is
 * recognised by its window end and not counted twice — and leave CloudFront's few minutes of
 * publishing delay behind the window on a schedule that fires at an arbitrary offset.
 */
export function checkWindow(now: Date, minutes: number): MetricWindow {
  const ms = minutes * 60_000;
  const end = Math.floor(now.getTime() / ms) * ms;
  return { start: new Date(end - ms), end: new Date(end), periodSeconds: 60 };
}

export function mailContext(config: ReportCoreDeps['config']): MailContext {
  return { stage: config.stage, region: config.region, dashboardName: config.dashboardName };
}

type MutableCheckResult = {
  -readonly [K in keyof CheckResult]: CheckResult[K];
};

/**
 * Records what `applyStep` did with a transition (result and log). `subject` is the mail's, as
 * built by the announcement (empty when it never got that far).
 */
function recordTransition(
  result: MutableCheckResult,
  log: NonNullable<ReportCoreDeps['log']>,
  applied: ApplyResult,
  key: { distributionId: string; metric: AlarmMetric; value: number | undefined },
  subject: string,
): void {
  const { distributionId, metric, value } = key;
  if (applied.status === 'transition' && applied.transition) {
    result.mails.push(subject);
    result.transitions.push({
      distributionId,
      metric,
      transition: applied.transition,
      value,
      status: 'mailed',
      subject,
    });
    log.info(`alarm ${applied.transition}`, {
      distributionId,
      metric,
      value,
      state: applied.state.state,
      subject,
    });
  } else if (applied.status === 'announce-failed' && applied.transition) {
    result.transitions.push({
      distributionId,
      metric,
      transition: applied.transition,
      value,
      status: 'mail-failed',
      subject,
    });
    const takenBack = applied.state.state === applied.previous.state;
    log.error(
      takenBack
        ? 'alarm mail could not be published: transition not stored, retried at the next check'
        : 'alarm mail could not be published and the transition could not be taken back: this mail is lost',
      {
        distributionId,
        metric,
        transition: applied.transition,
        error: describeError(applied.error),
      },
    );
  } else if (applied.status === 'conflict') {
    log.warn('alarm state changed under this check (concurrent run): not counted', {
      distributionId,
      metric,
    });
  }
}

/**
 * Closes the alarms of distributions this check no longer finds: every ALARM row whose
 * distribution is neither checked nor skipped for a passing reason (unreadable tags: it may
 * well still be managed) goes to OK as `unmonitored`, with one mail, through the same
 * conditional write as every transition (a concurrent check re-reads OK and mails nothing).
 * Only called after discovery succeeded. Never throws: a failure is logged, and retried at the
 * next check.
 */
async function closeUnmonitored(
  deps: ReportCoreDeps,
  result: MutableCheckResult,
  log: NonNullable<ReportCoreDeps['log']>,
  found: { distributions: readonly ReportDistribution[]; skipped: readonly SkippedDistribution[] },
  window: MetricWindow,
): Promise<void> {
  const { clients, config } = deps;
  const store: AlarmStore = { dynamodb: clients.dynamodb, table: config.alarmTable };
  const present = new Set(found.distributions.map((d) => d.id));
  const deleted = new Set<string>();
  for (const s of found.skipped) {
    if (s.reason === 'deleted') deleted.add(s.distributionId);
    else present.add(s.distributionId);
  }
  let alarmed: AlarmState[];
  try {
    const scanned = await scanAlarmedStates(store);
    alarmed = scanned.states;
    if (scanned.truncated)
      log.warn('alarm table scan stopped at its bound: some alarms may not be swept', {
        rows: alarmed.length,
      });
  } catch (error) {
    log.error('could not read alarms of distributions no longer checked: retried next check', {
      error: describeError(error),
    });
    return;
  }
  const context = mailContext(config);
  for (const row of alarmed) {
    const { distributionId, metric } = row;
    if (present.has(distributionId)) continue;
    let subject = '';
    try {
      const applied = await applyStep(
        store,
        { distributionId, metric },
        (prev) => unmonitoredState(prev, window.end),
        async (_transition, _next, before) => {
          const mail = clearedMail(context, {
            distribution: { id: distributionId },
            metric,
            kind: 'unmonitored',
            threshold: thresholdOf(metric, config.thresholds),
            lastValue: before.lastValue,
            alarmSince: before.since,
            closedAt: window.end,
            reason: deleted.has(distributionId) ? 'deleted' : undefined,
          });
          subject = mail.subject;
          await publishMail(clients.sns, config.alertsTopicArn, mail, `report-${distributionId}`);
        },
        row,
      );
      recordTransition(
        result,
        log,
        applied,
        { distributionId, metric, value: row.lastValue },
        subject,
      );
    } catch (error) {
      log.error('alarm of a distribution no longer checked could not be closed: retried', {
        distributionId,
        metric,
        error: describeError(error),
      });
    }
  }
}

export async function runCheck(deps: ReportCoreDeps, now: Date): Promise<CheckResult> {
  const { clients, config } = deps;
  const log = deps.log ?? SILENT_LOG;
  const window = checkWindow(now, config.checkWindowMinutes);
  const isoWindow = { start: window.start.toISOString(), end: window.end.toISOString() };
  const result: MutableCheckResult = {
    kind: 'check',
    window: isoWindow,
    distributions: [] as TrafficSummary[],
    alarms: [] as AlarmCheck[],
    transitions: [] as TransitionRecord[],
    mails: [] as string[],
    skipped: [] as SkippedDistribution[],
  };
  const skip = (distributionId: string, reason: string) => {
    result.skipped.push({ distributionId, reason });
    log.warn('distribution skipped: alarm state not advanced', { distributionId, reason });
  };

  let found: Awaited<ReturnType<typeof findReportDistributions>>;
  try {
    found = await findReportDistributions(clients.cloudfront, {
      explicitIds: config.distributionIds,
      stage: config.stage,
    });
  } catch (error) {
    log.error('could not list distributions: nothing checked, alarm state not advanced', {
      error: describeError(error),
    });
    result.skipped.push({
      distributionId: '*',
      reason: `discovery failed (${describeError(error)})`,
    });
    return result;
  }
  const distributions = found.distributions;
  for (const s of found.skipped) skip(s.distributionId, s.reason);
  // Only after a discovery that succeeded: a failed one says nothing about what is monitored.
  await closeUnmonitored(deps, result, log, found, window);
  if (!distributions.length) {
    log.info('no managed distributions to check', { window: isoWindow });
    return result;
  }

  let series: Awaited<ReturnType<typeof fetchDistributionMetrics>>;
  try {
    series = await fetchDistributionMetrics(
      clients.cloudwatchGlobal,
      distributions.map((d) => d.id),
      window,
    );
  } catch (error) {
    // Throttled (after the SDK's retries) or refused: a clear line, and no state moves.
    log.error('could not read CloudFront metrics: alarm state not advanced', {
      error: describeError(error),
      window: isoWindow,
      distributions: distributions.length,
    });
    for (const d of distributions)
      result.skipped.push({
        distributionId: d.id,
        reason: `metrics unreadable (${describeError(error)})`,
      });
    return result;
  }

  const store: AlarmStore = { dynamodb: clients.dynamodb, table: config.alarmTable };
  const k = {
    alarmAfter: config.alarmAfter,
    recoverAfter: config.recoverAfter,
    staleAfter: config.staleAfter,
  };
  const context = mailContext(config);

  for (const distribution of distributions) {
    const id = distribution.id;
    const summary = summarize(id, series.get(id) ?? emptySeries());
    result.distributions.push(summary);
    const observations = observe(summary, config.thresholds);
    log.info('distribution checked', {
      distributionId: id,
      window: isoWindow,
      requests: summary.requests,
      hitRate: summary.hitRate,
      errorRate4xx: summary.errorRate4xx,
      errorRate5xx: summary.errorRate5xx,
      originLatencyMs: summary.originLatencyMs,
      additionalMetrics: summary.additionalMetrics,
    });

    let states: Map<AlarmMetric, AlarmState>;
    try {
      states = await readAlarmStates(store, id);
    } catch (error) {
      skip(id, `alarm state unreadable (${describeError(error)})`);
      continue;
    }

    for (const metric of ALARM_METRIC_NAMES) {
      const obs = observations[metric];
      const prev = states.get(metric) ?? initialAlarmState(id, metric);
      let subject = '';
      try {
        const applied = await applyObservation(
          store,
          { distributionId: id, metric },
          { breaching: obs.breaching, value: obs.value, periodEnd: window.end, checkedAt: now },
          k,
          async (transition, _next, before) => {
            if (transition === 'stale' || transition === 'unmonitored') {
              const mail = clearedMail(context, {
                distribution: { id, domain: displayDomain(distribution) },
                metric,
                kind: transition,
                threshold: thresholdOf(metric, config.thresholds),
                lastValue: before.lastValue,
                alarmSince: before.since,
                closedAt: window.end,
                checks: before.noData + 1,
                checkMinutes: config.checkWindowMinutes,
              });
              subject = mail.subject;
              await publishMail(clients.sns, config.alertsTopicArn, mail, `report-${id}`);
              return;
            }
            const mail = alarmMail(context, {
              distribution: { id, domain: displayDomain(distribution) },
              metric,
              transition,
              value: obs.value,
              threshold: thresholdOf(metric, config.thresholds),
              checks: transition === 'alarm' ? k.alarmAfter : k.recoverAfter,
              window,
              requests: summary.requests,
              alarmSince: transition === 'recovered' ? before.since : undefined,
            });
            subject = mail.subject;
            await publishMail(clients.sns, config.alertsTopicArn, mail, `report-${id}`);
          },
          prev,
        );
        result.alarms.push({
          distributionId: id,
          metric,
          breaching: obs.breaching,
          value: obs.value,
          status: applied.status,
          state: applied.state.state,
          breaches: applied.state.breaches,
          clean: applied.state.clean,
        });
        recordTransition(
          result,
          log,
          applied,
          { distributionId: id, metric, value: obs.value },
          subject,
        );
      } catch (error) {
        result.alarms.push({
          distributionId: id,
          metric,
          breaching: obs.breaching,
          value: obs.value,
          status: 'error',
          state: prev.state,
          breaches: prev.breaches,
          clean: prev.clean,
        });
        log.error('alarm state could not be updated: not counted', {
          distributionId: id,
          metric,
          error: describeError(error),
        });
      }
    }
  }
  return result;
}
