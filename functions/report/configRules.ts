/**
 * The recommendations read from a distribution's config: short TTLs on long-lived content,
 * compression off where it would pay, and a cache key that S3 ignores. They need some requests
 * in the window, not {@link THRESHOLDS.minRequests}.
 */
import { COMPRESSIBLE_EXTENSIONS, LONG_LIVED_EXTENSIONS } from '../../shared/contentClasses.js';
import { formatSeconds } from '../../shared/text/durations.js';
import { formatBytes, formatInteger, formatPercent } from '../../shared/text/numbers.js';
import {
  behavioursOf,
  cacheSettings,
  isS3Origin,
  patternExtension,
  targetOrigins,
} from './distributionSettings.js';
import { THRESHOLDS, type Recommendation, type Rule } from './recommendationModel.js';

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

export const CONFIG_RULES: readonly Rule[] = [shortTtl, compressionOff, cacheKeyOnS3];
