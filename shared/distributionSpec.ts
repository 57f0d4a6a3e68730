/**
 * The distribution spec: everything a user can say about the CloudFront distribution that
 * `provision` creates in front of a bucket, validated with zod, defaults applied. Every rejection
 * is an `InvalidInputError` whose `field` is the dotted path of the offending value
 * (`aliases[0]`, `geo.countries[2]`, `contentClasses.video.maxTtl`) and whose message says what
 * to change. Nothing here calls AWS: checks that need an account (does the bucket exist, does
 * the certificate cover the aliases) belong to the workflow.
 *
 * This file composes the parts in `distributionSpec/`: `values.ts` (allowed values, limits,
 * defaults, small validators), `schema.ts` (field shapes, class and TTL resolution), `checks.ts`
 * (cross-field rules) and `issues.ts` (how a rejection reads).
 */
import type * as z from 'zod';
import { CACHE_CLASSES } from './contentClasses.js';
import { checkSpec } from './distributionSpec/checks.js';
import { describeIssue, fieldName } from './distributionSpec/issues.js';
import {
  inputSchema,
  resolveClasses,
  resolveTtls,
  type ParsedInput,
} from './distributionSpec/schema.js';
import { deriveName, originDomainName, SPEC_LIMITS } from './distributionSpec/values.js';
import { resolvePrivatePrefixes } from './distributionSpec/privatePrefixes.js';
import { InvalidInputError } from './errors.js';
import { normaliseOriginPath } from './keys.js';
import { clip } from './text/layout.js';

export {
  bucketNameProblem,
  CORS_METHODS,
  DEFAULT_HSTS_MAX_AGE,
  DEFAULT_MAX_TTL,
  deriveName,
  ERROR_CODES,
  ERROR_RESPONSE_CODES,
  FRAME_OPTIONS,
  GEO_TYPES,
  hostnameProblem,
  HTTP_VERSIONS,
  ISO_COUNTRY_CODES,
  originDomainName,
  PRICE_CLASSES,
  REFERRER_POLICIES,
  SPEC_LIMITS,
} from './distributionSpec/values.js';
export { fieldName } from './distributionSpec/issues.js';
export { UNCOMPRESSED_SUFFIX, type ContentClassSpec } from './distributionSpec/schema.js';
export {
  keyGroupsOf,
  resolvePublicKeyFiles,
  type PrivatePrefixSpec,
  type PublicKeySpec,
} from './distributionSpec/privatePrefixes.js';

/** The spec with every default applied and each value in the form the tasks use. */
function shape(spec: ParsedInput) {
  const name = spec.name ?? deriveName(spec.bucket);
  const originPath = normaliseOriginPath(spec.originPath);
  const generated = `cdn-pipeline ${name}: s3://${spec.bucket}${originPath}`;
  const loggingBucket = spec.logging?.bucket.replace(/\.s3\.amazonaws\.com$/, '');
  return {
    bucket: spec.bucket,
    bucketRegion: spec.bucketRegion,
    /** `<bucket>.s3.<region>.amazonaws.com`. */
    originDomain: originDomainName(spec.bucket, spec.bucketRegion),
    /** '' or `/prefix`. */
    originPath,
    name,
    /** Lower-case, unique, in the order given. */
    aliases: spec.aliases,
    certificateArn: spec.certificateArn,
    priceClass: spec.priceClass,
    geo: { type: spec.geo.type, countries: [...new Set(spec.geo.countries)].sort() },
    contentClasses: resolveClasses(spec.contentClasses),
    defaultBehavior: {
      ...resolveTtls(spec.contentClasses.default, CACHE_CLASSES.default.ttlSeconds),
      compress: spec.contentClasses.default.compress,
    },
    headers: spec.headers,
    /** Undefined when no origin is allowed (no CORS headers are sent). */
    cors: spec.cors.allowOrigins.length > 0 ? spec.cors : undefined,
    errors: spec.errors,
    logging:
      spec.logging && loggingBucket
        ? {
            /** Always the `<name>.s3.amazonaws.com` form CloudFront wants. */
            bucket: `${loggingBucket}.s3.amazonaws.com`,
            prefix: spec.logging.prefix.replace(/^\/+/, ''),
            includeCookies: spec.logging.includeCookies,
          }
        : undefined,
    additionalMetrics: spec.additionalMetrics,
    /** Lower-case; undefined: no cache tags (no CacheTagConfig). */
    cacheTagHeader: spec.cacheTagHeader,
    standardLogging: spec.standardLogging,
    webAclArn: spec.webAclArn,
    enabled: spec.enabled,
    httpVersion: spec.httpVersion,
    ipv6: spec.ipv6,
    defaultRootObject: spec.defaultRootObject,
    comment: spec.comment ?? clip(generated, SPEC_LIMITS.maxCommentChars),
    tags: spec.tags,
    /** Private behaviours, in precedence order (before every content-class behaviour). */
    privatePrefixes: resolvePrivatePrefixes(spec.privatePrefixes, name),
  };
}

/** The spec's schema: input as the user writes it, output with defaults applied. */
export const distributionSpecSchema = inputSchema.superRefine(checkSpec).transform(shape);

/** A validated spec with every default applied. */
export type DistributionSpec = z.output<typeof distributionSpecSchema>;
/** A spec as a user (or the CLI) writes it: only `bucket` is required. */
export type DistributionSpecInput = z.input<typeof distributionSpecSchema>;

/**
 * Validates a spec and applies the defaults. Throws `InvalidInputError` naming the first
 * offending field (`aliases[0]`, `certificateArn`, `geo.countries[2]`).
 */
export function parseDistributionSpec(input: unknown): DistributionSpec {
  const result = distributionSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const { path, message } = describeIssue(issue, input);
  throw new InvalidInputError(fieldName(path), message);
}
