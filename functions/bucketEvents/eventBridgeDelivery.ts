/**
 * S3 → EventBridge delivery on a bucket the team already has: the bucket-level
 * `EventBridgeConfiguration` toggle, merged into the bucket's notification configuration. Every
 * other entry (the team's queues, topics, Lambdas, their ids and filters) is put back as it was
 * read; only the toggle is added, and on removal only a toggle this resource added is taken out.
 *
 * What was done is recorded in the custom resource's PhysicalResourceId (`<bucket>|added` or
 * `<bucket>|present`): CloudFormation hands it back on Update and Delete, so the record lives in
 * the stack and nothing is written to the bucket but the toggle itself.
 *
 * Plain core: `(deps, request) => outcome`, the S3 client passed in (handler.ts wires it).
 */
import type {
  GetBucketNotificationConfigurationCommandOutput,
  NotificationConfiguration,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetBucketNotificationConfigurationCommand,
  GetBucketTaggingCommand,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import { CdnPipelineError, InvalidInputError } from '../../shared/errors.js';

/** What a resource of this stack did to its bucket (the suffix of its PhysicalResourceId). */
export const DELIVERY_RECORD = {
  /** This resource turned EventBridge delivery on: it turns it off when deleted. */
  added: 'added',
  /** Delivery was already on: deleting the resource leaves it on. */
  present: 'present',
  /** Nothing was done (a Create that failed): nothing to undo. */
  none: 'none',
} as const;
export type DeliveryRecord = (typeof DELIVERY_RECORD)[keyof typeof DELIVERY_RECORD];

/** The CloudFormation tag that names the stack a resource belongs to. */
export const STACK_ID_TAG = 'aws:cloudformation:stack-id';

/** The bucket belongs to another stack, whose template owns its notification configuration. */
export class NotificationOwnedByAnotherStackError extends CdnPipelineError {}
/** The bucket cannot be read or written (missing, another account, no permission). */
export class BucketUnreachableError extends CdnPipelineError {
  /** The S3 error's name (`NoSuchBucket`, `AccessDenied`, …). */
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface DeliveryDeps {
  readonly s3: Pick<S3Client, 'send'>;
}

export interface DeliveryRequest {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly bucket: string;
  /** This stack's id (the event's StackId): a bucket of this stack is not "another stack's". */
  readonly stackId: string;
  /** The id CloudFormation gave back (Update, Delete). */
  readonly physicalResourceId?: string;
}

export interface DeliveryOutcome {
  readonly physicalResourceId: string;
  readonly bucket: string;
  readonly record: DeliveryRecord;
  /** What this request changed on the bucket. */
  readonly change: 'enabled' | 'disabled' | 'none';
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function physicalResourceId(bucket: string, record: DeliveryRecord): string {
  return `${bucket}|${record}`;
}

/** `<bucket>|<record>` → its parts; anything else (a failed Create's id) → undefined. */
export function parsePhysicalResourceId(
  id: string | undefined,
): { bucket: string; record: DeliveryRecord } | undefined {
  const match = /^([a-z0-9.-]+)\|(added|present|none)$/.exec(id ?? '');
  return match ? { bucket: match[1]!, record: match[2] as DeliveryRecord } : undefined;
}

/** Create, Update or Delete one bucket's delivery toggle. */
export async function applyDelivery(
  deps: DeliveryDeps,
  request: DeliveryRequest,
): Promise<DeliveryOutcome> {
  if (request.requestType === 'Delete') return removeDelivery(deps, request);
  if (!BUCKET_NAME.test(request.bucket))
    throw new InvalidInputError(
      'ResourceProperties.Bucket',
      `"${request.bucket}" is not a bucket name`,
    );
  const previous = parsePhysicalResourceId(request.physicalResourceId);
  const current = await readConfiguration(deps, request.bucket);
  if (current.EventBridgeConfiguration) {
    // Already on. An Update of the same bucket keeps its record (an `added` stays ours to remove).
    const record =
      request.requestType === 'Update' && previous?.bucket === request.bucket
        ? previous.record === DELIVERY_RECORD.none
          ? DELIVERY_RECORD.present
          : previous.record
        : DELIVERY_RECORD.present;
    return outcome(request.bucket, record, 'none');
  }
  await refuseForeignStack(deps, request);
  await writeConfiguration(deps, request.bucket, {
    ...keep(current),
    EventBridgeConfiguration: {},
  });
  return outcome(request.bucket, DELIVERY_RECORD.added, 'enabled');
}

async function removeDelivery(
  deps: DeliveryDeps,
  request: DeliveryRequest,
): Promise<DeliveryOutcome> {
  const previous = parsePhysicalResourceId(request.physicalResourceId);
  const id = request.physicalResourceId ?? physicalResourceId(request.bucket, DELIVERY_RECORD.none);
  const bucket = previous?.bucket ?? request.bucket;
  const record = previous?.record ?? DELIVERY_RECORD.none;
  const unchanged: DeliveryOutcome = { physicalResourceId: id, bucket, record, change: 'none' };
  // Only a toggle this resource added is taken out.
  if (record !== DELIVERY_RECORD.added) return unchanged;
  let current: NotificationConfiguration;
  try {
    current = await readConfiguration(deps, bucket);
  } catch (error) {
    // A bucket deleted since: nothing left to undo.
    if (error instanceof BucketUnreachableError && error.code === 'NoSuchBucket') return unchanged;
    throw error;
  }
  if (!current.EventBridgeConfiguration) return unchanged;
  await writeConfiguration(deps, bucket, keep(current));
  return { ...unchanged, change: 'disabled' };
}

function outcome(
  bucket: string,
  record: DeliveryRecord,
  change: DeliveryOutcome['change'],
): DeliveryOutcome {
  return { physicalResourceId: physicalResourceId(bucket, record), bucket, record, change };
}

/** The team's entries exactly as read, without the toggle (and without the SDK's metadata). */
function keep(config: NotificationConfiguration): NotificationConfiguration {
  const kept: NotificationConfiguration = {};
  if (config.TopicConfigurations?.length) kept.TopicConfigurations = config.TopicConfigurations;
  if (config.QueueConfigurations?.length) kept.QueueConfigurations = config.QueueConfigurations;
  if (config.LambdaFunctionConfigurations?.length)
    kept.LambdaFunctionConfigurations = config.LambdaFunctionConfigurations;
  return kept;
}

async function readConfiguration(
  deps: DeliveryDeps,
  bucket: string,
): Promise<NotificationConfiguration> {
  let output: GetBucketNotificationConfigurationCommandOutput;
  try {
    output = await deps.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  } catch (error) {
    throw unreachable(bucket, 'read the notification configuration of', error);
  }
  const { $metadata: _metadata, ...config } = output;
  return config;
}

async function writeConfiguration(
  deps: DeliveryDeps,
  bucket: string,
  config: NotificationConfiguration,
): Promise<void> {
  try {
    await deps.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: config,
        // The team's destinations are put back unchanged: S3 would otherwise re-validate each
        // of them, and one stale destination of theirs would fail our deploy.
        SkipDestinationValidation: true,
      }),
    );
  } catch (error) {
    throw unreachable(bucket, 'write the notification configuration of', error);
  }
}

/**
 * A bucket created by another CloudFormation stack carries that stack's id as a tag; that stack's
 * template (an AWS::S3::Bucket NotificationConfiguration, or a CDK notifications custom resource
 * in managed mode) writes the whole configuration on its next update and would drop the toggle.
 * Refused, with the fix: turn EventBridge delivery on in that stack.
 */
async function refuseForeignStack(deps: DeliveryDeps, request: DeliveryRequest): Promise<void> {
  const owner = await owningStack(deps, request.bucket);
  if (owner === undefined || owner === request.stackId) return;
  throw new NotificationOwnedByAnotherStackError(
    `bucket ${request.bucket} belongs to stack ${owner} (tag ${STACK_ID_TAG}): its notification ` +
      "configuration is that stack's, which would drop EventBridge delivery at its next update. " +
      'Turn EventBridge delivery on in that stack (CloudFormation: NotificationConfiguration.' +
      'EventBridgeConfiguration.EventBridgeEnabled: true; CDK: eventBridgeEnabled: true), then ' +
      'deploy this stack again: a bucket that already delivers to EventBridge is left as it is.',
  );
}

async function owningStack(deps: DeliveryDeps, bucket: string): Promise<string | undefined> {
  try {
    const { TagSet } = await deps.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return TagSet?.find((tag) => tag.Key === STACK_ID_TAG)?.Value;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchTagSet') return undefined;
    throw unreachable(bucket, 'read the tags of', error);
  }
}

function unreachable(bucket: string, what: string, error: unknown): BucketUnreachableError {
  const name = (error as { name?: string }).name ?? 'Error';
  const hint =
    name === 'NoSuchBucket'
      ? 'it does not exist (check contentBuckets)'
      : name === 'AccessDenied' || name === 'AccessDeniedException'
        ? 'access denied: a bucket of another account, or a bucket policy that denies this role'
        : (error as Error).message;
  return new BucketUnreachableError(`cannot ${what} bucket ${bucket}: ${name}: ${hint}`, name, {
    cause: error,
  });
}
