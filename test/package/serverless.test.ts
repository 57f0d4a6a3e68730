/**
 * The deployable config, checked from what `sls package` builds offline (fake credentials, no
 * AWS): event mappings, queues and DLQs, bucket settings, alarms, IAM scope, artifacts, and
 * cfn-lint. A second package run with `--param` proves parameters reach the template.
 */
import { writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIngestConfig, loadInvalidateConfig } from '../../shared/config.js';
import { loadReportConfig } from '../../functions/report/config.js';
import {
  actionCovers,
  asArray,
  evaluateCondition,
  props,
  resource,
  resourcesOfType,
  roleStatements,
  run,
  slsPackage,
  target,
  type Cfn,
  type CfnObject,
  type IamStatement,
  type Loose,
  type Packaged,
} from './template.js';
import { zipEntries, zipRead } from './zip.js';

const STAGE = 'ci';
const PREFIX = `cdn-pipeline-${STAGE}`;
/** The largest MaximumBatchingWindowInSeconds SQS accepts. */
const MAX_BATCH_WINDOW = 300;

const FUNCTIONS = {
  ingest: {
    id: 'IngestLambdaFunction',
    role: 'IngestIamRoleLambdaExecution',
    queue: 'ObjectEventsQueue',
    dlq: 'ObjectEventsDLQ',
    maxReceiveCount: 5,
    timeout: 60,
    batchSize: 10,
    window: 0,
    service: 'cdn-pipeline-ci-ingest',
  },
  invalidate: {
    id: 'InvalidateLambdaFunction',
    role: 'InvalidateIamRoleLambdaExecution',
    queue: 'InvalidationRequestsQueue',
    dlq: 'InvalidationRequestsDLQ',
    maxReceiveCount: 10,
    timeout: 120,
    batchSize: 1000,
    window: 60,
    service: 'cdn-pipeline-ci-invalidate',
  },
} as const;
type FunctionName = keyof typeof FUNCTIONS;
const NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/**
 * The provisioning functions (handler `functions/provision/handler.<export>`), each with exactly
 * the actions it calls, besides its log stream.
 */
const PROVISION = {
  provisionValidate: {
    export: 'validate',
    actions: ['s3:ListBucket'],
  },
  provisionEnsureOriginAccessControl: {
    export: 'ensureOriginAccessControl',
    actions: ['cloudfront:CreateOriginAccessControl', 'cloudfront:ListOriginAccessControls'],
  },
  provisionEnsurePolicies: {
    export: 'ensurePolicies',
    actions: [
      'cloudfront:CreateCachePolicy',
      'cloudfront:CreateResponseHeadersPolicy',
      'cloudfront:GetCachePolicyConfig',
      'cloudfront:GetResponseHeadersPolicyConfig',
      'cloudfront:ListCachePolicies',
      'cloudfront:ListResponseHeadersPolicies',
      'cloudfront:UpdateCachePolicy',
      'cloudfront:UpdateResponseHeadersPolicy',
    ],
  },
  provisionEnsureDistribution: {
    export: 'ensureDistribution',
    actions: [
      'cloudfront:CreateDistribution',
      'cloudfront:GetDistributionConfig',
      'cloudfront:ListDistributions',
      'cloudfront:ListTagsForResource',
      'cloudfront:TagResource',
      'cloudfront:UpdateDistribution',
      's3:GetBucketAcl',
      's3:PutBucketAcl',
    ],
  },
  provisionMergeBucketPolicy: {
    export: 'mergeBucketPolicy',
    actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy'],
  },
  provisionEnsureMonitoring: {
    export: 'ensureMonitoring',
    actions: [
      'cloudfront:CreateMonitoringSubscription',
      'cloudfront:DeleteMonitoringSubscription',
      'cloudfront:GetMonitoringSubscription',
    ],
  },
  provisionCheckDeployment: {
    export: 'checkDeployment',
    actions: ['cloudfront:GetDistribution'],
  },
  provisionNotify: {
    export: 'notify',
    actions: ['sns:Publish'],
  },
} as const;
type ProvisionName = keyof typeof PROVISION;
const PROVISION_NAMES = Object.keys(PROVISION) as ProvisionName[];
/** `provisionEnsureDistribution` → `ProvisionEnsureDistribution` (serverless's logical-id stem). */
const stem = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const provisionFunctionId = (name: ProvisionName) => `${stem(name)}LambdaFunction`;
const provisionRoleId = (name: ProvisionName) => `${stem(name)}IamRoleLambdaExecution`;
const STATE_MACHINE_ID = 'ProvisionStateMachine';

/**
 * Actions AWS only allows on `"Resource": "*"` (Service Authorization Reference, Amazon
 * CloudFront: no resource type is listed for them), with the reason.
 */
const STAR_ONLY: Record<string, string> = {
  'cloudfront:ListDistributions': 'a List action over the account',
  'cloudfront:ListOriginAccessControls': 'a List action over the account',
  'cloudfront:ListCachePolicies': 'a List action over the account',
  'cloudfront:ListResponseHeadersPolicies': 'a List action over the account',
  'cloudfront:CreateOriginAccessControl': 'creates a resource that has no ARN yet',
  'cloudfront:CreateCachePolicy': 'creates a resource that has no ARN yet',
  'cloudfront:CreateResponseHeadersPolicy': 'creates a resource that has no ARN yet',
  'cloudfront:CreateDistribution': 'creates a resource that has no ARN yet',
  'cloudfront:GetMonitoringSubscription': 'no resource type listed for monitoring subscriptions',
  'cloudfront:CreateMonitoringSubscription': 'no resource type listed for monitoring subscriptions',
  'cloudfront:DeleteMonitoringSubscription': 'no resource type listed for monitoring subscriptions',
  'cloudwatch:GetMetricData': 'no resource type (nor namespace condition key) listed for it',
};
const STAR_ONLY_ACTIONS = Object.keys(STAR_ONLY);

/** The report's scheduled functions (`functions/report/handler.<export>`). */
const REPORT = {
  reportCheck: {
    id: 'ReportCheckLambdaFunction',
    role: 'ReportCheckIamRoleLambdaExecution',
    export: 'check',
    schedule: 'rate(15 minutes)',
    scheduleParam: 'rate(5 minutes)',
    service: 'cdn-pipeline-ci-report-check',
    actions: [
      'cloudfront:GetDistribution',
      'cloudfront:ListDistributions',
      'cloudfront:ListTagsForResource',
      'cloudwatch:GetMetricData',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'sns:Publish',
    ],
  },
  reportDigest: {
    id: 'ReportDigestLambdaFunction',
    role: 'ReportDigestIamRoleLambdaExecution',
    export: 'digest',
    schedule: 'cron(0 8 * * ? *)',
    scheduleParam: 'cron(30 6 ? * MON-FRI *)',
    service: 'cdn-pipeline-ci-report-digest',
    actions: [
      'cloudfront:GetCachePolicyConfig',
      'cloudfront:GetDistribution',
      'cloudfront:GetDistributionConfig',
      'cloudfront:ListDistributions',
      'cloudfront:ListTagsForResource',
      'cloudwatch:GetMetricData',
      'sns:Publish',
    ],
  },
} as const;
type ReportName = keyof typeof REPORT;
const REPORT_NAMES = Object.keys(REPORT) as ReportName[];

let base: Packaged;
let withParams: Packaged;

beforeAll(async () => {
  // Sequential on purpose: two runs in one service folder would share .esbuild/ and .serverless/.
  base = await slsPackage(STAGE);
  withParams = await slsPackage(STAGE, [
    '--param',
    'alertEmail=ops@example.com',
    '--param',
    'invalidateBatchSize=500',
    '--param',
    'invalidateBatchWindow=30',
    '--param',
    'provisionBuckets=media-*',
    '--param',
    'reportCheckSchedule=rate(5 minutes)',
    '--param',
    'reportDigestSchedule=cron(30 6 ? * MON-FRI *)',
    '--param',
    'hitRateMin=90',
  ]);
  console.log(
    `sls package: ${base.seconds.toFixed(1)} s (defaults), ${withParams.seconds.toFixed(1)} s (--param)`,
  );
}, 400_000);

afterAll(async () => {
  await base?.cleanup();
  await withParams?.cleanup();
});

const t = () => base.template;

function mappingFor(template: Packaged['template'], fn: FunctionName) {
  const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => target(m.Properties?.FunctionName) === FUNCTIONS[fn].id,
  );
  expect(mappings, `event source mappings of ${fn}`).toHaveLength(1);
  return mappings[0]![1].Properties as Record<string, Cfn> & {
    BatchSize: number;
    MaximumBatchingWindowInSeconds?: number;
  };
}

describe('functions', () => {
  it('are ingest, invalidate, the eight provisioning tasks and the two report functions, on nodejs22.x and arm64, with stage-scoped names', () => {
    const functions = resourcesOfType(t(), 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(
      [
        'IngestLambdaFunction',
        'InvalidateLambdaFunction',
        ...PROVISION_NAMES.map(provisionFunctionId),
        ...REPORT_NAMES.map((name) => REPORT[name].id),
      ].sort(),
    );
    for (const [id, fn] of functions) {
      expect(fn.Properties?.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties?.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties?.FunctionName, id).toMatch(new RegExp(`^${PREFIX}-`));
    }
  });

  it.each(NAMES)('gives %s its timeout, memory and a log group with retention', (name) => {
    const fn = props(t(), FUNCTIONS[name].id);
    expect(fn.Timeout).toBe(FUNCTIONS[name].timeout);
    expect(fn.MemorySize).toBe(512);
    const logGroups = resourcesOfType(t(), 'AWS::Logs::LogGroup').filter(
      ([, g]) => g.Properties?.LogGroupName === `/aws/lambda/${fn.FunctionName}`,
    );
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]![1].Properties?.RetentionInDays).toBe(30);
  });

  it.each(NAMES)('sets the Powertools and source-map environment of %s', (name) => {
    const env = props(t(), FUNCTIONS[name].id).Environment.Variables;
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: FUNCTIONS[name].service,
      POWERTOOLS_METRICS_NAMESPACE: 'CdnPipeline',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('gives ingest an environment its config parser accepts, with the queue URL by Ref', () => {
    const env = props(t(), FUNCTIONS.ingest.id).Environment.Variables;
    expect(target(env.INVALIDATION_QUEUE_URL)).toBe('InvalidationRequestsQueue');
    const config = loadIngestConfig({
      ...env,
      INVALIDATION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
    });
    expect(config.invalidateOn).toBe('overwrites');
    expect(config.invalidationQueueUrl).toMatch(/^https:/);
  });

  it('gives invalidate an environment its config parser accepts, discovery on by default', () => {
    const env = props(t(), FUNCTIONS.invalidate.id).Environment.Variables;
    for (const value of Object.values(env)) expect(typeof value).toBe('string');
    expect(loadInvalidateConfig(env)).toEqual({
      distributionIds: undefined,
      maxInflightPaths: 2800,
      maxInflightWildcards: 13,
      collapseMinSiblings: 20,
      wildcardMaxUnchanged: 100,
      discoveryCacheMs: 60_000,
    });
  });
});

describe('event source mappings', () => {
  it.each(NAMES)('connects %s to its queue with partial batch responses', (name) => {
    const mapping = mappingFor(t(), name);
    expect(target(mapping.EventSourceArn)).toBe(FUNCTIONS[name].queue);
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.Enabled).toBe(true);
    expect(mapping.BatchSize).toBe(FUNCTIONS[name].batchSize);
    expect(mapping.MaximumBatchingWindowInSeconds ?? 0).toBe(FUNCTIONS[name].window);
    // SQS rejects a batch size above 10 without a batching window.
    if (mapping.BatchSize > 10)
      expect(mapping.MaximumBatchingWindowInSeconds).toBeGreaterThanOrEqual(1);
  });

  it('runs at most two invalidate planners at once', () => {
    expect(mappingFor(t(), 'invalidate').ScalingConfig).toEqual({ MaximumConcurrency: 2 });
  });

  it('takes batch size and window from --param', () => {
    const mapping = mappingFor(withParams.template, 'invalidate');
    expect(mapping.BatchSize).toBe(500);
    expect(mapping.MaximumBatchingWindowInSeconds).toBe(30);
  });
});

describe('queues', () => {
  it('are all SSE-encrypted with stage-scoped names', () => {
    const queues = resourcesOfType(t(), 'AWS::SQS::Queue');
    expect(queues.map(([id]) => id).sort()).toEqual(
      [
        'InvalidationRequestsDLQ',
        'InvalidationRequestsQueue',
        'ObjectEventsDLQ',
        'ObjectEventsQueue',
      ].sort(),
    );
    for (const [id, queue] of queues) {
      expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
      expect(queue.Properties?.QueueName, id).toMatch(new RegExp(`^${PREFIX}-`));
    }
  });

  it.each(NAMES)('sends what %s cannot process to its DLQ, which keeps it 14 days', (name) => {
    const { queue, dlq, maxReceiveCount } = FUNCTIONS[name];
    const redrive = props(t(), queue).RedrivePolicy;
    expect(target(redrive.deadLetterTargetArn)).toBe(dlq);
    expect(redrive.maxReceiveCount).toBe(maxReceiveCount);
    expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(props(t(), dlq).MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it.each(NAMES)(
    'keeps messages of %s invisible ≥ 6 × the function timeout + any batching window',
    (name) => {
      const { queue, id } = FUNCTIONS[name];
      const visibility = props(t(), queue).VisibilityTimeout as number;
      const timeout = props(t(), id).Timeout as number;
      for (const template of [base.template, withParams.template]) {
        const window = mappingFor(template, name).MaximumBatchingWindowInSeconds ?? 0;
        expect(visibility).toBeGreaterThanOrEqual(6 * timeout + window);
      }
      // …and for any window a --param can set, since the timeout is not derived from it.
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout + MAX_BATCH_WINDOW);
    },
  );

  it('lets only the content bucket of this account send to object-events', () => {
    const policy = props(t(), 'ObjectEventsQueuePolicy', 'AWS::SQS::QueuePolicy');
    expect(asArray(policy.Queues).map(target)).toEqual(['ObjectEventsQueue']);
    const statements = policy.PolicyDocument.Statement as (IamStatement & { Principal: Cfn })[];
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    expect(target(statement!.Resource)).toBe('ObjectEventsQueue');
    const bucketName = props(t(), 'ContentBucket').BucketName['Fn::Sub'] as string;
    expect(statement!.Condition).toEqual({
      // Built from the bucket's name, not a Ref: the bucket depends on this policy.
      ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucketName}` } },
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });
});

describe('content bucket', () => {
  const bucket = () => props(t(), 'ContentBucket', 'AWS::S3::Bucket');

  it('is private, encrypted, owner-enforced and stage-scoped', () => {
    expect(bucket().PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket().BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true },
    ]);
    expect(bucket().OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(bucket().BucketName['Fn::Sub']).toMatch(new RegExp(`^${PREFIX}-content-`));
  });

  it('is versioned, expires noncurrent versions and aborts stale multipart uploads', () => {
    expect(bucket().VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = bucket().LifecycleConfiguration.Rules as Record<string, Cfn>[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    );
  });

  it('sends one s3:ObjectCreated:* notification, to object-events, after the queue policy exists', () => {
    const notifications = bucket().NotificationConfiguration;
    expect(Object.keys(notifications)).toEqual(['QueueConfigurations']);
    expect(notifications.QueueConfigurations).toHaveLength(1);
    expect(notifications.QueueConfigurations[0].Event).toBe('s3:ObjectCreated:*');
    expect(target(notifications.QueueConfigurations[0].Queue)).toBe('ObjectEventsQueue');
    expect(asArray(resource(t(), 'ContentBucket').DependsOn)).toContain('ObjectEventsQueuePolicy');
  });

  it('denies every request that is not over TLS, to the bucket and its objects', () => {
    const policies = resourcesOfType(t(), 'AWS::S3::BucketPolicy').filter(
      ([, p]) => target(p.Properties?.Bucket) === 'ContentBucket',
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]![1].Properties as { PolicyDocument: { Statement: Cfn[] } })
      .PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [
          { 'Fn::GetAtt': ['ContentBucket', 'Arn'] },
          { 'Fn::Sub': '${ContentBucket.Arn}/*' },
        ],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });
});

describe('alerts', () => {
  const alarms = () => resourcesOfType(t(), 'AWS::CloudWatch::Alarm');
  const alarmOn = (namespace: string, metric: string, dimension: (value: Cfn) => boolean) =>
    alarms().filter(
      ([, a]) =>
        a.Properties?.Namespace === namespace &&
        a.Properties?.MetricName === metric &&
        asArray(a.Properties?.Dimensions as Cfn[]).some((d) =>
          dimension((d as { Value: Cfn }).Value),
        ),
    );

  it('sends every alarm, raised and resolved, to the alerts topic', () => {
    expect(props(t(), 'AlertsTopic', 'AWS::SNS::Topic').TopicName).toBe(`${PREFIX}-alerts`);
    expect(alarms().length).toBeGreaterThanOrEqual(6);
    for (const [id, alarm] of alarms()) {
      expect(alarm.Properties?.AlarmActions, id).toEqual([{ Ref: 'AlertsTopic' }]);
      expect(alarm.Properties?.OKActions, id).toEqual([{ Ref: 'AlertsTopic' }]);
      expect(alarm.Properties?.TreatMissingData, id).toBe('notBreaching');
      expect(alarm.Properties?.AlarmName, id).toMatch(new RegExp(`^${PREFIX}-`));
    }
  });

  it.each(NAMES)('raises an alarm on any message in the DLQ of %s', (name) => {
    const found = alarmOn(
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      (v) => target(v) === FUNCTIONS[name].dlq,
    );
    expect(found).toHaveLength(1);
    expect(found[0]![1].Properties).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each(NAMES)('raises an alarm on any error of %s', (name) => {
    const found = alarmOn('AWS/Lambda', 'Errors', (v) => target(v) === FUNCTIONS[name].id);
    expect(found).toHaveLength(1);
    expect(found[0]![1].Properties).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('raises an alarm when Lambda throttles invalidate', () => {
    expect(
      alarmOn('AWS/Lambda', 'Throttles', (v) => target(v) === FUNCTIONS.invalidate.id),
    ).toHaveLength(1);
  });

  it('raises an alarm on the Throttles EMF metric invalidate emits (same namespace and service)', () => {
    const env = props(t(), FUNCTIONS.invalidate.id).Environment.Variables;
    const found = alarmOn(env.POWERTOOLS_METRICS_NAMESPACE, 'Throttles', () => true);
    expect(found).toHaveLength(1);
    expect(found[0]![1].Properties).toMatchObject({
      Dimensions: [{ Name: 'service', Value: env.POWERTOOLS_SERVICE_NAME }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('creates no email subscription by default', () => {
    const subscriptions = resourcesOfType(t(), 'AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    const [, subscription] = subscriptions[0]!;
    expect(
      subscription.Condition,
      'a subscription without a Condition always exists',
    ).toBeDefined();
    expect(evaluateCondition(t(), subscription.Condition!)).toBe(false);
  });

  it('subscribes the --param alertEmail address to the alerts topic', () => {
    const template = withParams.template;
    const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    const [, subscription] = subscriptions[0]!;
    expect(evaluateCondition(template, subscription.Condition!)).toBe(true);
    expect(subscription.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: { Ref: 'AlertEmail' },
    });
    expect(target(subscription.Properties?.TopicArn)).toBe('AlertsTopic');
    expect(template.Parameters?.AlertEmail?.Default).toBe('ops@example.com');
  });
});

describe('IAM', () => {
  const roles = () => resourcesOfType(t(), 'AWS::IAM::Role').map(([id]) => id);
  const allowed = (roleId: string) =>
    roleStatements(t(), roleId).filter((s) => s.Effect === 'Allow');
  const actionsOf = (roleId: string) => allowed(roleId).flatMap((s) => asArray(s.Action));
  const grants = (roleId: string, action: string) =>
    allowed(roleId).filter((s) => asArray(s.Action).some((a) => actionCovers(a, action)));

  it.each(NAMES)('gives %s its own role', (name) => {
    expect(target(props(t(), FUNCTIONS[name].id).Role)).toBe(FUNCTIONS[name].role);
  });

  it('never grants "Resource": "*" except for actions AWS only allows on *', () => {
    expect(roles().length).toBeGreaterThanOrEqual(2);
    for (const roleId of roles()) {
      for (const statement of roleStatements(t(), roleId)) {
        expect(statement.NotAction, roleId).toBeUndefined();
        expect(statement.NotResource, roleId).toBeUndefined();
        if (statement.Effect !== 'Allow') continue;
        if (asArray(statement.Resource as Cfn[]).includes('*')) {
          for (const action of asArray(statement.Action)) {
            expect(STAR_ONLY_ACTIONS, `${roleId}: ${action} on "*"`).toContain(action);
          }
        }
        for (const action of asArray(statement.Action)) {
          expect(action, `${roleId}: wildcard service action`).not.toMatch(/^[a-z0-9-]+:\*$|^\*$/);
        }
      }
    }
  });

  it('gives ingest exactly what it calls, and nothing on CloudFront', () => {
    const role = FUNCTIONS.ingest.role;
    expect(actionsOf(role).sort()).toEqual(
      [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetBucketVersioning',
        's3:GetObjectTagging',
        's3:GetObjectVersionTagging',
        's3:ListBucket',
        's3:ListBucketVersions',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(actionsOf(role).filter((a) => a.startsWith('cloudfront:'))).toEqual([]);
    const send = grants(role, 'sqs:SendMessage');
    expect(send.map((s) => target(s.Resource))).toEqual(['InvalidationRequestsQueue']);
    const receive = grants(role, 'sqs:ReceiveMessage');
    expect(receive.flatMap((s) => asArray(s.Resource as Cfn[]).map(target))).toEqual([
      'ObjectEventsQueue',
    ]);
  });

  it('gives invalidate exactly what it calls, and no write to any bucket', () => {
    const role = FUNCTIONS.invalidate.role;
    expect(actionsOf(role).sort()).toEqual(
      [
        'cloudfront:CreateInvalidation',
        'cloudfront:GetDistribution',
        'cloudfront:GetInvalidation',
        'cloudfront:ListDistributions',
        'cloudfront:ListInvalidations',
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:ListBucket',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ].sort(),
    );
    expect(grants(role, 's3:PutObjectTagging')).toEqual([]);
    for (const statement of grants(role, 'cloudfront:CreateInvalidation')) {
      expect(statement.Resource).toEqual({
        'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*',
      });
    }
    const receive = grants(role, 'sqs:ReceiveMessage');
    expect(receive.flatMap((s) => asArray(s.Resource as Cfn[]).map(target))).toEqual([
      'InvalidationRequestsQueue',
    ]);
  });

  it.each(PROVISION_NAMES)('gives %s exactly what it calls', (name) => {
    const role = provisionRoleId(name);
    expect(actionsOf(role).sort()).toEqual(
      [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        ...PROVISION[name].actions,
      ].sort(),
    );
  });

  it('scopes the provisioning CloudFront grants to resource ARNs wherever AWS allows it', () => {
    const cf = 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}';
    const scope: Record<string, string> = {
      'cloudfront:GetCachePolicyConfig': `${cf}:cache-policy/*`,
      'cloudfront:UpdateCachePolicy': `${cf}:cache-policy/*`,
      'cloudfront:GetResponseHeadersPolicyConfig': `${cf}:response-headers-policy/*`,
      'cloudfront:UpdateResponseHeadersPolicy': `${cf}:response-headers-policy/*`,
      'cloudfront:ListTagsForResource': `${cf}:distribution/*`,
      'cloudfront:TagResource': `${cf}:distribution/*`,
      'cloudfront:GetDistributionConfig': `${cf}:distribution/*`,
      'cloudfront:UpdateDistribution': `${cf}:distribution/*`,
      'cloudfront:GetDistribution': `${cf}:distribution/*`,
    };
    for (const name of PROVISION_NAMES) {
      for (const action of PROVISION[name].actions) {
        if (!action.startsWith('cloudfront:')) continue;
        const statements = grants(provisionRoleId(name), action);
        expect(statements, `${name} ${action}`).toHaveLength(1);
        const expected = STAR_ONLY_ACTIONS.includes(action) ? '*' : { 'Fn::Sub': scope[action] };
        expect(statements[0]!.Resource, `${name} ${action}`).toEqual(expected);
      }
    }
  });

  it('scopes the provisioning S3 grants to the provisionBuckets / provisionLogBuckets params', () => {
    const bucketName = props(t(), 'ContentBucket').BucketName['Fn::Sub'] as string;
    const s3 = (bucket: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}` });
    const cases: [Packaged['template'], string, string][] = [
      [base.template, bucketName, `${PREFIX}-logs-*`],
      [withParams.template, 'media-*', `${PREFIX}-logs-*`],
    ];
    for (const [template, buckets, logBuckets] of cases) {
      const statementsOf = (name: ProvisionName) =>
        roleStatements(template, provisionRoleId(name)).filter((st) =>
          asArray(st.Action).some((a) => a.startsWith('s3:')),
        );
      for (const name of ['provisionValidate', 'provisionMergeBucketPolicy'] as const) {
        for (const st of statementsOf(name)) expect(st.Resource, name).toEqual(s3(buckets));
      }
      for (const st of statementsOf('provisionEnsureDistribution')) {
        expect(st.Resource).toEqual(s3(logBuckets));
      }
    }
  });

  it('lets notify and the report functions publish to the alerts topic only', () => {
    const publishers = [
      provisionRoleId('provisionNotify'),
      ...REPORT_NAMES.map((name) => REPORT[name].role),
    ];
    for (const roleId of publishers) {
      const publish = grants(roleId, 'sns:Publish');
      expect(
        publish.map((st) => st.Resource),
        roleId,
      ).toEqual([{ Ref: 'AlertsTopic' }]);
    }
    for (const roleId of roles()) {
      if (publishers.includes(roleId)) continue;
      expect(grants(roleId, 'sns:Publish'), roleId).toEqual([]);
    }
  });

  it('never lets a function write objects into the bucket it listens to (no recursion)', () => {
    const writes = ['s3:PutObject', 's3:CopyObject', 's3:RestoreObject', 's3:ReplicateObject'];
    for (const roleId of roles()) {
      for (const action of writes) {
        expect(grants(roleId, action), `${roleId} may ${action}`).toEqual([]);
      }
    }
  });

  it('scopes the S3 grants to the content bucket', () => {
    const bucketName = props(t(), 'ContentBucket').BucketName['Fn::Sub'] as string;
    const bucketArn = `arn:\${AWS::Partition}:s3:::${bucketName}`;
    for (const name of NAMES) {
      for (const statement of allowed(FUNCTIONS[name].role)) {
        if (!asArray(statement.Action).some((a) => a.startsWith('s3:'))) continue;
        for (const r of asArray(statement.Resource as Cfn[])) {
          expect([{ 'Fn::Sub': bucketArn }, { 'Fn::Sub': `${bucketArn}/*` }], name).toContainEqual(
            r,
          );
        }
      }
    }
  });
});

describe('provisioning functions', () => {
  it.each(PROVISION_NAMES)(
    'runs %s from functions/provision/handler.ts, 30 s and 256 MB, with its own role',
    (name) => {
      const fn = props(t(), provisionFunctionId(name));
      expect(fn.Handler).toBe(`functions/provision/handler.${PROVISION[name].export}`);
      expect(fn.Timeout).toBe(30);
      expect(fn.MemorySize).toBe(256);
      expect(fn.FunctionName).toBe(`${PREFIX}-${name}`);
      expect(target(fn.Role)).toBe(provisionRoleId(name));
      expect(fn.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: `${PREFIX}-provision`,
        NODE_OPTIONS: '--enable-source-maps',
      });
    },
  );

  it('gives notify the alerts topic, and no other function an SNS grant', () => {
    const env = props(t(), provisionFunctionId('provisionNotify')).Environment.Variables;
    expect(target(env.ALERTS_TOPIC_ARN)).toBe('AlertsTopic');
  });

  it("keeps the generated role names within IAM's 64 characters, with stage and region", () => {
    for (const name of PROVISION_NAMES) {
      const roleName = props(t(), provisionRoleId(name), 'AWS::IAM::Role').RoleName as string;
      expect(roleName.length, roleName).toBeLessThanOrEqual(64);
      expect(roleName).toMatch(new RegExp(`^${PREFIX}-us-east-1-prov-`));
    }
  });
});

describe('provision state machine', () => {
  const machine = () => props(t(), STATE_MACHINE_ID, 'AWS::StepFunctions::StateMachine');
  /** The definition as deployed: the Fn::Sub template and its variables. */
  const definition = () => {
    const [template, vars] = machine().DefinitionString['Fn::Sub'] as [string, Record<string, Cfn>];
    return { asl: JSON.parse(template) as { States: Record<string, Loose> }, vars };
  };

  it('is a Standard workflow with a stage-scoped name', () => {
    expect(machine().StateMachineName).toBe(`${PREFIX}-provision`);
    expect(machine().StateMachineType).toBe('STANDARD');
  });

  it('resolves every Task to one of the eight provisioning functions by Fn::GetAtt', () => {
    const { asl, vars } = definition();
    const targets = new Set<string>();
    for (const [name, state] of Object.entries(asl.States)) {
      if (state.Type !== 'Task') continue;
      const placeholder = /^\$\{([^}]+)\}$/.exec(state.Resource as string);
      expect(placeholder, `${name}: Resource ${state.Resource}`).not.toBeNull();
      const value = vars[placeholder![1]!] as CfnObject;
      expect(value['Fn::GetAtt'], name).toBeDefined();
      targets.add(target(value)!);
    }
    expect([...targets].sort()).toEqual(PROVISION_NAMES.map(provisionFunctionId).sort());
    for (const id of targets) resource(t(), id, 'AWS::Lambda::Function');
  });

  it('lets its role do nothing but invoke the eight functions', () => {
    expect(target(machine().RoleArn)).toBe(`${STATE_MACHINE_ID}Role`);
    const statements = roleStatements(t(), `${STATE_MACHINE_ID}Role`);
    expect(statements.length).toBeGreaterThan(0);
    const invoked = new Set<string>();
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(asArray(statement.Action)).toEqual(['lambda:InvokeFunction']);
      for (const r of asArray(statement.Resource as Cfn[])) {
        // The function's ARN, or the same ARN with a version/alias qualifier (`<arn>:*`).
        const sub = (r as CfnObject)['Fn::Sub'] as [string, Record<string, Cfn>] | undefined;
        if (sub) expect(sub[0]).toBe('${functionArn}:*');
        const arn = sub ? sub[1].functionArn : r;
        expect((arn as CfnObject)['Fn::GetAtt'], JSON.stringify(r)).toBeDefined();
        invoked.add(target(arn)!);
      }
    }
    expect([...invoked].sort()).toEqual(PROVISION_NAMES.map(provisionFunctionId).sort());
  });

  it('retries transient and Lambda service errors with capped, jittered backoff on every Task', () => {
    const { asl } = definition();
    for (const [name, state] of Object.entries(asl.States)) {
      if (state.Type !== 'Task') continue;
      expect(state.Retry, name).toEqual([
        {
          ErrorEquals: [
            'TransientError',
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException',
          ],
          IntervalSeconds: 2,
          BackoffRate: 2,
          MaxAttempts: 6,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
      ]);
      expect(state.Catch, name).toHaveLength(1);
      expect(state.Catch[0].ErrorEquals, name).toEqual(['States.ALL']);
    }
  });

  it('is in the outputs as ProvisionStateMachineArn', () => {
    expect(t().Outputs?.ProvisionStateMachineArn?.Value).toEqual({ Ref: STATE_MACHINE_ID });
  });
});

describe('artifacts', () => {
  /** Optional SigV4a/CRT signers the SDK tries to load in a try/catch; never needed here. */
  const OPTIONAL_REQUIRES = ['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'];

  it.each(NAMES)('bundles %s with its dependencies, the AWS SDK included', async (name) => {
    const zip = await base.artifact(name);
    const entries = zipEntries(zip);
    const handlerPath = `functions/${name}/handler.js`;
    // Nothing but the bundle and its map. No package.json either: the root one says
    // "type": "module", which would make Lambda load this CommonJS bundle as ESM.
    expect(entries.map((e) => e.name).sort()).toEqual([handlerPath, `${handlerPath}.map`]);
    expect(props(t(), FUNCTIONS[name].id).Handler).toBe(`functions/${name}/handler.handler`);

    const code = zipRead(
      zip,
      entries.find((e) => e.name === handlerPath)!,
    ).toString('utf8');
    expect(code.includes('sourceMappingURL=handler.js.map'), 'source map comment').toBe(true);
    const required = new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!));
    const external = [...required].filter(
      (id) => !isBuiltin(id) && !OPTIONAL_REQUIRES.includes(id),
    );
    expect(external, 'modules left outside the bundle').toEqual([]);

    // The bundle loads on Node and exports the handler the template names.
    const file = join(base.dir, `${name}.handler.cjs`);
    await writeFile(file, code);
    const loaded = createRequire(import.meta.url)(file) as { handler?: unknown };
    expect(typeof loaded.handler).toBe('function');
  });
});

/** The function's zip holds only its bundle and map, and the bundle exports the named handler. */
async function expectBundledExport(name: string, handlerPath: string, exportName: string) {
  const zip = await base.artifact(name);
  const entries = zipEntries(zip);
  expect(entries.map((e) => e.name).sort()).toEqual([handlerPath, `${handlerPath}.map`]);
  const code = zipRead(
    zip,
    entries.find((e) => e.name === handlerPath)!,
  ).toString('utf8');
  const file = join(base.dir, `${name}.handler.cjs`);
  await writeFile(file, code);
  const loaded = createRequire(import.meta.url)(file) as Record<string, unknown>;
  expect(typeof loaded[exportName]).toBe('function');
}

describe('provisioning artifacts', () => {
  it.each(PROVISION_NAMES)('bundles %s and exports the handler the template names', (name) =>
    expectBundledExport(name, 'functions/provision/handler.js', PROVISION[name].export),
  );
});

describe('report', () => {
  const allowed = (roleId: string) =>
    roleStatements(t(), roleId).filter((s) => s.Effect === 'Allow');
  const grants = (roleId: string, action: string) =>
    allowed(roleId).filter((s) => asArray(s.Action).some((a) => actionCovers(a, action)));
  const scheduleOf = (template: Packaged['template'], name: ReportName) => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, r]) =>
      asArray(r.Properties?.Targets as Cfn[]).some(
        (target_) => target((target_ as CfnObject).Arn) === REPORT[name].id,
      ),
    );
    expect(rules, `schedules of ${name}`).toHaveLength(1);
    return rules[0]![1].Properties as { ScheduleExpression: string; State: string };
  };

  it.each(REPORT_NAMES)('runs %s on its schedule, configurable by --param', (name) => {
    expect(scheduleOf(t(), name)).toMatchObject({
      ScheduleExpression: REPORT[name].schedule,
      State: 'ENABLED',
    });
    expect(scheduleOf(withParams.template, name).ScheduleExpression).toBe(
      REPORT[name].scheduleParam,
    );
    const permissions = resourcesOfType(t(), 'AWS::Lambda::Permission').filter(
      ([, p]) => target(p.Properties?.FunctionName) === REPORT[name].id,
    );
    expect(permissions.map(([, p]) => p.Properties?.Principal)).toEqual(['events.amazonaws.com']);
  });

  it.each(REPORT_NAMES)(
    'gives %s an environment its config parser accepts, with its own service name',
    (name) => {
      const fn = props(t(), REPORT[name].id);
      expect(fn.Handler).toBe(`functions/report/handler.${REPORT[name].export}`);
      expect(target(fn.Role)).toBe(REPORT[name].role);
      const env = fn.Environment.Variables;
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(REPORT[name].service);
      expect(target(env.ALERTS_TOPIC_ARN)).toBe('AlertsTopic');
      expect(target(env.ALARM_TABLE)).toBe('AlarmStateTable');
      const config = loadReportConfig({
        ...env,
        ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:cdn-pipeline-ci-alerts',
        ALARM_TABLE: `${PREFIX}-alarm-state`,
      });
      expect(config).toMatchObject({
        thresholds: {
          hitRateMin: 80,
          error5xxMax: 1,
          error4xxMax: 5,
          originLatencyMaxMs: 1000,
          minRequests: 500,
        },
        alarmAfter: 3,
        recoverAfter: 3,
        checkWindowMinutes: 15,
        digestWindowHours: 24,
        distributionIds: [],
        dashboardName: PREFIX,
        metricsNamespace: 'CdnPipeline',
        // Spend reads the EMF of the invalidate function of this stage.
        invalidateServiceName: FUNCTIONS.invalidate.service,
        stage: STAGE,
      });
      const withParamsEnv = props(withParams.template, REPORT[name].id).Environment.Variables;
      expect(withParamsEnv.HIT_RATE_MIN).toBe('90');
    },
  );

  it.each(REPORT_NAMES)('gives %s exactly what it calls, scoped wherever AWS allows', (name) => {
    const role = REPORT[name].role;
    const actions = allowed(role).flatMap((s) => asArray(s.Action));
    expect(actions.sort()).toEqual(
      [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        ...REPORT[name].actions,
      ].sort(),
    );
    const cf = 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}';
    const expected: Record<string, Cfn> = {
      'cloudwatch:GetMetricData': '*',
      'cloudfront:ListDistributions': '*',
      'cloudfront:ListTagsForResource': { 'Fn::Sub': `${cf}:distribution/*` },
      'cloudfront:GetDistribution': { 'Fn::Sub': `${cf}:distribution/*` },
      'cloudfront:GetDistributionConfig': { 'Fn::Sub': `${cf}:distribution/*` },
      'cloudfront:GetCachePolicyConfig': { 'Fn::Sub': `${cf}:cache-policy/*` },
      'dynamodb:GetItem': { 'Fn::GetAtt': ['AlarmStateTable', 'Arn'] },
      'dynamodb:PutItem': { 'Fn::GetAtt': ['AlarmStateTable', 'Arn'] },
      'dynamodb:Query': { 'Fn::GetAtt': ['AlarmStateTable', 'Arn'] },
      'dynamodb:Scan': { 'Fn::GetAtt': ['AlarmStateTable', 'Arn'] },
      'sns:Publish': { Ref: 'AlertsTopic' },
    };
    for (const action of REPORT[name].actions) {
      const statements = grants(role, action);
      expect(statements, `${name} ${action}`).toHaveLength(1);
      expect(statements[0]!.Resource, `${name} ${action}`).toEqual(expected[action]);
    }
  });

  it('gives no other function the alarm table', () => {
    for (const [roleId] of resourcesOfType(t(), 'AWS::IAM::Role')) {
      if (roleId === REPORT.reportCheck.role) continue;
      const dynamo = allowed(roleId).filter((s) =>
        asArray(s.Action).some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo, roleId).toEqual([]);
    }
  });

  it('keeps alarm state in a stage-scoped, on-demand, recoverable, encrypted table', () => {
    const table = props(t(), 'AlarmStateTable', 'AWS::DynamoDB::Table');
    expect(table.TableName).toBe(`${PREFIX}-alarm-state`);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.KeySchema).toEqual([
      { AttributeName: 'distributionId', KeyType: 'HASH' },
      { AttributeName: 'metric', KeyType: 'RANGE' },
    ]);
    expect(table.AttributeDefinitions).toEqual([
      { AttributeName: 'distributionId', AttributeType: 'S' },
      { AttributeName: 'metric', AttributeType: 'S' },
    ]);
  });

  describe('dashboard', () => {
    const dashboard = () => props(t(), 'Dashboard', 'AWS::CloudWatch::Dashboard');
    /** The body as CloudFormation will see it: every ${…} of the Fn::Sub replaced. */
    const body = () => {
      const template = dashboard().DashboardBody['Fn::Sub'] as string;
      const vars = [...template.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!);
      const json = template.replace(/\$\{([^}]+)\}/g, (_, v: string) => `SUB(${v})`);
      return { vars, parsed: JSON.parse(json) as { widgets: Loose[] }, text: json };
    };
    const widget = (title: RegExp) => {
      const found = body().parsed.widgets.filter((w) => title.test(w.properties.title));
      expect(found, String(title)).toHaveLength(1);
      return found[0]!.properties as Loose;
    };

    it('is named after the stack and parses as JSON once substituted', () => {
      expect(dashboard().DashboardName).toBe(PREFIX);
      expect(body().parsed.widgets.length).toBeGreaterThanOrEqual(5);
    });

    it('only substitutes pseudo parameters and attributes of resources in the template', () => {
      for (const v of body().vars) {
        if (v.startsWith('AWS::')) continue;
        const [logicalId] = v.split('.');
        resource(t(), logicalId!);
      }
    });

    it('graphs the HitRate the report check publishes (EMF, stack region)', () => {
      const w = widget(/^Hit rate/);
      expect(w.region).toBe('SUB(AWS::Region)');
      expect(JSON.stringify(w.metrics)).toContain('MetricName=\\"HitRate\\"');
      expect(JSON.stringify(w.metrics)).toContain(`service=\\"${REPORT.reportCheck.service}\\"`);
      expect(JSON.stringify(w.metrics)).toContain('{CdnPipeline,DistributionId,service}');
    });

    it('reads requests and error rates from AWS/CloudFront in us-east-1', () => {
      for (const title of [/requests/i, /4xx and 5xx/]) {
        const w = widget(title);
        expect(w.region).toBe('us-east-1');
        expect(JSON.stringify(w.metrics)).toContain('{AWS/CloudFront,DistributionId,Region}');
      }
      expect(JSON.stringify(widget(/4xx and 5xx/).metrics)).toMatch(/4xxErrorRate.*5xxErrorRate/);
    });

    it('graphs the invalidation paths billed (EMF of invalidate, this stage)', () => {
      const w = widget(/Invalidation paths billed/);
      expect(w.metrics).toContainEqual([
        'CdnPipeline',
        'PathsBilled',
        'service',
        FUNCTIONS.invalidate.service,
        expect.objectContaining({ stat: 'Sum' }),
      ]);
    });

    it('graphs the depth of both DLQs', () => {
      const w = widget(/Dead-letter/);
      const queues = (w.metrics as Loose[]).map((m) => m[3]);
      expect(queues.sort()).toEqual(
        ['SUB(InvalidationRequestsDLQ.QueueName)', 'SUB(ObjectEventsDLQ.QueueName)'].sort(),
      );
      for (const m of w.metrics as Loose[])
        expect(m.slice(0, 3)).toEqual([
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
        ]);
    });
  });

  it('names the table and the dashboard in the outputs', () => {
    expect(target(t().Outputs?.AlarmStateTableName?.Value)).toBe('AlarmStateTable');
    expect(target(t().Outputs?.DashboardName?.Value)).toBe('Dashboard');
  });

  it.each(REPORT_NAMES)('bundles %s and exports the handler the template names', (name) =>
    expectBundledExport(name, 'functions/report/handler.js', REPORT[name].export),
  );
});

describe('outputs', () => {
  it('names the bucket, the queues, the DLQs and the alerts topic', () => {
    const outputs = t().Outputs ?? {};
    const expected: Record<string, string> = {
      ContentBucketName: 'ContentBucket',
      ObjectEventsQueueUrl: 'ObjectEventsQueue',
      ObjectEventsDLQUrl: 'ObjectEventsDLQ',
      InvalidationRequestsQueueUrl: 'InvalidationRequestsQueue',
      InvalidationRequestsDLQUrl: 'InvalidationRequestsDLQ',
      AlertsTopicArn: 'AlertsTopic',
    };
    for (const [output, logicalId] of Object.entries(expected)) {
      expect(target(outputs[output]?.Value), output).toBe(logicalId);
    }
  });
});

describe('cfn-lint', () => {
  it('finds no errors in the template', async () => {
    const templatePath = join(base.dir, 'cloudformation-template-update-stack.json');
    const result = await run('cfn-lint', ['--format', 'json', templatePath], {
      timeoutMs: 120_000,
    });
    const context = `cfn-lint exit ${result.code} ${result.error ?? ''}\n${result.stdout}\n${result.stderr}`;
    // Exit code bits: 1 crash or bad template, 2 errors, 4 warnings, 8 informational.
    expect(result.code, context).not.toBeNull();
    expect(result.code! & 3, context).toBe(0);
    const findings = JSON.parse(result.stdout || '[]') as {
      Rule: { Id: string };
      Message: string;
    }[];
    const errors = findings.filter((f) => f.Rule.Id.startsWith('E'));
    expect(errors, context).toEqual([]);
    const warnings = findings.map((f) => `${f.Rule.Id} ${f.Message}`);
    if (warnings.length) console.log(`cfn-lint warnings:\n  ${warnings.join('\n  ')}`);
  }, 120_000);
});
