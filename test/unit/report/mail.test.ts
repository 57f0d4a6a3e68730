import { describe, expect, it } from 'vitest';
import {
  alarmMail,
  clearedMail,
  type AlarmMailInput,
  type ClearedMailInput,
  type MailContext,
} from '../../../functions/report/mail.js';
import { SNS_SUBJECT_MAX_CHARS } from '../../../shared/text/layout.js';
import { consoleUrl, dashboardUrl } from '../../../shared/text/links.js';
import { expectPhoneWidth, isAscii as ascii } from '../../helpers/mailText.js';

const CTX: MailContext = { stage: 'prod', region: 'eu-west-1', dashboardName: 'cdn-pipeline-prod' };
const WINDOW = { start: new Date('2025-06-01T08:00:00Z'), end: new Date('2025-06-01T08:15:00Z') };

const alarm = (over: Partial<AlarmMailInput> = {}): AlarmMailInput => ({
  distribution: { id: 'E123', domain: 'cdn.example.com' },
  metric: 'hitRate',
  transition: 'alarm',
  value: 61.23,
  threshold: 80,
  checks: 3,
  window: WINDOW,
  requests: 12_345,
  ...over,
});

describe('alarmMail', () => {
  it('names state, metric, value, threshold, distribution and domain in the subject', () => {
    expect(alarmMail(CTX, alarm()).subject).toBe(
      '[cdn-pipeline prod] ALARM hit rate 61.2% < 80% on E123 (cdn.example.com)',
    );
    expect(
      alarmMail(
        CTX,
        alarm({ transition: 'recovered', value: 91, alarmSince: '2025-06-01T07:15:00Z' }),
      ).subject,
    ).toBe('[cdn-pipeline prod] RECOVERED hit rate 91.0% >= 80% on E123 (cdn.example.com)');
  });

  it.each([
    ['errorRate5xx', 2.314, 1, 'ALARM 5xx error rate 2.3% > 1%'],
    ['errorRate4xx', 7.5, 5, 'ALARM 4xx error rate 7.5% > 5%'],
    ['originLatencyMs', 1840.2, 1000, 'ALARM origin latency 1840 ms > 1000 ms'],
  ] as const)('formats %s with its unit and direction', (metric, value, threshold, text) => {
    expect(alarmMail(CTX, alarm({ metric, value, threshold })).subject).toContain(text);
  });

  it('keeps the subject ASCII and under 100 characters, shortening a long domain', () => {
    const domain = `${'very-long-subdomain.'.repeat(10)}example.com`;
    for (const transition of ['alarm', 'recovered'] as const) {
      const { subject } = alarmMail(
        { ...CTX, stage: 'a-rather-long-stage-name' },
        alarm({ transition, distribution: { id: 'E2QWRUHEXAMPLE', domain } }),
      );
      expect(subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_CHARS);
      expect(subject.length).toBeLessThanOrEqual(100);
      expect(ascii(subject)).toBe(true);
      // The domain is clipped, or left out when too little room remains; the id always stays.
      expect(subject).toMatch(/on E2QWRUHEXAMPLE( \(very-long.*\.\.\.\))?$/);
    }
  });

  it('fits a phone: 72 columns, ASCII, with the console and dashboard links', () => {
    const { body } = alarmMail(CTX, alarm());
    expectPhoneWidth(body);
    expect(ascii(body)).toBe(true);
    expect(body).toContain(`\n${consoleUrl('E123')}\n`);
    expect(body).toContain(`\n${dashboardUrl('eu-west-1', 'cdn-pipeline-prod')}\n`);
    expect(consoleUrl('E123')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/E123',
    );
    expect(dashboardUrl('eu-west-1', 'd')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/d',
    );
  });

  it('says how long a recovered alarm lasted', () => {
    const { body } = alarmMail(
      CTX,
      alarm({ transition: 'recovered', value: 90, alarmSince: '2025-06-01T07:15:00Z' }),
    );
    expect(body).toMatch(/in alarm since\s+2025-06-01 07:15 UTC/);
    expect(body).toMatch(/lasted\s+60 min/);
  });

  it('leaves the dashboard link out when there is no dashboard', () => {
    const { body } = alarmMail({ stage: 'dev', region: 'us-east-1' }, alarm());
    expect(body).not.toContain('cloudwatch/home');
  });
});

const cleared = (over: Partial<ClearedMailInput> = {}): ClearedMailInput => ({
  distribution: { id: 'E123', domain: 'cdn.example.com' },
  metric: 'hitRate',
  kind: 'stale',
  threshold: 80,
  lastValue: 61.23,
  alarmSince: '2025-06-01T06:15:00Z',
  closedAt: WINDOW.end,
  checks: 8,
  checkMinutes: 15,
  ...over,
});

describe('clearedMail', () => {
  it('names the reason, metric and distribution in the subject', () => {
    expect(clearedMail(CTX, cleared()).subject).toBe(
      '[cdn-pipeline prod] ALARM CLEARED (no data) hit rate on E123 (cdn.example.com)',
    );
    expect(
      clearedMail(
        CTX,
        cleared({ kind: 'unmonitored', distribution: { id: 'E123' }, metric: 'errorRate5xx' }),
      ).subject,
    ).toBe('[cdn-pipeline prod] ALARM CLEARED (no longer monitored) 5xx error rate on E123');
  });

  it('says a stale alarm had no data for N checks and is closed without a verdict', () => {
    const { body } = clearedMail(CTX, cleared());
    expect(body.split('\n')[0]).toBe('ALARM CLEARED (no data): hit rate on E123');
    const text = body.replace(/\s+/g, ' ');
    expect(text).toContain('had no data for 8 checks (2 h); the alarm is closed without a verdict');
    expect(text).toContain('MIN_REQUESTS');
    expect(body).toMatch(/hit rate\s+61\.2% \(last check with data\)/);
    expect(body).toMatch(/no data for\s+8 checks in a row \(15 min each\)/);
    expect(body).toMatch(/in alarm since\s+2025-06-01 06:15 UTC/);
    expect(body).toMatch(/lasted\s+2 h/);
    expect(body).toContain(`\n${consoleUrl('E123')}\n`);
  });

  it('says why an alarm of a distribution no longer checked is closed', () => {
    const gone = clearedMail(CTX, cleared({ kind: 'unmonitored', reason: 'deleted' }));
    expect(gone.body.split('\n')[0]).toBe('ALARM CLEARED (no longer monitored): hit rate on E123');
    expect(gone.body.replace(/\s+/g, ' ')).toContain(
      'E123 was deleted; its hit rate alarm (below the threshold of 80%) is closed without a verdict.',
    );
    expect(gone.body).not.toContain(consoleUrl('E123')); // nothing left to open
    expect(gone.body).not.toMatch(/no data for/);
    const untagged = clearedMail(CTX, cleared({ kind: 'unmonitored' }));
    expect(untagged.body.replace(/\s+/g, ' ')).toContain(
      'no longer tagged as managed for this stage, or removed from DISTRIBUTION_IDS',
    );
    expect(untagged.body).toContain(consoleUrl('E123'));
  });

  it.each(['stale', 'unmonitored'] as const)(
    '%s: fits a phone and keeps the subject ASCII under 100 characters',
    (kind) => {
      const domain = `${'very-long-subdomain.'.repeat(10)}example.com`;
      for (const metric of [
        'hitRate',
        'errorRate5xx',
        'errorRate4xx',
        'originLatencyMs',
      ] as const) {
        const mail = clearedMail(
          { ...CTX, stage: 'a-rather-long-stage-name-32chars' },
          cleared({ kind, metric, distribution: { id: 'E2QWRUHEXAMPLE', domain } }),
        );
        expect(mail.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_CHARS);
        expect(ascii(mail.subject)).toBe(true);
        // Shortened for the long stage name, but the reason and the id always stay.
        expect(mail.subject).toMatch(
          /\] (ALARM )?CLEARED \((no data|no longer monitored)\) .*on E2QWRUHEXAMPLE( \(very-long.*\.\.\.\))?$/,
        );
        expectPhoneWidth(mail.body);
        expect(ascii(mail.body)).toBe(true);
      }
    },
  );
});
