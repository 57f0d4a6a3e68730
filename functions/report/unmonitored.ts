/**
 * Closing the alarms of distributions a check no longer finds (deleted, untagged, removed from
 * DISTRIBUTION_IDS): one "ALARM CLEARED (no longer monitored)" mail each, never left open.
 */
import {
  ALARM_METRIC_NAMES,
  unmonitoredState,
  type AlarmMetric,
  type AlarmState,
} from '../../shared/alarms/alarmRule.js';
import { OTHER_CLASS } from '../../shared/contentClasses.js';
import {
  classAlarmKey,
  classOfAlarm,
  classThreshold,
  type ReportAlarmMetric,
} from './classAlarmKeys.js';
import type { ReportConfig, ReportThresholds } from './config.js';
import { applyStep, scanAlarmedStates, type AlarmStore } from '../../shared/alarms/alarmState.js';
import { clearedMail } from './mail.js';
import type { ReportDistribution, SkippedDistribution } from './managed.js';
import type { MetricWindow } from './metrics.js';
import { describeError, publishMail } from '../../shared/alarms/publishMail.js';
import { mailContext } from './publish.js';
import { thresholdOf } from './thresholds.js';
import { recordTransition, type MutableCheckResult } from './transitions.js';
import type { ReportCoreDeps } from './types.js';

/** The class alarm keys of the configured classes (and `other`). */
function classAlarmKeys(config: ReportConfig): ReportAlarmMetric[] {
  const names = new Set([...config.contentClasses.map((c) => c.name), OTHER_CLASS]);
  return [...names].map(classAlarmKey);
}

function anyThreshold(metric: ReportAlarmMetric, thresholds: ReportThresholds): number {
  const cls = classOfAlarm(metric);
  return cls === undefined
    ? thresholdOf(metric as AlarmMetric, thresholds)
    : classThreshold(thresholds, cls);
}

/**
 * Closes the alarms of distributions this check no longer finds: every ALARM row whose
 * distribution is neither checked nor skipped for a passing reason (unreadable tags: it may
 * well still be managed) goes to OK as `unmonitored`, with one mail, through the same
 * conditional write as every transition (a concurrent check re-reads OK and mails nothing).
 * Only called after discovery succeeded. Never throws: a failure is logged, and retried at the
 * next check.
 */
export async function closeUnmonitored(
  deps: ReportCoreDeps,
  result: MutableCheckResult,
  log: NonNullable<ReportCoreDeps['log']>,
  found: { distributions: readonly ReportDistribution[]; skipped: readonly SkippedDistribution[] },
  window: MetricWindow,
): Promise<void> {
  const { clients, config } = deps;
  // The distribution-wide alarms and the per-class ones (classAlarms.ts): both are closed.
  const store: AlarmStore<ReportAlarmMetric> = {
    dynamodb: clients.dynamodb,
    table: config.alarmTable,
    metrics: [...ALARM_METRIC_NAMES, ...classAlarmKeys(config)],
  };
  const present = new Set(found.distributions.map((d) => d.id));
  const deleted = new Set<string>();
  for (const s of found.skipped) {
    if (s.reason === 'deleted') deleted.add(s.distributionId);
    else present.add(s.distributionId);
  }
  let alarmed: AlarmState<ReportAlarmMetric>[];
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
            threshold: anyThreshold(metric, config.thresholds),
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
