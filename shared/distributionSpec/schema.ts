/**
 * The distribution spec's input schema (zod): the shape of each field, and how content classes
 * and TTLs resolve against the built-in classes. Cross-field rules are in `checks.ts`.
 */
import * as z from 'zod';
import { problem, type ContentClassSpec, type Ctx } from './parts.js';
import { DEFAULT_ERROR_CACHING_TTL } from '../catalogue.js';
import {
  CACHE_CLASSES,
  DEFAULT_CONTENT_CLASSES,
  EXTENSION,
  PRECOMPRESSED_EXTENSIONS,
  type CacheClass,
} from '../contentClasses.js';
import {
  bucketNameProblem,
  CORS_METHODS,
  DEFAULT_HSTS_MAX_AGE,
  DEFAULT_MAX_TTL,
  ERROR_CODES,
  ERROR_RESPONSE_CODES,
  FRAME_OPTIONS,
  GEO_TYPES,
  HTTP_VERSIONS,
  PRICE_CLASSES,
  REFERRER_POLICIES,
  SPEC_LIMITS,
} from './values.js';
import { privatePrefixesSchema } from './privatePrefixes.js';
export const ACM_ARN = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/[A-Za-z0-9-]+$/;
export const WAF_GLOBAL_ARN =
  /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[A-Za-z0-9_-]{1,128}\/[A-Za-z0-9-]{1,128}$/;
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Suffix of the cache policy for a class's uncompressed extensions; reserved in class names. */
export const UNCOMPRESSED_SUFFIX = '-uncompressed';

export { problem, type ContentClassSpec, type Ctx } from './parts.js';

const seconds = z.number().int('must be a whole number of seconds').min(0, 'must be ≥ 0');

const bucketSchema = z.string().superRefine((value, ctx) => {
  const why = bucketNameProblem(value);
  if (why) problem(ctx, `"${value}" is not a valid S3 bucket name: it ${why}`);
});

const certificateSchema = z.string().superRefine((value, ctx) => {
  const match = ACM_ARN.exec(value);
  if (!match) {
    problem(
      ctx,
      `"${value}" is not an ACM certificate ARN; expected arn:aws:acm:us-east-1:<account>:certificate/<id>`,
    );
  } else if (match[1] !== 'us-east-1') {
    problem(
      ctx,
      `CloudFront only uses ACM certificates from us-east-1 (N. Virginia); this one is in ${match[1]}`,
    );
  }
});

const webAclSchema = z.string().superRefine((value, ctx) => {
  if (WAF_GLOBAL_ARN.test(value)) return;
  const regional = /^arn:aws:wafv2:[a-z0-9-]+:\d{12}:regional\//.test(value);
  problem(
    ctx,
    regional
      ? 'is a regional web ACL; CloudFront needs a WAFv2 web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)'
      : `"${value}" is not a WAFv2 global web ACL ARN (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>); WAF Classic ids are not supported`,
  );
});

const extensionSchema = z
  .string()
  .regex(EXTENSION.pattern, EXTENSION.rule)
  .transform((e) => e.toLowerCase());

const ttlFields = {
  /** Seconds; CloudFront never keeps an object for less, whatever the origin says. */
  minTtl: seconds.optional(),
  /** Seconds; used when the object has no Cache-Control/Expires of its own. */
  defaultTtl: seconds.optional(),
  /** Seconds; the ceiling on what the origin's Cache-Control may ask for. */
  maxTtl: seconds.optional(),
};

const classSchema = z.strictObject({
  /** `false` drops a built-in class (its extensions fall through to the default behaviour). */
  enabled: z.boolean().default(true),
  /** Required for a class that is not built in; defaults to the built-in class's extensions. */
  extensions: z.array(extensionSchema).min(1, 'must list at least one extension').optional(),
  /** Seeds the TTL defaults (video 7 d, streaming 1 h, default 24 h). */
  cacheClass: z.enum(Object.keys(CACHE_CLASSES) as [CacheClass, ...CacheClass[]]).optional(),
  ...ttlFields,
  /** true: compress every extension; false: none; a list: exactly those extensions. */
  compress: z.union([z.boolean(), z.array(extensionSchema)]).optional(),
});

const defaultBehaviourSchema = z.strictObject({
  ...ttlFields,
  compress: z.boolean().default(true),
});

const hstsSchema = z.strictObject({
  maxAgeSeconds: seconds.default(DEFAULT_HSTS_MAX_AGE),
  includeSubdomains: z.boolean().default(true),
  preload: z.boolean().default(false),
});

const headersSchema = z.strictObject({
  hsts: hstsSchema.prefault({}),
  frameOptions: z.enum(FRAME_OPTIONS).default('DENY'),
  referrerPolicy: z.enum(REFERRER_POLICIES).default('strict-origin-when-cross-origin'),
});

const corsSchema = z.strictObject({
  /** [] (the default) sends no CORS headers; ['*'] allows any origin; else https origins. */
  allowOrigins: z.array(z.string()).default([]),
  allowMethods: z
    .array(z.enum(CORS_METHODS))
    .min(1, 'must list at least one method')
    .default(['GET', 'HEAD', 'OPTIONS']),
  /** '*' (the default) allows any request header in a preflight; credentials are never allowed. */
  allowHeaders: z
    .array(z.string().regex(/^(\*|[!#$%&'+.^_`|~0-9A-Za-z-]+)$/, 'must be a header name or "*"'))
    .min(1, 'must list at least one header name, or "*"')
    .default(['*']),
  exposeHeaders: z.array(z.string().regex(HEADER_NAME, 'must be a header name')).default([]),
  maxAgeSeconds: seconds.default(86_400),
});

const errorResponseSchema = z.strictObject({
  code: z.union(ERROR_CODES.map((c) => z.literal(c)) as [z.ZodLiteral<403>, z.ZodLiteral<404>], {
    error: 'must be 403 or 404',
  }),
  cachingMinTtl: seconds
    .max(SPEC_LIMITS.maxErrorCachingSeconds, 'must be at most 31536000 (one year)')
    .default(DEFAULT_ERROR_CACHING_TTL),
  responsePagePath: z.string().optional(),
  responseCode: z.enum(ERROR_RESPONSE_CODES).optional(),
});

const loggingSchema = z.strictObject({
  /** A bucket name, or its `<name>.s3.amazonaws.com` domain. */
  bucket: z.string(),
  prefix: z.string().default(''),
  includeCookies: z.boolean().default(false),
});

const geoSchema = z.strictObject({
  type: z.enum(GEO_TYPES).default('none'),
  countries: z.array(z.string().transform((c) => c.toUpperCase())).default([]),
});

export const inputSchema = z.strictObject({
  bucket: bucketSchema,
  bucketRegion: z
    .string()
    .regex(REGION, 'must be an AWS region such as us-east-1 or eu-west-1')
    .default('us-east-1'),
  originPath: z.string().optional(),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, "-" or "_"')
    .optional(),
  aliases: z
    .array(z.string().transform((a) => a.toLowerCase()))
    .max(SPEC_LIMITS.maxAliases, 'CloudFront allows at most 100 aliases per distribution')
    .default([]),
  certificateArn: certificateSchema.optional(),
  priceClass: z.enum(PRICE_CLASSES).default('PriceClass_100'),
  geo: geoSchema.prefault({}),
  contentClasses: z
    .strictObject({ default: defaultBehaviourSchema.prefault({}) })
    .catchall(classSchema)
    .prefault({}),
  headers: headersSchema.prefault({}),
  cors: corsSchema.prefault({}),
  errors: z.array(errorResponseSchema).default([
    { code: 403, cachingMinTtl: DEFAULT_ERROR_CACHING_TTL },
    { code: 404, cachingMinTtl: DEFAULT_ERROR_CACHING_TTL },
  ]),
  logging: loggingSchema.optional(),
  /**
   * Turns on CloudFront's additional metrics (a monitoring subscription): CacheHitRate,
   * OriginLatency and the 401/403/404/502/503/504 error rates. They are billed as up to 8
   * CloudWatch metrics per distribution at CloudWatch's fixed monthly per-metric rate,
   * whatever the traffic. The hit-rate report needs them (or access logs).
   */
  additionalMetrics: z.boolean().default(false),
  /**
   * Cache tags (CloudFront CacheTagConfig): the origin response header CloudFront reads an
   * object's comma-separated tags from, so `#tag` invalidations work. For S3 origins the tags are
   * `cache-tag` metadata, served as `x-amz-meta-cache-tag`. Unset: off.
   */
  cacheTagHeader: z
    .string()
    .regex(HEADER_NAME, 'must be an HTTP header name, such as x-amz-meta-cache-tag')
    .max(256, 'must be at most 256 characters')
    .transform((h) => h.toLowerCase())
    .optional(),
  /**
   * Turns on CloudFront standard logging (v2) into the stack's log bucket, which the logs
   * function turns into per-content-class hit rates, errors and bytes: no additional metrics
   * needed. Billed per GB of logs delivered; an existing delivery is kept when false.
   */
  standardLogging: z.boolean().default(false),
  webAclArn: webAclSchema.optional(),
  enabled: z.boolean().default(true),
  httpVersion: z.enum(HTTP_VERSIONS).default('http2and3'),
  ipv6: z.boolean().default(true),
  defaultRootObject: z
    .string()
    .min(1)
    .max(255, 'must be at most 255 characters')
    .refine(
      (s) => !s.startsWith('/'),
      'must not start with "/" (write index.html, not /index.html)',
    )
    .optional(),
  comment: z.string().max(SPEC_LIMITS.maxCommentChars, 'must be at most 128 characters').optional(),
  tags: z.record(z.string(), z.string()).default({}),
  /** Paths served only through signed URLs or cookies (`privatePrefixes.ts`). */
  privatePrefixes: privatePrefixesSchema,
});

export type ParsedInput = z.output<typeof inputSchema>;
export type ClassInput = z.output<typeof classSchema>;

export interface Ttls {
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
}

export function resolveTtls(
  given: {
    minTtl?: number | undefined;
    defaultTtl?: number | undefined;
    maxTtl?: number | undefined;
  },
  seed: number,
): Ttls {
  const defaultTtl = given.defaultTtl ?? seed;
  return {
    minTtl: given.minTtl ?? 0,
    defaultTtl,
    maxTtl: given.maxTtl ?? Math.max(DEFAULT_MAX_TTL, defaultTtl),
  };
}

export function checkTtls(ctx: Ctx, ttls: Ttls, path: PropertyKey[]): void {
  const rule = 'CloudFront requires minTtl ≤ defaultTtl ≤ maxTtl';
  if (ttls.minTtl > ttls.defaultTtl) {
    problem(ctx, `minTtl (${ttls.minTtl} s) is above defaultTtl (${ttls.defaultTtl} s); ${rule}`, [
      ...path,
      'minTtl',
    ]);
  } else if (ttls.defaultTtl > ttls.maxTtl) {
    problem(ctx, `maxTtl (${ttls.maxTtl} s) is below defaultTtl (${ttls.defaultTtl} s); ${rule}`, [
      ...path,
      'maxTtl',
    ]);
  }
}

export const BUILT_IN_CLASSES = new Map(DEFAULT_CONTENT_CLASSES.map((rule) => [rule.name, rule]));

/** Built-in classes and the user's entries, merged; `enabled: false` entries left out. */
export function resolveClasses(classes: ParsedInput['contentClasses']): ContentClassSpec[] {
  const entries = new Map<string, ClassInput | undefined>();
  for (const rule of DEFAULT_CONTENT_CLASSES) {
    if (rule.cacheClass !== 'default') entries.set(rule.name, undefined);
  }
  for (const [name, value] of Object.entries(classes)) {
    if (name !== 'default') entries.set(name, value as ClassInput);
  }
  const resolved: ContentClassSpec[] = [];
  for (const [name, given] of entries) {
    if (given?.enabled === false) continue;
    const builtIn = BUILT_IN_CLASSES.get(name);
    const extensions = [...new Set(given?.extensions ?? builtIn?.extensions ?? [])];
    const cacheClass = given?.cacheClass ?? builtIn?.cacheClass ?? 'default';
    const compress = given?.compress;
    resolved.push({
      name,
      extensions,
      ...resolveTtls(given ?? {}, CACHE_CLASSES[cacheClass].ttlSeconds),
      compress:
        compress === true
          ? extensions
          : compress === false
            ? []
            : compress
              ? extensions.filter((e) => compress.includes(e))
              : extensions.filter((e) => !PRECOMPRESSED_EXTENSIONS.has(e)),
    });
  }
  return resolved;
}
