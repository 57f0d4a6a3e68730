/**
 * Health of the content bucket itself: it exists, Block Public Access is on, versioning (or the
 * key ledger that stands in for it) and default encryption, and the s3:ObjectCreated
 * notification that feeds the pipeline's queue. Ownership, ACL and SSE-KMS: `bucketFacts.ts`.
 */
import {
  GetBucketNotificationConfigurationCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LedgerCoverage } from '../../shared/keyLedgerRows.js';
import type { BucketEncryption } from './bucketFacts.js';
import { errorName, fail, pass, statusCode, warn, type HealthCheck } from './check.js';
import { checkEventBridgeRoute, type DeliveryFlag } from './eventBridgeRoute.js';

export async function checkBucketExists(s3: S3Client, bucket: string): Promise<HealthCheck> {
  const name = 'bucket exists';
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return pass(name, `s3://${bucket}`);
  } catch (error) {
    if (statusCode(error) === 404 || errorName(error) === 'NotFound') {
      return fail(
        name,
        `s3://${bucket} does not exist`,
        'check the name, or deploy the stack: npx sls deploy',
      );
    }
    if (statusCode(error) === 403) {
      return fail(
        name,
        `s3://${bucket}: access denied (it may belong to another account)`,
        'use credentials of the account that owns the bucket',
      );
    }
    throw error;
  }
}

const BPA_FLAGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

export async function checkPublicAccessBlock(s3: S3Client, bucket: string): Promise<HealthCheck> {
  const name = 'block public access';
  const fix = `aws s3api put-public-access-block --bucket ${bucket} --public-access-block-configuration ${BPA_FLAGS.map((f) => `${f}=true`).join(',')}`;
  let config: Partial<Record<(typeof BPA_FLAGS)[number], boolean>> = {};
  try {
    const out = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    config = out.PublicAccessBlockConfiguration ?? {};
  } catch (error) {
    if (errorName(error) !== 'NoSuchPublicAccessBlockConfiguration') throw error;
  }
  const off = BPA_FLAGS.filter((f) => config[f] !== true);
  const facts = Object.fromEntries(BPA_FLAGS.map((f) => [f, config[f] === true]));
  return off.length
    ? { ...fail(name, `off: ${off.join(', ')}`, fix), facts }
    : { ...pass(name, 'all four settings on'), facts };
}

/** What the health check knows of the key ledger: its table, and its coverage of the bucket. */
export interface KeyLedgerState {
  readonly table: string;
  /** Undefined: the table exists but the bucket was never seeded. */
  readonly coverage?: LedgerCoverage;
}

/**
 * Versioning, read every run (it can change at any time): `Enabled` tells overwrites from new
 * keys by version history. Otherwise the key ledger does, once seeded for the bucket (a warning:
 * an overwrite or delete still cannot be undone); without it, every upload is invalidated. The
 * check cannot see ingest's KEY_LEDGER_TABLE: a seeded ledger is taken as the one in use.
 */
export async function checkVersioning(
  s3: S3Client,
  bucket: string,
  ledger?: KeyLedgerState,
): Promise<HealthCheck> {
  const name = 'versioning';
  const out = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  const status = out.Status ?? 'never enabled';
  const facts = {
    status: out.Status ?? 'Off',
    ...(ledger
      ? { keyLedger: ledger.table, ledgerCoveredSince: ledger.coverage?.since ?? null }
      : {}),
  };
  const enable = `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled`;
  if (out.Status === 'Enabled')
    return {
      ...pass(name, 'enabled: overwrites are told from new keys by version history'),
      facts,
    };
  if (ledger?.coverage) {
    return {
      ...warn(
        name,
        `${status}: overwrites are told from new keys by the key ledger ${ledger.table} (covers the bucket since ${ledger.coverage.since}); an overwrite or delete cannot be undone`,
        enable,
      ),
      facts,
    };
  }
  // A ledger table that covers nothing yet is not in use: the same answer as no ledger.
  return {
    ...fail(
      name,
      `${status}: an overwrite or delete cannot be undone, and every upload is invalidated`,
      `${enable} (or set KEY_LEDGER_TABLE on ingest for exact overwrites without versions, and seed it: npx cdn-pipeline health --bucket ${bucket} --seed-key-ledger)`,
    ),
    facts,
  };
}

export function checkEncryption(bucket: string, encryption: BucketEncryption): HealthCheck {
  const name = 'default encryption';
  const facts = {
    algorithm: encryption.algorithm ?? null,
    ...(encryption.kmsKeyId ? { kmsKeyId: encryption.kmsKeyId } : {}),
    ...(encryption.bucketKeyEnabled !== undefined
      ? { bucketKeyEnabled: encryption.bucketKeyEnabled }
      : {}),
  };
  if (encryption.algorithm) {
    const key = encryption.algorithm.startsWith('aws:kms')
      ? ` (${encryption.kmsKeyId ?? 'AWS managed key aws/s3'}${encryption.bucketKeyEnabled ? ', bucket key' : ''})`
      : '';
    return { ...pass(name, `${encryption.algorithm}${key}`), facts };
  }
  return {
    ...fail(
      name,
      'no default encryption rule',
      `aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}'`,
    ),
    facts,
  };
}

const OBJECT_CREATED = ['s3:ObjectCreated:*'];
const OBJECT_CREATED_PARTS = [
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
];

/** Where to look when the bucket does not notify a queue itself (existing buckets). */
export interface EventBridgeRouteLookup {
  readonly events: EventBridgeClient;
  /** The object-events queue's ARN; undefined when there is no such queue. */
  readonly queueArn: () => Promise<string | undefined>;
  /** Set when the account never reports `EventBridgeConfiguration` (the emulator): why. */
  readonly deliveryUnreported?: string;
}

/**
 * The ObjectCreated notification, and the queue it targets: either the bucket notifies the queue
 * itself, or (`route`) S3's EventBridge delivery and a rule feed it (`eventBridgeRoute.ts`).
 */
export async function checkNotification(
  s3: S3Client,
  bucket: string,
  route?: EventBridgeRouteLookup,
): Promise<{ check: HealthCheck; queueArn?: string }> {
  const name = 'object-created notification';
  const fix = 'deploy the stack again (it owns the notification): npx sls deploy --stage <stage>';
  const out = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  const queues = out.QueueConfigurations ?? [];
  const covers = (events: readonly string[]) =>
    OBJECT_CREATED.every((e) => events.includes(e)) ||
    OBJECT_CREATED_PARTS.every((e) => events.includes(e));
  const full = queues.find((q) => q.QueueArn && covers(q.Events ?? []) && !q.Filter);
  if (full)
    return { check: pass(name, `s3:ObjectCreated:* → ${full.QueueArn}`), queueArn: full.QueueArn! };
  if (route) {
    const queueArn = await route.queueArn();
    const delivery: DeliveryFlag = out.EventBridgeConfiguration
      ? { kind: 'on' }
      : route.deliveryUnreported
        ? { kind: 'unreported', detail: route.deliveryUnreported }
        : { kind: 'off' };
    const check = queueArn
      ? await checkEventBridgeRoute(route.events, { bucket, queueArn, delivery })
      : undefined;
    if (check) return { check, queueArn: queueArn! };
  }
  const partial = queues.find(
    (q) => q.QueueArn && (q.Events ?? []).some((e) => e.startsWith('s3:ObjectCreated:')),
  );
  if (partial) {
    return {
      check: warn(
        name,
        `${(partial.Events ?? []).join(', ')}${partial.Filter ? ' (filtered)' : ''} → ${partial.QueueArn}: some uploads are not seen`,
        fix,
      ),
      queueArn: partial.QueueArn!,
    };
  }
  return {
    check: fail(name, 'no s3:ObjectCreated notification to a queue: uploads go unseen', fix),
  };
}
