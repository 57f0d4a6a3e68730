/**
 * Which content bucket(s) the stack watches, decided while packaging from two parameters:
 *
 *   contentBuckets   comma list of buckets the team already has; empty (default): the stack
 *                    creates its own content bucket (resources/bucket.yml), as before.
 *   contentPrefixes  comma list of key prefixes: only objects under them reach the pipeline
 *                    (every bucket of contentBuckets alike). Empty: the whole bucket.
 *
 * `settings` (serverless.yml `custom.contentBuckets`) gives the rest of serverless.yml what
 * depends on the choice: the S3 ARNs every function's IAM is scoped to (buckets, and objects per
 * bucket/prefix), the bucket the scheduled health check watches, and the resources file: the
 * stack's own bucket (bucket.yml) or the existing buckets' wiring (existingBuckets.cjs). Bad values
 * are refused while packaging, naming the parameter.
 *
 * CommonJS because osls loads it with require().
 */
/* global module, Buffer */
'use strict';

/** Thrown with a one-line stack: osls prints the stack of a failed resolver. */
function refuse(message) {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/** One custom resource per bucket and their ARNs in every role: keep the policies small. */
const MAX_BUCKETS = 20;
const MAX_PREFIXES = 10;
/** EventBridge refuses an event pattern over 2 048 characters. */
const MAX_PATTERN_CHARS = 2048;

const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** S3's bucket naming rules (general purpose buckets), as a reason or null. */
function bucketNameProblem(name) {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name))
    return '3-63 characters of lower case letters, digits, "." and "-", starting and ending with a letter or digit';
  if (name.includes('..')) return 'two adjacent periods';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'formatted as an IP address';
  if (name.startsWith('xn--') || name.startsWith('sthree-')) return 'a reserved prefix';
  if (name.endsWith('-s3alias') || name.endsWith('--ol-s3')) return 'a reserved suffix';
  return null;
}

function parseBuckets(value) {
  const names = list(value);
  for (const name of names) {
    const problem = bucketNameProblem(name);
    if (problem) throw refuse(`contentBuckets: "${name}" is not a bucket name (${problem})`);
  }
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw refuse(`contentBuckets: "${duplicate}" is listed twice`);
  if (names.length > MAX_BUCKETS)
    throw refuse(`contentBuckets: ${names.length} buckets; at most ${MAX_BUCKETS} per stack`);
  return names;
}

function parsePrefixes(value, buckets) {
  const prefixes = list(value);
  if (prefixes.length > 0 && buckets.length === 0)
    throw refuse('contentPrefixes: needs contentBuckets (the stack’s own bucket is watched whole)');
  for (const prefix of prefixes) {
    // A literal prefix for EventBridge, but a pattern in an IAM ARN, and `${` in an Fn::Sub.
    if (/[*?]|\$\{/.test(prefix))
      throw refuse(`contentPrefixes: "${prefix}" has a wildcard or "\${" (a prefix is literal)`);
    if (Buffer.byteLength(prefix) > 1024)
      throw refuse(`contentPrefixes: "${prefix.slice(0, 40)}…" is longer than an S3 key`);
  }
  const duplicate = prefixes.find((p, i) => prefixes.indexOf(p) !== i);
  if (duplicate) throw refuse(`contentPrefixes: "${duplicate}" is listed twice`);
  if (prefixes.length > MAX_PREFIXES)
    throw refuse(`contentPrefixes: ${prefixes.length} prefixes; at most ${MAX_PREFIXES}`);
  return prefixes;
}

async function parse(resolveVariable) {
  const buckets = parseBuckets(await resolveVariable('param:contentBuckets'));
  const prefixes = parsePrefixes(await resolveVariable('param:contentPrefixes'), buckets);
  if (buckets.length > 0) {
    const size = JSON.stringify(eventPattern(buckets, prefixes)).length;
    if (size > MAX_PATTERN_CHARS)
      throw refuse(
        `contentBuckets / contentPrefixes: the event pattern would be ${size} characters ` +
          `(EventBridge allows ${MAX_PATTERN_CHARS}): fewer buckets or prefixes per stack`,
      );
  }
  return { buckets, prefixes };
}

const s3Arn = (path) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${path}` });
/** One ARN as itself, several as a list (the shape IAM and the tests read). */
const oneOrList = (arns) => (arns.length === 1 ? arns[0] : arns);

/** The stack's own bucket, named in serverless.yml (account and region filled by Fn::Sub). */
const OWN_BUCKET = '${self:custom.contentBucketName}';

/** S3's EventBridge events for these buckets (and prefixes): what the rule matches. */
function eventPattern(buckets, prefixes) {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: {
      bucket: { name: buckets },
      ...(prefixes.length > 0 && { object: { key: prefixes.map((prefix) => ({ prefix })) } }),
    },
  };
}

/** `custom.contentBuckets` in serverless.yml. */
async function settings({ resolveVariable }) {
  const { buckets, prefixes } = await parse(resolveVariable);
  const existing = buckets.length > 0;
  const names = existing ? buckets : [OWN_BUCKET];
  const objectPaths = existing
    ? buckets.flatMap((b) => (prefixes.length ? prefixes.map((p) => `${b}/${p}*`) : [`${b}/*`]))
    : [`${OWN_BUCKET}/*`];
  return {
    existing,
    /** Comma list of the bucket names (the own bucket's as an Fn::Sub template). */
    names: names.join(','),
    bucketArns: oneOrList(names.map(s3Arn)),
    objectArns: oneOrList(objectPaths.map(s3Arn)),
    /** The scheduled health check watches one bucket: the first (the own one's name by Fn::Sub). */
    healthBucket: existing ? buckets[0] : { 'Fn::Sub': OWN_BUCKET },
    /** The resources file of the choice (serverless.yml `resources:`). */
    resources: existing ? 'existingBuckets.cjs' : 'bucket.yml',
  };
}

module.exports = {
  settings,
  parse,
  eventPattern,
  MAX_BUCKETS,
  MAX_PREFIXES,
};
