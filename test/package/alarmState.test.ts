/**
 * The report check's alarm-state table (resources/alarmState.yml).
 */
import { describe, expect, it } from 'vitest';
import { PREFIX } from './runs.js';
import { usePackagedStack } from './stack.js';
import { props, resource } from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

describe('alarm state', () => {
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

  it('is retained when the stack is deleted or the table replaced (open alarms stay known)', () => {
    const table = resource(t(), 'AlarmStateTable', 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });
});
