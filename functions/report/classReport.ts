/**
 * Per-content-class lines of the digest: the table (class, requests, hit rate against its
 * threshold, errors, bytes) and the recommendations that cite a class with its evidence
 * (`video: 61.0% hits (threshold 90%), TTL 1 h`). Pure. The TTL is the class's behaviour's, read
 * from the distribution's config (a behaviour whose path pattern ends in one of the class's
 * extensions, else the default behaviour); unknown when the config could not be read.
 */
import type { CachePolicyConfig, DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { ContentClassRule } from '../../shared/contentClasses.js';
import { formatWholeDuration } from '../../shared/text/durations.js';
import { padLeft, padRight } from '../../shared/text/layout.js';
import {
  formatBytes,
  formatCount,
  formatInteger,
  formatPercent,
  formatPercentSetting,
} from '../../shared/text/numbers.js';
import { classThreshold } from './classAlarmKeys.js';
import type { ClassSummary } from './classMetrics.js';
import type { ReportThresholds } from './config.js';
import { behavioursOf, cacheSettings, patternExtension } from './distributionSettings.js';
import type { Recommendation } from './recommendationModel.js';

/** Cacheable requests (hits + misses) a class needs before it is advised on. */
export const CLASS_ADVICE_MIN_REQUESTS = 100;

/** The class table of one distribution, in columns that fit 72. */
export function classTable(
  classes: readonly ClassSummary[],
  thresholds: Pick<ReportThresholds, 'hitRateMin' | 'classHitRateMin'>,
): string[] {
  if (!classes.length) return [];
  const line = (a: string, b: string, c: string, d: string, e: string, f: string) =>
    `  ${padRight(a, 11)}${padLeft(b, 9)}${padLeft(c, 8)}${padLeft(d, 8)}${padLeft(e, 8)}${padLeft(f, 10)}`.trimEnd();
  const out = [
    '  per content class (standard logs)',
    line('class', 'requests', 'hit', 'min', 'errors', 'bytes'),
  ];
  for (const c of [...classes].sort((a, b) => b.requests - a.requests)) {
    const threshold = classThreshold(thresholds, c.contentClass);
    const below = c.hitRate !== undefined && c.hitRate < threshold ? '!' : '';
    out.push(
      line(
        c.contentClass.slice(0, 11),
        formatCount(c.requests),
        `${formatPercent(c.hitRate)}${below}`,
        formatPercentSetting(threshold),
        formatPercent(c.errorRate),
        formatBytes(c.bytes),
      ),
    );
  }
  if (out.some((l) => l.includes('!')))
    out.push('  ! below the class minimum (HIT_RATE_THRESHOLDS)');
  return out;
}

/** The default TTL the class is served with, in seconds, when the config tells. */
export function classTtl(
  contentClass: string,
  rules: readonly ContentClassRule[],
  config: DistributionConfig | undefined,
  policies: ReadonlyMap<string, CachePolicyConfig> | undefined,
): number | undefined {
  if (!config) return undefined;
  const extensions = new Set(rules.find((r) => r.name === contentClass)?.extensions ?? []);
  const behaviours = behavioursOf(config);
  const own = behaviours.find((b) => {
    const ext = patternExtension(b.pattern);
    return !b.isDefault && ext !== undefined && extensions.has(ext);
  });
  const chosen = own ?? behaviours.find((b) => b.isDefault);
  return chosen ? cacheSettings(chosen.behaviour, policies)?.defaultTtl : undefined;
}

/** One recommendation per class below its minimum, with its numbers and TTL. */
export function classRecommendations(input: {
  readonly classes: readonly ClassSummary[];
  readonly thresholds: Pick<ReportThresholds, 'hitRateMin' | 'classHitRateMin'>;
  readonly rules: readonly ContentClassRule[];
  readonly config?: DistributionConfig | undefined;
  readonly cachePolicies?: ReadonlyMap<string, CachePolicyConfig> | undefined;
}): Recommendation[] {
  const out: Recommendation[] = [];
  for (const c of input.classes) {
    if (c.hitRate === undefined || c.hits + c.misses < CLASS_ADVICE_MIN_REQUESTS) continue;
    const threshold = classThreshold(input.thresholds, c.contentClass);
    if (c.hitRate >= threshold) continue;
    const ttl = classTtl(c.contentClass, input.rules, input.config, input.cachePolicies);
    const ttlText = ttl === undefined ? 'TTL unknown' : `TTL ${formatWholeDuration(ttl)}`;
    out.push({
      id: `class-hit-rate:${c.contentClass}`,
      severity: c.hitRate < threshold / 2 ? 'warn' : 'info',
      title: `${c.contentClass}: ${formatPercent(c.hitRate)} hits, ${ttlText}`,
      evidence:
        `${c.contentClass}: ${formatPercent(c.hitRate)} hits (threshold ${formatPercentSetting(threshold)}) ` +
        `over ${formatInteger(c.hits + c.misses)} cacheable of ${formatInteger(c.requests)} requests ` +
        `in the standard logs; ${ttlText}`,
      expectedEffect:
        (ttl !== undefined && ttl < 86_400
          ? `A default TTL of ${formatWholeDuration(ttl)} sends every ${c.contentClass} object back ` +
            'to S3 that often: raise it (contentClasses in the spec, or Cache-Control max-age) ' +
            'where the objects rarely change. '
          : '') +
        'Also check what this class keys its cache on (query strings, cookies, headers) and ' +
        'how often its paths are invalidated: each of those turns a hit into a miss.',
    });
  }
  return out;
}
