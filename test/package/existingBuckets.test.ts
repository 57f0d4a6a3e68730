/**
 * The stack on buckets a team already has (`--param contentBuckets=charts-prod,renders-prod
 * --param contentPrefixes=charts/,renders/`, runs.ts): no content bucket of its own and no S3
 * notification it would own; S3's EventBridge delivery turned on per bucket by a custom resource,
 * one rule to object-events (retries, DLQ), queue policies that let only that rule in; every S3
 * grant of every role scoped to exactly those buckets (objects per bucket/prefix). Without the
 * parameter the stack is as before (bucket.test.ts, queues.test.ts and the rest read that run).
 */
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_EVENTS,
  FUNCTIONS,
  HEALTH,
  STAR_ONLY_ACTIONS,
  provisionRoleId,
} from './expected.js';
import { EXISTING_BUCKETS, EXISTING_PREFIXES, PREFIX, STAGE } from './runs.js';
import { refusedPackagings, usePackagedStack } from './stack.js';
import {
  actionCovers,
  asArray,
  props,
  resource,
  resourcesOfType,
  roleStatements,
  target,
  type Cfn,
  type CfnObject,
  type IamStatement,
} from './template.js';
import { zipEntries, zipRead } from './zip.js';

const stack = usePackagedStack();
const t = () => stack.existingBuckets.template;

const s3Arn = (path: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${path}` });
const BUCKET_ARNS = EXISTING_BUCKETS.map((b) => s3Arn(b));
const OBJECT_ARNS = EXISTING_BUCKETS.flatMap((b) =>
  EXISTING_PREFIXES.map((p) => s3Arn(`${b}/${p}*`)),
);
const RULE = 'ObjectCreatedRule';

const allowed = (roleId: string) => roleStatements(t(), roleId).filter((s) => s.Effect === 'Allow');
const s3Statements = (roleId: string) =>
  allowed(roleId).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
const deliveries = () => resourcesOfType(t(), BUCKET_EVENTS.type);

describe('existing buckets: no bucket of its own', () => {
  it('creates no content bucket, no bucket policy and no S3 notification', () => {
    // The stack's own standard-log bucket and its queue (resources/standardLogs.yml) are not
    // content: the logs function reads CloudFront's log files there, with or without contentBuckets.
    const buckets = resourcesOfType(t(), 'AWS::S3::Bucket').map(([id]) => id);
    expect(buckets).toEqual(['ServerlessDeploymentBucket', 'StandardLogBucket']);
    const policies = resourcesOfType(t(), 'AWS::S3::BucketPolicy').map(([id]) => id);
    expect(policies).toEqual(['ServerlessDeploymentBucketPolicy', 'StandardLogBucketPolicy']);
    const withoutLogs = {
      ...t(),
      Resources: Object.fromEntries(
        Object.entries(t().Resources).filter(
          ([id]) => !id.startsWith('StandardLog') && !id.startsWith('LogEvents'),
        ),
      ),
    };
    const text = JSON.stringify(withoutLogs);
    expect(text).not.toContain('NotificationConfiguration');
    expect(text).not.toContain(`${PREFIX}-content-`);
    expect(text).not.toContain('s3.amazonaws.com');
  });

  it('names the buckets in the outputs (the first one as ContentBucketName, for the CLI)', () => {
    expect(t().Outputs?.ContentBucketNames?.Value).toBe(EXISTING_BUCKETS.join(','));
    expect(t().Outputs?.ContentBucketName?.Value).toBe(EXISTING_BUCKETS[0]);
    expect(target(t().Outputs?.ObjectCreatedRuleArn?.Value)).toBe(RULE);
  });

  it('is unchanged without the parameter: the own bucket notifies object-events, no rule, no custom resource', () => {
    const base = stack.base.template;
    expect(resource(base, 'ContentBucket', 'AWS::S3::Bucket')).toBeDefined();
    expect(base.Resources[RULE]).toBeUndefined();
    expect(resourcesOfType(base, BUCKET_EVENTS.type)).toEqual([]);
    expect(base.Resources[BUCKET_EVENTS.id]).toBeUndefined();
    expect(base.Resources[BUCKET_EVENTS.role]).toBeUndefined();
  });
});

describe('existing buckets: how events reach object-events', () => {
  it('turns EventBridge delivery on for each bucket with one custom resource, after the rule and the queue policies exist', () => {
    expect(
      deliveries()
        .map(([, r]) => r.Properties?.Bucket)
        .sort(),
    ).toEqual([...EXISTING_BUCKETS].sort());
    for (const [id, delivery] of deliveries()) {
      expect(id).toMatch(/^BucketEvents[A-Za-z0-9]+$/);
      expect(target(delivery.Properties?.ServiceToken), id).toBe(BUCKET_EVENTS.id);
      expect((delivery.Properties?.ServiceToken as CfnObject)['Fn::GetAtt'], id).toEqual([
        BUCKET_EVENTS.id,
        'Arn',
      ]);
      expect(delivery.Properties?.ServiceTimeout, id).toBe(300);
      expect([...asArray(delivery.DependsOn)].sort(), id).toEqual(
        [RULE, 'ObjectEventsQueuePolicy', 'ObjectEventsDLQPolicy'].sort(),
      );
    }
  });

  it('matches Object Created events of exactly these buckets and prefixes in one rule', () => {
    const rules = resourcesOfType(t(), 'AWS::Events::Rule').filter(
      ([, r]) => r.Properties?.EventPattern !== undefined,
    );
    expect(rules.map(([id]) => id)).toEqual([RULE]);
    const rule = props(t(), RULE, 'AWS::Events::Rule');
    expect(rule.Name).toBe(`${PREFIX}-object-created`);
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [...EXISTING_BUCKETS] },
        object: { key: EXISTING_PREFIXES.map((prefix) => ({ prefix })) },
      },
    });
  });

  it('targets object-events only, retrying for a day, with the (alarmed) object-events DLQ for what it cannot deliver', () => {
    const targets = props(t(), RULE).Targets as CfnObject[];
    expect(targets).toHaveLength(1);
    expect(target(targets[0]!.Arn)).toBe(FUNCTIONS.ingest.queue);
    expect(target((targets[0]!.DeadLetterConfig as CfnObject).Arn)).toBe(FUNCTIONS.ingest.dlq);
    expect(targets[0]!.RetryPolicy).toEqual({
      MaximumRetryAttempts: 185,
      MaximumEventAgeInSeconds: 86400,
    });
  });

  it.each([
    ['ObjectEventsQueuePolicy', FUNCTIONS.ingest.queue],
    ['ObjectEventsDLQPolicy', FUNCTIONS.ingest.dlq],
  ])('lets only the rule send to %s, over TLS', (policyId, queue) => {
    const policy = props(t(), policyId, 'AWS::SQS::QueuePolicy');
    expect(asArray(policy.Queues as Cfn[]).map(target)).toEqual([queue]);
    const statements = policy.PolicyDocument.Statement as (IamStatement & { Principal: Cfn })[];
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [RULE, 'Arn'] } } },
    });
  });

  it('still feeds ingest from object-events', () => {
    const mappings = resourcesOfType(t(), 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => target(m.Properties?.FunctionName) === FUNCTIONS.ingest.id,
    );
    expect(mappings.map(([, m]) => target(m.Properties?.EventSourceArn))).toEqual([
      FUNCTIONS.ingest.queue,
    ]);
  });
});

describe('existing buckets: IAM scoped to exactly these buckets', () => {
  const roles = () => resourcesOfType(t(), 'AWS::IAM::Role').map(([id]) => id);

  it('scopes every S3 grant of every role to the buckets, or their objects under the prefixes', () => {
    const allowedArns = [...BUCKET_ARNS, ...OBJECT_ARNS].map((a) => JSON.stringify(a));
    let checked = 0;
    for (const roleId of roles()) {
      for (const statement of s3Statements(roleId)) {
        for (const r of asArray(statement.Resource as Cfn[])) {
          // The provisioning log buckets are a parameter of their own (provisionLogBuckets).
          if (JSON.stringify(r).includes(`${PREFIX}-logs-`)) continue;
          // The stack's own standard-log bucket (the logs function reads its log files).
          if (JSON.stringify(r).includes(`${PREFIX}-stdlogs-`)) continue;
          expect(allowedArns, `${roleId}: ${JSON.stringify(r)}`).toContain(JSON.stringify(r));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('lets ingest tag objects under the prefixes of both buckets, and read both buckets', () => {
    const role = FUNCTIONS.ingest.role;
    const grants = (action: string) =>
      allowed(role).filter((s) => asArray(s.Action).some((a) => actionCovers(a, action)));
    for (const action of [
      's3:PutObjectTagging',
      's3:GetObjectTagging',
      's3:PutObjectVersionTagging',
    ])
      expect(
        grants(action).map((s) => s.Resource),
        action,
      ).toEqual([OBJECT_ARNS]);
    for (const action of ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketVersioning'])
      expect(
        grants(action).map((s) => s.Resource),
        action,
      ).toEqual([BUCKET_ARNS]);
  });

  it.each([
    ['invalidate', FUNCTIONS.invalidate.role, ['s3:ListBucket']],
    ['the health check', HEALTH.role, HEALTH.actions.filter((a) => a.startsWith('s3:'))],
    ['provisionValidate', provisionRoleId('provisionValidate'), ['s3:ListBucket']],
    [
      'provisionMergeBucketPolicy',
      provisionRoleId('provisionMergeBucketPolicy'),
      ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
    ],
  ] as const)('scopes the bucket grants of %s to both buckets', (_name, role, actions) => {
    for (const action of actions) {
      const statements = allowed(role).filter((s) =>
        asArray(s.Action).some((a) => actionCovers(a, action)),
      );
      expect(
        statements.map((s) => s.Resource),
        action,
      ).toEqual([BUCKET_ARNS]);
    }
  });

  it('gives the custom resource function exactly the notification and tag reads/writes of the buckets', () => {
    expect(target(props(t(), BUCKET_EVENTS.id).Role)).toBe(BUCKET_EVENTS.role);
    const statements = allowed(BUCKET_EVENTS.role);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.sort()).toEqual(
      [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        ...BUCKET_EVENTS.actions,
      ].sort(),
    );
    expect(s3Statements(BUCKET_EVENTS.role).map((s) => s.Resource)).toEqual([BUCKET_ARNS]);
  });

  it('never grants "Resource": "*" except for actions AWS only allows on *, and never writes objects', () => {
    for (const roleId of roles()) {
      for (const statement of allowed(roleId)) {
        if (asArray(statement.Resource as Cfn[]).includes('*'))
          for (const action of asArray(statement.Action))
            expect(STAR_ONLY_ACTIONS, `${roleId}: ${action} on "*"`).toContain(action);
        for (const action of asArray(statement.Action))
          expect(['s3:PutObject', 's3:CopyObject', 's3:DeleteObject'], roleId).not.toContain(
            action,
          );
      }
    }
  });
});

describe('existing buckets: the functions', () => {
  it('watches the first bucket with the scheduled health check', () => {
    expect(props(t(), HEALTH.id).Environment.Variables.HEALTH_BUCKET).toBe(EXISTING_BUCKETS[0]);
  });

  it('runs the custom resource function on nodejs22.x/arm64, 60 s, with a stage-scoped name', () => {
    const fn = props(t(), BUCKET_EVENTS.id, 'AWS::Lambda::Function');
    expect(fn.Handler).toBe(`functions/bucketEvents/handler.${BUCKET_EVENTS.export}`);
    expect(fn.FunctionName).toBe(`cdn-pipeline-${STAGE}-${BUCKET_EVENTS.name}`);
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Timeout).toBe(60);
    expect(fn.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(`${PREFIX}-bucket-events`);
  });

  it('bundles the custom resource function, which exports the handler the template names', async () => {
    const handlerPath = 'functions/bucketEvents/handler.js';
    const zip = await stack.existingBuckets.artifact(BUCKET_EVENTS.name);
    const entries = zipEntries(zip);
    expect(entries.map((e) => e.name).sort()).toEqual([handlerPath, `${handlerPath}.map`]);
    const code = zipRead(
      zip,
      entries.find((e) => e.name === handlerPath)!,
    ).toString('utf8');
    const file = join(stack.existingBuckets.dir, 'bucketEvents.handler.cjs');
    await writeFile(file, code);
    const loaded = createRequire(import.meta.url)(file) as Record<string, unknown>;
    expect(typeof loaded[BUCKET_EVENTS.export]).toBe('function');
  });
});

describe('existing buckets: bad parameters are refused while packaging', () => {
  it('refuses a contentBuckets entry that is not a bucket name, naming the parameter and the entry', async () => {
    const output = (await refusedPackagings()).badContentBucket;
    expect(output, 'sls package --param contentBuckets=…,Renders_Prod packaged').not.toBeNull();
    expect(output).toContain('contentBuckets: "Renders_Prod" is not a bucket name');
  });
});
