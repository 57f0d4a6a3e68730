/**
 * Every role in the stack: each function its own, exactly the actions it calls, scoped to
 * resource ARNs wherever AWS allows it ("*" only for the actions AWS allows on nothing else).
 */
import { describe, expect, it } from 'vitest';
import { MANAGED_TAG_KEYS, MANAGED_TAG_VALUE } from '../../shared/catalogue.js';
import {
  FUNCTIONS,
  HEALTH,
  NAMES,
  PROVISION,
  PROVISION_NAMES,
  REPORT,
  REPORT_NAMES,
  STAR_ONLY_ACTIONS,
  provisionRoleId,
  type ProvisionName,
} from './expected.js';
import { PARAMS, PREFIX } from './runs.js';
import { usePackagedStack } from './stack.js';
import {
  actionCovers,
  asArray,
  props,
  resourcesOfType,
  roleStatements,
  target,
  type Cfn,
  type CfnTemplate,
} from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

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
        'dynamodb:GetItem',
        'dynamodb:PutItem',
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
    expect(grants(role, 'dynamodb:PutItem').map((s) => target(s.Resource))).toEqual([
      'KeyLedgerTable',
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
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:ListBucket',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ].sort(),
    );
    expect(grants(role, 's3:PutObjectTagging')).toEqual([]);
    for (const action of ['sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl'])
      expect(grants(role, action).map((s) => s.Resource)).toEqual([
        { 'Fn::GetAtt': ['InvalidationRequestsQueue', 'Arn'] },
      ]);
    for (const statement of grants(role, 'cloudfront:CreateInvalidation')) {
      expect(statement.Resource).toEqual({
        'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*',
      });
    }
    const receive = grants(role, 'sqs:ReceiveMessage');
    expect(receive.flatMap((s) => asArray(s.Resource as Cfn[]).map(target))).toEqual([
      'InvalidationRequestsQueue',
    ]);
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem']) {
      expect(grants(role, action).map((s) => s.Resource)).toEqual([
        { 'Fn::GetAtt': ['InvalidationLedgerTable', 'Arn'] },
      ]);
    }
  });

  it.each(PROVISION_NAMES)('gives %s exactly what it calls', (name) => {
    const role = provisionRoleId(name);
    // Distinct actions: TagResource is granted by two statements with different conditions.
    expect([...new Set(actionsOf(role))].sort()).toEqual(
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
      'cloudfront:GetCloudFrontOriginAccessIdentity': `${cf}:origin-access-identity/*`,
      'cloudfront:DeleteCloudFrontOriginAccessIdentity': `${cf}:origin-access-identity/*`,
      'cloudfront:AllowVendedLogDeliveryForResource': `${cf}:distribution/*`,
    };
    for (const name of PROVISION_NAMES) {
      for (const action of PROVISION[name].actions) {
        if (!action.startsWith('cloudfront:')) continue;
        const statements = grants(provisionRoleId(name), action);
        // TagResource: on managed distributions, or in a request that marks one managed (below).
        const count = action === 'cloudfront:TagResource' ? 2 : 1;
        expect(statements, `${name} ${action}`).toHaveLength(count);
        const expected = STAR_ONLY_ACTIONS.includes(action) ? '*' : { 'Fn::Sub': scope[action] };
        for (const statement of statements)
          expect(statement.Resource, `${name} ${action}`).toEqual(expected);
      }
    }
  });

  it('updates only distributions tagged as managed, and tags only managed ones or in requests marking them managed', () => {
    const role = provisionRoleId('provisionEnsureDistribution');
    const onManaged = {
      StringEquals: { [`aws:ResourceTag/${MANAGED_TAG_KEYS.managed}`]: MANAGED_TAG_VALUE },
    };
    const markingManaged = {
      StringEquals: { [`aws:RequestTag/${MANAGED_TAG_KEYS.managed}`]: MANAGED_TAG_VALUE },
    };
    expect(grants(role, 'cloudfront:UpdateDistribution').map((st) => st.Condition)).toEqual([
      onManaged,
    ]);
    expect(
      grants(role, 'cloudfront:TagResource')
        .map((st) => st.Condition)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([markingManaged, onManaged]);
    // The statement allowing tagging by request tag allows nothing else.
    for (const st of allowed(role).filter((x) => x.Condition?.StringEquals === undefined)) {
      expect(asArray(st.Action), JSON.stringify(st)).not.toContain('cloudfront:TagResource');
      expect(asArray(st.Action), JSON.stringify(st)).not.toContain('cloudfront:UpdateDistribution');
    }
    for (const roleId of roles()) {
      if (roleId === role) continue;
      for (const action of ['cloudfront:UpdateDistribution', 'cloudfront:TagResource'])
        expect(grants(roleId, action), `${roleId} ${action}`).toEqual([]);
    }
  });

  it('scopes the provisionBuckets grants to buckets of this account', () => {
    for (const template of [stack.base.template, stack.withParams.template]) {
      for (const name of ['provisionValidate', 'provisionMergeBucketPolicy'] as const) {
        const statements = roleStatements(template, provisionRoleId(name)).filter((st) =>
          asArray(st.Action).some((a) => a.startsWith('s3:')),
        );
        expect(statements.length, name).toBeGreaterThan(0);
        for (const st of statements) {
          expect(st.Condition, name).toEqual({
            StringEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } },
          });
        }
      }
    }
    // The account comes from CloudFormation, never from the CLI (which would call STS).
    expect(JSON.stringify(stack.base.template)).not.toContain('aws:accountId');
  });

  it('leaves no unused default role: every role in the stack is assumed by its function or the state machine', () => {
    expect(t().Resources.IamRoleLambdaExecution).toBeUndefined();
    const assumed = new Set(
      [
        ...resourcesOfType(t(), 'AWS::Lambda::Function'),
        ...resourcesOfType(t(), 'AWS::StepFunctions::StateMachine'),
      ].map(([, r]) => target((r.Properties?.Role ?? r.Properties?.RoleArn) as Cfn)),
    );
    expect(roles().filter((id) => !assumed.has(id))).toEqual([]);
  });

  it('gives the scheduled health check exactly what the checks read, scoped to this stack', () => {
    const role = HEALTH.role;
    expect(target(props(t(), HEALTH.id).Role)).toBe(role);
    expect(actionsOf(role).sort()).toEqual(
      [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        ...HEALTH.actions,
      ].sort(),
    );
    const bucketName = props(t(), 'ContentBucket').BucketName['Fn::Sub'] as string;
    const cf = 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}';
    const queues = [
      'ObjectEventsQueue',
      'ObjectEventsDLQ',
      'InvalidationRequestsQueue',
      'InvalidationRequestsDLQ',
    ].map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    const scope = (action: string): Cfn => {
      if (action.startsWith('s3:'))
        return { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucketName}` };
      if (action.startsWith('sqs:')) return queues;
      // GetItem also reads the key ledger's seed row for the bucket (one row, never written).
      if (action === 'dynamodb:GetItem')
        return [
          { 'Fn::GetAtt': ['AlarmStateTable', 'Arn'] },
          { 'Fn::GetAtt': ['KeyLedgerTable', 'Arn'] },
        ];
      if (action.startsWith('dynamodb:')) return { 'Fn::GetAtt': ['AlarmStateTable', 'Arn'] };
      if (action.startsWith('sns:')) return { Ref: 'AlertsTopic' };
      if (action === 'cloudfront:ListDistributions') return '*';
      // The request names a target (the queue), not a rule: nothing narrower than "*".
      if (action === 'events:ListRuleNamesByTarget') return '*';
      if (action === 'events:DescribeRule')
        return {
          'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${PREFIX}-object-created`,
        };
      if (action === 'cloudfront:GetOriginAccessControl')
        return { 'Fn::Sub': `${cf}:origin-access-control/*` };
      return { 'Fn::Sub': `${cf}:distribution/*` };
    };
    for (const action of HEALTH.actions) {
      const statements = grants(role, action);
      expect(statements, action).toHaveLength(1);
      expect(statements[0]!.Resource, action).toEqual(scope(action));
    }
  });

  it('scopes the provisioning S3 grants to the provisionBuckets / provisionLogBuckets params', () => {
    const bucketName = props(t(), 'ContentBucket').BucketName['Fn::Sub'] as string;
    const s3 = (bucket: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}` });
    const cases: [CfnTemplate, string, string][] = [
      [stack.base.template, bucketName, `${PREFIX}-logs-*`],
      [stack.withParams.template, PARAMS.provisionBuckets, `${PREFIX}-logs-*`],
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
      HEALTH.role,
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

  it('scopes the S3 grants to the content bucket (the logs function: to the log files)', () => {
    const bucketName = props(t(), 'ContentBucket').BucketName['Fn::Sub'] as string;
    const bucketArn = `arn:\${AWS::Partition}:s3:::${bucketName}`;
    const logBucket = props(t(), 'StandardLogBucket').BucketName['Fn::Sub'] as string;
    for (const name of NAMES) {
      const scoped =
        name === 'logs'
          ? [{ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${logBucket}/*` }]
          : [{ 'Fn::Sub': bucketArn }, { 'Fn::Sub': `${bucketArn}/*` }];
      for (const statement of allowed(FUNCTIONS[name].role)) {
        if (!asArray(statement.Action).some((a) => a.startsWith('s3:'))) continue;
        for (const r of asArray(statement.Resource as Cfn[])) {
          expect(scoped, name).toContainEqual(r);
        }
      }
    }
  });

  describe('report functions', () => {
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
        'cloudwatch:ListMetrics': '*',
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
        // Invalidate's one DynamoDB grant is its own ledger (test/package/invalidationLedger.test.ts);
        // ingest's is the key ledger; logs' is its table of log files counted; the health check
        // keeps its row in the alarm table and reads the key ledger's seed row (checked above).
        const expected =
          roleId === FUNCTIONS.invalidate.role
            ? [{ 'Fn::GetAtt': ['InvalidationLedgerTable', 'Arn'] }]
            : roleId === FUNCTIONS.logs.role
              ? [{ 'Fn::GetAtt': ['LogFilesTable', 'Arn'] }]
              : roleId === FUNCTIONS.ingest.role
                ? [{ 'Fn::GetAtt': ['KeyLedgerTable', 'Arn'] }]
                : roleId === HEALTH.role
                  ? [
                      [
                        { 'Fn::GetAtt': ['AlarmStateTable', 'Arn'] },
                        { 'Fn::GetAtt': ['KeyLedgerTable', 'Arn'] },
                      ],
                      { 'Fn::GetAtt': ['AlarmStateTable', 'Arn'] },
                    ]
                  : [];
        expect(
          dynamo.map((s) => s.Resource),
          roleId,
        ).toEqual(expected);
      }
    });
  });
});
