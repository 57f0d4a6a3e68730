/**
 * The logs function's configuration: its pick of the one env schema (`shared/env.ts`), parsed
 * once and frozen. The content classes are ingest's (`CONTENT_CLASSES`); which distributions
 * count is the report's rule (managed tags of `STAGE`, plus `DISTRIBUTION_IDS`), remembered for
 * `DISCOVERY_CACHE_SECONDS`. `LOG_FILES_TABLE` counts each log file once (logFiles.ts); unset,
 * every delivery of a file counts.
 */
import type { ContentClassRule } from '../../shared/contentClasses.js';
import { ENV_SCHEMA, parseEnv, type Env } from '../../shared/env.js';

const logsEnv = ENV_SCHEMA.pick({
  CONTENT_CLASSES: true,
  STAGE: true,
  DISTRIBUTION_IDS: true,
  DISCOVERY_CACHE_SECONDS: true,
  LOG_FILES_TABLE: true,
});

export interface LogsConfig {
  readonly contentClasses: readonly ContentClassRule[];
  readonly stage: string;
  readonly distributionIds: readonly string[];
  readonly managedCacheSeconds: number;
  /** The table of log files counted; undefined: no deduplication. */
  readonly logFilesTable?: string | undefined;
}

export function loadLogsConfig(env: Env = process.env): LogsConfig {
  const raw = parseEnv(logsEnv, env);
  return Object.freeze({
    contentClasses: raw.CONTENT_CLASSES,
    stage: raw.STAGE,
    distributionIds: Object.freeze(raw.DISTRIBUTION_IDS),
    managedCacheSeconds: raw.DISCOVERY_CACHE_SECONDS,
    ...(raw.LOG_FILES_TABLE ? { logFilesTable: raw.LOG_FILES_TABLE } : {}),
  });
}
