/**
 * The digest (daily 08:00 UTC by default): the last DIGEST_WINDOW_HOURS against the same length
 * before, one line and one small table per distribution, invalidation spend this month against
 * the 1 000 free paths, and recommendations with their evidence, in one mail.
 *
 * Every part is best effort on its own: metrics that cannot be read leave the distribution out
 * (named in the mail), a config that cannot be read only removes the config-based
 * recommendations, unreadable spend is said as such. A failed publish is logged; the result
 * still carries the mail. `npx cdn-pipeline report` runs the same core with `publish: false`.
 */
import {
  GetCachePolicyConfigCommand,
  GetDistributionConfigCommand,
  type CachePolicyConfig,
  type CloudFrontClient,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { MANAGED_CACHE_POLICIES } from '../../shared/catalogue.js';
import { digestMail, type DigestRecommendation, type DigestRow } from './digestMail.js';
import {
  displayDomain,
  findReportDistributions,
  isGone,
  type ReportDistribution,
  type SkippedDistribution,
} from './managed.js';
import {
  emptySeries,
  fetchDistributionMetrics,
  lastWindow,
  previousWindow,
  summarize,
  type MetricWindow,
  type SeriesByMetric,
  type TrafficSummary,
} from './metrics.js';
import { recommend, type Recommendation } from './recommendations.js';
import { fetchClassSummaries, type ClassSummary } from './classMetrics.js';
import { classRecommendations } from './classReport.js';
import { fetchPathsBilledThisMonth, invalidationSpend, type Spend } from './spend.js';
import { mailContext } from './check.js';
import { describeError, publishMail } from '../../shared/alarms/publishMail.js';
import { SILENT_LOG, type DigestResult, type ReportCoreDeps, type ReportLog } from './types.js';

/** GetDistributionConfig, and the cache policies it references (managed ones are known). */
async function readConfig(
  cloudfront: CloudFrontClient,
  id: string,
  policyCache: Map<string, CachePolicyConfig | undefined>,
  log: ReportLog,
): Promise<{ config?: DistributionConfig; cachePolicies?: Map<string, CachePolicyConfig> }> {
  let config: DistributionConfig | undefined;
  try {
    config = (await cloudfront.send(new GetDistributionConfigCommand({ Id: id })))
      .DistributionConfig;
  } catch (error) {
    log.warn(
      isGone(error)
        ? 'distribution deleted since its metrics were read: no config-based recommendations'
        : 'distribution config unreadable: no config-based recommendations',
      { distributionId: id, error: describeError(error) },
    );
    return {};
  }
  if (!config) return {};
  const ids = new Set<string>();
  if (config.DefaultCacheBehavior?.CachePolicyId)
    ids.add(config.DefaultCacheBehavior.CachePolicyId);
  for (const b of config.CacheBehaviors?.Items ?? []) if (b.CachePolicyId) ids.add(b.CachePolicyId);
  const cachePolicies = new Map<string, CachePolicyConfig>();
  for (const policyId of ids) {
    if (MANAGED_CACHE_POLICIES.has(policyId)) continue;
    if (!policyCache.has(policyId)) {
      try {
        const out = await cloudfront.send(new GetCachePolicyConfigCommand({ Id: policyId }));
        policyCache.set(policyId, out.CachePolicyConfig);
      } catch (error) {
        policyCache.set(policyId, undefined);
        log.warn('cache policy unreadable: its TTL and cache-key checks are skipped', {
          distributionId: id,
          cachePolicyId: policyId,
          error: describeError(error),
        });
      }
    }
    const policy = policyCache.get(policyId);
    if (policy) cachePolicies.set(policyId, policy);
  }
  return { config, cachePolicies };
}

/** A summary of nothing (used when there is no distribution but spend is still worth a word). */
function noTraffic(distributionId: string): TrafficSummary {
  return summarize(distributionId, emptySeries());
}

/**
 * Recommendations of every distribution, one list. The same advice with the same evidence for
 * several distributions (the spend, which is per account) is listed once, without a
 * distribution.
 */
export function mergeRecommendations(
  perDistribution: ReadonlyArray<{ distributionId: string; recommendations: Recommendation[] }>,
): DigestRecommendation[] {
  const byKey = new Map<string, { ids: Set<string>; recommendation: Recommendation }>();
  for (const { distributionId, recommendations } of perDistribution) {
    for (const r of recommendations) {
      const key = `${r.id}\n${r.title}\n${r.evidence}`;
      const entry = byKey.get(key) ?? { ids: new Set<string>(), recommendation: r };
      entry.ids.add(distributionId);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].map(({ ids, recommendation }) => ({
    distributionId: ids.size === 1 ? [...ids][0] : undefined,
    recommendation,
  }));
}

/** The `minutes` before `now`, ending on a minute boundary, in 1-minute periods. */
function digestWindow(now: Date, minutes: number): MetricWindow {
  const { end, periodSeconds } = lastWindow(now, 1);
  return { start: new Date(end.getTime() - minutes * 60_000), end, periodSeconds };
}

/** How a digest run differs from the scheduled one (the CLI's `report` sets all three). */
export interface DigestOptions {
  /** false: build the report and return it, publish nothing (default true). */
  readonly publish?: boolean;
  /** Length of the window, in minutes (default: the config's DIGEST_WINDOW_HOURS). */
  readonly windowMinutes?: number;
  /** Only these of the distributions found (managed or explicit); default: all of them. */
  readonly only?: readonly string[];
}

export async function runDigest(
  deps: ReportCoreDeps,
  now: Date,
  options: DigestOptions = {},
): Promise<DigestResult> {
  const { clients, config } = deps;
  const log = deps.log ?? SILENT_LOG;
  const window = digestWindow(now, options.windowMinutes ?? config.digestWindowHours * 60);
  const before = previousWindow(window);
  const iso = (w: { start: Date; end: Date }) => ({
    start: w.start.toISOString(),
    end: w.end.toISOString(),
  });
  const skipped: SkippedDistribution[] = [];
  const skip = (distributionId: string, reason: string) => {
    skipped.push({ distributionId, reason });
    log.warn('distribution left out of the digest', { distributionId, reason });
  };

  let distributions: ReportDistribution[] = [];
  try {
    const found = await findReportDistributions(clients.cloudfront, {
      explicitIds: config.distributionIds,
      stage: config.stage,
    });
    const only = options.only ? new Set(options.only) : undefined;
    distributions = only ? found.distributions.filter((d) => only.has(d.id)) : found.distributions;
    for (const s of found.skipped)
      if (!only || only.has(s.distributionId)) skip(s.distributionId, s.reason);
  } catch (error) {
    log.error('could not list distributions', { error: describeError(error) });
    skipped.push({ distributionId: '*', reason: `discovery failed (${describeError(error)})` });
  }
  const ids = distributions.map((d) => d.id);

  let current: Map<string, SeriesByMetric> | undefined;
  let previous: Map<string, SeriesByMetric> | undefined;
  if (ids.length) {
    try {
      current = await fetchDistributionMetrics(clients.cloudwatchGlobal, ids, window);
    } catch (error) {
      log.error('could not read CloudFront metrics for the digest', {
        error: describeError(error),
        window: iso(window),
      });
      for (const id of ids) skip(id, `metrics unreadable (${describeError(error)})`);
    }
    if (current) {
      try {
        previous = await fetchDistributionMetrics(clients.cloudwatchGlobal, ids, before);
      } catch (error) {
        log.warn('could not read the previous window: no trends in the digest', {
          error: describeError(error),
          window: iso(before),
        });
      }
    }
  }

  // Per content class, from standard logs (the logs function's EMF, in the stack's region).
  let classes = new Map<string, ClassSummary[]>();
  if (current) {
    try {
      classes = await fetchClassSummaries(clients.cloudwatch, ids, window);
    } catch (error) {
      log.warn('could not read per-class counts: no class tables in the digest', {
        error: describeError(error),
        window: iso(window),
      });
    }
  }

  let spend: Spend | undefined;
  let spendError: string | undefined;
  try {
    const paths = await fetchPathsBilledThisMonth(clients.cloudwatch, {
      namespace: config.metricsNamespace,
      serviceName: config.invalidateServiceName,
      now,
    });
    spend = invalidationSpend(paths, now);
  } catch (error) {
    spendError = describeError(error);
    log.warn('could not read invalidation spend', { error: spendError });
  }

  const rows: DigestRow[] = [];
  const perDistribution: Array<{ distributionId: string; recommendations: Recommendation[] }> = [];
  const policyCache = new Map<string, CachePolicyConfig | undefined>();
  if (current) {
    for (const d of distributions) {
      const summary = summarize(d.id, current.get(d.id) ?? emptySeries());
      const prior = previous ? summarize(d.id, previous.get(d.id) ?? emptySeries()) : undefined;
      const classList = classes.get(d.id) ?? [];
      rows.push({
        distribution: { id: d.id, domain: displayDomain(d) },
        current: summary,
        previous: prior,
        classes: classList,
      });
      const { config: distributionConfig, cachePolicies } = await readConfig(
        clients.cloudfront,
        d.id,
        policyCache,
        log,
      );
      perDistribution.push({
        distributionId: d.id,
        recommendations: [
          ...recommend({
            summary,
            ...(prior ? { previous: prior } : {}),
            ...(distributionConfig ? { config: distributionConfig } : {}),
            ...(cachePolicies ? { cachePolicies } : {}),
            ...(spend ? { spend } : {}),
          }),
          ...classRecommendations({
            classes: classList,
            thresholds: config.thresholds,
            rules: config.contentClasses,
            config: distributionConfig,
            cachePolicies,
          }),
        ],
      });
      log.info('distribution summarised', {
        distributionId: d.id,
        window: iso(window),
        requests: summary.requests,
        hitRate: summary.hitRate,
        errorRate4xx: summary.errorRate4xx,
        errorRate5xx: summary.errorRate5xx,
        originLatencyMs: summary.originLatencyMs,
        bytesDownloaded: summary.bytesDownloaded,
      });
    }
  }
  // No distribution to hang it on: the spend advice still stands on its own.
  if (!rows.length && spend) {
    perDistribution.push({
      distributionId: '*',
      recommendations: recommend({ summary: noTraffic('*'), spend }),
    });
  }
  const recommendations = mergeRecommendations(perDistribution).map((r) =>
    r.distributionId === '*' ? { ...r, distributionId: undefined } : r,
  );

  const mail = digestMail(mailContext(config), {
    window,
    classThresholds: config.thresholds,
    rows,
    spend,
    spendError,
    recommendations,
    skipped,
  });
  const mails: string[] = [];
  if (options.publish === false) {
    log.info('digest built, not published', { subject: mail.subject });
  } else {
    try {
      await publishMail(clients.sns, config.alertsTopicArn, mail, 'report-digest');
      mails.push(mail.subject);
      log.info('digest mailed', {
        subject: mail.subject,
        distributions: rows.length,
        recommendations: recommendations.length,
      });
    } catch (error) {
      log.error('digest mail could not be published', {
        subject: mail.subject,
        error: describeError(error),
      });
    }
  }

  return {
    kind: 'digest',
    window: iso(window),
    previousWindow: iso(before),
    distributions: rows.map((r) => r.current),
    previous: rows.flatMap((r) => (r.previous ? [r.previous] : [])),
    classes: rows.flatMap((r) => r.classes ?? []),
    spend,
    recommendations: recommendations.map((r) => ({
      distributionId: r.distributionId,
      ...r.recommendation,
    })),
    mails,
    skipped,
    mail,
  };
}
