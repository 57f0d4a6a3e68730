/**
 * Recommendations: a pure function of one distribution's traffic summary, its config and cache
 * policies (when known) and the month's invalidation spend. Each one names the numbers that
 * triggered it and what changing it should do; nothing is inferred from data that is missing.
 *
 * Gating: no recommendation about a distribution without requests in the window; the ones read
 * from traffic (hit rate, errors, additional metrics) need {@link THRESHOLDS.minRequests}. The
 * spend recommendations depend on the spend only. The traffic and spend rules are here, the
 * config rules in `configRules.ts`, what a recommendation is in `recommendationModel.ts`.
 */
import { formatSeconds } from '../../shared/text/durations.js';
import { formatInteger, formatPercent, formatUsd } from '../../shared/text/numbers.js';
import { CONFIG_RULES } from './configRules.js';
import { errorCachingTtl } from './distributionSettings.js';
import {
  bySeverity,
  THRESHOLDS,
  type Recommendation,
  type RecommendationInput,
  type Rule,
} from './recommendationModel.js';
import { FREE_PATHS_PER_MONTH, PRICE_PER_PATH_USD } from './spend.js';

export { THRESHOLDS } from './recommendationModel.js';
export type { Recommendation, RecommendationInput } from './recommendationModel.js';

const previousNote = (value: number | undefined) =>
  value === undefined ? '' : `; previous period ${formatPercent(value)}`;

/** Hit rate under 80 % with enough traffic, Origin Shield off, traffic from many regions. */
const originShield: Rule = ({ summary, previous, config, regionsServed }) => {
  const hitRate = summary.hitRate;
  if (hitRate === undefined || hitRate >= THRESHOLDS.lowHitRatePercent || !config) return [];
  const origins = config.Origins?.Items ?? [];
  if (origins.length === 0 || origins.some((o) => o.OriginShield?.Enabled)) return [];
  const minRegions = THRESHOLDS.originShieldMinRegions;
  if (regionsServed !== undefined && regionsServed < minRegions) return [];
  return [
    {
      id: 'origin-shield',
      severity: regionsServed === undefined ? 'info' : 'warn',
      title: `Hit rate ${formatPercent(hitRate)}: turn on Origin Shield`,
      evidence:
        `request-weighted hit rate ${formatPercent(hitRate)} (threshold ${formatPercent(THRESHOLDS.lowHitRatePercent)}) ` +
        `over ${formatInteger(summary.requests)} requests${previousNote(previous?.hitRate)}; ` +
        `Origin Shield off on ${origins.map((o) => o.Id).join(', ')}; ` +
        (regionsServed === undefined
          ? 'regions served unknown'
          : `traffic from ${regionsServed} regions (≥ ${minRegions})`),
      expectedEffect:
        'Origin Shield adds one regional cache in front of S3 (pick the region nearest the ' +
        'bucket): misses from different edge regions collapse into one origin fetch, so S3 ' +
        'sees fewer requests and the overall hit rate rises. It costs a per-request charge on ' +
        'requests that reach the shield. Check the TTL and cache-key findings first: they are free.',
    },
  ];
};

/** 4xx rate above 5 %: missing objects, and errors cached too briefly. */
const high4xx: Rule = ({ summary, previous, config }) => {
  const rate = summary.errorRate4xx;
  if (rate === undefined || rate <= THRESHOLDS.high4xxPercent) return [];
  const ttls = config
    ? ([403, 404] as const).map((code) => [code, errorCachingTtl(config, code)] as const)
    : [];
  const short = ttls.filter(([, ttl]) => ttl < THRESHOLDS.errorCachingMinTtlSeconds);
  const caching = config
    ? `error caching ${ttls.map(([code, ttl]) => `${code}: ${formatSeconds(ttl)}`).join(', ')}`
    : 'error caching unknown (no distribution config)';
  return [
    {
      id: 'high-4xx',
      severity: 'warn',
      title: `4xx rate ${formatPercent(rate)}: viewers ask for objects that are not there`,
      evidence:
        `4xx ${formatPercent(rate)} (threshold ${formatPercent(THRESHOLDS.high4xxPercent)}) of ` +
        `${formatInteger(summary.requests)} requests, about ${formatInteger((rate / 100) * summary.requests)} ` +
        `errors${previousNote(previous?.errorRate4xx)}; ${caching}`,
      expectedEffect:
        'Find the missing keys (standard logs, or the 403/404 rates of the additional metrics): ' +
        'through OAC, S3 answers 403 rather than 404 for a missing key unless CloudFront may list ' +
        'the bucket. Fix the links or upload the objects' +
        (short.length
          ? `; and raise ErrorCachingMinTTL for ${short.map(([code]) => code).join('/')} to ` +
            `${formatSeconds(THRESHOLDS.errorCachingMinTtlSeconds)} or more so repeated misses ` +
            'are answered at the edge instead of by S3.'
          : '.'),
    },
  ];
};

/** 5xx rate above 1 %: the origin, its bucket policy or its capacity. */
const high5xx: Rule = ({ summary, previous }) => {
  const rate = summary.errorRate5xx;
  if (rate === undefined || rate <= THRESHOLDS.high5xxPercent) return [];
  return [
    {
      id: 'high-5xx',
      severity: rate > THRESHOLDS.critical5xxPercent ? 'critical' : 'warn',
      title: `5xx rate ${formatPercent(rate)}: the origin is failing requests`,
      evidence:
        `5xx ${formatPercent(rate)} (threshold ${formatPercent(THRESHOLDS.high5xxPercent)}) of ` +
        `${formatInteger(summary.requests)} requests, about ${formatInteger((rate / 100) * summary.requests)} ` +
        `errors${previousNote(previous?.errorRate5xx)}` +
        (summary.originLatencyMs !== undefined
          ? `; origin latency ${formatInteger(summary.originLatencyMs)} ms`
          : ''),
      expectedEffect:
        'Check the origin: the bucket policy must allow s3:GetObject to the cloudfront.amazonaws.com ' +
        "principal with this distribution's AWS:SourceArn (OAC), the origin domain must be the " +
        "bucket's regional REST endpoint, and a KMS-encrypted bucket must let CloudFront decrypt; " +
        '503 SlowDown means too many requests per prefix (a better hit rate relieves it). The ' +
        '502/503/504 rates of the additional metrics tell these apart.',
    },
  ];
};

/** No CacheHitRate/OriginLatency datapoints although the distribution has traffic. */
const additionalMetricsOff: Rule = ({ summary }) => {
  if (summary.additionalMetrics) return [];
  const id = summary.distributionId;
  return [
    {
      id: 'additional-metrics-off',
      severity: 'info',
      title: 'Additional metrics are off: no hit rate or origin latency',
      evidence:
        `${formatInteger(summary.requests)} requests in ${formatInteger(summary.periodsWithRequests)} ` +
        'periods, but no CacheHitRate or OriginLatency datapoints',
      expectedEffect:
        'Enable them to get the request-weighted hit rate, origin latency and the 401/403/404/' +
        '502/503/504 rates in this report: `aws cloudfront create-monitoring-subscription ' +
        `--distribution-id ${id} --monitoring-subscription ` +
        "'RealtimeMetricsSubscriptionConfig={RealtimeMetricsSubscriptionStatus=Enabled}'` " +
        '(or `additionalMetrics: true` in the distribution spec). Cost: up to 8 metrics per ' +
        "distribution at CloudWatch's per-metric monthly rate, whatever the traffic.",
    },
  ];
};

const immutableAdvice =
  'Use versioned keys (a content hash or version in the name, e.g. video.3f9a2c.mp4) served with ' +
  '`Cache-Control: public, max-age=31536000, immutable`: a new version is a new key, so nothing ' +
  'needs invalidating and edges keep each version for a year. Where an invalidation is ' +
  'unavoidable, one wildcard path (/folder/*) is billed as a single path.';

/** Invalidation paths above the free tier, or heading there. */
const invalidationSpend: Rule = ({ spend }) => {
  if (!spend) return [];
  if (spend.billablePaths > 0) {
    return [
      {
        id: 'invalidation-spend',
        severity: 'warn',
        title: `Invalidations above the free tier: ${formatUsd(spend.estimatedUsd)} this month`,
        evidence:
          `${formatInteger(spend.pathsBilled)} paths billed this month, ${formatInteger(spend.freePaths)} free: ` +
          `${formatInteger(spend.billablePaths)} × $${PRICE_PER_PATH_USD} ≈ ${formatUsd(spend.estimatedUsd)}` +
          (spend.projectedPaths !== undefined
            ? `; projected ${formatInteger(spend.projectedPaths)} paths by month end`
            : ''),
        expectedEffect: immutableAdvice,
      },
    ];
  }
  if (spend.projectedPaths !== undefined && spend.projectedPaths > FREE_PATHS_PER_MONTH) {
    const over = spend.projectedPaths - FREE_PATHS_PER_MONTH;
    return [
      {
        id: 'invalidation-spend-projected',
        severity: 'info',
        title: `Invalidations heading past the free tier (${formatInteger(spend.projectedPaths)} paths projected)`,
        evidence:
          `${formatInteger(spend.pathsBilled)} paths billed so far this month; at this rate ` +
          `${formatInteger(spend.projectedPaths)} by month end, ${formatInteger(over)} above the ` +
          `${formatInteger(spend.freePaths)} free (≈ ${formatUsd(over * PRICE_PER_PATH_USD)})`,
        expectedEffect: immutableAdvice,
      },
    ];
  }
  return [];
};

const TRAFFIC_RULES: readonly Rule[] = [originShield, high4xx, high5xx, additionalMetricsOff];

/**
 * What to change, most severe first. Config rules need some requests in the window, traffic
 * rules {@link THRESHOLDS.minRequests}; the spend rule only the spend.
 */
export function recommend(input: RecommendationInput): Recommendation[] {
  const { requests } = input.summary;
  const rules: Rule[] = [invalidationSpend];
  if (requests > 0) rules.push(...CONFIG_RULES);
  if (requests >= THRESHOLDS.minRequests) rules.push(...TRAFFIC_RULES);
  return rules.flatMap((rule) => rule(input)).sort(bySeverity);
}
