/**
 * LOCAL ONLY. `npm start -- --bucket NAME`: the pipeline on a bucket that already exists on the
 * emulator, wired the way the deployed stack wires a `contentBuckets` bucket. The bucket is the
 * team's: its versioning, encryption, ownership, public access block and lifecycle are left as
 * they are, and its notification configuration is merged, never replaced: S3's EventBridge
 * delivery is switched on beside whatever queues, topics and functions it already notifies, and a
 * rule of the stage (`cdn-pipeline-<stage>-object-created`, Object Created for this bucket only)
 * sends the events to the object-events queue. Ingest reads that shape as well as S3's own.
 *
 * moto 5.2.1 routes S3's EventBridge events to the default bus's rules and their SQS targets (so
 * this is the deployed path, not a stand-in), but its GetBucketNotificationConfiguration leaves
 * `EventBridgeConfiguration` out of the answer: here every start then writes the merged
 * configuration again, which sends one `s3:TestEvent` to each of the team's queues and topics,
 * as S3 does whenever a configuration is written. On AWS the answer carries it and nothing is
 * written twice.
 */
import {
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClientConfig,
} from '@aws-sdk/client-eventbridge';
import {
  GetBucketNotificationConfigurationCommand,
  HeadBucketCommand,
  PutBucketNotificationConfigurationCommand,
  type NotificationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { bucketNameProblem } from '../shared/distributionSpec/values.js';
import type { QueueRef } from './queues.js';
import { SERVICE, type LocalResourceNames } from './resources.js';

/** The bucket `--bucket` names is not one the pipeline can use; the message says what to do. */
export class ExistingBucketError extends Error {
  override readonly name = 'ExistingBucketError';
}

/** What `--bucket` found and changed, for the start's notes. */
export interface ExistingBucketWiring {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** The bucket's own notification targets, kept (`queue team-q`, `topic team-topic`, …). */
  readonly kept: readonly string[];
  /** Whether the configuration was written (EventBridge delivery was not on, as far as S3 said). */
  readonly wroteNotification: boolean;
}

/** The stage's rule: one per stack, as serverless.yml's (a rule per stack on a shared bus). */
export function objectEventsRuleName(names: Pick<LocalResourceNames, 'stage'>): string {
  return `${SERVICE}-${names.stage}-object-created`;
}

/** The rule's pattern: S3's Object Created, for these buckets only. */
export function objectCreatedPattern(buckets: readonly string[]): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: [...buckets] } },
  };
}

/** An EventBridge client on the emulator (the stack's own clients have no EventBridge). */
export function localEventsClient(config: {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): EventBridgeClient {
  const settings: EventBridgeClientConfig = { ...config };
  return new EventBridgeClient(settings);
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}

/** `--bucket`'s value as S3 names buckets (dots included); the message names the flag. */
export function checkBucketName(bucket: string): void {
  const why = bucketNameProblem(bucket);
  if (why)
    throw new ExistingBucketError(`--bucket: "${bucket}" is not a valid S3 bucket name: it ${why}`);
}

/** The bucket exists and this account may use it, or an error saying what to do. */
export async function checkBucketExists(
  s3: S3Client,
  bucket: string,
  where: string,
): Promise<void> {
  checkBucketName(bucket);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = errorName(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'NotFound' || name === 'NoSuchBucket' || status === 404) {
      throw new ExistingBucketError(
        `--bucket: bucket "${bucket}" does not exist on ${where}. --bucket uses a bucket that ` +
          `already exists (create it first, e.g. aws s3 mb s3://${bucket}); leave --bucket out ` +
          `for the stage's own bucket`,
        { cause: error },
      );
    }
    if (name === 'Forbidden' || name === 'AccessDenied' || status === 403) {
      throw new ExistingBucketError(
        `--bucket: bucket "${bucket}" is not this account's (S3 answered ${name || status}): ` +
          `the pipeline can only serve a bucket it may tag and whose policy it may write`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** What a notification configuration sends where, in a few words each. */
function targetsOf(config: NotificationConfiguration): string[] {
  const last = (arn: string | undefined) => arn?.split(':').at(-1) ?? '?';
  return [
    ...(config.QueueConfigurations ?? []).map((q) => `queue ${last(q.QueueArn)}`),
    ...(config.TopicConfigurations ?? []).map((t) => `topic ${last(t.TopicArn)}`),
    ...(config.LambdaFunctionConfigurations ?? []).map(
      (l) => `function ${last(l.LambdaFunctionArn)}`,
    ),
  ];
}

/**
 * Switches S3's EventBridge delivery on, keeping every other part of the configuration as it
 * was (the whole configuration is written back: S3 has no call that adds one part).
 */
export async function mergeEventBridgeDelivery(
  s3: S3Client,
  bucket: string,
): Promise<{ kept: string[]; wrote: boolean }> {
  const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  const config: NotificationConfiguration = {
    ...(current.TopicConfigurations?.length
      ? { TopicConfigurations: current.TopicConfigurations }
      : {}),
    ...(current.QueueConfigurations?.length
      ? { QueueConfigurations: current.QueueConfigurations }
      : {}),
    ...(current.LambdaFunctionConfigurations?.length
      ? { LambdaFunctionConfigurations: current.LambdaFunctionConfigurations }
      : {}),
  };
  const kept = targetsOf(config);
  if (current.EventBridgeConfiguration) return { kept, wrote: false };
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: { ...config, EventBridgeConfiguration: {} },
    }),
  );
  return { kept, wrote: true };
}

/**
 * The stage's rule (Object Created from this bucket → the object-events queue) and the queue
 * policy that lets EventBridge, for this rule only, send to it. Idempotent (PutRule and
 * PutTargets with the same name and target id replace what was there).
 */
export async function ensureObjectEventsRule(
  events: EventBridgeClient,
  sqs: SQSClient,
  options: { ruleName: string; bucket: string; queue: QueueRef },
): Promise<string> {
  const rule = await events.send(
    new PutRuleCommand({
      Name: options.ruleName,
      EventPattern: JSON.stringify(objectCreatedPattern([options.bucket])),
      State: 'ENABLED',
      Description: `S3 Object Created from ${options.bucket} to the cdn-pipeline object-events queue`,
    }),
  );
  const ruleArn = rule.RuleArn;
  if (!ruleArn) throw new Error(`PutRule ${options.ruleName} returned no RuleArn`);
  await events.send(
    new PutTargetsCommand({
      Rule: options.ruleName,
      Targets: [{ Id: 'object-events', Arn: options.queue.arn }],
    }),
  );
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowObjectCreatedRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: options.queue.arn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  };
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: options.queue.url,
      Attributes: { Policy: JSON.stringify(policy) },
    }),
  );
  return ruleArn;
}

/**
 * Everything `--bucket` needs from the bucket (checked first with {@link checkBucketExists}):
 * the rule in place, then the notification configuration merged.
 */
export async function wireExistingBucket(
  clients: { s3: S3Client; sqs: SQSClient; events: EventBridgeClient },
  options: { bucket: string; names: LocalResourceNames; queue: QueueRef },
): Promise<ExistingBucketWiring> {
  const ruleName = objectEventsRuleName(options.names);
  // The rule first: once S3 delivers to EventBridge, every event finds it.
  const ruleArn = await ensureObjectEventsRule(clients.events, clients.sqs, {
    ruleName,
    bucket: options.bucket,
    queue: options.queue,
  });
  const merged = await mergeEventBridgeDelivery(clients.s3, options.bucket);
  return { ruleArn, ruleName, kept: merged.kept, wroteNotification: merged.wrote };
}

/** The start's note on what `--bucket` found and wired. */
export function wiringNote(stack: {
  readonly bucket: string;
  readonly names: Pick<LocalResourceNames, 'objectEventsQueue'>;
  readonly existingBucket?: ExistingBucketWiring;
}): string {
  const wiring = stack.existingBucket;
  if (!wiring) return `bucket ${stack.bucket}: the stage's own`;
  return (
    `bucket ${stack.bucket} already existed: left as it is; S3's EventBridge delivery ` +
    `${wiring.wroteNotification ? 'merged into' : 'already on in'} its notifications ` +
    `(kept: ${wiring.kept.length ? wiring.kept.join(', ') : 'none'}), rule ${wiring.ruleName} → ` +
    `${stack.names.objectEventsQueue}`
  );
}
