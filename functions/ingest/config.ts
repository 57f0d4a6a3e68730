/**
 * Ingest's config: its pick of the one env schema (shared/env.ts), mapped to a frozen object and
 * parsed once per function instance. Defaults live in the schema only.
 */
import type { ContentClassRule } from '../../shared/contentClasses.js';
import { ENV_SCHEMA, parseEnv, type Env, type InvalidateOn } from '../../shared/env.js';

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
