/**
 * What the package tests expect of the stack, in one place: the functions with their queues,
 * roles and handlers, the provisioning and report functions with exactly the actions each calls,
 * the actions AWS only allows on "*", and the function settings whose defaults the config
 * schemas own (read from the loaders, never restated here).
 */
import { expect } from 'vitest';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import { loadInvalidateConfig } from '../../functions/invalidate/config.js';
import { loadReportConfig } from '../../functions/report/config.js';
import { PARAMS, PREFIX } from './runs.js';
import { resourcesOfType, target, type Cfn, type CfnTemplate } from './template.js';

/** The largest MaximumBatchingWindowInSeconds SQS accepts. */
export const MAX_BATCH_WINDOW = 300;

export const FUNCTIONS = {
  ingest: {
    id: 'IngestLambdaFunction',
    role: 'IngestIamRoleLambdaExecution',
    queue: 'ObjectEventsQueue',
    dlq: 'ObjectEventsDLQ',
    maxReceiveCount: 5,
    timeout: 60,
    batchSize: 10,
    window: 0,
    service: `${PREFIX}-ingest`,
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
    service: `${PREFIX}-invalidate`,
  },
  logs: {
    id: 'LogsLambdaFunction',
    role: 'LogsIamRoleLambdaExecution',
    queue: 'LogEventsQueue',
    dlq: 'LogEventsDLQ',
    maxReceiveCount: 5,
    timeout: 120,
    batchSize: 10,
    window: 0,
    service: `${PREFIX}-logs`,
  },
} as const;
export type FunctionName = keyof typeof FUNCTIONS;
export const NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/**
 * The provisioning functions (handler `functions/provision/tasks/<export>.handler`), each with exactly
 * the actions it calls, besides its log stream.
 */
export const PROVISION = {
  provisionValidate: {
    export: 'validate',
    // Adoption's preflight reads the distribution it is given and who carries the spec's tags.
    actions: [
      'cloudfront:GetDistribution',
      'cloudfront:ListDistributions',
      'cloudfront:ListTagsForResource',
      's3:GetBucketAcl',
      's3:GetBucketPolicy',
      's3:GetBucketPublicAccessBlock',
      's3:ListBucket',
    ],
  },
  provisionEnsureOriginAccessControl: {
    export: 'ensureOriginAccessControl',
    actions: ['cloudfront:CreateOriginAccessControl', 'cloudfront:ListOriginAccessControls'],
  },
  provisionEnsurePolicies: {
    export: 'ensurePolicies',
    actions: [
      'cloudfront:CreateCachePolicy',
      'cloudfront:CreateKeyGroup',
      'cloudfront:CreatePublicKey',
      'cloudfront:CreateResponseHeadersPolicy',
      'cloudfront:GetCachePolicyConfig',
      'cloudfront:GetKeyGroup',
      'cloudfront:GetResponseHeadersPolicyConfig',
      'cloudfront:ListCachePolicies',
      'cloudfront:ListKeyGroups',
      'cloudfront:ListPublicKeys',
      'cloudfront:ListResponseHeadersPolicies',
      'cloudfront:UpdateCachePolicy',
      'cloudfront:UpdateKeyGroup',
      'cloudfront:UpdateResponseHeadersPolicy',
    ],
  },
  provisionEnsureDistribution: {
    export: 'ensureDistribution',
    actions: [
      'cloudfront:CreateDistribution',
      'cloudfront:GetDistribution',
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
    // OAI -> OAC: the legacy identity is retired once no distribution reads with it.
    actions: [
      'cloudfront:DeleteCloudFrontOriginAccessIdentity',
      'cloudfront:GetCloudFrontOriginAccessIdentity',
      'cloudfront:GetDistributionConfig',
      'cloudfront:ListDistributions',
      's3:DeleteBucketPolicy',
      's3:GetBucketPolicy',
      's3:PutBucketPolicy',
    ],
  },
  provisionEnsureMonitoring: {
    export: 'ensureMonitoring',
    actions: [
      'cloudfront:CreateMonitoringSubscription',
      'cloudfront:DeleteMonitoringSubscription',
      'cloudfront:GetMonitoringSubscription',
    ],
  },
  provisionEnsureLogging: {
    export: 'ensureLogging',
    actions: [
      'cloudfront:AllowVendedLogDeliveryForResource',
      'logs:CreateDelivery',
      'logs:DescribeDeliveries',
      'logs:GetDeliveryDestination',
      'logs:GetDeliverySource',
      'logs:PutDeliveryDestination',
      'logs:PutDeliverySource',
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
export type ProvisionName = keyof typeof PROVISION;
export const PROVISION_NAMES = Object.keys(PROVISION) as ProvisionName[];
/** `provisionEnsureDistribution` → `ProvisionEnsureDistribution` (serverless's logical-id stem). */
export const stem = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
export const provisionFunctionId = (name: ProvisionName) => `${stem(name)}LambdaFunction`;
export const provisionRoleId = (name: ProvisionName) => `${stem(name)}IamRoleLambdaExecution`;
export const STATE_MACHINE_ID = 'ProvisionStateMachine';

/**
 * Actions AWS only allows on `"Resource": "*"` (Service Authorization Reference, Amazon
 * CloudFront: no resource type is listed for them), with the reason.
 */
export const STAR_ONLY: Record<string, string> = {
  'cloudfront:ListDistributions': 'a List action over the account',
  'events:ListRuleNamesByTarget': 'a List action by target ARN: the request names no rule',
  'cloudfront:ListOriginAccessControls': 'a List action over the account',
  'cloudfront:ListCachePolicies': 'a List action over the account',
  'cloudfront:ListResponseHeadersPolicies': 'a List action over the account',
  'cloudfront:CreateOriginAccessControl': 'creates a resource that has no ARN yet',
  'cloudfront:CreateCachePolicy': 'creates a resource that has no ARN yet',
  'cloudfront:CreateResponseHeadersPolicy': 'creates a resource that has no ARN yet',
  'cloudfront:CreateDistribution': 'creates a resource that has no ARN yet',
  'cloudfront:ListPublicKeys': 'no resource type listed for public keys',
  'cloudfront:CreatePublicKey': 'no resource type listed for public keys',
  'cloudfront:ListKeyGroups': 'no resource type listed for key groups',
  'cloudfront:CreateKeyGroup': 'no resource type listed for key groups',
  'cloudfront:GetKeyGroup': 'no resource type listed for key groups',
  'cloudfront:UpdateKeyGroup': 'no resource type listed for key groups',
  'cloudfront:GetMonitoringSubscription': 'no resource type listed for monitoring subscriptions',
  'cloudfront:CreateMonitoringSubscription': 'no resource type listed for monitoring subscriptions',
  'cloudfront:DeleteMonitoringSubscription': 'no resource type listed for monitoring subscriptions',
  'cloudwatch:GetMetricData': 'no resource type (nor namespace condition key) listed for it',
  'cloudwatch:ListMetrics': 'a List action over the account',
  'logs:DescribeDeliveries': 'a List action over the account',
  // The state machine's log delivery (serverless-step-functions adds them with loggingConfig):
  // CloudWatch Logs lists no resource type for the vended-logs delivery actions.
  'logs:CreateLogDelivery': 'vended-logs delivery: no resource type listed',
  'logs:GetLogDelivery': 'vended-logs delivery: no resource type listed',
  'logs:UpdateLogDelivery': 'vended-logs delivery: no resource type listed',
  'logs:DeleteLogDelivery': 'vended-logs delivery: no resource type listed',
  'logs:ListLogDeliveries': 'vended-logs delivery: no resource type listed',
  'logs:PutResourcePolicy': 'account-level resource policy of CloudWatch Logs: "*" only',
  'logs:DescribeResourcePolicies': 'a List action over the account',
  'logs:DescribeLogGroups': 'a List action over the account',
};
export const STAR_ONLY_ACTIONS = Object.keys(STAR_ONLY);

/** The report's scheduled functions (`<file>.<export>`: the check in handler.ts, the digest in its own entry). */
export const REPORT = {
  reportCheck: {
    id: 'ReportCheckLambdaFunction',
    role: 'ReportCheckIamRoleLambdaExecution',
    file: 'functions/report/handler',
    export: 'check',
    schedule: 'rate(15 minutes)',
    scheduleParam: PARAMS.reportCheckSchedule,
    service: `${PREFIX}-report-check`,
    actions: [
      'cloudfront:GetDistribution',
      'cloudfront:ListDistributions',
      'cloudfront:ListTagsForResource',
      'cloudwatch:GetMetricData',
      'cloudwatch:ListMetrics',
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
    file: 'functions/report/digestHandler',
    export: 'digest',
    schedule: 'cron(0 8 * * ? *)',
    scheduleParam: PARAMS.reportDigestSchedule,
    service: `${PREFIX}-report-digest`,
    actions: [
      'cloudfront:GetCachePolicyConfig',
      'cloudfront:GetDistribution',
      'cloudfront:GetDistributionConfig',
      'cloudfront:ListDistributions',
      'cloudfront:ListTagsForResource',
      'cloudwatch:GetMetricData',
      'cloudwatch:ListMetrics',
      'sns:Publish',
    ],
  },
} as const;
export type ReportName = keyof typeof REPORT;
export const REPORT_NAMES = Object.keys(REPORT) as ReportName[];

/** The scheduled health check (`functions/health/handler.scheduled`). */
export const HEALTH = {
  name: 'healthCheck',
  id: 'HealthCheckLambdaFunction',
  role: 'HealthCheckIamRoleLambdaExecution',
  export: 'scheduled',
  schedule: 'rate(15 minutes)',
  service: `${PREFIX}-health`,
  actions: [
    'cloudfront:GetDistribution',
    'cloudfront:GetOriginAccessControl',
    'cloudfront:ListDistributions',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'events:DescribeRule',
    'events:ListRuleNamesByTarget',
    's3:GetBucketAcl',
    's3:GetBucketNotification',
    's3:GetBucketOwnershipControls',
    's3:GetBucketPolicy',
    's3:GetBucketPublicAccessBlock',
    's3:GetBucketVersioning',
    's3:GetEncryptionConfiguration',
    's3:ListBucket',
    'sns:ListSubscriptionsByTopic',
    'sns:Publish',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
  ],
} as const;

/** The custom resource behind existing buckets (`functions/bucketEvents/handler.handler`). */
export const BUCKET_EVENTS = {
  name: 'bucketEvents',
  id: 'BucketEventsLambdaFunction',
  role: 'BucketEventsIamRoleLambdaExecution',
  export: 'handler',
  type: 'Custom::BucketEventBridgeDelivery',
  actions: ['s3:GetBucketNotification', 's3:GetBucketTagging', 's3:PutBucketNotification'],
} as const;

/**
 * Environment variables of function settings: serverless.yml passes each through only when its
 * parameter is set, so by default they are absent and the config schema's default applies.
 */
export const SCHEMA_OWNED_VARIABLES = {
  ingest: ['INVALIDATE_ON', 'CONTENT_CLASSES', 'KEY_LEDGER_TTL_DAYS', 'CACHE_TAG_BUCKETS'],
  invalidate: [
    'DISTRIBUTION_IDS',
    'MAX_INFLIGHT_PATHS',
    'MAX_INFLIGHT_WILDCARDS',
    'COLLAPSE_MIN_SIBLINGS',
    'WILDCARD_MAX_UNCHANGED',
    'DISCOVERY_CACHE_SECONDS',
  ],
  report: [
    'DISTRIBUTION_IDS',
    'HIT_RATE_MIN',
    'ERROR_5XX_MAX',
    'ERROR_4XX_MAX',
    'ORIGIN_LATENCY_MAX_MS',
    'MIN_REQUESTS',
    'ALARM_AFTER',
    'RECOVER_AFTER',
    'ALARM_STALE_AFTER',
    'CHECK_WINDOW_MINUTES',
    'DIGEST_WINDOW_HOURS',
  ],
} as const;

/** Stand-ins for the values CloudFormation fills in (Refs) when a loader parses an environment. */
export const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/q';
export const TOPIC_ARN = `arn:aws:sns:us-east-1:123456789012:${PREFIX}-alerts`;
export const ALARM_TABLE = `${PREFIX}-alarm-state`;
export const LEDGER_TABLE = `${PREFIX}-invalidation-ledger`;
export const KEY_LEDGER_TABLE = `${PREFIX}-key-ledger`;

/** The config schemas' defaults, as their loaders return them with only the required settings. */
export const SCHEMA_DEFAULTS = {
  ingest: loadIngestConfig({ INVALIDATION_QUEUE_URL: QUEUE_URL }),
  invalidate: loadInvalidateConfig({}),
  report: loadReportConfig({ ALERTS_TOPIC_ARN: TOPIC_ARN, ALARM_TABLE }),
} as const;

export function mappingFor(template: CfnTemplate, fn: FunctionName) {
  const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => target(m.Properties?.FunctionName) === FUNCTIONS[fn].id,
  );
  expect(mappings, `event source mappings of ${fn}`).toHaveLength(1);
  return mappings[0]![1].Properties as Record<string, Cfn> & {
    BatchSize: number;
    MaximumBatchingWindowInSeconds?: number;
  };
}
