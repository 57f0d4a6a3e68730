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
import { policyStatements } from '../../shared/bucketPolicy.js';
import { findTopicArn, checkAlertsTopic } from './alerts.js';
import {
  checkBucketExists,
  checkEncryption,
  checkNotification,
  checkPublicAccessBlock,
  checkVersioning,
} from './bucket.js';
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
}

/** Every check, in the order data flows. Stops after the first when the bucket is missing. */
export async function checkHealth(
  clients: HealthClients,
  options: HealthOptions,
): Promise<HealthCheck[]> {
  const { bucket } = options;
  const knownGaps = options.knownGaps ?? {};
  const exists = await guarded('bucket exists', async () => [
    await checkBucketExists(clients.s3, bucket),
  ]);
  if (exists[0]!.ok !== true) return exists;

  const settings = await Promise.all([
    guarded('block public access', async () => [await checkPublicAccessBlock(clients.s3, bucket)]),
    guarded('versioning', async () => [await checkVersioning(clients.s3, bucket)]),
    guarded('default encryption', async () => [await checkEncryption(clients.s3, bucket)]),
  ]);

  let queueArn: string | undefined;
  const notification = await guarded('object-created notification', async () => {
    const result = await checkNotification(clients.s3, bucket);
    queueArn = result.queueArn;
    return [result.check];
  });
  const prefix = queueArn ? stackPrefix(parseQueueArn(queueArn)?.name ?? '') : undefined;
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
