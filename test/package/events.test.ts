/**
 * What triggers each function: the SQS event source mappings of ingest and invalidate, and the
 * EventBridge schedules of the report functions, with and without `--param`.
 */
import { describe, expect, it } from 'vitest';
import {
  NAMES,
  FUNCTIONS,
  HEALTH,
  REPORT,
  REPORT_NAMES,
  mappingFor,
  type ReportName,
} from './expected.js';
import { PARAMS } from './runs.js';
import { usePackagedStack } from './stack.js';
import {
  asArray,
  resourcesOfType,
  target,
  type Cfn,
  type CfnObject,
  type CfnTemplate,
} from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

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
    const mapping = mappingFor(stack.withParams.template, 'invalidate');
    expect(mapping.BatchSize).toBe(Number(PARAMS.invalidateBatchSize));
    expect(mapping.MaximumBatchingWindowInSeconds).toBe(Number(PARAMS.invalidateBatchWindow));
  });
});

describe('report schedules', () => {
  const scheduleOf = (template: CfnTemplate, name: ReportName) => {
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
    expect(scheduleOf(stack.withParams.template, name).ScheduleExpression).toBe(
      REPORT[name].scheduleParam,
    );
    const permissions = resourcesOfType(t(), 'AWS::Lambda::Permission').filter(
      ([, p]) => target(p.Properties?.FunctionName) === REPORT[name].id,
    );
    expect(permissions.map(([, p]) => p.Properties?.Principal)).toEqual(['events.amazonaws.com']);
  });
});

describe('health schedule', () => {
  it('runs the health check every 15 minutes by default, from EventBridge only', () => {
    const rules = resourcesOfType(t(), 'AWS::Events::Rule').filter(([, r]) =>
      asArray(r.Properties?.Targets as Cfn[]).some(
        (target_) => target((target_ as CfnObject).Arn) === HEALTH.id,
      ),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties).toMatchObject({
      ScheduleExpression: HEALTH.schedule,
      State: 'ENABLED',
    });
    const permissions = resourcesOfType(t(), 'AWS::Lambda::Permission').filter(
      ([, p]) => target(p.Properties?.FunctionName) === HEALTH.id,
    );
    expect(permissions.map(([, p]) => p.Properties?.Principal)).toEqual(['events.amazonaws.com']);
  });
});
