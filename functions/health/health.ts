/**
 * Health checks for the whole chain behind a content bucket, in the order data flows: the
 * bucket's settings and notification (`bucket.ts`), the queues and DLQs behind it
 * (`queues.ts`), the bucket policy (`policies.ts`), every distribution serving it
 * (`distributions.ts`) and the alerts topic (`alerts.ts`). Each check is a plain function
 * returning a {@link HealthCheck} (`check.ts`).
 *
 * What an account is known not to report (the local emulator drops `OriginAccessControlId`)
 * comes in as {@link KnownGaps}: this library knows no emulator.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { policyStatements } from '../../shared/bucketPolicy.js';
import { ledgerCoverage } from '../../shared/keyLedgerRows.js';
import { findTopicArn, checkAlertsTopic } from './alerts.js';
import {
  checkBucketExists,
  checkEncryption,
  checkNotification,
  checkPublicAccessBlock,
  checkVersioning,
  type KeyLedgerState,
} from './bucket.js';
import {
  bucketEncryption,
  checkBucketAcl,
  checkKmsKeyPolicy,
  checkObjectOwnership,
  type BucketEncryption,
} from './bucketFacts.js';
import { fail, guarded, type HealthCheck, type HealthClients, type KnownGaps } from './check.js';
import { checkDistribution, findServingDistributions } from './distributions.js';
import { bucketPolicy, checkPolicyNotPublic } from './policies.js';
import { checkQueue, parseQueueArn, stackPrefix } from './queues.js';

export interface HealthOptions {
  readonly bucket: string;
  /** Fields the checked account never reports: they become warnings (see {@link KnownGaps}). */
  readonly knownGaps?: KnownGaps;
  /** The alerts topic; by default `<prefix>-alerts`, the prefix taken from the queue name. */
  readonly alertsTopicArn?: string;
  /**
   * The key ledger table (KEY_LEDGER_TABLE); by default `<prefix>-key-ledger` when that table
   * exists. Read only with a DynamoDB client.
   */
  readonly keyLedgerTable?: string;
  /**
   * The object-events queue's name (`<prefix>-object-events`): where a bucket that notifies no
   * queue itself may still send through S3's EventBridge delivery and a rule. Read only with an
   * EventBridge client.
   */
  readonly objectEventsQueue?: string;
}

/** The queue's ARN by its name, or undefined when there is no such queue. */
async function queueArnByName(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return out.Attributes?.QueueArn;
  } catch (error) {
    const n = (error as { name?: string }).name ?? '';
    if (n === 'QueueDoesNotExist' || n === 'AWS.SimpleQueueService.NonExistentQueue')
      return undefined;
    throw error;
  }
}

/** The ledger's state for this bucket, or undefined when there is no ledger (or no access). */
async function keyLedgerState(
  dynamodb: DynamoDBClient | undefined,
  table: string | undefined,
  bucket: string,
): Promise<KeyLedgerState | undefined> {
  if (!dynamodb || !table) return undefined;
  try {
    const coverage = await ledgerCoverage(dynamodb, table, bucket);
    return { table, ...(coverage ? { coverage } : {}) };
  } catch {
    // No such table, or not readable with these credentials: as if there were no ledger.
    return undefined;
  }
}

/** Every check, in the order data flows. Stops after the first when the bucket is missing. */
export async function checkHealth(
  clients: HealthClients & {
    readonly dynamodb?: DynamoDBClient;
    readonly eventbridge?: EventBridgeClient;
  },
  options: HealthOptions,
): Promise<HealthCheck[]> {
  const { bucket } = options;
  const knownGaps = options.knownGaps ?? {};
  const exists = await guarded('bucket exists', async () => [
    await checkBucketExists(clients.s3, bucket),
  ]);
  if (exists[0]!.ok !== true) return exists;

  let encryption: BucketEncryption | undefined;
  let queueArn: string | undefined;
  const [bpa, encryptionCheck, ownership, acl, notification] = await Promise.all([
    guarded('block public access', async () => [await checkPublicAccessBlock(clients.s3, bucket)]),
    guarded('default encryption', async () => {
      encryption = await bucketEncryption(clients.s3, bucket);
      return [checkEncryption(bucket, encryption)];
    }),
    guarded('object ownership', async () => [await checkObjectOwnership(clients.s3, bucket)]),
    guarded('bucket ACL', async () => [await checkBucketAcl(clients.s3, bucket)]),
    guarded('object-created notification', async () => {
      const queueName = options.objectEventsQueue;
      const result = await checkNotification(
        clients.s3,
        bucket,
        clients.eventbridge && queueName
          ? {
              events: clients.eventbridge,
              queueArn: () => queueArnByName(clients.sqs, queueName),
              ...(knownGaps.eventBridgeDelivery
                ? { deliveryUnreported: knownGaps.eventBridgeDelivery.detail }
                : {}),
            }
          : undefined,
      );
      queueArn = result.queueArn;
      return [result.check];
    }),
  ]);
  const prefix = queueArn ? stackPrefix(parseQueueArn(queueArn)?.name ?? '') : undefined;
  // Versioning is read on every run (it may have changed since the last one), with the ledger
  // that stands in for it on an unversioned bucket.
  const versioning = await guarded('versioning', async () => [
    await checkVersioning(
      clients.s3,
      bucket,
      await keyLedgerState(
        clients.dynamodb,
        options.keyLedgerTable ?? (prefix ? `${prefix}-key-ledger` : undefined),
        bucket,
      ),
    ),
  ]);
  const settings = [bpa, versioning, encryptionCheck, ownership, acl];
  const queues: HealthCheck[] = [];
  if (queueArn) {
    queues.push(
      ...(await guarded('object-events queue', () =>
        checkQueue(clients.sqs, queueArn!, 'object-events'),
      )),
    );
    // The invalidation queue is not linked from the bucket: found by the stack's naming.
    const invalidationArn = prefix
      ? queueArn.replace(/-object-events$/, '-invalidation-requests')
      : undefined;
    if (invalidationArn) {
      queues.push(
        ...(await guarded('invalidation-requests queue', () =>
          checkQueue(clients.sqs, invalidationArn, 'invalidation-requests'),
        )),
      );
    }
  }

  const distributions = await guarded('distributions', async () => {
    const statements = policyStatements(await bucketPolicy(clients.s3, bucket));
    const serving = await findServingDistributions(clients.cloudfront, bucket);
    const checks: HealthCheck[] = [checkPolicyNotPublic(bucket, statements)];
    const kms =
      encryption &&
      checkKmsKeyPolicy(
        encryption,
        serving
          .filter((s) => s.distribution.DistributionConfig?.Enabled !== false)
          .flatMap((s) => (s.distribution.ARN ? [s.distribution.ARN] : [])),
      );
    if (kms) checks.push(kms);
    if (!serving.some((s) => s.distribution.DistributionConfig?.Enabled !== false)) {
      checks.push(
        fail(
          'distributions',
          `no enabled distribution serves s3://${bucket}`,
          `npx cdn-pipeline provision --bucket ${bucket}`,
        ),
      );
    }
    for (const s of serving) {
      checks.push(
        ...(await checkDistribution(clients.cloudfront, s, statements, { bucket, knownGaps })),
      );
    }
    return checks;
  });

  const topicName = prefix ? `${prefix}-alerts` : undefined;
  const alerts = await guarded('alerts subscribed', async () => {
    const arn =
      options.alertsTopicArn ??
      (topicName ? await findTopicArn(clients.sns, topicName) : undefined);
    const hint = topicName
      ? `no topic named ${topicName}`
      : 'its name follows the queue, and the queue is unknown';
    return [await checkAlertsTopic(clients.sns, arn, hint)];
  });

  return [...exists, ...settings.flat(), ...notification, ...queues, ...distributions, ...alerts];
}
