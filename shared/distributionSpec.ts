/**
 * The distribution spec: everything a user can say about the CloudFront distribution that
 * `provision` creates in front of a bucket, validated with zod, defaults applied. Every rejection
 * is an `InvalidInputError` whose `field` is the dotted path of the offending value
 * (`aliases[0]`, `geo.countries[2]`, `contentClasses.video.maxTtl`) and whose message says what
 * to change. Nothing here calls AWS: checks that need an account (does the bucket exist, does
 * the certificate cover the aliases) belong to the workflow.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_ERROR_CACHING_TTL, MANAGED_TAG_PREFIX } from './catalogue.js';
import {
  CACHE_CLASSES,
  CONTENT_CLASS_NAME,
  DEFAULT_CONTENT_CLASSES,
  EXTENSION,
  PRECOMPRESSED_EXTENSIONS,
  type CacheClass,
} from './contentClasses.js';
import { InvalidInputError } from './errors.js';
import { normaliseOriginPath } from './keys.js';

export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;
export const HTTP_VERSIONS = ['http1.1', 'http2', 'http2and3', 'http3'] as const;
export const GEO_TYPES = ['none', 'allow', 'block'] as const;
export const FRAME_OPTIONS = ['DENY', 'SAMEORIGIN'] as const;
export const REFERRER_POLICIES = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
] as const;
export const CORS_METHODS = ['GET', 'HEAD', 'OPTIONS'] as const;
export const ERROR_CODES = [403, 404] as const;
export const ERROR_RESPONSE_CODES = ['200', '403', '404'] as const;

/** CloudFront's limits (default quotas) and ours, as the spec enforces them. */
export const SPEC_LIMITS = {
  /** CloudFront: cache behaviours per distribution (default quota, can be raised). */
  maxCacheBehaviors: 25,
  /** CloudFront: alternate domain names per distribution (default quota). */
  maxAliases: 100,
  maxNameChars: 40,
  maxCommentChars: 128,
  /** CloudFront: tags per distribution; four are ours (see `managedTags`). */
  maxTags: 50,
  maxUserTags: 46,
  maxTagKeyChars: 128,
  maxTagValueChars: 256,
  /** CloudFront: ErrorCachingMinTTL range. */
  maxErrorCachingSeconds: 31_536_000,
} as const;

/** One year: CloudFront's own default maximum TTL, and ours. */
export const DEFAULT_MAX_TTL = 31_536_000;
/** Two years, the HSTS preload list's recommendation. */
export const DEFAULT_HSTS_MAX_AGE = 63_072_000;

/**
 * ISO 3166-1 alpha-2 codes officially assigned (249; the Debian iso-codes and tzdata
 * iso3166.tab lists agree). CloudFront accepts ISO codes only, so user-assigned codes such as
 * `XK` (Kosovo) and reserved ones such as `UK` or `EU` are rejected.
 */
export const ISO_COUNTRY_CODES: ReadonlySet<string> = new Set(
  `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ
  BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR
  CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
  GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU
  ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ
  LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
  MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
  PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
  SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR
  TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`.split(/\s+/),
);

/** Codes people write that are not ISO 3166-1 alpha-2, with the code they mean. */
const COUNTRY_HINTS: Readonly<Record<string, string>> = {
  UK: 'it is reserved; the United Kingdom is GB',
  EL: 'it is the EU code for Greece; ISO uses GR',
  XK: 'it is user-assigned for Kosovo, not ISO 3166-1; CloudFront accepts ISO codes only',
  EU: 'it is reserved for the European Union; list the member states instead',
};

// ---------------------------------------------------------------------------------------------
// Small validators, usable on their own (the CLI checks flags with them too)
// ---------------------------------------------------------------------------------------------

/** Why `name` is not a valid S3 bucket name, or undefined when it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'may only contain lower-case letters, digits, dots and hyphens';
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'must start and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|--x-s3)$/.test(name)) {
    return 'uses a prefix or suffix S3 reserves (xn--, sthree-, -s3alias, --ol-s3, --x-s3)';
  }
  return undefined;
}

/** Why `host` is not a valid alternate domain name, or undefined when it is. */
export function hostnameProblem(host: string): string | undefined {
  if (host.length > 253) return 'is longer than 253 characters';
  if (host.endsWith('.')) return 'must not end with a dot';
  const labels = host.split('.');
  if (labels.length < 2) return 'must be a fully qualified domain name such as cdn.example.com';
  for (const [i, label] of labels.entries()) {
    if (label === '*' && i === 0) continue;
    if (label.includes('*')) return 'may use "*" only as the whole first label (*.example.com)';
    if (label.length === 0) return 'has an empty label (two dots in a row)';
    if (label.length > 63) return `has a label longer than 63 characters ("${label}")`;
    if (!/^[a-z0-9-]+$/i.test(label)) {
      return `has a label with characters other than letters, digits and hyphens ("${label}")`;
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return `has a label that starts or ends with a hyphen ("${label}")`;
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'is an IP address, not a domain name';
  return undefined;
}

/**
 * A short stable label from a bucket name: dots become hyphens; a name longer than 40 keeps its
 * first 31 characters and gains 8 hex of its sha256, so two long buckets never share a label.
 */
export function deriveName(bucket: string): string {
  const label = bucket.replace(/[^A-Za-z0-9_-]/g, '-');
  if (label.length <= SPEC_LIMITS.maxNameChars) return label;
  const digest = createHash('sha256').update(bucket, 'utf8').digest('hex').slice(0, 8);
  return `${label.slice(0, 31)}-${digest}`;
}

/** The S3 REST endpoint CloudFront reads the bucket through (OAC needs the REST endpoint). */
export function originDomainName(bucket: string, region: string): string {
  return `${bucket}.s3.${region}.amazonaws.com`;
}

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

const ACM_ARN = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/[A-Za-z0-9-]+$/;
const WAF_GLOBAL_ARN =
  /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[A-Za-z0-9_-]{1,128}\/[A-Za-z0-9-]{1,128}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Suffix of the cache policy for a class's uncompressed extensions; reserved in class names. */
export const UNCOMPRESSED_SUFFIX = '-uncompressed';

type Ctx = z.RefinementCtx;
const problem = (ctx: Ctx, message: string, path: PropertyKey[] = []) =>
  ctx.addIssue({ code: 'custom', message, path });

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

const inputSchema = z.strictObject({
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
});

type ParsedInput = z.output<typeof inputSchema>;
type ClassInput = z.output<typeof classSchema>;

/** A content class as the distribution serves it: one cache behaviour per extension. */
export interface ContentClassSpec {
  readonly name: string;
  /** Lower-case, with the dot: `.mp4`. Each becomes the path pattern `*.mp4`. */
  readonly extensions: readonly string[];
  readonly minTtl: number;
  readonly defaultTtl: number;
  readonly maxTtl: number;
  /** The extensions CloudFront compresses (Compress: true); the others are served as stored. */
  readonly compress: readonly string[];
}

interface Ttls {
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
}

function resolveTtls(
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

function checkTtls(ctx: Ctx, ttls: Ttls, path: PropertyKey[]): void {
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

const BUILT_IN_CLASSES = new Map(DEFAULT_CONTENT_CLASSES.map((rule) => [rule.name, rule]));

/** Built-in classes and the user's entries, merged; `enabled: false` entries left out. */
function resolveClasses(classes: ParsedInput['contentClasses']): ContentClassSpec[] {
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

function originProblem(origin: string): string | undefined {
  if (origin === '*') return undefined;
  const match = /^https:\/\/([^/:]+)(?::(\d{1,5}))?$/.exec(origin);
  if (!match) {
    return `"${origin}" is not an origin; write "*" or https://host[:port] (no path, no trailing slash)`;
  }
  const why = hostnameProblem(match[1]!);
  if (why) return `"${origin}": the host ${why}`;
  if (match[2] && Number(match[2]) > 65_535) return `"${origin}": the port is above 65535`;
  return undefined;
}

function tagProblem(key: string, value: string): string | undefined {
  if (key.length === 0 || key.length > SPEC_LIMITS.maxTagKeyChars) {
    return 'tag keys must be 1 to 128 characters';
  }
  const lower = key.toLowerCase();
  if (lower.startsWith('aws:') || lower.startsWith(MANAGED_TAG_PREFIX)) {
    return `tag keys starting with "aws:" or "${MANAGED_TAG_PREFIX}" are reserved`;
  }
  if (!TAG_TEXT.test(key)) return 'tag keys may use letters, digits, spaces and _ . : / = + - @';
  if (value.length > SPEC_LIMITS.maxTagValueChars)
    return 'tag values must be at most 256 characters';
  if (!TAG_TEXT.test(value))
    return 'tag values may use letters, digits, spaces and _ . : / = + - @';
  return undefined;
}

function checkSpec(spec: ParsedInput, ctx: Ctx): void {
  if (spec.originPath !== undefined && !/^[A-Za-z0-9\-._~!$&'()+,;=:@/%]*$/.test(spec.originPath)) {
    problem(ctx, 'may only contain URL path characters (no spaces, "?", "#" or "*")', [
      'originPath',
    ]);
  } else if (spec.originPath && /\/\//.test(normaliseOriginPath(spec.originPath))) {
    problem(ctx, 'must not contain empty segments ("//")', ['originPath']);
  }

  const firstSeen = new Map<string, number>();
  for (const [i, alias] of spec.aliases.entries()) {
    const why = hostnameProblem(alias);
    if (why) problem(ctx, `"${alias}" is not a hostname: it ${why}`, ['aliases', i]);
    const earlier = firstSeen.get(alias);
    if (earlier !== undefined)
      problem(ctx, `repeats aliases[${earlier}] ("${alias}")`, ['aliases', i]);
    else firstSeen.set(alias, i);
  }
  if (spec.aliases.length > 0 && !spec.certificateArn) {
    problem(
      ctx,
      `is required when aliases are set: give the ARN of an ACM certificate in us-east-1 that covers ${spec.aliases.join(', ')}`,
      ['certificateArn'],
    );
  }
  if (spec.certificateArn && spec.aliases.length === 0) {
    problem(
      ctx,
      'must list the custom domain names the certificate is for; a certificate without aliases is never used',
      ['aliases'],
    );
  }

  for (const [i, code] of spec.geo.countries.entries()) {
    if (!ISO_COUNTRY_CODES.has(code)) {
      const hint = COUNTRY_HINTS[code];
      problem(
        ctx,
        `"${code}" is not an ISO 3166-1 alpha-2 country code${hint ? `: ${hint}` : ''}`,
        ['geo', 'countries', i],
      );
    }
  }
  if (spec.geo.type !== 'none' && spec.geo.countries.length === 0) {
    problem(ctx, `must list at least one country when geo.type is "${spec.geo.type}"`, [
      'geo',
      'countries',
    ]);
  }
  if (spec.geo.type === 'none' && spec.geo.countries.length > 0) {
    problem(ctx, 'must be empty when geo.type is "none"; set geo.type to "allow" or "block"', [
      'geo',
      'countries',
    ]);
  }

  checkClasses(spec.contentClasses, ctx);

  const { hsts } = spec.headers;
  if (hsts.preload && (!hsts.includeSubdomains || hsts.maxAgeSeconds < 31_536_000)) {
    problem(
      ctx,
      'preload needs includeSubdomains: true and maxAgeSeconds ≥ 31536000 (the HSTS preload list requires both)',
      ['headers', 'hsts', 'preload'],
    );
  }

  const { allowOrigins, allowMethods } = spec.cors;
  if (!allowMethods.includes('GET') && !allowMethods.includes('HEAD')) {
    problem(ctx, 'must include GET or HEAD (OPTIONS alone allows no request)', [
      'cors',
      'allowMethods',
    ]);
  }
  for (const [i, origin] of allowOrigins.entries()) {
    const why =
      origin === '*' && allowOrigins.length > 1
        ? '"*" already allows every origin; use it alone'
        : originProblem(origin);
    if (why) problem(ctx, why, ['cors', 'allowOrigins', i]);
  }

  const codes = new Map<number, number>();
  for (const [i, error] of spec.errors.entries()) {
    const earlier = codes.get(error.code);
    if (earlier !== undefined)
      problem(ctx, `${error.code} is already configured in errors[${earlier}]`, [
        'errors',
        i,
        'code',
      ]);
    codes.set(error.code, i);
    if (error.responsePagePath !== undefined && !error.responsePagePath.startsWith('/')) {
      problem(
        ctx,
        `must start with "/" (a path on this distribution, e.g. /errors/${error.code}.html)`,
        ['errors', i, 'responsePagePath'],
      );
    }
    if (error.responseCode !== undefined && error.responsePagePath === undefined) {
      problem(
        ctx,
        'needs responsePagePath too: CloudFront only changes the status when it serves a page',
        ['errors', i, 'responseCode'],
      );
    }
  }

  if (spec.logging) {
    const bucket = spec.logging.bucket.replace(/\.s3\.amazonaws\.com$/, '');
    const why = bucketNameProblem(bucket);
    if (why)
      problem(ctx, `"${spec.logging.bucket}" is not a bucket name: it ${why}`, [
        'logging',
        'bucket',
      ]);
    else if (bucket === spec.bucket) {
      problem(
        ctx,
        'must not be the content bucket: log files written there would be picked up by the pipeline as uploads',
        ['logging', 'bucket'],
      );
    }
  }

  const tags = Object.entries(spec.tags);
  if (tags.length > SPEC_LIMITS.maxUserTags) {
    problem(
      ctx,
      `has ${tags.length} tags; at most ${SPEC_LIMITS.maxUserTags} (CloudFront allows 50 and cdn-pipeline adds 4)`,
      ['tags'],
    );
  }
  for (const [key, value] of tags) {
    const why = tagProblem(key, value);
    if (why) problem(ctx, why, ['tags', key]);
  }
}

function checkClasses(classes: ParsedInput['contentClasses'], ctx: Ctx): void {
  const base = ['contentClasses'];
  checkTtls(ctx, resolveTtls(classes.default, CACHE_CLASSES.default.ttlSeconds), [
    ...base,
    'default',
  ]);
  for (const [name, value] of Object.entries(classes)) {
    if (name === 'default') continue;
    const given = value as ClassInput;
    if (!CONTENT_CLASS_NAME.pattern.test(name)) {
      problem(ctx, `class names ${CONTENT_CLASS_NAME.rule}`, [...base, name]);
    } else if (name.endsWith(UNCOMPRESSED_SUFFIX)) {
      problem(ctx, `class names must not end in "${UNCOMPRESSED_SUFFIX}" (used in policy names)`, [
        ...base,
        name,
      ]);
    }
    if (!given.extensions && !BUILT_IN_CLASSES.has(name) && given.enabled) {
      problem(
        ctx,
        `is required for a class that is not built in (built in: ${[...BUILT_IN_CLASSES.keys()].join(', ')})`,
        [...base, name, 'extensions'],
      );
    }
  }
  const resolved = resolveClasses(classes);
  const owner = new Map<string, string>();
  let behaviours = 0;
  for (const cls of resolved) {
    const given = classes[cls.name] as ClassInput | undefined;
    checkTtls(ctx, cls, [...base, cls.name]);
    for (const [i, ext] of cls.extensions.entries()) {
      const other = owner.get(ext);
      if (other)
        problem(ctx, `${ext} is already in class "${other}"`, [...base, cls.name, 'extensions', i]);
      owner.set(ext, cls.name);
    }
    if (Array.isArray(given?.compress)) {
      for (const [i, ext] of given.compress.entries()) {
        if (!cls.extensions.includes(ext)) {
          problem(
            ctx,
            `${ext} is not one of this class's extensions (${cls.extensions.join(' ')})`,
            [...base, cls.name, 'compress', i],
          );
        }
      }
    }
    behaviours += cls.extensions.length;
  }
  if (behaviours > SPEC_LIMITS.maxCacheBehaviors) {
    problem(
      ctx,
      `need ${behaviours} cache behaviours (one per extension); CloudFront allows ${SPEC_LIMITS.maxCacheBehaviors} per distribution by default. Drop extensions, or raise the quota and the limit together`,
      base,
    );
  }
}

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
    webAclArn: spec.webAclArn,
    enabled: spec.enabled,
    httpVersion: spec.httpVersion,
    ipv6: spec.ipv6,
    defaultRootObject: spec.defaultRootObject,
    comment:
      spec.comment ??
      (generated.length <= SPEC_LIMITS.maxCommentChars
        ? generated
        : `${generated.slice(0, 125)}...`),
    tags: spec.tags,
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

/** `['geo', 'countries', 2]` → `geo.countries[2]`; `[]` → `spec`. */
export function fieldName(path: readonly PropertyKey[]): string {
  const text = path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
  return text || 'spec';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
): { path: PropertyKey[]; message: string } {
  const path = [...issue.path];
  if (issue.code === 'invalid_union') {
    // Report the alternative that got furthest: its problem is the one the user meant.
    const deepest = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest && deepest.path.length > 0) {
      return describeIssue({ ...deepest, path: [...path, ...deepest.path] }, input);
    }
    return { path, message: `${issue.message} (got ${JSON.stringify(valueAt(input, path))})` };
  }
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return {
      path: [...path, key],
      message: 'is not a field of the distribution spec (names are case-sensitive)',
    };
  }
  const value = valueAt(input, path);
  if (issue.code === 'invalid_type' && value === undefined) return { path, message: 'is required' };
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    return {
      path,
      message: `must be one of ${issue.values.join(', ')} (got ${JSON.stringify(value)})`,
    };
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int' && typeof value === 'number') {
    return { path, message: `must be a whole number (got ${value})` };
  }
  if (issue.code === 'invalid_type') {
    return { path, message: `must be ${article(issue.expected)} (got ${JSON.stringify(value)})` };
  }
  return { path, message: issue.message };
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
