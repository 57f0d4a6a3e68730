/**
 * Health checks for the whole chain behind a content bucket: the bucket's settings, its
 * object-created notification and the queues (and dead-letter queues) behind it, every
 * distribution serving it (deployed, OAC, HTTPS only, bucket policy statement), and the alerts
 * topic's subscriptions. Each check is a plain function returning `{ name, ok, detail, fix? }`;
 * `ok` is `'warn'` for what deserves a look but does not break serving.
 *
 * The local emulator (moto) drops `OriginAccessControlId` from distribution configs. With
 * `emulator: true` a missing OAC id is a warning ("not reported by the emulator"), unless the
 * client carries the local shim that restores it (distributions created through that client).
 */
import {
  GetDistributionCommand,
  GetOriginAccessControlCommand,
  paginateListDistributions,
  type CloudFrontClient,
  type Distribution,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  GetBucketEncryptionCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  paginateListSubscriptionsByTopic,
  paginateListTopics,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../shared/clients.js';
import {
  oacStatementFor,
  policyStatements,
  publicAllows,
  type PolicyStatement,
} from '../../shared/bucketPolicy.js';
import { bucketOriginsOf, type BucketOrigin } from '../../shared/distributions.js';

export type CheckStatus = true | false | 'warn';

export interface HealthCheck {
  readonly name: string;
  readonly ok: CheckStatus;
  readonly detail: string;
  /** What to do about it (failed and warning checks). */
  readonly fix?: string;
}

export type HealthClients = Pick<AwsClients, 's3' | 'sqs' | 'sns' | 'cloudfront'>;

export interface HealthOptions {
  readonly bucket: string;
  /** Running against the local emulator: fields it never reports become warnings. */
  readonly emulator?: boolean;
  /** The alerts topic; by default `<prefix>-alerts`, the prefix taken from the queue name. */
  readonly alertsTopicArn?: string;
}

const pass = (name: string, detail: string): HealthCheck => ({ name, ok: true, detail });
const fail = (name: string, detail: string, fix: string): HealthCheck => ({
  name,
  ok: false,
  detail,
  fix,
});
const warn = (name: string, detail: string, fix: string): HealthCheck => ({
  name,
  ok: 'warn',
  detail,
  fix,
});

const errorName = (error: unknown): string => (error as { name?: string } | undefined)?.name ?? '';
const statusCode = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/** A check that threw (access denied, throttled…) fails with the reason instead of aborting. */
async function guarded(name: string, run: () => Promise<HealthCheck[]>): Promise<HealthCheck[]> {
  try {
    return await run();
  } catch (error) {
    return [
      fail(
        name,
        `could not check: ${errorName(error) || 'Error'}: ${(error as Error).message}`,
        'check the credentials and their permissions, then run again',
      ),
    ];
  }
}

/** 0 when every check passed or warned, else 'failed'. */
export function healthOutcome(checks: readonly HealthCheck[]): 'ok' | 'failed' {
  return checks.some((c) => c.ok === false) ? 'failed' : 'ok';
}

/** A loopback endpoint (`http://127.0.0.1:4566`, `http://localhost:5000`): the emulator. */
export function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

// ── Bucket ──────────────────────────────────────────────────────────────────────────────────

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
  return off.length
    ? fail(name, `off: ${off.join(', ')}`, fix)
    : pass(name, 'all four settings on');
}

export async function checkVersioning(s3: S3Client, bucket: string): Promise<HealthCheck> {
  const name = 'versioning';
  const out = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  return out.Status === 'Enabled'
    ? pass(name, 'enabled')
    : fail(
        name,
        `${out.Status ?? 'never enabled'}: an overwrite or delete cannot be undone`,
        `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled`,
      );
}

export async function checkEncryption(s3: S3Client, bucket: string): Promise<HealthCheck> {
  const name = 'default encryption';
  try {
    const out = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const algorithms = (out.ServerSideEncryptionConfiguration?.Rules ?? [])
      .map((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm)
      .filter(Boolean);
    if (algorithms.length) return pass(name, algorithms.join(', '));
  } catch (error) {
    if (errorName(error) !== 'ServerSideEncryptionConfigurationNotFoundError') throw error;
  }
  return fail(
    name,
    'no default encryption rule',
    `aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}'`,
  );
}

const OBJECT_CREATED = ['s3:ObjectCreated:*'];
const OBJECT_CREATED_PARTS = [
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
];

/** The ObjectCreated notification, and the queue it targets. */
export async function checkNotification(
  s3: S3Client,
  bucket: string,
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

// ── Queues ──────────────────────────────────────────────────────────────────────────────────

/** `arn:aws:sqs:us-east-1:123456789012:name` → its parts. */
export function parseQueueArn(
  arn: string,
): { region: string; account: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(?:\.fifo)?)$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/** The `<service>-<stage>` prefix of a queue named `<prefix>-object-events`. */
export function stackPrefix(queueName: string): string | undefined {
  return /^(.+)-object-events$/.exec(queueName)?.[1];
}

async function queueUrl(sqs: SQSClient, arn: string): Promise<string | undefined> {
  const parts = parseQueueArn(arn);
  if (!parts) return undefined;
  try {
    const out = await sqs.send(
      new GetQueueUrlCommand({ QueueName: parts.name, QueueOwnerAWSAccountId: parts.account }),
    );
    return out.QueueUrl;
  } catch (error) {
    if (/QueueDoesNotExist|NonExistentQueue/.test(errorName(error))) return undefined;
    throw error;
  }
}

async function waitingMessages(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * The queue exists and has a DLQ (RedrivePolicy), and the DLQ is empty: anything in it is work
 * the pipeline gave up on (an upload not tagged, an invalidation not made).
 */
export async function checkQueue(
  sqs: SQSClient,
  queueArn: string,
  label: string,
): Promise<HealthCheck[]> {
  const name = `${label} queue`;
  const region = await sqs.config.region();
  const parts = parseQueueArn(queueArn);
  if (parts && parts.region !== region) {
    return [
      warn(
        name,
        `${queueArn} is in ${parts.region}; this run reads ${region}`,
        `run again with --region ${parts.region}`,
      ),
    ];
  }
  const url = await queueUrl(sqs, queueArn);
  if (!url) {
    return [
      fail(
        name,
        `${queueArn} does not exist`,
        'deploy the stack again: npx sls deploy --stage <stage>',
      ),
    ];
  }
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }),
  );
  const redrive = attrs.Attributes?.RedrivePolicy;
  const dlqArn = redrive
    ? (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn
    : undefined;
  if (!dlqArn) {
    return [
      fail(
        name,
        `${parts?.name ?? queueArn} has no dead-letter queue: failed messages are retried until retention ends, then lost`,
        'deploy the stack again (it sets the RedrivePolicy): npx sls deploy --stage <stage>',
      ),
    ];
  }
  const checks = [
    pass(name, `${parts?.name ?? queueArn}, DLQ ${parseQueueArn(dlqArn)?.name ?? dlqArn}`),
  ];
  const dlqName = `${label} DLQ`;
  const dlqUrl = await queueUrl(sqs, dlqArn);
  if (!dlqUrl) {
    checks.push(
      fail(
        dlqName,
        `${dlqArn} does not exist`,
        'deploy the stack again: npx sls deploy --stage <stage>',
      ),
    );
    return checks;
  }
  const count = await waitingMessages(sqs, dlqUrl);
  checks.push(
    count === 0
      ? pass(dlqName, 'empty')
      : fail(
          dlqName,
          `${count} message${count === 1 ? '' : 's'} the pipeline gave up on`,
          `read them: aws sqs receive-message --queue-url ${dlqUrl} --max-number-of-messages 10; once the cause is fixed, redrive: aws sqs start-message-move-task --source-arn ${dlqArn}`,
        ),
  );
  return checks;
}

// ── Distributions ───────────────────────────────────────────────────────────────────────────

interface ServingDistribution {
  readonly origins: BucketOrigin[];
  readonly distribution: Distribution;
}

/**
 * Every distribution with an origin reading the bucket, disabled ones included (so they can be
 * reported; `findBucketOrigins` skips them because they serve nothing).
 */
export async function findServingDistributions(
  cloudfront: CloudFrontClient,
  bucket: string,
): Promise<ServingDistribution[]> {
  const found: ServingDistribution[] = [];
  for await (const page of paginateListDistributions({ client: cloudfront }, {})) {
    for (const summary of page.DistributionList?.Items ?? []) {
      // Summaries carry the origins on AWS; the emulator's do not, so read those in full.
      if (summary.Origins && !bucketOriginsOf({ ...summary, Enabled: true }, bucket).length)
        continue;
      const out = await cloudfront.send(new GetDistributionCommand({ Id: summary.Id }));
      const d = out.Distribution;
      if (!d) continue;
      const origins = bucketOriginsOf(
        { Id: d.Id, ARN: d.ARN, DomainName: d.DomainName, ...d.DistributionConfig, Enabled: true },
        bucket,
      );
      if (origins.length) found.push({ origins, distribution: d });
    }
  }
  return found;
}

/** Behaviours whose viewer protocol policy lets plain HTTP through. */
export function plainHttpBehaviours(config: DistributionConfig | undefined): string[] {
  const behaviours = [
    { path: 'default (*)', policy: config?.DefaultCacheBehavior?.ViewerProtocolPolicy },
    ...(config?.CacheBehaviors?.Items ?? []).map((b) => ({
      path: b.PathPattern ?? '?',
      policy: b.ViewerProtocolPolicy,
    })),
  ];
  return behaviours
    .filter((b) => b.policy !== 'https-only' && b.policy !== 'redirect-to-https')
    .map((b) => `${b.path}: ${b.policy ?? 'unset'}`);
}

async function bucketPolicy(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch (error) {
    if (errorName(error) === 'NoSuchBucketPolicy') return undefined;
    throw error;
  }
}

export function checkPolicyNotPublic(
  bucket: string,
  statements: readonly PolicyStatement[],
): HealthCheck {
  const name = 'bucket policy not public';
  const { open, conditional } = publicAllows(statements);
  const fix = `remove the statements from the bucket policy: aws s3api get-bucket-policy --bucket ${bucket}`;
  if (open.length) return fail(name, `Allow for everyone: ${open.join(', ')}`, fix);
  if (conditional.length) {
    return warn(
      name,
      `Allow for everyone, with conditions: ${conditional.join(', ')}`,
      `make sure the conditions restrict access; else ${fix}`,
    );
  }
  return pass(name, 'no Allow for everyone');
}

async function checkOac(
  cloudfront: CloudFrontClient,
  id: string,
  config: DistributionConfig | undefined,
  originIds: ReadonlySet<string>,
  options: { bucket: string; emulator: boolean },
): Promise<HealthCheck> {
  const name = `${id} origin access control`;
  const fix = `npx cdn-pipeline provision --bucket ${options.bucket} (it attaches an OAC)`;
  const origins = (config?.Origins?.Items ?? []).filter((o) => originIds.has(o.Id ?? ''));
  const missing = origins.filter((o) => !o.OriginAccessControlId);
  if (missing.length) {
    const oai = missing.filter((o) => o.S3OriginConfig?.OriginAccessIdentity);
    if (oai.length) {
      return fail(name, `origin ${oai[0]!.Id} uses a legacy origin access identity`, fix);
    }
    if (options.emulator) {
      return warn(
        name,
        'not reported by the emulator (moto drops OriginAccessControlId)',
        'nothing to do locally; on AWS this check is exact',
      );
    }
    return fail(
      name,
      `origin ${missing[0]!.Id} has no OAC: CloudFront's requests to S3 are unsigned and denied`,
      fix,
    );
  }
  const ids = [...new Set(origins.map((o) => o.OriginAccessControlId!))];
  for (const oacId of ids) {
    try {
      const oac = await cloudfront.send(new GetOriginAccessControlCommand({ Id: oacId }));
      const behaviour = oac.OriginAccessControl?.OriginAccessControlConfig?.SigningBehavior;
      if (behaviour !== 'always') {
        return warn(name, `${oacId} signs ${behaviour}: requests may reach S3 unsigned`, fix);
      }
    } catch (error) {
      if (errorName(error) !== 'NoSuchOriginAccessControl') throw error;
      return fail(name, `${oacId} does not exist`, fix);
    }
  }
  return pass(name, ids.join(', '));
}

/** The checks of one distribution serving the bucket. */
export async function checkDistribution(
  cloudfront: CloudFrontClient,
  serving: ServingDistribution,
  statements: readonly PolicyStatement[],
  options: { bucket: string; emulator: boolean },
): Promise<HealthCheck[]> {
  const d = serving.distribution;
  const id = d.Id ?? '?';
  const config = d.DistributionConfig;
  const provision = `npx cdn-pipeline provision --bucket ${options.bucket}`;
  const checks: HealthCheck[] = [];
  const state = `${id} deployed`;
  if (config?.Enabled === false) {
    checks.push(
      warn(
        state,
        `${d.DomainName}: disabled, serves nothing`,
        'enable it in the console, or delete it',
      ),
    );
  } else if (d.Status !== 'Deployed') {
    checks.push(
      warn(
        state,
        `${d.DomainName}: ${d.Status}`,
        'changes are still deploying: check again in a few minutes',
      ),
    );
  } else {
    checks.push(pass(state, `${d.DomainName}: enabled, Deployed`));
  }
  const originIds = new Set(serving.origins.map((o) => o.originId));
  checks.push(await checkOac(cloudfront, id, config, originIds, options));
  const plain = plainHttpBehaviours(config);
  checks.push(
    plain.length
      ? fail(`${id} https only`, `plain HTTP allowed on ${plain.join('; ')}`, provision)
      : pass(`${id} https only`, 'every behaviour https-only or redirect-to-https'),
  );
  const statement = oacStatementFor(statements, d.ARN ?? '');
  checks.push(
    statement
      ? pass(
          `${id} bucket policy`,
          `${statement.Sid ?? 'statement'}: cloudfront.amazonaws.com, AWS:SourceArn = this distribution`,
        )
      : fail(
          `${id} bucket policy`,
          `no statement lets ${id} read s3://${options.bucket} (cloudfront.amazonaws.com with AWS:SourceArn): viewers get 403`,
          `${provision} (it merges the statement into the policy)`,
        ),
  );
  return checks;
}

// ── Alerts ──────────────────────────────────────────────────────────────────────────────────

async function findTopicArn(sns: SNSClient, name: string): Promise<string | undefined> {
  for await (const page of paginateListTopics({ client: sns }, {})) {
    const arn = page.Topics?.find((t) => t.TopicArn?.endsWith(`:${name}`))?.TopicArn;
    if (arn) return arn;
  }
  return undefined;
}

/** At least one confirmed subscription: otherwise alarms and reports reach nobody (a warning). */
export async function checkAlertsTopic(
  sns: SNSClient,
  topicArn: string | undefined,
  hint: string,
): Promise<HealthCheck> {
  const name = 'alerts subscribed';
  if (!topicArn) return warn(name, `alerts topic not found (${hint})`, 'pass --topic-arn');
  let confirmed = 0;
  let pending = 0;
  try {
    for await (const page of paginateListSubscriptionsByTopic(
      { client: sns },
      { TopicArn: topicArn },
    )) {
      for (const s of page.Subscriptions ?? []) {
        if (s.SubscriptionArn === 'PendingConfirmation') pending++;
        else if (s.SubscriptionArn?.startsWith('arn:')) confirmed++;
      }
    }
  } catch (error) {
    if (errorName(error) === 'NotFoundException')
      return warn(name, `${topicArn} does not exist`, 'deploy the stack, or pass --topic-arn');
    throw error;
  }
  const fix = `aws sns subscribe --topic-arn ${topicArn} --protocol email --notification-endpoint you@example.com, then confirm from the mail`;
  if (confirmed > 0)
    return pass(
      name,
      `${confirmed} confirmed subscription${confirmed === 1 ? '' : 's'}${pending ? `, ${pending} pending` : ''}`,
    );
  return warn(
    name,
    `no confirmed subscription${pending ? ` (${pending} pending confirmation)` : ''}: alarms reach nobody`,
    fix,
  );
}

// ── All of it ───────────────────────────────────────────────────────────────────────────────

/** Every check, in the order data flows. Stops after the first when the bucket is missing. */
export async function checkHealth(
  clients: HealthClients,
  options: HealthOptions,
): Promise<HealthCheck[]> {
  const { bucket } = options;
  const emulator = Boolean(options.emulator);
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
        ...(await checkDistribution(clients.cloudfront, s, statements, { bucket, emulator })),
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
