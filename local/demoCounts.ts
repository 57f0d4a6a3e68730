/**
 * LOCAL ONLY. The edge's own counts (local/edge/edgeTally.ts) as the report shows them:
 * distribution-wide and per content class, classified by the same rules as ingest
 * (CONTENT_CLASSES, else the built-in classes). What a test holds the report against.
 */
import {
  classify,
  DEFAULT_CONTENT_CLASSES,
  type ContentClassRule,
} from '../shared/contentClasses.js';
import type { ServedCounts, TalliedPath } from './edge/edgeTally.js';

export interface ClassCounts extends ServedCounts {
  /** hits / (requests − errors), in percent, as CloudFront's CacheHitRate; undefined for none. */
  readonly hitRate: number | undefined;
}

const zero = (): { -readonly [K in keyof ServedCounts]: number } => ({
  requests: 0,
  hits: 0,
  misses: 0,
  errors: 0,
  bytes: 0,
});

function withRate(c: ServedCounts): ClassCounts {
  const cacheable = c.requests - c.errors;
  return { ...c, hitRate: cacheable > 0 ? (100 * c.hits) / cacheable : undefined };
}

function add(into: ReturnType<typeof zero>, e: ServedCounts): void {
  into.requests += e.requests;
  into.hits += e.hits;
  into.misses += e.misses;
  into.errors += e.errors;
  into.bytes += e.bytes;
}

/** The path's S3-style key for classification (`%20` decoded; a bad escape kept as sent). */
function keyOf(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The edge's counts of one distribution (or all), over every path it served. */
export function edgeCountsOverall(
  tally: readonly TalliedPath[],
  distributionId?: string,
): ClassCounts {
  const total = zero();
  for (const e of tally) if (!distributionId || e.distributionId === distributionId) add(total, e);
  return withRate(total);
}

/**
 * The edge's counts per content class (`video`, `image`, …, `other`), for one distribution (or
 * all): the figures a per-class report table must show for the same traffic.
 */
export function edgeCountsByClass(
  tally: readonly TalliedPath[],
  options: { distributionId?: string; rules?: readonly ContentClassRule[] } = {},
): Record<string, ClassCounts> {
  const rules = options.rules ?? DEFAULT_CONTENT_CLASSES;
  const byClass = new Map<string, ReturnType<typeof zero>>();
  for (const e of tally) {
    if (options.distributionId && e.distributionId !== options.distributionId) continue;
    const name = classify(keyOf(e.path), rules).contentClass;
    const c = byClass.get(name) ?? zero();
    add(c, e);
    byClass.set(name, c);
  }
  return Object.fromEntries(
    [...byClass].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => [k, withRate(c)]),
  );
}
