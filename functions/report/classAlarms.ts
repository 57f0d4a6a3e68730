/**
 * The per-content-class hit-rate check, run by every threshold check after discovery: the
 * classes' counts from standard logs (classMetrics.ts) over the last aligned
 * CLASS_CHECK_WINDOW_MINUTES (an hour by default: logs arrive minutes late, so a 15-minute
 * window would mostly be empty; every check of the same hour observes the same window, which the
 * alarm state counts once) → one observation per (distribution, class) → the same hysteresis,
 * table and mails as the distribution-wide alarms (shared/alarms/), under the key
 * `classHitRate:<class>` and the class's own threshold (HIT_RATE_THRESHOLDS).
 *
 * Which classes: the configured ones (CONTENT_CLASSES, plus `other`) and any the logs counted.
 * A class with fewer than MIN_REQUESTS cacheable requests (hits + misses) in the window, or none
 * logged, is not judged: it moves no counter, and an open alarm without data is closed after
 * ALARM_STALE_AFTER checks, as any other. Nothing it could not read moves an alarm.
 */
import { initialAlarmState } from '../../shared/alarms/alarmRule.js';
import {
  applyObservation,
  readAlarmState,
  type AlarmStore,
} from '../../shared/alarms/alarmState.js';
import { describeError, publishMail } from '../../shared/alarms/publishMail.js';
import { OTHER_CLASS } from '../../shared/contentClasses.js';
import { classAlarmKey, classThreshold, type ClassAlarmKey } from './classAlarmKeys.js';
import { fetchClassSummaries, type ClassSummary } from './classMetrics.js';
import { alarmMail, clearedMail } from './mail.js';
import { displayDomain, type ReportDistribution } from './managed.js';
import { mailContext } from './publish.js';
import { checkWindow } from './thresholds.js';
import { recordTransition, type MutableCheckResult } from './transitions.js';
import { SILENT_LOG, type ReportCoreDeps } from './types.js';

export interface ClassObservation {
  readonly breaching: boolean | undefined;
  readonly value: number | undefined;
  readonly reason?: 'low-traffic' | 'no-data';
}

/** Judged only with at least `minRequests` hits + misses (a rate on 4 requests is noise). */
export function observeClass(
  summary: ClassSummary | undefined,
  threshold: number,
  minRequests: number,
): ClassObservation {
  if (!summary || summary.hitRate === undefined)
    return { breaching: undefined, value: undefined, reason: 'no-data' };
  const value = summary.hitRate;
  if (summary.hits + summary.misses < Math.max(1, minRequests))
    return { breaching: undefined, value, reason: 'low-traffic' };
  return { breaching: value < threshold, value };
}

/** The classes alarms exist for: the configured ones, `other`, and any with counts. */
export function classesToCheck(
  configured: ReadonlyArray<{ readonly name: string }>,
  counted: readonly ClassSummary[],
): string[] {
  const names = new Set([...configured.map((c) => c.name), OTHER_CLASS]);
  for (const c of counted) names.add(c.contentClass);
  return [...names].sort();
}

export async function runClassCheck(
  deps: ReportCoreDeps,
  result: MutableCheckResult,
  distributions: readonly ReportDistribution[],
  now: Date,
): Promise<void> {
  const { clients, config } = deps;
  const log = deps.log ?? SILENT_LOG;
  const window = checkWindow(now, config.classWindowMinutes);
  const isoWindow = { start: window.start.toISOString(), end: window.end.toISOString() };
  let byDistribution: Map<string, ClassSummary[]>;
  try {
    byDistribution = await fetchClassSummaries(
      clients.cloudwatch,
      distributions.map((d) => d.id),
      window,
    );
  } catch (error) {
    log.error('could not read per-class counts: class alarms not advanced', {
      error: describeError(error),
      window: isoWindow,
    });
    return;
  }
  const store: AlarmStore<ClassAlarmKey> = {
    dynamodb: clients.dynamodb,
    table: config.alarmTable,
    metrics: [],
  };
  const k = {
    alarmAfter: config.alarmAfter,
    recoverAfter: config.recoverAfter,
    staleAfter: config.staleAfter,
  };
  const context = mailContext(config);

  for (const distribution of distributions) {
    const id = distribution.id;
    const counted = byDistribution.get(id) ?? [];
    result.classes.push(...counted);
    for (const contentClass of classesToCheck(config.contentClasses, counted)) {
      const metric = classAlarmKey(contentClass);
      const summary = counted.find((c) => c.contentClass === contentClass);
      const threshold = classThreshold(config.thresholds, contentClass);
      const obs = observeClass(summary, threshold, config.thresholds.minRequests);
      const storeFor = { ...store, metrics: [metric] };
      let prev = initialAlarmState(id, metric);
      let subject = '';
      try {
        prev = await readAlarmState(storeFor, id, metric);
        const applied = await applyObservation(
          storeFor,
          { distributionId: id, metric },
          { breaching: obs.breaching, value: obs.value, periodEnd: window.end, checkedAt: now },
          k,
          async (transition, _next, before) => {
            const label = { id, domain: displayDomain(distribution) };
            const mail =
              transition === 'stale' || transition === 'unmonitored'
                ? clearedMail(context, {
                    distribution: label,
                    metric,
                    kind: transition,
                    threshold,
                    lastValue: before.lastValue,
                    alarmSince: before.since,
                    closedAt: window.end,
                    checks: before.noData + 1,
                    checkMinutes: config.classWindowMinutes,
                  })
                : alarmMail(context, {
                    distribution: label,
                    metric,
                    transition,
                    value: obs.value,
                    threshold,
                    checks: transition === 'alarm' ? k.alarmAfter : k.recoverAfter,
                    window,
                    requests: summary?.requests,
                    alarmSince: transition === 'recovered' ? before.since : undefined,
                  });
            subject = mail.subject;
            await publishMail(clients.sns, config.alertsTopicArn, mail, `report-${id}`);
          },
          prev,
        );
        result.classAlarms.push({
          distributionId: id,
          metric,
          contentClass,
          window: isoWindow,
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
        result.classAlarms.push({
          distributionId: id,
          metric,
          contentClass,
          window: isoWindow,
          breaching: obs.breaching,
          value: obs.value,
          status: 'error',
          state: prev.state,
          breaches: prev.breaches,
          clean: prev.clean,
        });
        log.error('class alarm state could not be updated: not counted', {
          distributionId: id,
          contentClass,
          error: describeError(error),
        });
      }
    }
    if (counted.length)
      log.info('content classes checked', {
        distributionId: id,
        window: isoWindow,
        classes: counted.map(
          (c) =>
            `${c.contentClass}: ${c.requests} requests, hit ${c.hitRate?.toFixed(1) ?? 'n/a'} %`,
        ),
      });
  }
}
