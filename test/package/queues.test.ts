/**
 * The pipeline's queues and dead-letter queues: encryption, names, redrive, visibility timeouts
 * against the functions' timeouts and any batching window, and who may send to object-events.
 */
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, MAX_BATCH_WINDOW, NAMES, mappingFor } from './expected.js';
import { PREFIX } from './runs.js';
import { usePackagedStack } from './stack.js';
import {
  asArray,
  props,
  resourcesOfType,
  target,
  type Cfn,
  type IamStatement,
} from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

describe('queues', () => {
  it('are all SSE-encrypted with stage-scoped names', () => {
    const queues = resourcesOfType(t(), 'AWS::SQS::Queue');
    expect(queues.map(([id]) => id).sort()).toEqual(
      [
        'InvalidationRequestsDLQ',
        'InvalidationRequestsQueue',
        'LogEventsDLQ',
        'LogEventsQueue',
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
      for (const template of [stack.base.template, stack.withParams.template]) {
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
    const statements = (
      policy.PolicyDocument.Statement as (IamStatement & { Principal: Cfn })[]
    ).filter((st) => st.Effect === 'Allow');
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

  it('denies every request that is not over TLS, on every queue and DLQ', () => {
    const queues = resourcesOfType(t(), 'AWS::SQS::Queue').map(([id]) => id);
    expect(queues).toHaveLength(6);
    const policies = resourcesOfType(t(), 'AWS::SQS::QueuePolicy').map(([, p]) => p.Properties!);
    for (const queue of queues) {
      const denies = policies
        .filter((p) => asArray(p.Queues as Cfn[]).some((q) => target(q) === queue))
        .flatMap((p) =>
          asArray((p.PolicyDocument as unknown as { Statement: IamStatement[] }).Statement),
        )
        .filter((st) => st.Effect === 'Deny');
      expect(denies, queue).toEqual([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]);
    }
  });
});
