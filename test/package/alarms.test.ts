/**
 * The alerts topic, its optional email subscription, and the alarms (resources/alarms.cjs): each
 * watches what it should and mails the topic when raised and when resolved.
 */
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, NAMES } from './expected.js';
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
