/**
 * The alerts topic, its optional email subscription, and the alarms (resources/alarms.cjs): each
 * watches what it should and mails the topic when raised and when resolved.
 */
import { describe, expect, it } from 'vitest';
import { MAILS_NOT_PUBLISHED_METRIC } from '../../shared/alarms/publishMail.js';
import { FUNCTIONS, HEALTH, NAMES, REPORT, REPORT_NAMES, STATE_MACHINE_ID } from './expected.js';
import { PARAMS, PREFIX } from './runs.js';
import { usePackagedStack } from './stack.js';
import {
  asArray,
  evaluateCondition,
  props,
  resourcesOfType,
  target,
  type Cfn,
} from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

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

  const scheduled = [...REPORT_NAMES.map((name) => REPORT[name]), HEALTH];

  it.each(scheduled.map((f) => [f.id, f] as const))(
    'raises an alarm on any error of the scheduled function %s',
    (_id, fn) => {
      const found = alarmOn('AWS/Lambda', 'Errors', (v) => target(v) === fn.id);
      expect(found).toHaveLength(1);
      expect(found[0]![1].Properties).toMatchObject({
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    },
  );

  it.each(scheduled.map((f) => [f.id, f] as const))(
    'raises an alarm on any mail %s could not publish (the EMF metric its code emits)',
    (_id, fn) => {
      const env = props(t(), fn.id).Environment.Variables;
      const found = alarmOn(
        env.POWERTOOLS_METRICS_NAMESPACE,
        MAILS_NOT_PUBLISHED_METRIC,
        (v) => v === env.POWERTOOLS_SERVICE_NAME,
      );
      expect(found).toHaveLength(1);
      expect(found[0]![1].Properties).toMatchObject({
        Dimensions: [{ Name: 'service', Value: fn.service }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    },
  );

  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'raises an alarm on any %s of the provisioning workflow',
    (metric) => {
      const found = alarmOn('AWS/States', metric, (v) => target(v) === STATE_MACHINE_ID);
      expect(found).toHaveLength(1);
      expect(found[0]![1].Properties).toMatchObject({
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: STATE_MACHINE_ID } }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    },
  );

  it("denies publishing to the alerts topic without TLS, and lets only this account's alarms in", () => {
    const policies = resourcesOfType(t(), 'AWS::SNS::TopicPolicy').filter(([, p]) =>
      asArray(p.Properties?.Topics as Cfn[]).some((topic) => target(topic) === 'AlertsTopic'),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]![1].Properties!.PolicyDocument as { Statement: unknown[] };
    expect(statements.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: 'AlertsTopic' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AllowAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: 'AlertsTopic' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
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
    const template = stack.withParams.template;
    const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    const [, subscription] = subscriptions[0]!;
    expect(evaluateCondition(template, subscription.Condition!)).toBe(true);
    expect(subscription.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: { Ref: 'AlertEmail' },
    });
    expect(target(subscription.Properties?.TopicArn)).toBe('AlertsTopic');
    expect(template.Parameters?.AlertEmail?.Default).toBe(PARAMS.alertEmail);
  });
});
