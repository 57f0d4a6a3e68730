/**
 * Recommendations: a pure function of one distribution's traffic summary, its config and cache
 * policies (when known) and the month's invalidation spend. Each one names the numbers that
 * triggered it and what changing it should do; nothing is inferred from data that is missing.
 *
 * Gating: no recommendation about a distribution without requests in the window; the ones read
 * from traffic (hit rate, errors, additional metrics) need {@link THRESHOLDS.minRequests}. The
 * spend recommendations depend on the spend only.
 */
import type {
  CacheBehavior,
  CachePolicyConfig,
  DefaultCacheBehavior,
  DistributionConfig,
  Origin,
} from '@aws-sdk/client-cloudfront';
import { DEFAULT_ERROR_CACHING_TTL, MANAGED_CACHE_POLICIES } from '../../shared/catalogue.js';
import { COMPRESSIBLE_EXTENSIONS, LONG_LIVED_EXTENSIONS } from '../../shared/contentClasses.js';
import { bucketFromOriginDomain } from '../../shared/distributions.js';
import { formatSeconds } from '../../shared/text/durations.js';
import { formatBytes, formatInteger, formatPercent, formatUsd } from '../../shared/text/numbers.js';
import type { TrafficSummary } from './metrics.js';
import { FREE_PATHS_PER_MONTH, PRICE_PER_PATH_USD, type Spend } from './spend.js';

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
  /** Suggested default TTL (s) for long-lived classes: 7 days. */
  suggestedLongTtlSeconds: 604_800,
  /** Error caching (s) below which a high 4xx rate suggests caching 403/404 longer. */
  errorCachingMinTtlSeconds: 60,
} as const;

const previousNote = (value: number | undefined) =>
  value === undefined ? '' : `; previous period ${formatPercent(value)}`;

// ---------------------------------------------------------------------------------------------
// Reading the config
// ---------------------------------------------------------------------------------------------

interface Behaviour {
  /** `*.mp4`; `*` for the default behaviour. */
  readonly pattern: string;
  readonly isDefault: boolean;
  readonly behaviour: DefaultCacheBehavior | CacheBehavior;
}

function behavioursOf(config: DistributionConfig): Behaviour[] {
  const list: Behaviour[] = [];
  if (config.DefaultCacheBehavior) {
    list.push({ pattern: '*', isDefault: true, behaviour: config.DefaultCacheBehavior });
  }
  for (const b of config.CacheBehaviors?.Items ?? []) {
    list.push({ pattern: b.PathPattern ?? '', isDefault: false, behaviour: b });
  }
  return list;
}

/** `.mp4` from `*.mp4` or `/videos/*.MP4`; undefined for `/videos/*`. */
export function patternExtension(pattern: string): string | undefined {
  const match = /(\.[A-Za-z0-9]{1,16})$/.exec(pattern);
  return match ? match[1]!.toLowerCase() : undefined;
}

/** What a behaviour caches for, and what is in its cache key. */
interface CacheSettings {
  readonly source: string;
  readonly minTtl: number;
  readonly defaultTtl: number;
  readonly maxTtl: number;
  /** What is in the cache key besides the path, e.g. `query strings (all)`. */
  readonly inKey: readonly string[];
  /** Accept-Encoding (gzip or br) in the key: CloudFront can serve compressed copies. */
  readonly acceptEncoding: boolean;
}

/** From the behaviour's cache policy (given or managed) or its legacy settings; else undefined. */
function cacheSettings(
  b: DefaultCacheBehavior,
  policies: ReadonlyMap<string, CachePolicyConfig> | undefined,
): CacheSettings | undefined {
  if (b.CachePolicyId) {
    const policy = policies?.get(b.CachePolicyId) ?? MANAGED_CACHE_POLICIES.get(b.CachePolicyId);
    if (!policy) return undefined;
    const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
    const inKey: string[] = [];
    const qs = key?.QueryStringsConfig?.QueryStringBehavior;
    if (qs && qs !== 'none') inKey.push(`query strings (${qs})`);
    const cookies = key?.CookiesConfig?.CookieBehavior;
    if (cookies && cookies !== 'none') inKey.push(`cookies (${cookies})`);
    const headers = key?.HeadersConfig;
    if (headers?.HeaderBehavior && headers.HeaderBehavior !== 'none') {
      const names = headers.Headers?.Items ?? [];
      inKey.push(`headers (${names.length ? names.join(', ') : headers.HeaderBehavior})`);
    }
    return {
      source: `cache policy ${policy.Name ?? b.CachePolicyId}`,
      minTtl: policy.MinTTL ?? 0,
      defaultTtl: policy.DefaultTTL ?? 86_400,
      maxTtl: policy.MaxTTL ?? 31_536_000,
      inKey,
      acceptEncoding: Boolean(key?.EnableAcceptEncodingGzip || key?.EnableAcceptEncodingBrotli),
    };
  }
  const fv = b.ForwardedValues;
  if (!fv && b.DefaultTTL === undefined) return undefined;
  const inKey: string[] = [];
  if (fv?.QueryString) inKey.push('query strings (all)');
  if (fv?.Cookies?.Forward && fv.Cookies.Forward !== 'none') {
    inKey.push(`cookies (${fv.Cookies.Forward})`);
  }
  if ((fv?.Headers?.Quantity ?? 0) > 0) {
    inKey.push(`headers (${(fv?.Headers?.Items ?? []).join(', ')})`);
  }
  return {
    source: 'legacy cache settings',
    minTtl: b.MinTTL ?? 0,
    defaultTtl: b.DefaultTTL ?? 86_400,
    maxTtl: b.MaxTTL ?? 31_536_000,
    inKey,
    // Legacy settings compress with gzip whenever Compress is on.
    acceptEncoding: true,
  };
}

/** The origins a behaviour may reach (an origin group's members included). */
function targetOrigins(config: DistributionConfig, targetId: string | undefined): Origin[] {
  const origins = config.Origins?.Items ?? [];
  const direct = origins.filter((o) => o.Id === targetId);
  if (direct.length) return direct;
  const group = config.OriginGroups?.Items?.find((g) => g.Id === targetId);
  const members = new Set((group?.Members?.Items ?? []).map((m) => m.OriginId));
  return origins.filter((o) => members.has(o.Id));
}

/** S3 REST or website endpoint, or an S3 origin config. */
export function isS3Origin(origin: Origin): boolean {
  const domain = origin.DomainName ?? '';
  return (
    origin.S3OriginConfig !== undefined ||
    bucketFromOriginDomain(domain) !== undefined ||
    /\.s3-website[.-]/.test(domain)
  );
}

/** The error-caching TTL CloudFront applies to `code` (10 s when the config sets none). */
export function errorCachingTtl(config: DistributionConfig, code: number): number {
  const response = config.CustomErrorResponses?.Items?.find((r) => r.ErrorCode === code);
  return response?.ErrorCachingMinTTL ?? DEFAULT_ERROR_CACHING_TTL;
}

// ---------------------------------------------------------------------------------------------
// The recommendations
// ---------------------------------------------------------------------------------------------

type Rule = (input: RecommendationInput) => Recommendation[];

/** A behaviour for a long-lived class with a default or maximum TTL under a day. */
const shortTtl: Rule = ({ summary, config, cachePolicies }) => {
  if (!config) return [];
  const out: Recommendation[] = [];
  for (const { pattern, isDefault, behaviour } of behavioursOf(config)) {
    const ext = isDefault ? undefined : patternExtension(pattern);
    if (!ext || !LONG_LIVED_EXTENSIONS.has(ext)) continue;
    const s = cacheSettings(behaviour, cachePolicies);
    if (!s) continue;
    const limit = THRESHOLDS.shortTtlSeconds;
    if (s.defaultTtl >= limit && s.maxTtl >= limit) continue;
    const suggested = THRESHOLDS.suggestedLongTtlSeconds;
    const factor = s.defaultTtl > 0 ? Math.round(suggested / s.defaultTtl) : undefined;
    out.push({
      id: `short-ttl:${pattern}`,
      severity:
        summary.hitRate !== undefined && summary.hitRate < THRESHOLDS.lowHitRatePercent
          ? 'warn'
          : 'info',
      title: `Short TTL on ${pattern}: ${ext} objects could stay cached for days`,
      evidence:
        `behaviour ${pattern} (${s.source}): DefaultTTL ${formatSeconds(s.defaultTtl)}, ` +
        `MaxTTL ${formatSeconds(s.maxTtl)}, below ${formatSeconds(limit)}` +
        (summary.hitRate !== undefined
          ? `; distribution hit rate ${formatPercent(summary.hitRate)}`
          : ''),
      expectedEffect:
        `Set DefaultTTL to ${formatSeconds(suggested)} and MaxTTL to ${formatSeconds(31_536_000)}: ` +
        (factor
          ? `each edge asks S3 for an object about ${factor}× less often`
          : 'objects get cached at all instead of every request going to S3') +
        ', which raises the hit rate and cuts origin requests. Overwrites stay fresh through ' +
        'invalidations, or through versioned keys.',
    });
  }
  return out;
};

/** Compression off (or impossible) on the default behaviour or a text-format behaviour. */
const compressionOff: Rule = ({ summary, config, cachePolicies }) => {
  if (!config) return [];
  const out: Recommendation[] = [];
  for (const { pattern, isDefault, behaviour } of behavioursOf(config)) {
    const ext = patternExtension(pattern);
    if (!isDefault && !(ext && COMPRESSIBLE_EXTENSIONS.has(ext))) continue;
    const s = cacheSettings(behaviour, cachePolicies);
    let why: string;
    if (!behaviour.Compress) why = 'Compress is false';
    else if (s && !s.acceptEncoding && s.maxTtl > 0)
      why = `Compress is true but ${s.source} leaves Accept-Encoding (gzip, br) out of the cache key`;
    else continue;
    const what = isDefault
      ? 'the default behaviour (documents and anything unmatched)'
      : `${ext} files`;
    out.push({
      id: `compression-off:${pattern}`,
      severity: isDefault ? 'info' : 'warn',
      title: `Compression off on ${pattern}: ${isDefault ? 'text' : ext} responses are sent uncompressed`,
      evidence:
        `behaviour ${pattern}: ${why}; ${formatBytes(summary.bytesDownloaded)} downloaded ` +
        `over ${formatInteger(summary.requests)} requests in the window`,
      expectedEffect:
        `Set Compress: true with EnableAcceptEncodingGzip and EnableAcceptEncodingBrotli in the ` +
        `cache policy: text formats typically shrink to a quarter to a third, so ${what} cost ` +
        'less data transfer and load faster.',
    });
  }
  return out;
};

/** Query strings, cookies or headers in the cache key of a behaviour whose origin is S3. */
const cacheKeyOnS3: Rule = ({ summary, config, cachePolicies }) => {
  if (!config) return [];
  const out: Recommendation[] = [];
  for (const { pattern, behaviour } of behavioursOf(config)) {
    const s3 = targetOrigins(config, behaviour.TargetOriginId).filter(isS3Origin);
    if (s3.length === 0) continue;
    const s = cacheSettings(behaviour, cachePolicies);
    if (!s || s.inKey.length === 0) continue;
    out.push({
      id: `cache-key:${pattern}`,
      severity: 'warn',
      title: `Cache key of ${pattern} varies on values S3 ignores`,
      evidence:
        `behaviour ${pattern} → S3 origin ${s3[0]!.Id ?? s3[0]!.DomainName}: ${s.inKey.join(', ')} ` +
        `in the cache key (${s.source})` +
        (summary.hitRate !== undefined ? `; hit rate ${formatPercent(summary.hitRate)}` : ''),
      expectedEffect:
        'Remove them from the cache key (QueryStringBehavior, CookieBehavior, HeaderBehavior ' +
        '"none"): S3 returns the same object whatever their values, so every distinct value ' +
        'today is a separate cache entry and a separate miss. Forward what the origin really ' +
        'needs with an origin request policy (it does not split the cache); CORS headers can ' +
        'come from a response headers policy.',
    });
  }
  return out;
};

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

const CONFIG_RULES: readonly Rule[] = [shortTtl, compressionOff, cacheKeyOnS3];
const TRAFFIC_RULES: readonly Rule[] = [originShield, high4xx, high5xx, additionalMetricsOff];
const SEVERITY_ORDER = { critical: 0, warn: 1, info: 2 } as const;

/**
 * What to change, most severe first. Config rules need some requests in the window, traffic
 * rules {@link THRESHOLDS.minRequests}; the spend rule only the spend.
 */
export function recommend(input: RecommendationInput): Recommendation[] {
  const { requests } = input.summary;
  const rules: Rule[] = [invalidationSpend];
  if (requests > 0) rules.push(...CONFIG_RULES);
  if (requests >= THRESHOLDS.minRequests) rules.push(...TRAFFIC_RULES);
  return rules
    .flatMap((rule) => rule(input))
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}
