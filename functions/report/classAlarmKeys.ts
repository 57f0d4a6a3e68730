/**
 * The per-content-class hit-rate alarms beside the distribution-wide ones: their key in the alarm
 * table (`classHitRate:<class>`, one row per distribution and class), how they read in a mail
 * (`video hit rate`), and the threshold of each class (HIT_RATE_THRESHOLDS, else HIT_RATE_MIN).
 */
import { ALARM_METRICS, type AlarmMetric } from '../../shared/alarms/alarmRule.js';

export const CLASS_ALARM_PREFIX = 'classHitRate:';
export type ClassAlarmKey = `${typeof CLASS_ALARM_PREFIX}${string}`;
/** Any alarm the report keeps: a distribution-wide metric or a class's hit rate. */
export type ReportAlarmMetric = AlarmMetric | ClassAlarmKey;

export const classAlarmKey = (contentClass: string): ClassAlarmKey =>
  `${CLASS_ALARM_PREFIX}${contentClass}`;

/** The class of a class alarm, else undefined. */
export function classOfAlarm(metric: string): string | undefined {
  return metric.startsWith(CLASS_ALARM_PREFIX)
    ? metric.slice(CLASS_ALARM_PREFIX.length)
    : undefined;
}

export function metricDef(metric: ReportAlarmMetric): {
  readonly label: string;
  readonly unit: '%' | 'ms';
  readonly breachesWhen: 'below' | 'above';
} {
  const cls = classOfAlarm(metric);
  if (cls !== undefined) return { label: `${cls} hit rate`, unit: '%', breachesWhen: 'below' };
  return ALARM_METRICS[metric as AlarmMetric];
}

/** The hit-rate minimum (%) of a class: its HIT_RATE_THRESHOLDS entry, else HIT_RATE_MIN. */
export function classThreshold(
  thresholds: {
    readonly hitRateMin: number;
    readonly classHitRateMin: Readonly<Record<string, number>>;
  },
  contentClass: string,
): number {
  return thresholds.classHitRateMin[contentClass] ?? thresholds.hitRateMin;
}
