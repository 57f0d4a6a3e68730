/**
 * The named errors of the provisioning tasks. Step Functions Retry/Catch match `error.name`
 * (the Lambda runtime reports it as `errorType`), so every failure a task raises on purpose is
 * one of these, and {@link toTaskError} gives every AWS error a name the state machine can act on:
 * `TransientError` for what is worth retrying with backoff, the service's own name otherwise.
 */
import { CdnPipelineError } from '../../shared/errors.js';

/** The spec (or a task option) cannot be provisioned as written; `field` names the culprit. */
export class InvalidSpec extends CdnPipelineError {
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** The content bucket does not exist (or not where the spec says). */
export class BucketNotFound extends CdnPipelineError {
  readonly bucket: string;
  constructor(bucket: string, message?: string, options?: { cause?: unknown }) {
    super(
      message ??
        `bucket "${bucket}" does not exist (HeadBucket: 404); create it first or fix spec.bucket`,
      options,
    );
    this.bucket = bucket;
  }
}

/** A task was called with input the state machine should never pass (a wiring bug). */
export class InvalidTaskInput extends CdnPipelineError {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** Throttling, a 5xx, a timeout: safe to retry later, with backoff and jitter. */
export class TransientError extends CdnPipelineError {}

/**
 * The distribution cannot be created or updated as specified because of something else in the
 * account: an alias used by another distribution, a CallerReference owned by a distribution we
 * cannot find, a concurrent update that kept winning.
 */
export class DistributionConflict extends CdnPipelineError {}

/**
 * `provision --distribution ID` cannot adopt that distribution as asked (it does not exist, does
 * not read the bucket, or another distribution already is the spec's): checked before anything
 * is created.
 */
export class AdoptionRefused extends CdnPipelineError {}

/**
 * The distribution's ETag is no longer the one the preview (`--dry-run`) showed: someone changed
 * it since. Nothing was changed; preview again and pass the new `--if-match`.
 */
export class DistributionChanged extends CdnPipelineError {}

/** Throws {@link DistributionChanged} for `distributionId`, previewed at ETag `was`. */
export function changedSincePreview(distributionId: string, was: string, now: string): never {
  throw new DistributionChanged(
    `distribution ${distributionId} changed since the preview (ETag ${was} then, ${now} now): nothing was changed. Run the dry run again, check what it shows, and pass its --if-match`,
  );
}

/** Names AWS uses for throttling. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
]);

/** Names of service-side and network failures that a later attempt may not meet. */
const TRANSIENT = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

interface AwsErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/** The error's name as AWS (or Node) gives it. */
export function awsErrorName(error: unknown): string {
  const e = (error ?? {}) as AwsErrorShape;
  return e.name && e.name !== 'Error' ? e.name : (e.code ?? e.name ?? 'Error');
}

/** True for throttling, 5xx and timeouts: the failures a Retry with backoff is for. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if (error instanceof CdnPipelineError) return false;
  const e = (error ?? {}) as AwsErrorShape;
  const name = awsErrorName(error);
  if (THROTTLING.has(name) || TRANSIENT.has(name)) return true;
  if (e.$retryable?.throttling) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  return e.$fault === 'server' && status === undefined;
}

/** AWS errors that mean "someone else holds what the spec asks for". */
const CONFLICTS: Readonly<Record<string, string>> = {
  CNAMEAlreadyExists:
    'an alias in the spec is already used by another CloudFront distribution; remove it there (or from spec.aliases) and run provision again',
  IllegalUpdate: 'CloudFront refused the update',
};

/**
 * Maps any error a task core throws to the error the state machine sees: our named errors pass
 * through; transient AWS failures become `TransientError`; conflicts become
 * `DistributionConflict`; every other AWS error keeps its own name (`AccessDenied`,
 * `InvalidViewerCertificate` …) with the service's message.
 */
export function toTaskError(error: unknown): Error {
  if (error instanceof CdnPipelineError) return error;
  const name = awsErrorName(error);
  const message = (error as AwsErrorShape | undefined)?.message ?? String(error);
  if (isTransient(error)) {
    return new TransientError(`${name}: ${message}`, { cause: error });
  }
  const conflict = CONFLICTS[name];
  if (conflict) {
    return new DistributionConflict(`${name}: ${message} (${conflict})`, { cause: error });
  }
  if (error instanceof Error) return error;
  const wrapped = new Error(message, { cause: error });
  wrapped.name = name;
  return wrapped;
}
