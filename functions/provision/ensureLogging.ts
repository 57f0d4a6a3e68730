/**
 * Ensure CloudFront standard logging (v2) of the distribution into the stack's log bucket, when
 * the spec asks (`standardLogging: true`): the CloudWatch Logs delivery API, three parts —
 * a delivery source (the distribution, log type ACCESS_LOGS), a delivery destination (the log
 * bucket, W3C output: the `#Version`/`#Fields` headers the logs function reads) and the delivery
 * between them with the fields the per-class counts need (fewer fields, fewer bytes billed),
 * tab-separated, under `<DistributionId>/YYYY/MM/DD/HH/` in the bucket.
 *
 * Idempotent: each part is read first and written only when missing or different, so a re-run
 * changes nothing (and says so). When the spec does not ask, nothing is called: an existing
 * delivery is left as it is (turning logs off is the owner's decision, as for the additional
 * metrics), and a run without standard logging needs no CloudWatch Logs client at all.
 */
import { createHash } from 'node:crypto';
import {
  CreateDeliveryCommand,
  GetDeliveryDestinationCommand,
  GetDeliverySourceCommand,
  PutDeliveryDestinationCommand,
  PutDeliverySourceCommand,
  paginateDescribeDeliveries,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { InvalidSpec } from './errors.js';
import { awsErrorName } from './errors.js';

/** The fields a delivery writes: what the logs function counts, and what explains a count. */
export const LOG_RECORD_FIELDS = [
  'date',
  'time',
  'DistributionId',
  'x-edge-location',
  'cs-method',
  'cs-uri-stem',
  'sc-status',
  'sc-bytes',
  'time-taken',
  'x-edge-result-type',
  'x-edge-response-result-type',
  'x-edge-detailed-result-type',
  'sc-content-type',
] as const;

/** `<DistributionId>/YYYY/MM/DD/HH/` inside the bucket (CloudWatch Logs' S3 suffix variables). */
export const LOG_SUFFIX_PATH = '{DistributionId}/{yyyy}/{MM}/{dd}/{HH}';

export interface LoggingInput {
  readonly distributionId: string;
  /** As CloudFront returned it (never assembled). */
  readonly distributionArn: string;
  readonly enabled: boolean;
}

/** `$.logging` */
export interface LoggingResult {
  /** This run ensured the delivery (false: not asked; an existing one is not looked at). */
  readonly enabled: boolean;
  readonly changed: boolean;
  readonly deliverySource?: string;
  /** `s3://bucket/` when enabled. */
  readonly destination?: string;
}

/** Delivery source names: 1-60 of `[\w-]`; one per distribution. */
export const deliverySourceName = (distributionId: string) => `cdn-pipeline-${distributionId}`;
/** One destination per log bucket (a bucket name may be longer than a delivery name allows). */
export const deliveryDestinationName = (bucket: string) =>
  `cdn-pipeline-s3-${createHash('sha256').update(bucket).digest('hex').slice(0, 16)}`;

async function read<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export async function ensureLogging(
  deps: { logs: CloudWatchLogsClient; logBucket: string | undefined },
  input: LoggingInput,
): Promise<LoggingResult> {
  if (!input.enabled) return { enabled: false, changed: false };
  const { logs } = deps;
  const sourceName = deliverySourceName(input.distributionId);
  if (!deps.logBucket)
    throw new InvalidSpec(
      'standardLogging',
      'is true, but this stack has no log bucket (STANDARD_LOG_BUCKET is not set on the ensureLogging task)',
    );

  const source = await read(() => logs.send(new GetDeliverySourceCommand({ name: sourceName })));
  let changed = false;
  if (!source?.deliverySource?.resourceArns?.includes(input.distributionArn)) {
    await logs.send(
      new PutDeliverySourceCommand({
        name: sourceName,
        resourceArn: input.distributionArn,
        logType: 'ACCESS_LOGS',
      }),
    );
    changed = true;
  }

  const partition = input.distributionArn.split(':')[1] || 'aws';
  const bucketArn = `arn:${partition}:s3:::${deps.logBucket}`;
  const destinationName = deliveryDestinationName(deps.logBucket);
  let destination = (
    await read(() => logs.send(new GetDeliveryDestinationCommand({ name: destinationName })))
  )?.deliveryDestination;
  if (destination?.deliveryDestinationConfiguration?.destinationResourceArn !== bucketArn) {
    destination = (
      await logs.send(
        new PutDeliveryDestinationCommand({
          name: destinationName,
          outputFormat: 'w3c',
          deliveryDestinationConfiguration: { destinationResourceArn: bucketArn },
        }),
      )
    ).deliveryDestination;
    changed = true;
  }
  const destinationArn = destination?.arn;
  if (!destinationArn) throw new Error('PutDeliveryDestination returned no ARN');

  let exists = false;
  for await (const page of paginateDescribeDeliveries({ client: logs }, {})) {
    exists ||= (page.deliveries ?? []).some(
      (d) => d.deliverySourceName === sourceName && d.deliveryDestinationArn === destinationArn,
    );
    if (exists) break;
  }
  if (!exists) {
    await logs.send(
      new CreateDeliveryCommand({
        deliverySourceName: sourceName,
        deliveryDestinationArn: destinationArn,
        recordFields: [...LOG_RECORD_FIELDS],
        fieldDelimiter: '\t',
        s3DeliveryConfiguration: { suffixPath: LOG_SUFFIX_PATH, enableHiveCompatiblePath: false },
      }),
    );
    changed = true;
  }
  return {
    enabled: true,
    changed,
    deliverySource: sourceName,
    destination: `s3://${deps.logBucket}/`,
  };
}
