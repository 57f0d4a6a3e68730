/**
 * Where each alarm compares: a window's summary against the thresholds (HIT_RATE_MIN below,
 * ERROR_5XX_MAX / ERROR_4XX_MAX / ORIGIN_LATENCY_MAX_MS above, nothing judged under MIN_REQUESTS),
 * and the aligned window one check reads. Pure functions; `check.ts` moves alarm state with them.
 */
import {
  ALARM_METRICS,
  ALARM_METRIC_NAMES,
  type AlarmMetric,
} from '../../shared/alarms/alarmRule.js';
import type { ReportThresholds } from './config.js';
import type { MetricWindow, TrafficSummary } from './metrics.js';

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
