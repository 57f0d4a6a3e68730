/** The provisioning mail, as pure functions: subject, body lines, cause parsing. */
import { describe, expect, it } from 'vitest';
import { formatNotification, parseCause } from '../../../functions/provision/notification.js';
import { fitSubject, SNS_SUBJECT_MAX_CHARS } from '../../../shared/text/layout.js';
import type { NotifyInput } from '../../../functions/provision/types.js';

const NOW = new Date('2025-01-01T12:06:12Z');
const STARTED = '2025-01-01T12:00:00Z';
const distribution = {
  distributionId: 'E2QWRUHAPOMQZL',
  arn: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL',
  domainName: 'd111111abcdef8.cloudfront.net',
  status: 'Deployed',
  action: 'created' as const,
  changes: [],
};
const validated = {
  spec: { bucket: 'my-content', aliases: ['cdn.example.com'] } as never,
  pollSeconds: 30,
  maxPolls: 90,
};
const lambdaError = (errorType: string, errorMessage: string) => ({
  Error: errorType,
  Cause: JSON.stringify({ errorType, errorMessage, trace: ['at secret (/var/task/x.js:1:1)'] }),
});

describe('parseCause', () => {
  it('reads errorType and errorMessage from a Lambda error and drops the trace', () => {
    expect(parseCause(lambdaError('DistributionConflict', 'CNAMEAlreadyExists: taken'))).toEqual({
      errorType: 'DistributionConflict',
      errorMessage: 'CNAMEAlreadyExists: taken',
    });
  });

  it('keeps a plain-text cause (States.* errors) as it is', () => {
    expect(parseCause({ Error: 'States.Timeout', Cause: 'Task timed out after 60 s' })).toEqual({
      errorType: 'States.Timeout',
      errorMessage: 'Task timed out after 60 s',
    });
  });

  it('masks access key ids and signatures', () => {
    const { errorMessage } = parseCause({
      Error: 'X',
      Cause: 'key AKIAABCDEFGHIJKLMNOP url?X-Amz-Signature=deadbeef&x=1',
    });
    expect(errorMessage).toBe('key AKIA**************** url?X-Amz-Signature=****&x=1');
  });
});

describe('subjects', () => {
  it.each<[string, NotifyInput, string]>([
    [
      'ready',
      { outcome: 'ready', distribution, validated },
      '[cdn-pipeline] distribution ready: E2QWRUHAPOMQZL (cdn.example.com)',
    ],
    [
      'timeout',
      { outcome: 'timeout', distribution, validated },
      '[cdn-pipeline] distribution E2QWRUHAPOMQZL (cdn.example.com) not deployed after 45 min',
    ],
    [
      'failed, step given',
      {
        outcome: 'failed',
        step: 'EnsureDistribution',
        error: lambdaError('DistributionConflict', 'CNAMEAlreadyExists'),
      },
      '[cdn-pipeline] distribution failed at EnsureDistribution: DistributionConflict: CNAMEAlreadyExists',
    ],
    [
      'failed, step inferred',
      { outcome: 'failed', error: lambdaError('InvalidSpec', 'spec.aliases[0]: bad') },
      '[cdn-pipeline] distribution failed at Validate: InvalidSpec: spec.aliases[0]: bad',
    ],
  ])('reads well when %s', (_when, input, subject) => {
    expect(formatNotification(input, NOW).subject).toBe(subject);
  });

  it('stays under 100 printable ASCII characters whatever the cause', () => {
    const { subject } = formatNotification(
      {
        outcome: 'failed',
        step: 'EnsureDistribution',
        error: lambdaError('AccessDenied', `é\n${'x'.repeat(300)}`),
      },
      NOW,
    );
    expect(subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_CHARS);
    expect(subject).toMatch(/^[\x20-\x7e]+\.\.\.$/);
    expect(fitSubject('a\r\nb')).toBe('a b');
  });
});

describe('bodies', () => {
  it('lines up the facts of a ready distribution in one column', () => {
    const { body } = formatNotification(
      {
        outcome: 'ready',
        distribution,
        validated,
        startedAt: STARTED,
        execution: 'arn:aws:states:eu-west-1:123456789012:execution:provision:run-1',
      },
      NOW,
    );
    const rows = body.split('\n').filter((l) => l.startsWith('  '));
    expect(rows).toEqual([
      '  Distribution  E2QWRUHAPOMQZL',
      '  Domain        d111111abcdef8.cloudfront.net',
      '  Aliases       cdn.example.com',
      '  Example URL   https://cdn.example.com/',
      '  Bucket        my-content',
      '  Status        Deployed',
      '  Action        created',
      '  Elapsed       6 min 12 s',
      '  Console       https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/E2QWRUHAPOMQZL',
      '  Execution     https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:provision:run-1',
    ]);
    expect(body.split('\n')[0]).toBe(
      'Distribution E2QWRUHAPOMQZL is deployed and serving https://cdn.example.com/.',
    );
  });

  it('uses the CloudFront domain for the example URL when there is no alias', () => {
    const { body, subject } = formatNotification(
      {
        outcome: 'ready',
        distribution,
        validated: { ...validated, spec: { bucket: 'b', aliases: [] } as never },
      },
      NOW,
    );
    expect(body).toContain('  Example URL   https://d111111abcdef8.cloudfront.net/');
    expect(body).toContain('  Aliases       (none)');
    expect(subject).toContain('(d111111abcdef8.cloudfront.net)');
  });

  it('gives the step, the cause without its trace, and a hint for a failure', () => {
    const { body } = formatNotification(
      {
        outcome: 'failed',
        step: 'EnsureDistribution',
        validated,
        error: lambdaError(
          'DistributionConflict',
          'CNAMEAlreadyExists: one of the aliases cdn.example.com is already used by another CloudFront distribution',
        ),
      },
      NOW,
    );
    expect(body).toContain('Provisioning failed at EnsureDistribution.');
    expect(body).toContain('  Error         DistributionConflict');
    expect(body).toMatch(/ {2}What to do {4}An alias is attached to another distribution/);
    expect(body).not.toContain('/var/task');
    // Long values wrap under the value column.
    for (const row of body.split('\n')) expect(row.length).toBeLessThanOrEqual(80);
    expect(body).toMatch(/\n {16}\S/);
  });

  it('says how long it waited when the distribution never deployed', () => {
    const { body } = formatNotification(
      {
        outcome: 'timeout',
        distribution: { ...distribution, status: 'InProgress' },
        validated,
        wait: { status: 'InProgress', polls: 90, maxPolls: 90 },
      },
      NOW,
    );
    expect(body.split('\n')[0]).toBe(
      'Distribution E2QWRUHAPOMQZL was still InProgress after 45 min.',
    );
    expect(body).toContain('  Status        InProgress');
  });
});
