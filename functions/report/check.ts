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
  ALARM_METRIC_NAMES,
  initialAlarmState,
  type AlarmMetric,
  type AlarmState,
} from '../../shared/alarms/alarmRule.js';
import {
  applyObservation,
  readAlarmStates,
  type AlarmStore,
} from '../../shared/alarms/alarmState.js';
import { alarmMail, clearedMail } from './mail.js';
import { displayDomain, findReportDistributions, type SkippedDistribution } from './managed.js';
import {
  emptySeries,
  fetchDistributionMetrics,
  summarize,
  type TrafficSummary,
} from './metrics.js';
import { describeError, publishMail } from '../../shared/alarms/publishMail.js';
import { mailContext } from './publish.js';
import { checkWindow, observe, thresholdOf } from './thresholds.js';
import { recordTransition, type MutableCheckResult } from './transitions.js';
import {
  SILENT_LOG,
  type AlarmCheck,
  type ClassAlarmCheck,
  type CheckResult,
  type ReportCoreDeps,
  type TransitionRecord,
} from './types.js';
import { closeUnmonitored } from './unmonitored.js';
import { runClassCheck } from './classAlarms.js';
import type { ClassSummary } from './classMetrics.js';

/** The digest imports it from here (it lives in publish.ts, beside the mail it goes with). */
export { mailContext } from './publish.js';

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
    classes: [] as ClassSummary[],
    classAlarms: [] as ClassAlarmCheck[],
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

  // Per content class, from standard logs: its own window and alarms; never throws.
  await runClassCheck(deps, result, distributions, now);

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
