/**
 * Per-class counts as CloudWatch embedded metric format, built by Powertools Metrics: one EMF
 * object per (distribution, class, minute), namespace `CdnPipeline/ContentClasses`, dimensions
 * exactly DistributionId + ContentClass (no `service`: the report reads them by these two), and
 * the minute of the requests as the timestamp, so a late log file lands on the minutes it
 * describes. CloudWatch takes EMF timestamps from 14 days back to 2 hours ahead: a tally outside
 * is returned as `refused`, never published with another time.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CLASS_METRIC_NAMES,
  CLASS_METRICS,
  CLASS_METRICS_NAMESPACE,
} from '../../shared/classMetrics.js';
import type { ClassTally } from './countLog.js';

/** CloudWatch's EMF timestamp bounds, with a minute's margin. */
export const EMF_MAX_AGE_MS = 14 * 24 * 3_600_000 - 60_000;
export const EMF_MAX_AHEAD_MS = 2 * 3_600_000 - 60_000;

export type EmfObject = Record<string, unknown>;

export function classMetricsEmf(
  tallies: readonly ClassTally[],
  now: number,
): { emf: EmfObject[]; refused: ClassTally[] } {
  const metrics = new Metrics({ namespace: CLASS_METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  const emf: EmfObject[] = [];
  const refused: ClassTally[] = [];
  for (const tally of tallies) {
    if (tally.minute < now - EMF_MAX_AGE_MS || tally.minute > now + EMF_MAX_AHEAD_MS) {
      refused.push(tally);
      continue;
    }
    metrics.addDimensions({
      DistributionId: tally.distributionId,
      ContentClass: tally.contentClass,
    });
    metrics.setTimestamp(tally.minute);
    for (const name of CLASS_METRIC_NAMES)
      metrics.addMetric(name, CLASS_METRICS[name], tally.counts[name]);
    emf.push(metrics.serializeMetrics() as unknown as EmfObject);
    metrics.clearMetrics();
    metrics.clearDimensions();
  }
  return { emf, refused };
}

/** Lambda's stdout, where CloudWatch Logs extracts EMF (not console.log: no prefix). */
export function writeEmf(emf: readonly EmfObject[]): void {
  for (const e of emf) process.stdout.write(`${JSON.stringify(e)}\n`);
}
