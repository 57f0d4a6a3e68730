/**
 * What a recommendation is, the thresholds behind every rule, and the order they are shown in
 * (most severe first). The rules themselves: `configRules.ts` (read from the distribution's
 * config) and `recommendations.ts` (read from traffic and spend).
 */
import type { CachePolicyConfig, DistributionConfig } from '@aws-sdk/client-cloudfront';
import { CACHE_CLASSES } from '../../shared/contentClasses.js';
import type { TrafficSummary } from './metrics.js';
import type { Spend } from './spend.js';

export interface Recommendation {
  /** Stable: kind, plus the behaviour's path pattern where there is one (`short-ttl:*.mp4`). */
  readonly id: string;
  readonly severity: 'info' | 'warn' | 'critical';
  readonly title: string;
  /** The numbers that triggered it. */
  readonly evidence: string;
  readonly expectedEffect: string;
}

export interface RecommendationInput {
  readonly summary: TrafficSummary;
  readonly previous?: TrafficSummary;
  /** From GetDistributionConfig; may be absent. */
  readonly config?: DistributionConfig;
  /** Cache policies by id, when known (managed ones are known here already). */
  readonly cachePolicies?: ReadonlyMap<string, CachePolicyConfig>;
  readonly spend?: Spend;
  /** Distinct regions the traffic came from; undefined when unknown. */
  readonly regionsServed?: number;
}

/** Every threshold the recommendations use. */
export const THRESHOLDS = {
  /** Requests in the window before any traffic-based recommendation. */
  minRequests: 1000,
  /** Request-weighted hit rate (%) below which Origin Shield is suggested. */
  lowHitRatePercent: 80,
  /** Origin Shield pays when misses come from at least this many regions (when known). */
  originShieldMinRegions: 3,
  /** 4xx rate (%) above which missing objects and error caching are looked at. */
  high4xxPercent: 5,
  /** 5xx rate (%) above which the origin is looked at; critical above the second value. */
  high5xxPercent: 1,
  critical5xxPercent: 5,
  /** Default or maximum TTL (s) below which a long-lived content class is "short". */
  shortTtlSeconds: 86_400,
  /** Suggested default TTL (s) for long-lived classes: the video cache class's 7 days. */
  suggestedLongTtlSeconds: CACHE_CLASSES.video.ttlSeconds,
  /** Error caching (s) below which a high 4xx rate suggests caching 403/404 longer. */
  errorCachingMinTtlSeconds: 60,
} as const;

/** One rule: what it recommends for one distribution (often nothing). */
export type Rule = (input: RecommendationInput) => Recommendation[];

/** Most severe first, wherever recommendations are listed. */
export const SEVERITY_ORDER = { critical: 0, warn: 1, info: 2 } as const;

export const bySeverity = (a: Recommendation, b: Recommendation): number =>
  SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
