/**
 * Validate: the spec parsed with its defaults, the wait-loop options, the CallerReference, and
 * the one check that needs AWS before anything is created: the bucket exists (and, when the spec
 * does not say, in which region, since the origin domain names it). Adopting a distribution
 * (`adopt`), its preflight too (`adoption.ts`), so a bad id or origin creates nothing.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { prepareAdoption } from './adoption.js';
import { checkPublicAccess } from './bucketPolicy.js';
import { InvalidInputError } from '../../shared/errors.js';
import { specCallerReference } from './distributionConfig.js';
import { parseDistributionSpec, type DistributionSpec } from '../../shared/distributionSpec.js';
import { awsErrorName, BucketNotFound, InvalidSpec, isTransient } from './errors.js';
import type { Validated, ValidateInput } from './types.js';

export const WAIT_DEFAULTS = {
  pollSeconds: 30,
  minPollSeconds: 5,
  maxPollSeconds: 600,
  /** 45 minutes: longer than the SDK waiter runs people hit limits with. */
  maxWaitSeconds: 2_700,
  /** A Standard execution may run a year; a day is plenty for one deployment. */
  maxMaxWaitSeconds: 86_400,
  /**
   * A Standard execution's history holds 25 000 events and each poll writes about 9 (task
   * scheduled/started/succeeded, choice, wait): 2 000 polls leave room for the rest and retries.
   */
  maxPolls: 2_000,
} as const;

const STAGE = /^[A-Za-z0-9_-]{0,64}$/;

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidSpec(
      field,
      `must be a whole number of seconds (got ${JSON.stringify(value)})`,
    );
  }
  if (value < min || value > max) {
    throw new InvalidSpec(field, `must be between ${min} and ${max} seconds (got ${value})`);
  }
  return value;
}

/** The wait loop's interval and bound: `maxPolls = ceil(maxWaitSeconds / pollSeconds)`, ≥ 1. */
export function waitOptions(options: ValidateInput['options'] = {}): {
  pollSeconds: number;
  maxPolls: number;
} {
  const pollSeconds = wholeNumber(
    'options.pollSeconds',
    options.pollSeconds ?? WAIT_DEFAULTS.pollSeconds,
    WAIT_DEFAULTS.minPollSeconds,
    WAIT_DEFAULTS.maxPollSeconds,
  );
  const maxWaitSeconds = wholeNumber(
    'options.maxWaitSeconds',
    options.maxWaitSeconds ?? WAIT_DEFAULTS.maxWaitSeconds,
    1,
    WAIT_DEFAULTS.maxMaxWaitSeconds,
  );
  const maxPolls = Math.max(1, Math.ceil(maxWaitSeconds / pollSeconds));
  if (maxPolls > WAIT_DEFAULTS.maxPolls) {
    const least = Math.ceil(maxWaitSeconds / WAIT_DEFAULTS.maxPolls);
    throw new InvalidSpec(
      'options.pollSeconds',
      `must be at least ${least} seconds when waiting up to ${maxWaitSeconds} seconds ` +
        `(at most ${WAIT_DEFAULTS.maxPolls} polls fit in a Step Functions execution history)`,
    );
  }
  return { pollSeconds, maxPolls };
}

/** Parses the spec; every rejection is an `InvalidSpec` whose message starts with the field. */
export function parseSpec(spec: unknown): DistributionSpec {
  try {
    return parseDistributionSpec(spec);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new InvalidSpec(
        error.field === 'spec' ? 'spec' : `spec.${error.field}`,
        error.message.slice(error.field.length + 2),
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * Where the bucket is, or `BucketNotFound`. A 301 means it exists in another region than the
 * client's; its region comes back in the `x-amz-bucket-region` header either way.
 */
export async function bucketRegion(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return out.BucketRegion;
  } catch (error) {
    if (isTransient(error)) throw error;
    const e = error as {
      $metadata?: { httpStatusCode?: number };
      $response?: { headers?: Record<string, string> };
    };
    const status = e.$metadata?.httpStatusCode;
    const name = awsErrorName(error);
    if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') {
      throw new BucketNotFound(bucket, undefined, { cause: error });
    }
    if (status === 301 || name === 'PermanentRedirect') {
      return e.$response?.headers?.['x-amz-bucket-region'];
    }
    if (status === 403 || name === 'Forbidden') {
      const denied = new Error(
        `bucket "${bucket}" exists but this role may not read it (HeadBucket: 403): it may belong to another account, or the role lacks s3:ListBucket on it`,
        { cause: error },
      );
      denied.name = 'AccessDenied';
      throw denied;
    }
    throw error;
  }
}

function hasOwnRegion(spec: unknown): boolean {
  return typeof spec === 'object' && spec !== null && 'bucketRegion' in spec;
}

export async function validate(
  deps: { s3: S3Client; cloudfront?: CloudFrontClient },
  input: ValidateInput,
): Promise<Validated> {
  const stage = input.stage ?? '';
  if (typeof stage !== 'string' || !STAGE.test(stage)) {
    throw new InvalidSpec('stage', 'must be up to 64 letters, digits, "-" or "_"');
  }
  const wait = waitOptions(input.options);
  let spec = parseSpec(input.spec);
  const region = await bucketRegion(deps.s3, spec.bucket);
  if (region && region !== spec.bucketRegion) {
    if (hasOwnRegion(input.spec)) {
      throw new InvalidSpec(
        'spec.bucketRegion',
        `is ${spec.bucketRegion} but bucket "${spec.bucket}" is in ${region}; the origin domain must name the bucket's region`,
      );
    }
    // Not given: use the bucket's own region rather than the default.
    spec = parseSpec({ ...(input.spec as object), bucketRegion: region });
  }
  // A bucket readable by everyone is refused before anything is created (unless allowed).
  const publicAccess = await checkPublicAccess(
    deps.s3,
    spec.bucket,
    input.options?.allowPublic === true,
  );
  const adopting = Boolean(input.adopt?.distributionId);
  if (adopting && !deps.cloudfront) {
    throw new Error('validate: adopting a distribution needs the CloudFront client');
  }
  const adoption = adopting
    ? await prepareAdoption({ cloudfront: deps.cloudfront! }, spec, input.adopt)
    : {};
  return {
    spec,
    callerReference: specCallerReference(spec),
    pollSeconds: wait.pollSeconds,
    maxPolls: wait.maxPolls,
    stage,
    adoption,
    ...(publicAccess.length ? { publicAccessWarnings: publicAccess } : {}),
  };
}
