/**
 * The CloudFormation that wires buckets the team already has (contentBuckets, parsed by
 * resources/contentBuckets.cjs) to the pipeline, without replacing their notification
 * configuration:
 *
 *   S3 (EventBridge delivery on) → default event bus → ObjectCreatedRule → object-events queue
 *
 * - one `Custom::BucketEventBridgeDelivery` per bucket (functions/bucketEvents) turns S3's
 *   bucket-level EventBridge delivery on, keeping every other notification of the bucket, and
 *   off again on delete only if it turned it on;
 * - one EventBridge rule for the stack: S3 `Object Created` events of these buckets (and the
 *   contentPrefixes prefixes), to object-events, with retries and the object-events DLQ;
 * - the queue policies of object-events and its DLQ: TLS only, and only that rule may send.
 *
 * Included by serverless.yml (`resources:`) only when contentBuckets is set. CommonJS because
 * osls loads it with require().
 */
/* global module, TextEncoder */
'use strict';

/** FNV-1a, 32 bits, as 8 hex digits: a stable short suffix (not a security measure). */
function shortHash(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** `charts-prod` → `BucketEventsChartsProd` + a short hash (names differing only in . - stay apart). */
function customResourceId(bucket) {
  const words = bucket
    .split(/[.-]/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `BucketEvents${words.join('')}${shortHash(bucket)}`;
}

const getAtt = (id, attribute) => ({ 'Fn::GetAtt': [id, attribute] });
const denyInsecureTransport = (queueId) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 'sqs:*',
  Resource: getAtt(queueId, 'Arn'),
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});
const RULE_ID = 'ObjectCreatedRule';
const allowRule = (sid, queueId) => ({
  Sid: sid,
  Effect: 'Allow',
  Principal: { Service: 'events.amazonaws.com' },
  Action: 'sqs:SendMessage',
  Resource: getAtt(queueId, 'Arn'),
  Condition: { ArnEquals: { 'aws:SourceArn': getAtt(RULE_ID, 'Arn') } },
});
const queuePolicy = (queueId, statements) => ({
  Type: 'AWS::SQS::QueuePolicy',
  Properties: {
    Queues: [{ Ref: queueId }],
    PolicyDocument: { Version: '2012-10-17', Statement: statements },
  },
});

/** The CloudFormation of the existing-bucket wiring (serverless.yml `resources:`). */
async function existingBuckets({ resolveVariable }) {
  const { eventPattern, parse } = (await import('./contentBuckets.cjs')).default;
  const { buckets, prefixes } = await parse(resolveVariable);
  if (buckets.length === 0) return {};
  const delivery = Object.fromEntries(
    buckets.map((bucket) => [
      customResourceId(bucket),
      {
        Type: 'Custom::BucketEventBridgeDelivery',
        // The rule and the queue policies first: events flow from the moment delivery is on.
        DependsOn: [RULE_ID, 'ObjectEventsQueuePolicy', 'ObjectEventsDLQPolicy'],
        Properties: {
          ServiceToken: getAtt('BucketEventsLambdaFunction', 'Arn'),
          // Fail the stack after 5 minutes, not CloudFormation's default hour, if no answer comes.
          ServiceTimeout: 300,
          Bucket: bucket,
        },
      },
    ]),
  );
  return {
    Resources: {
      // S3 → EventBridge (default bus) → this rule → object-events. One rule per stack.
      [RULE_ID]: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: '${self:custom.prefix}-object-created',
          Description: 'cdn-pipeline ${sls:stage}: S3 Object Created events of the content buckets',
          State: 'ENABLED',
          EventPattern: eventPattern(buckets, prefixes),
          Targets: [
            {
              Id: 'object-events',
              Arn: getAtt('ObjectEventsQueue', 'Arn'),
              // EventBridge retries for a day; what it still cannot deliver lands in the
              // (alarmed) DLQ instead of being dropped.
              RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
              DeadLetterConfig: { Arn: getAtt('ObjectEventsDLQ', 'Arn') },
            },
          ],
        },
      },
      // Only this rule may send to object-events and its DLQ (no bucket sends directly).
      ObjectEventsQueuePolicy: queuePolicy('ObjectEventsQueue', [
        denyInsecureTransport('ObjectEventsQueue'),
        allowRule('AllowObjectCreatedRule', 'ObjectEventsQueue'),
      ]),
      ObjectEventsDLQPolicy: queuePolicy('ObjectEventsDLQ', [
        denyInsecureTransport('ObjectEventsDLQ'),
        allowRule('AllowObjectCreatedRuleDeadLetters', 'ObjectEventsDLQ'),
      ]),
      ...delivery,
    },
    Outputs: {
      ContentBucketName: {
        Description: 'The first content bucket (the one the scheduled health check watches).',
        Value: buckets[0],
      },
      ContentBucketNames: {
        Description: 'The existing buckets the pipeline watches (contentBuckets).',
        Value: buckets.join(','),
      },
      ObjectCreatedRuleArn: {
        Description:
          'The EventBridge rule that sends their Object Created events to object-events.',
        Value: getAtt(RULE_ID, 'Arn'),
      },
    },
  };
}

module.exports = existingBuckets;
module.exports.customResourceId = customResourceId;
