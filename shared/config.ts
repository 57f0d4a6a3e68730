/**
 * Configuration, parsed once per function instance from the environment, validated with zod.
 * A bad value fails the cold start with the variable's name; business code never reads
 * `process.env` itself.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import {
  DEFAULT_CONTENT_CLASSES,
  parseContentClasses,
  type ContentClassRule,
} from './contentClasses.js';

type Env = Record<string, string | undefined>;

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

export const INVALIDATE_ON_VALUES = ['overwrites', 'all', 'none'] as const;
export type InvalidateOn = (typeof INVALIDATE_ON_VALUES)[number];

const ingestSchema = z.object({
  INVALIDATION_QUEUE_URL: z.url(),
  INVALIDATE_ON: z.enum(INVALIDATE_ON_VALUES).default('overwrites'),
  CONTENT_CLASSES: z.string().optional(),
});

const invalidateSchema = z.object({
  /** Explicit distribution ids; when set, discovery by origin is skipped. */
  DISTRIBUTION_IDS: csv.optional(),
  /** Our ceiling on file paths in flight per distribution (CloudFront's quota is 3 000). */
  MAX_INFLIGHT_PATHS: intFrom(1, 3000).default(2800),
  /** Our ceiling on wildcard paths in flight per distribution (CloudFront's quota is 15). */
  MAX_INFLIGHT_WILDCARDS: intFrom(0, 15).default(13),
  /** Collapse a folder into `folder/*` when at least this many of its files change at once. */
  COLLAPSE_MIN_SIBLINGS: intFrom(2, 3000).default(20),
  /** A wildcard may also cover at most this many unchanged objects (where the bucket listing tells). */
  WILDCARD_MAX_UNCHANGED: intFrom(0, 1_000_000).default(100),
  /** How long a distribution discovery result is reused, in seconds. */
  DISCOVERY_CACHE_SECONDS: intFrom(0, 3600).default(60),
});

/**
 * Validates environment variables against a zod object schema; the first problem becomes a
 * ConfigError naming the variable and the value it had.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: Env): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || 'environment';
    const value = env[field];
    throw new ConfigError(
      field,
      `${issue.message}${value === undefined ? ' (not set)' : ` (got "${value}")`}`,
    );
  }
  return result.data;
}

export interface IngestConfig {
  readonly invalidationQueueUrl: string;
  readonly invalidateOn: InvalidateOn;
  readonly contentClasses: readonly ContentClassRule[];
}

export function loadIngestConfig(env: Env = process.env): IngestConfig {
  const raw = parseEnv(ingestSchema, env);
  let contentClasses: readonly ContentClassRule[] = DEFAULT_CONTENT_CLASSES;
  if (raw.CONTENT_CLASSES) {
    try {
      contentClasses = parseContentClasses(raw.CONTENT_CLASSES);
    } catch (error) {
      throw new ConfigError('CONTENT_CLASSES', (error as Error).message, { cause: error });
    }
  }
  return Object.freeze({
    invalidationQueueUrl: raw.INVALIDATION_QUEUE_URL,
    invalidateOn: raw.INVALIDATE_ON,
    contentClasses,
  });
}

export interface InvalidateConfig {
  readonly distributionIds: readonly string[] | undefined;
  readonly maxInflightPaths: number;
  readonly maxInflightWildcards: number;
  readonly collapseMinSiblings: number;
  readonly wildcardMaxUnchanged: number;
  readonly discoveryCacheMs: number;
}

export function loadInvalidateConfig(env: Env = process.env): InvalidateConfig {
  const raw = parseEnv(invalidateSchema, env);
  return Object.freeze({
    distributionIds:
      raw.DISTRIBUTION_IDS && raw.DISTRIBUTION_IDS.length ? raw.DISTRIBUTION_IDS : undefined,
    maxInflightPaths: raw.MAX_INFLIGHT_PATHS,
    maxInflightWildcards: raw.MAX_INFLIGHT_WILDCARDS,
    collapseMinSiblings: raw.COLLAPSE_MIN_SIBLINGS,
    wildcardMaxUnchanged: raw.WILDCARD_MAX_UNCHANGED,
    discoveryCacheMs: raw.DISCOVERY_CACHE_SECONDS * 1000,
  });
}
