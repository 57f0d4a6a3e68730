/**
 * Every environment variable the functions read, declared once: its type and range, its default
 * and a one-line doc (`.describe`). Each function's config module picks the variables it needs
 * (`ENV_SCHEMA.pick({ NAME: true })`) and maps them to its frozen config; no default lives anywhere else. An empty
 * value counts as not set, so serverless.yml can pass an unset parameter through as `''`. The
 * README's configuration tables are checked against this schema (test/unit/env.test.ts).
 */
import * as z from 'zod';
import { SNS_TOPIC_ARN, SNS_TOPIC_ARN_MESSAGE } from './catalogue.js';
import { parseContentClasses, DEFAULT_CONTENT_CLASSES } from './contentClasses.js';
import { ConfigError } from './errors.js';

/** An environment: `process.env`, or a plain object in tests and local runs. */
export type Env = Readonly<Record<string, string | undefined>>;
/** An environment a local runner may write to (its own `process.env`). */
export type WritableEnv = Record<string, string | undefined>;

export const INVALIDATE_ON_VALUES = ['overwrites', 'all', 'none'] as const;
export type InvalidateOn = (typeof INVALIDATE_ON_VALUES)[number];

export const INVALIDATE_NEW_KEYS_VALUES = ['never', 'when-error-cached', 'always'] as const;
export type InvalidateNewKeys = (typeof INVALIDATE_NEW_KEYS_VALUES)[number];

/** The levels Powertools Logger accepts (in any case). */
export const LOG_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'SILENT',
] as const;

/** Our metrics namespace: where the functions publish EMF and where the report reads it back. */
const METRICS_NAMESPACE = 'CdnPipeline';

/** DynamoDB table names: 3–255 of `[a-zA-Z0-9_.-]`. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
/** CloudWatch dashboard names: up to 255 of `[a-zA-Z0-9_-]`. */
const DASHBOARD_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const DISTRIBUTION_ID = /^[A-Z0-9]{1,64}$/;

/** Per-class hit-rate minimums (%) when HIT_RATE_THRESHOLDS does not name the class. */
export const DEFAULT_CLASS_HIT_RATE_MIN: Readonly<Record<string, number>> = Object.freeze({
  video: 90,
  image: 85,
  streaming: 60,
  document: 60,
});

const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const name = z.string().min(1);

export const ENV_SCHEMA = z.object({
  // ── AWS and Powertools (every function) ──────────────────────────────────────────────────
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region')
    .default('us-east-1')
    .describe('the stack region (Lambda sets it); regional clients and dashboard links use it'),
  AWS_ENDPOINT_URL: z
    .url()
    .optional()
    .describe('endpoint override for every client (the local emulator); unset on AWS'),
  POWERTOOLS_SERVICE_NAME: name
    .default('cdn-pipeline')
    .describe('service name on every log line and metric'),
  POWERTOOLS_METRICS_NAMESPACE: name
    .default(METRICS_NAMESPACE)
    .describe('CloudWatch namespace of the EMF metrics'),
  POWERTOOLS_LOG_LEVEL: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(LOG_LEVELS))
    .default('INFO')
    .describe('function log level (read by Powertools Logger)'),

  // ── ingest ───────────────────────────────────────────────────────────────────────────────
  INVALIDATION_QUEUE_URL: z.url().describe('the invalidation-requests queue ingest sends to'),
  INVALIDATE_ON: z
    .enum(INVALIDATE_ON_VALUES)
    .default('overwrites')
    .describe('which uploads are invalidated: overwrites | all | none'),
  INGEST_CONCURRENCY: int(1, 100)
    .default(10)
    .describe(
      'how many S3 records one ingest invocation works on at once, a deployed batch (10) by default; records of the same key run one after another',
    ),
  CACHE_TAG_BUCKETS: z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .describe(
      "buckets whose distributions read cache tags (cacheTagHeader): ingest reads each changed object's cache-tag metadata there (one HeadObject); `*`: every bucket; empty: none",
    ),
  VERSIONING_CACHE_SECONDS: int(0, 3600)
    .default(300)
    .describe('how long ingest reuses a bucket versioning status, in seconds; 0: ask every time'),
  KEY_LEDGER_TABLE: z
    .string()
    .regex(TABLE_NAME, 'must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)')
    .optional()
    .describe(
      'the DynamoDB key ledger: exact overwrite detection on unversioned buckets (one conditional write per upload); unset: an unversioned bucket invalidates every upload',
    ),
  KEY_LEDGER_TTL_DAYS: int(0, 3650)
    .default(0)
    .describe(
      'key ledger items expire this many days after their last upload; 0: never (an expired key is taken for new at its next upload)',
    ),
  INVALIDATE_NEW_KEYS: z
    .enum(INVALIDATE_NEW_KEYS_VALUES)
    .default('never')
    .describe(
      'new keys (a cached 404/403 may hide them): never | when-error-cached (only where the error is cached longer than NEW_KEY_ERROR_TTL_SECONDS) | always',
    ),
  NEW_KEY_ERROR_TTL_SECONDS: int(0, 31_536_000)
    .default(120)
    .describe(
      'when-error-cached: invalidate a new key only on distributions caching a missing object error longer than this, in seconds',
    ),
  CONTENT_CLASSES: z
    .string()
    .optional()
    .transform((json, ctx) => {
      if (!json) return DEFAULT_CONTENT_CLASSES;
      try {
        return parseContentClasses(json);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .describe('content-class rules as JSON; unset: the built-in classes'),

  // ── invalidate (DISTRIBUTION_IDS is report's too) ─────────────────────────────────────────
  DISTRIBUTION_IDS: z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(DISTRIBUTION_ID, 'must be a comma list of distribution ids')))
    .describe(
      'comma list of distribution ids: invalidate only these (else discover by origin); report on these besides the managed ones',
    ),
  MAX_INFLIGHT_PATHS: int(1, 3000)
    .default(2800)
    .describe('our ceiling on file paths in flight per distribution (CloudFront: 3 000)'),
  MAX_INFLIGHT_WILDCARDS: int(0, 15)
    .default(13)
    .describe('our ceiling on wildcard paths in flight per distribution (CloudFront: 15)'),
  COLLAPSE_MIN_SIBLINGS: int(2, 3000)
    .default(20)
    .describe('a folder becomes `folder/*` when at least this many of its files change at once'),
  WILDCARD_MAX_UNCHANGED: int(0, 1_000_000)
    .default(100)
    .describe('a wildcard may also cover at most this many unchanged objects'),
  HOLD_MAX_SECONDS: int(0, 3600)
    .default(300)
    .describe(
      'how long after its event a request may wait for a cheaper invalidation (a burst still rewriting its folder, or no wildcard room yet); 0: never held',
    ),
  DISCOVERY_CACHE_SECONDS: int(0, 3600)
    .default(60)
    .describe('how long a distribution discovery result is reused, in seconds'),
  INVALIDATION_LEDGER_TABLE: z
    .string()
    .regex(TABLE_NAME, 'must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)')
    .optional()
    .describe(
      'the DynamoDB table that holds each distribution in-flight budget, shared by every invoker (the stack sets it); unset: this invocation alone',
    ),

  // ── report (check and digest) ────────────────────────────────────────────────────────────
  HIT_RATE_MIN: num(0, 100)
    .default(80)
    .describe('hit rate (%, request-weighted) below which a check breaches'),
  ERROR_5XX_MAX: num(0, 100).default(1).describe('5xx error rate (%) above which a check breaches'),
  ERROR_4XX_MAX: num(0, 100).default(5).describe('4xx error rate (%) above which a check breaches'),
  ORIGIN_LATENCY_MAX_MS: num(1, 600_000)
    .default(1000)
    .describe('origin latency (ms, request-weighted average) above which a check breaches'),
  MIN_REQUESTS: int(0, 1_000_000_000)
    .default(500)
    .describe('requests a check window must hold before any threshold is judged'),
  ALARM_AFTER: int(1, 100).default(3).describe('consecutive breaching checks before OK → ALARM'),
  RECOVER_AFTER: int(1, 100).default(3).describe('consecutive clean checks before ALARM → OK'),
  ALARM_STALE_AFTER: int(0, 10_000)
    .default(8)
    .describe('checks without data after which an ALARM is closed without a verdict; 0: never'),
  CHECK_WINDOW_MINUTES: int(1, 1440)
    .default(15)
    .describe('length of the window one check reads (1-minute periods)'),
  DIGEST_WINDOW_HOURS: int(1, 24 * 14)
    .default(24)
    .describe('length of the digest window, compared with the same length before it'),
  HIT_RATE_THRESHOLDS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const thresholds: Record<string, number> = { ...DEFAULT_CLASS_HIT_RATE_MIN };
      for (const part of (text ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const match = /^([a-z][a-z0-9-]{0,31})\s*[=:]\s*(\d+(?:\.\d+)?)$/.exec(part);
        if (!match || Number(match[2]) > 100) {
          ctx.addIssue({
            code: 'custom',
            message: `"${part}" is not <class>=<percent 0-100> (write e.g. video=90,image=85)`,
          });
          return z.NEVER;
        }
        thresholds[match[1]!] = Number(match[2]);
      }
      return Object.freeze(thresholds);
    })
    .describe(
      'per content class hit-rate minimum (%, from standard logs), e.g. video=90,image=85; built in: video 90, image 85, streaming 60, document 60, other classes HIT_RATE_MIN',
    ),
  CLASS_CHECK_WINDOW_MINUTES: int(5, 1440)
    .default(60)
    .describe(
      'length of the aligned window one per-class check reads (standard logs arrive minutes late: longer than CHECK_WINDOW_MINUTES)',
    ),
  ALARM_TABLE: z
    .string({ error: 'is required: the DynamoDB table that keeps alarm states' })
    .regex(TABLE_NAME, 'must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)')
    .describe('the DynamoDB table that keeps alarm states'),
  DASHBOARD_NAME: z
    .string()
    .regex(DASHBOARD_NAME, 'must be a dashboard name (a-z A-Z 0-9 _ -)')
    .optional()
    .describe('the stack dashboard, linked from every mail; unset: no link'),
  METRICS_NAMESPACE: name
    .default(METRICS_NAMESPACE)
    .describe('where the invalidate function EMF `PathsBilled` lives (spend tracking)'),
  INVALIDATE_SERVICE_NAME: name
    .default('cdn-pipeline-invalidate')
    .describe('the invalidate function service name (the dimension of `PathsBilled`)'),
  STAGE: z
    .string()
    .regex(/^[a-zA-Z0-9-]{1,32}$/, 'must be a stage name')
    .default('dev')
    .describe('the stack stage: which managed distributions are reported on'),

  // ── provision (standard logging v2) ──────────────────────────────────────────────────────
  STANDARD_LOG_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .optional()
    .describe(
      'the stack log bucket that standard logging v2 delivers to (the stack sets it); unset: a spec asking for standardLogging is refused',
    ),

  LOG_FILES_TABLE: z
    .string()
    .regex(TABLE_NAME, 'must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)')
    .optional()
    .describe(
      'the DynamoDB table of log files counted (one claim per file version): a redelivered log file is counted once (the stack sets it); unset: every delivery counts',
    ),

  // ── health (scheduled) ───────────────────────────────────────────────────────────────────
  HEALTH_BUCKET: z
    .string({ error: 'is required: the content bucket the scheduled health check watches' })
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .describe('the content bucket the scheduled health check watches'),

  // ── report and provision ─────────────────────────────────────────────────────────────────
  ALERTS_TOPIC_ARN: z
    .string({
      error: 'is required: the SNS topic that receives alarm, report and provisioning mail',
    })
    .regex(SNS_TOPIC_ARN, SNS_TOPIC_ARN_MESSAGE)
    .describe('the SNS topic that receives alarm, report and provisioning mail'),
});

export type EnvVariable = keyof typeof ENV_SCHEMA.shape;

/**
 * Validates environment variables against a zod object schema (ENV_SCHEMA or a pick of it); an
 * empty value counts as not set. The first problem becomes a ConfigError naming the variable and
 * the value it had.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: Env): z.output<T> {
  const set: Record<string, string> = {};
  const { env: resolved, from } = resolveAliases(env);
  for (const [key, value] of Object.entries(resolved))
    if (value !== undefined && value !== '') set[key] = value;
  const result = schema.safeParse(set);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    // A value that came from an alias is reported under the name the user set.
    const field = from[variable] ?? variable;
    const value = set[variable];
    throw new ConfigError(
      field,
      `${issue.message}${value === undefined ? ' (not set)' : ` (got "${value}")`}`,
    );
  }
  return result.data;
}

/**
 * What a variable is when it is not set: its parsed default, `undefined` for an optional one
 * without default, `required` for one that must be set. For documentation and the tests that
 * check the stack and the README against this schema, so none of them restates a default.
 */
export function envDefault<K extends EnvVariable>(
  variable: K,
): { readonly required: true } | { readonly required: false; readonly value: unknown } {
  const parsed = ENV_SCHEMA.shape[variable].safeParse(undefined);
  return parsed.success ? { required: false, value: parsed.data } : { required: true };
}

// ── Aliases: the names existing setups already use ────────────────────────────────────────

/**
 * Other names for the project's variables, in precedence order after the project's own name:
 * the project's name wins (it is explicit for this pipeline), then the `AWS_*` alias (the
 * convention of AWS tooling, set on purpose for a CloudFront setup), then the plain alias (the
 * most generic, the likeliest to mean something else). `CDN_ENABLED` is read by the URL helpers
 * (`shared/urls/config.ts`): off, URLs are presigned S3 URLs; the pipeline itself still tags
 * and invalidates.
 */
export const ENV_ALIASES = {
  CDN_DOMAIN: ['AWS_CLOUDFRONT_DOMAIN', 'CLOUDFRONT_DOMAIN'],
  DISTRIBUTION_IDS: ['AWS_CLOUDFRONT_DISTRIBUTION_ID'],
  CDN_ENABLED: ['AWS_ENABLE_CLOUDFRONT'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/**
 * The environment with every unset project variable taken from its first alias that is set
 * ({@link ENV_ALIASES}), and which alias each came from. An empty value counts as not set.
 */
export function resolveAliases(env: Env): {
  readonly env: Env;
  readonly from: Readonly<Record<string, string>>;
} {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  const out: Record<string, string | undefined> = { ...env };
  const from: Record<string, string> = {};
  for (const [variable, aliases] of Object.entries(ENV_ALIASES)) {
    if (set(variable)) continue;
    const alias = aliases.find(set);
    if (alias) {
      out[variable] = env[alias];
      from[variable] = alias;
    }
  }
  return { env: out, from };
}
