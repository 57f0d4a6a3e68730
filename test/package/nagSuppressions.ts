/**
 * Every cdk-nag finding the stack keeps, in one place, each with its reason
 * (`AwsSolutionsChecks` and `ServerlessChecks` on the packaged template, nag.test.ts).
 *
 * A suppression names the rule (for IAM5, the finding: the wildcard it is about) and the logical
 * ids it applies to, as exact names or one pattern. The test acknowledges a finding only when a
 * suppression here matches both, then runs the packs again: anything left fails, and so does a
 * suppression that no longer matches anything (it would hide the next finding of its kind).
 */

export interface NagSuppression {
  /** The rule id as cdk-nag reports it, finding included: `AwsSolutions-IAM5[Resource::*]`. */
  readonly rule: string | RegExp;
  /** Logical ids of the resources it applies to. */
  readonly resources: readonly string[] | RegExp;
  readonly reason: string;
}

/** Any function's role (serverless-iam-roles-per-function: `<Function>IamRoleLambdaExecution`). */
const FUNCTION_ROLES = /^[A-Z][A-Za-z]*IamRoleLambdaExecution$/;
/** Any function of the stack (`<Function>LambdaFunction`). */
const FUNCTIONS = /^[A-Z][A-Za-z]*LambdaFunction$/;
const SQS_MAPPINGS = /^[A-Z][A-Za-z]*EventSourceMappingSQS[A-Za-z]+$/;
const SCHEDULE_RULES = /^[A-Z][A-Za-z]*EventsRuleSchedule\d+$/;

const iam5 = (resource: string | RegExp): RegExp =>
  typeof resource === 'string'
    ? new RegExp(`^AwsSolutions-IAM5\\[Resource::${escape(resource)}\\]$`)
    : new RegExp(`^AwsSolutions-IAM5\\[Resource::${resource.source}\\]$`);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** cdk-nag writes `${AWS::AccountId}` of an Fn::Sub as `<AWS::AccountId>`. */
const CF = escape('arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:');
const STAGE_PREFIX = 'cdn-pipeline-[a-z0-9-]+';

export const NAG_SUPPRESSIONS: readonly NagSuppression[] = [
  // ── IAM: wildcards AWS requires, or that name resources created at run time ──────────────
  {
    rule: iam5('*'),
    resources: [
      'InvalidateIamRoleLambdaExecution',
      'ProvisionValidateIamRoleLambdaExecution',
      'ProvisionMergeBucketPolicyIamRoleLambdaExecution',
      'ProvisionEnsureOriginAccessControlIamRoleLambdaExecution',
      'ProvisionEnsurePoliciesIamRoleLambdaExecution',
      'ProvisionEnsureDistributionIamRoleLambdaExecution',
      'ProvisionEnsureMonitoringIamRoleLambdaExecution',
      'ProvisionEnsureLoggingIamRoleLambdaExecution',
      'ReportCheckIamRoleLambdaExecution',
      'ReportDigestIamRoleLambdaExecution',
      'HealthCheckIamRoleLambdaExecution',
      'ProvisionStateMachineRole',
    ],
    reason:
      'Only actions the Service Authorization Reference lists without a resource type (List*, ' +
      'Create* of resources that have no ARN yet, monitoring subscriptions, GetMetricData, and the ' +
      'state machine\'s CloudWatch Logs delivery actions) are granted on "*": iam.test.ts fails ' +
      'on any other action there (STAR_ONLY in expected.ts, with the reason for each).',
  },
  {
    rule: 'Serverless-LambdaStarPermissions',
    resources: FUNCTION_ROLES,
    reason:
      'The same "*" grants as AwsSolutions-IAM5[Resource::*]: actions AWS allows on "*" only.',
  },
  {
    rule: iam5(
      new RegExp(
        `${escape('arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/')}${STAGE_PREFIX}-[A-Za-z]+${escape(':*:*')}`,
      ),
    ),
    resources: FUNCTION_ROLES,
    reason:
      "Each function's own log group; the `:*` is its log streams, which Lambda names at run " +
      'time (CreateLogStream / PutLogEvents need them).',
  },
  {
    rule: iam5(
      new RegExp(
        `${escape('arn:<AWS::Partition>:s3:::')}${STAGE_PREFIX}-content-${escape('<AWS::AccountId>-<AWS::Region>/*')}`,
      ),
    ),
    resources: ['IngestIamRoleLambdaExecution'],
    reason:
      'Ingest tags whatever object an app uploads: the objects of the content bucket, no other ' +
      'bucket (object keys are not known before they are written).',
  },
  {
    rule: iam5(
      new RegExp(
        `${escape('arn:<AWS::Partition>:s3:::')}[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^*?]*\\*`,
      ),
    ),
    resources: ['IngestIamRoleLambdaExecution'],
    reason:
      'With contentBuckets (existing buckets), ingest tags whatever object an app uploads under ' +
      'a watched prefix: one ARN per bucket and contentPrefixes prefix (bucket/* without ' +
      'prefixes), no other bucket or key range; existingBuckets.test.ts checks every S3 ARN of ' +
      'every role against exactly those.',
  },
  {
    rule: iam5(new RegExp(`${CF}distribution/\\*`)),
    resources: [
      'InvalidateIamRoleLambdaExecution',
      'ProvisionValidateIamRoleLambdaExecution',
      'ProvisionEnsureDistributionIamRoleLambdaExecution',
      'ProvisionMergeBucketPolicyIamRoleLambdaExecution',
      'ProvisionCheckDeploymentIamRoleLambdaExecution',
      'ProvisionEnsureLoggingIamRoleLambdaExecution',
      'ReportCheckIamRoleLambdaExecution',
      'ReportDigestIamRoleLambdaExecution',
      'HealthCheckIamRoleLambdaExecution',
      'LogsIamRoleLambdaExecution',
    ],
    reason:
      "Distributions are created by the provisioning workflow after deploy: their ids cannot be in the template. This account's distributions only; the writes (UpdateDistribution, TagResource) only on distributions tagged cdn-pipeline:managed=true (aws:ResourceTag) or, for TagResource, in a request that tags them so (aws:RequestTag).",
  },
  {
    rule: iam5(new RegExp(`${CF}(cache-policy|response-headers-policy)/\\*`)),
    resources: [
      'ProvisionEnsurePoliciesIamRoleLambdaExecution',
      'ReportDigestIamRoleLambdaExecution',
    ],
    reason:
      'Cache and response-headers policies are created (and found by name) by the provisioning ' +
      'workflow at run time; their ids cannot be in the template. This account only.',
  },
  {
    rule: iam5(new RegExp(`${CF}origin-access-identity/\\*`)),
    resources: ['ProvisionMergeBucketPolicyIamRoleLambdaExecution'],
    reason:
      'OAI -> OAC migration retires the legacy Origin Access Identity an adopted distribution ' +
      'used (read, then delete only when no other distribution reads with it); its id comes from ' +
      'the adopted distribution at run time. This account only.',
  },
  {
    rule: iam5(new RegExp(`${CF}origin-access-control/\\*`)),
    resources: ['HealthCheckIamRoleLambdaExecution'],
    reason:
      'The health check reads the origin access control of each distribution it finds; OACs are ' +
      'created by provisioning at run time. Read only, this account only.',
  },
  {
    rule: iam5(new RegExp(`${escape('arn:<AWS::Partition>:s3:::')}${STAGE_PREFIX}-logs-\\*`)),
    resources: ['ProvisionEnsureDistributionIamRoleLambdaExecution'],
    reason:
      "The provisionLogBuckets parameter: buckets a spec's standard logging may write to, a " +
      "pattern by design (CloudFront needs the caller to read and update the log bucket's ACL).",
  },
  {
    rule: iam5(
      new RegExp(
        `${escape('arn:<AWS::Partition>:s3:::')}${STAGE_PREFIX}-stdlogs-${escape('<AWS::AccountId>-<AWS::Region>/*')}`,
      ),
    ),
    resources: ['LogsIamRoleLambdaExecution'],
    reason:
      "The log files of the stack's own log bucket, which CloudFront names at delivery time: " +
      'GetObject only, this bucket only.',
  },
  {
    rule: iam5(
      new RegExp(
        `${escape('arn:<AWS::Partition>:logs:us-east-1:<AWS::AccountId>:')}(delivery-source:cdn-pipeline-\\*|delivery-destination:cdn-pipeline-\\*|delivery:\\*)`,
      ),
    ),
    resources: ['ProvisionEnsureLoggingIamRoleLambdaExecution'],
    reason:
      'Standard logging v2: one delivery source per distribution (created at run time, named ' +
      'cdn-pipeline-<id>), the destination of the log bucket, and the deliveries CreateDelivery ' +
      'makes (ids chosen by AWS). This account, us-east-1 only.',
  },
  {
    rule: /^AwsSolutions-IAM5\[Resource::\["\$\{functionArn\}:\*",\{"functionArn":\{"Fn::GetAtt":\["Provision[A-Za-z]+LambdaFunction","Arn"\]\}\}\]\]$/,
    resources: ['ProvisionStateMachineRole'],
    reason:
      'serverless-step-functions grants the state machine each of its own task functions and ' +
      'their qualified ARNs (`:version`/`:alias`); nothing else.',
  },

  // ── Runtime, tracing, logging level ────────────────────────────────────────────────────
  {
    rule: /^(AwsSolutions-L1|Serverless-LambdaLatestVersion)$/,
    resources: FUNCTIONS,
    reason:
      'nodejs22.x on purpose (DESIGN.md, Runtime): the Node major the suite is verified on; a ' +
      'newer runtime is adopted when the suite runs on it.',
  },
  {
    rule: /^(Serverless-LambdaTracing|AwsSolutions-SF2|Serverless-StepFunctionStateMachineXray)$/,
    resources: /^(?:[A-Z][A-Za-z]*LambdaFunction|ProvisionStateMachine)$/,
    reason:
      'No X-Ray: the functions are short, single-hop calls to AWS APIs, observed through ' +
      'Powertools logs with correlation keys and EMF metrics (and their alarms); tracing would ' +
      'add cost and a permission per role for no question those do not answer.',
  },
  {
    rule: 'AwsSolutions-SF1',
    resources: ['ProvisionStateMachine'],
    reason:
      'Logs ERROR events only, without execution data (resources/stateMachines.yml): inputs and ' +
      'outputs carry specs and causes that need not be kept; a failed run also mails its cause.',
  },

  // ── Dead letters ───────────────────────────────────────────────────────────────────────
  {
    rule: 'Serverless-SQSRedrivePolicy',
    resources: ['ObjectEventsDLQ', 'InvalidationRequestsDLQ', 'LogEventsDLQ'],
    reason: 'These are the dead-letter queues (a DLQ on a DLQ); each has an alarm on any message.',
  },
  {
    rule: 'Serverless-LambdaDLQ',
    resources: FUNCTIONS,
    reason:
      'No function is invoked asynchronously with work to lose: ingest and invalidate are SQS ' +
      'consumers (their queues redrive to DLQs), the provisioning tasks are invoked synchronously ' +
      'by Step Functions (Retry/Catch, failure mail), and a scheduled run that fails is repeated by ' +
      'the next schedule and alarmed on its Errors.',
  },
  {
    rule: 'Serverless-LambdaEventSourceMappingDestination',
    resources: SQS_MAPPINGS,
    reason:
      'SQS event source mappings take no OnFailure destination: the source queue redrive policy ' +
      'is the destination (ObjectEventsDLQ, InvalidationRequestsDLQ, alarmed).',
  },
  {
    rule: 'Serverless-EventBusDLQ',
    resources: SCHEDULE_RULES,
    reason:
      'Schedule targets: a run EventBridge could not deliver is the next run (the check and the ' +
      'health check are idempotent through their alarm state); a queue of missed runs would ' +
      'only replay stale windows.',
  },
  {
    rule: 'Serverless-SNSRedrivePolicy',
    resources: ['AlertsEmailSubscription'],
    reason:
      'An email subscription: a DLQ would hold mails nobody reads. What failed to publish is ' +
      'counted and alarmed (MailsNotPublished), and every alarm stays visible in the console.',
  },

  // ── Buckets and tables ─────────────────────────────────────────────────────────────────
  {
    rule: 'AwsSolutions-S1',
    resources: ['ServerlessDeploymentBucket', 'ContentBucket', 'StandardLogBucket'],
    reason:
      'Server access logs need a second bucket per bucket. The log bucket holds logs itself ' +
      '(written by the delivery service, read by the logs function). The deployment bucket only holds ' +
      "the framework's artifacts (TLS-only policy, public access blocked); the content bucket " +
      'is read through CloudFront, whose standard logging records the reads, and written by the ' +
      "account's apps, which CloudTrail data events record where wanted.",
  },
  {
    rule: 'AwsSolutions-DDB3',
    resources: ['InvalidationLedgerTable'],
    reason:
      'Short-lived reservations (minutes, TTL a day): nothing to restore from a backup. The ' +
      'alarm-state table keeps point-in-time recovery.',
  },
];
