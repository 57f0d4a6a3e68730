/**
 * The distribution spec's cross-field rules, run on the parsed input: origin path, aliases
 * against the certificate, geo, CORS, errors, tags, content classes. Each names its field.
 */
import { MANAGED_TAG_PREFIX } from '../catalogue.js';
import { CACHE_CLASSES, CONTENT_CLASS_NAME } from '../contentClasses.js';
import { normaliseOriginPath } from '../keys.js';
import {
  BUILT_IN_CLASSES,
  checkTtls,
  problem,
  resolveClasses,
  resolveTtls,
  TAG_TEXT,
  UNCOMPRESSED_SUFFIX,
  type ClassInput,
  type Ctx,
  type ParsedInput,
} from './schema.js';
import {
  bucketNameProblem,
  COUNTRY_HINTS,
  hostnameProblem,
  ISO_COUNTRY_CODES,
  SPEC_LIMITS,
} from './values.js';
import { checkPrivatePrefixes } from './privatePrefixes.js';
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

export function checkSpec(spec: ParsedInput, ctx: Ctx): void {
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
  checkPrivatePrefixes(spec.privatePrefixes, resolveClasses(spec.contentClasses), ctx, problem);

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
