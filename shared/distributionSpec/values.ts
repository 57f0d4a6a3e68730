/**
 * The distribution spec's vocabulary: the values a field may take, CloudFront's limits and our
 * defaults, ISO country codes, and the small validators the CLI also checks flags with.
 */
import { createHash } from 'node:crypto';
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
export const COUNTRY_HINTS: Readonly<Record<string, string>> = {
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
