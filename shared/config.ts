/**
 * The configs of ingest and invalidate, each a pick of the one env schema (`./env.ts`) mapped to
 * a frozen object, parsed once per function instance. They live here rather than beside their
 * functions because the package test, the CLI's `invalidate`, the local pipeline and the bench
 * import them from this path, and `shared/` never imports a function folder. The report's and
 * provisioning's configs are in `functions/report/config.ts` and `functions/provision/config.ts`.
 */
import type { ContentClassRule } from './contentClasses.js';
import { ENV_SCHEMA, parseEnv, type Env, type InvalidateOn } from './env.js';

export { INVALIDATE_ON_VALUES, parseEnv } from './env.js';
export type { Env, InvalidateOn } from './env.js';

const ingestEnv = ENV_SCHEMA.pick({
  INVALIDATION_QUEUE_URL: true,
  INVALIDATE_ON: true,
  CONTENT_CLASSES: true,
});

export interface IngestConfig {
  readonly invalidationQueueUrl: string;
  readonly invalidateOn: InvalidateOn;
  readonly contentClasses: readonly ContentClassRule[];
}

export function loadIngestConfig(env: Env = process.env): IngestConfig {
  const raw = parseEnv(ingestEnv, env);
  return Object.freeze({
    invalidationQueueUrl: raw.INVALIDATION_QUEUE_URL,
    invalidateOn: raw.INVALIDATE_ON,
    contentClasses: raw.CONTENT_CLASSES,
  });
}

const invalidateEnv = ENV_SCHEMA.pick({
  DISTRIBUTION_IDS: true,
  MAX_INFLIGHT_PATHS: true,
  MAX_INFLIGHT_WILDCARDS: true,
  COLLAPSE_MIN_SIBLINGS: true,
  WILDCARD_MAX_UNCHANGED: true,
  DISCOVERY_CACHE_SECONDS: true,
});

export interface InvalidateConfig {
  /** Explicit distribution ids; when set, discovery by origin is skipped. */
  readonly distributionIds: readonly string[] | undefined;
  readonly maxInflightPaths: number;
  readonly maxInflightWildcards: number;
  readonly collapseMinSiblings: number;
  readonly wildcardMaxUnchanged: number;
  readonly discoveryCacheMs: number;
}

export function loadInvalidateConfig(env: Env = process.env): InvalidateConfig {
  const raw = parseEnv(invalidateEnv, env);
  return Object.freeze({
    distributionIds: raw.DISTRIBUTION_IDS.length ? Object.freeze(raw.DISTRIBUTION_IDS) : undefined,
    maxInflightPaths: raw.MAX_INFLIGHT_PATHS,
    maxInflightWildcards: raw.MAX_INFLIGHT_WILDCARDS,
    collapseMinSiblings: raw.COLLAPSE_MIN_SIBLINGS,
    wildcardMaxUnchanged: raw.WILDCARD_MAX_UNCHANGED,
    discoveryCacheMs: raw.DISCOVERY_CACHE_SECONDS * 1000,
  });
}
