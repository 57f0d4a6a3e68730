import { describe, expect, it } from 'vitest';
import {
  ascii,
  clip,
  fitSubject,
  labelledRows,
  MAX_LINE_WIDTH,
  SNS_SUBJECT_MAX_CHARS,
  wrap,
} from '../../../shared/text/layout.js';
import { consoleUrl, dashboardUrl, executionUrl } from '../../../shared/text/links.js';

describe('links', () => {
  it('returns the CloudFront console link of a distribution, its id encoded', () => {
    expect(consoleUrl('E123')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/E123',
    );
    expect(consoleUrl('E1/../x y')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/E1%2F..%2Fx%20y',
    );
  });

  it('returns the dashboard link in the stack region, its name encoded', () => {
    expect(dashboardUrl('eu-west-1', 'd')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/d',
    );
    expect(dashboardUrl('eu-west-1', 'a b')).toMatch(/#dashboards\/dashboard\/a%20b$/);
  });

  it('returns an execution link for an execution ARN and undefined for a bare name', () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:provision:run-1';
    expect(executionUrl(arn)).toBe(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${arn}`,
    );
    expect(executionUrl('run-1')).toBeUndefined();
  });
});

describe('layout', () => {
  it('wraps prose at 72 columns and keeps a URL whole', () => {
    const url = consoleUrl('E2QWRUHEXAMPLE');
    const lines = wrap(`${'word '.repeat(40)}${url} end`, '  ', '- ');
    expect(lines[0]!.startsWith('- ')).toBe(true);
    expect(lines).toContain(`  ${url}`);
    for (const line of lines)
      if (!line.includes('https://')) expect(line.length).toBeLessThanOrEqual(MAX_LINE_WIDTH);
  });

  it('replaces typographic characters with ASCII', () => {
    expect(ascii('“a” – b ≤ c → d…\té')).toBe('"a" - b <= c -> d... ?');
  });

  it('clips with an ellipsis and lines labelled rows up', () => {
    expect(clip('abcdefghij', 6)).toBe('abc...');
    expect(clip('abc', 6)).toBe('abc');
    expect(
      labelledRows(
        [
          ['a', '1'],
          ['long label', '2'],
        ],
        12,
      ),
    ).toEqual(['  a           1', '  long label  2']);
  });

  it('fits a subject SNS accepts: one line, printable ASCII, under 100 characters', () => {
    expect(fitSubject('a\r\nb')).toBe('a b');
    expect(fitSubject('x'.repeat(200))).toHaveLength(SNS_SUBJECT_MAX_CHARS);
    expect(fitSubject('x'.repeat(200)).endsWith('...')).toBe(true);
  });
});
