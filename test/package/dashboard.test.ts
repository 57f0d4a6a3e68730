/**
 * The CloudWatch dashboard (resources/dashboard.yml): its body parses once substituted, refers
 * only to resources of the stack, graphs what the functions publish and what CloudFront reports,
 * and draws the report's thresholds.
 */
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, REPORT, SCHEMA_DEFAULTS } from './expected.js';
import { PARAMS, PREFIX } from './runs.js';
import { usePackagedStack } from './stack.js';
import { props, resource, type CfnTemplate, type Loose } from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

describe('dashboard', () => {
  const dashboard = (template = t()) => props(template, 'Dashboard', 'AWS::CloudWatch::Dashboard');
  /** The body as CloudFormation will see it: every ${…} of the Fn::Sub replaced. */
  const body = (template_ = t()) => {
    const template = dashboard(template_).DashboardBody['Fn::Sub'] as string;
    const vars = [...template.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!);
    const json = template.replace(/\$\{([^}]+)\}/g, (_, v: string) => `SUB(${v})`);
    return { vars, parsed: JSON.parse(json) as { widgets: Loose[] }, text: json };
  };
  const widget = (title: RegExp, template = t()) => {
    const found = body(template).parsed.widgets.filter((w) => title.test(w.properties.title));
    expect(found, String(title)).toHaveLength(1);
    return found[0]!.properties as Loose;
  };

  it('is named after the stack and parses as JSON once substituted', () => {
    expect(dashboard().DashboardName).toBe(PREFIX);
    expect(body().parsed.widgets.length).toBeGreaterThanOrEqual(5);
  });

  it('only substitutes pseudo parameters and attributes of resources in the template', () => {
    for (const v of body().vars) {
      if (v.startsWith('AWS::')) continue;
      const [logicalId] = v.split('.');
      resource(t(), logicalId!);
    }
  });

  it('graphs the HitRate the report check publishes (EMF, stack region)', () => {
    const w = widget(/^Hit rate/);
    expect(w.region).toBe('SUB(AWS::Region)');
    expect(JSON.stringify(w.metrics)).toContain('MetricName=\\"HitRate\\"');
    expect(JSON.stringify(w.metrics)).toContain(`service=\\"${REPORT.reportCheck.service}\\"`);
    expect(JSON.stringify(w.metrics)).toContain('{CdnPipeline,DistributionId,service}');
  });

  it('reads requests and error rates from AWS/CloudFront in us-east-1', () => {
    for (const title of [/requests/i, /4xx and 5xx/]) {
      const w = widget(title);
      expect(w.region).toBe('us-east-1');
      expect(JSON.stringify(w.metrics)).toContain('{AWS/CloudFront,DistributionId,Region}');
    }
    expect(JSON.stringify(widget(/4xx and 5xx/).metrics)).toMatch(/4xxErrorRate.*5xxErrorRate/);
  });

  it('graphs the invalidation paths billed (EMF of invalidate, this stage)', () => {
    const w = widget(/Invalidation paths billed/);
    expect(w.metrics).toContainEqual([
      'CdnPipeline',
      'PathsBilled',
      'service',
      FUNCTIONS.invalidate.service,
      expect.objectContaining({ stat: 'Sum' }),
    ]);
  });

  it('graphs the depth of both DLQs', () => {
    const w = widget(/Dead-letter/);
    const queues = (w.metrics as Loose[]).map((m) => m[3]);
    expect(queues.sort()).toEqual(
      ['SUB(InvalidationRequestsDLQ.QueueName)', 'SUB(ObjectEventsDLQ.QueueName)'].sort(),
    );
    for (const m of w.metrics as Loose[])
      expect(m.slice(0, 3)).toEqual(['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName']);
  });

  it('draws the alarm thresholds at the report schema defaults, or at what --param sets', () => {
    const { thresholds } = SCHEMA_DEFAULTS.report;
    const lines = (template: CfnTemplate) => ({
      hit: widget(/^Hit rate/, template).annotations.horizontal,
      errors: widget(/4xx and 5xx/, template).annotations.horizontal,
    });
    const errors = [
      { label: '4xx alarm above', value: thresholds.error4xxMax },
      { label: '5xx alarm above', value: thresholds.error5xxMax },
    ];
    expect(lines(t())).toEqual({
      hit: [{ label: 'alarm below', value: thresholds.hitRateMin }],
      errors,
    });
    expect(lines(stack.withParams.template)).toEqual({
      hit: [{ label: 'alarm below', value: Number(PARAMS.hitRateMin) }],
      errors,
    });
  });
});
