/**
 * The stack's outputs: what the CLI and people read after a deploy.
 */
import { describe, expect, it } from 'vitest';
import { usePackagedStack } from './stack.js';
import { target } from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

describe('outputs', () => {
  it('names the bucket, the queues, the DLQs and the alerts topic', () => {
    const outputs = t().Outputs ?? {};
    const expected: Record<string, string> = {
      ContentBucketName: 'ContentBucket',
      ObjectEventsQueueUrl: 'ObjectEventsQueue',
      ObjectEventsDLQUrl: 'ObjectEventsDLQ',
      InvalidationRequestsQueueUrl: 'InvalidationRequestsQueue',
      InvalidationRequestsDLQUrl: 'InvalidationRequestsDLQ',
      AlertsTopicArn: 'AlertsTopic',
    };
    for (const [output, logicalId] of Object.entries(expected)) {
      expect(target(outputs[output]?.Value), output).toBe(logicalId);
    }
  });

  it('names the table and the dashboard in the outputs', () => {
    expect(target(t().Outputs?.AlarmStateTableName?.Value)).toBe('AlarmStateTable');
    expect(target(t().Outputs?.DashboardName?.Value)).toBe('Dashboard');
  });
});
