/**
 * Ingest's config: its pick of the one env schema (shared/env.ts), mapped to a frozen object and
 * parsed once per function instance. Defaults live in the schema only.
 */
import type { ContentClassRule } from '../../shared/contentClasses.js';
import {
  ENV_SCHEMA,
  parseEnv,
  type Env,
  type InvalidateNewKeys,
  type InvalidateOn,
} from '../../shared/env.js';

const ingestEnv = ENV_SCHEMA.pick({
  INVALIDATION_QUEUE_URL: true,
  INVALIDATE_ON: true,
  CONTENT_CLASSES: true,
  VERSIONING_CACHE_SECONDS: true,
  INVALIDATE_NEW_KEYS: true,
  NEW_KEY_ERROR_TTL_SECONDS: true,
  INGEST_CONCURRENCY: true,
  KEY_LEDGER_TABLE: true,
  KEY_LEDGER_TTL_DAYS: true,
  CACHE_TAG_BUCKETS: true,
});

export interface IngestConfig {
  readonly invalidationQueueUrl: string;
  readonly invalidateOn: InvalidateOn;
  readonly contentClasses: readonly ContentClassRule[];
  /** How long a bucket's versioning status is reused. */
  readonly versioningCacheSeconds: number;
  /** Whether keys uploaded for the first time are invalidated (a cached error may hide them). */
  readonly invalidateNewKeys: InvalidateNewKeys;
  /** `when-error-cached`: the error-caching TTL a distribution must exceed. */
  readonly newKeyErrorTtlSeconds: number;
  /** How many S3 records of a batch are worked on at once. */
  readonly recordConcurrency: number;
  /** The key ledger table (unversioned buckets); undefined: none. */
  readonly keyLedgerTable?: string;
  /** Days a ledger item lives after its last write; 0: forever. */
  readonly keyLedgerTtlDays: number;
  /** Buckets whose changed objects' cache tags are read (HeadObject); `*`: every bucket. */
  readonly cacheTagBuckets: readonly string[];
}

export function loadIngestConfig(env: Env = process.env): IngestConfig {
  const raw = parseEnv(ingestEnv, env);
  return Object.freeze({
    invalidationQueueUrl: raw.INVALIDATION_QUEUE_URL,
    invalidateOn: raw.INVALIDATE_ON,
    contentClasses: raw.CONTENT_CLASSES,
    versioningCacheSeconds: raw.VERSIONING_CACHE_SECONDS,
    invalidateNewKeys: raw.INVALIDATE_NEW_KEYS,
    newKeyErrorTtlSeconds: raw.NEW_KEY_ERROR_TTL_SECONDS,
    recordConcurrency: raw.INGEST_CONCURRENCY,
    ...(raw.KEY_LEDGER_TABLE ? { keyLedgerTable: raw.KEY_LEDGER_TABLE } : {}),
    keyLedgerTtlDays: raw.KEY_LEDGER_TTL_DAYS,
    cacheTagBuckets: Object.freeze(raw.CACHE_TAG_BUCKETS),
  });
}
