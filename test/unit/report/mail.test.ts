import { describe, expect, it } from 'vitest';
import {
  alarmMail,
  clearedMail,
  consoleUrl,
  dashboardUrl,
  digestMail,
  formatBytes,
  formatChange,
  formatCount,
  formatPercent,
  wrap,
  MAX_LINE_WIDTH,
  MAX_SUBJECT_LENGTH,
  type AlarmMailInput,
  type ClearedMailInput,
  type DigestMailInput,
  type DigestRow,
  type MailContext,
} from '../../../functions/report/mail.js';
import type { TrafficSummary } from '../../../functions/report/metrics.js';

const CTX: MailContext = { stage: 'prod', region: 'eu-west-1', dashboardName: 'cdn-pipeline-prod' };
const WINDOW = { start: new Date('2025-06-01T08:00:00Z'), end: new Date('2025-06-01T08:15:00Z') };

/** Every line fits 72 columns, except a URL standing alone on its line. */
function expectPhoneWidth(body: string) {
  for (const line of body.split('\n')) {
    if (/^https:\/\/\S+$/.test(line)) continue;
    expect(line.length, JSON.stringify(line)).toBeLessThanOrEqual(MAX_LINE_WIDTH);
  }
}

const ascii = (s: string) => /^[\x20-\x7e\n]*$/.test(s);

const summary = (over: Partial<TrafficSummary> = {}): TrafficSummary => ({
  distributionId: 'E2QWRUHEXAMPLE',
  requests: 1_234_567,
  bytesDownloaded: 12_345_678_901,
  hitRate: 91.24,
  errorRate4xx: 0.8,
  errorRate5xx: 0.02,
  totalErrorRate: 0.82,
  originLatencyMs: 240.4,
  additionalMetrics: true,
  periods: 1440,
  periodsWithRequests: 1440,
  ...over,
});

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
      expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
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
        expect(mail.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
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

const row = (id: string, over: Partial<TrafficSummary> = {}, previous?: Partial<TrafficSummary>) =>
  ({
    distribution: { id, domain: `${id.toLowerCase()}.cloudfront.net` },
    current: summary({ distributionId: id, ...over }),
    previous: previous ? summary({ distributionId: id, ...previous }) : undefined,
  }) satisfies DigestRow;

const digest = (over: Partial<DigestMailInput> = {}): DigestMailInput => ({
  window: { start: new Date('2025-05-31T08:00:00Z'), end: new Date('2025-06-01T08:00:00Z') },
  rows: [
    row('E2QWRUHEXAMPLE', {}, { requests: 1_100_000, hitRate: 89, bytesDownloaded: 11e9 }),
    row(
      'E3OFFMETRICS',
      { hitRate: undefined, originLatencyMs: undefined, additionalMetrics: false },
      { hitRate: undefined, originLatencyMs: undefined, additionalMetrics: false },
    ),
    row('E4NEW', { requests: 0, bytesDownloaded: 0, hitRate: undefined, errorRate4xx: undefined }),
  ],
  spend: {
    pathsBilled: 1234,
    freePaths: 1000,
    billablePaths: 234,
    estimatedUsd: 1.17,
    projectedPaths: 2100,
  },
  recommendations: [
    {
      distributionId: 'E3OFFMETRICS',
      recommendation: {
        id: 'additional-metrics-off',
        severity: 'info',
        title: 'Additional metrics are off: no hit rate or origin latency',
        evidence: '1,234,567 requests in 1,440 periods, but no CacheHitRate datapoints',
        expectedEffect:
          'Enable them: `aws cloudfront create-monitoring-subscription --distribution-id E3OFFMETRICS` → hit rate ≈ known.',
      },
    },
    {
      distributionId: undefined,
      recommendation: {
        id: 'invalidation-spend',
        severity: 'warn',
        title: 'Invalidations above the free tier: $1.17 this month',
        evidence: '1,234 paths billed this month, 1,000 free: 234 × $0.005 ≈ $1.17',
        expectedEffect: 'Use versioned keys with immutable Cache-Control.',
      },
    },
  ],
  skipped: [{ distributionId: 'E9GONE', reason: 'deleted' }],
  ...over,
});

describe('digestMail', () => {
  it('counts distributions and recommendations in the subject', () => {
    expect(digestMail(CTX, digest()).subject).toBe(
      '[cdn-pipeline prod] daily report: 3 distributions, 2 recommendations',
    );
    expect(digestMail(CTX, digest({ rows: [row('E1')], recommendations: [] })).subject).toBe(
      '[cdn-pipeline prod] daily report: 1 distribution, 0 recommendations',
    );
  });

  it('has one line per distribution in the overview', () => {
    const lines = digestMail(CTX, digest()).body.split('\n');
    const header = lines.findIndex((l) => l.startsWith('distribution'));
    expect(lines[header]).toMatch(/requests\s+hit\s+4xx\s+5xx\s+origin\s+bytes$/);
    expect(lines[header + 1]).toMatch(
      /^E2QWRUHEXAMPLE\s+1\.23M\s+91\.2%\s+0\.80%\s+0\.02%\s+240 ms\s+12\.3 GB$/,
    );
    expect(lines[header + 2]).toMatch(
      /^E3OFFMETRICS\s+1\.23M\s+n\/a\s+0\.80%\s+0\.02%\s+n\/a\s+12\.3 GB$/,
    );
    expect(lines[header + 3]).toMatch(/^E4NEW\s+0\s+n\/a\s+n\/a/);
  });

  it('lines the overview columns up', () => {
    const lines = digestMail(CTX, digest()).body.split('\n');
    const header = lines.findIndex((l) => l.startsWith('distribution'));
    const table = lines.slice(header, header + 4);
    // Right-aligned columns: every row ends its "hit" column at the same offset.
    const ends = table.map((l) => l.length);
    expect(new Set(ends.slice(0, 3)).size).toBe(1);
  });

  it('never shows a number for a hit rate CloudWatch did not have', () => {
    const { body } = digestMail(CTX, digest());
    expect(body).toContain('hit rate: n/a (additional metrics off)');
    const e3 = body.slice(body.indexOf('\nE3OFFMETRICS  e3offmetrics'));
    expect(e3.split('\n').find((l) => l.includes('hit rate'))).toMatch(/n\/a\s+n\/a\s+n\/a$/);
  });

  it('shows trends against the previous window', () => {
    const { body } = digestMail(CTX, digest());
    const e2 = body.slice(body.indexOf('\nE2QWRUHEXAMPLE  e2qwruhexample'));
    expect(e2).toMatch(/requests\s+1\.23M\s+1\.1M\s+\+12\.2%/);
    expect(e2).toMatch(/hit rate\s+91\.2%\s+89\.0%\s+\+2\.2 pt/);
    expect(e2).toMatch(/bytes out\s+12\.3 GB\s+11 GB\s+\+12\.2%/);
  });

  it('shows spend against the free tier and the recommendations with their evidence', () => {
    const { body } = digestMail(CTX, digest());
    expect(body).toMatch(/paths billed\s+1,234 of 1,000 free/);
    expect(body).toMatch(/above free tier\s+234 paths, about \$1\.17/);
    expect(body).toContain('RECOMMENDATIONS (2)');
    expect(body).toMatch(/1\. \[warn\] Invalidations above the free tier/);
    expect(body).toMatch(/2\. \[info\] E3OFFMETRICS: Additional metrics are off/);
    expect(body).toContain('Evidence: 1,234 paths billed this month');
    expect(body).toContain('NOT INCLUDED');
    expect(body).toContain('E9GONE: deleted');
  });

  it('says when spend could not be read', () => {
    const { body } = digestMail(
      CTX,
      digest({ spend: undefined, spendError: 'ThrottlingException: Rate exceeded' }),
    );
    expect(body).toContain('could not be read: ThrottlingException: Rate exceeded');
  });

  it('fits a phone: 72 columns and ASCII, typographic characters replaced', () => {
    const { subject, body } = digestMail(CTX, digest());
    expectPhoneWidth(body);
    expect(ascii(body)).toBe(true);
    expect(ascii(subject)).toBe(true);
    expect(body).toContain('-> hit rate ~ known');
    expect(body).toContain(consoleUrl('E2QWRUHEXAMPLE'));
    expect(body).toContain(dashboardUrl('eu-west-1', 'cdn-pipeline-prod'));
  });
});

describe('formatting', () => {
  it.each([
    [undefined, 'n/a'],
    [61.234, '61.2%'],
    [0.254, '0.25%'],
    [0, '0.0%'],
    [100, '100.0%'],
  ])('formatPercent(%s) = %s', (v, s) => expect(formatPercent(v)).toBe(s));

  it.each([
    [950, '950'],
    [1234, '1.23k'],
    [12_345, '12.3k'],
    [1_234_567, '1.23M'],
    [4_560_000_000, '4.56G'],
  ])('formatCount(%s) = %s', (v, s) => expect(formatCount(v)).toBe(s));

  it.each([
    [512, '512 B'],
    [12_345_678_901, '12.3 GB'],
  ])('formatBytes(%s) = %s', (v, s) => expect(formatBytes(v)).toBe(s));

  it('formats changes of rates in points and of counts in percent', () => {
    expect(formatChange(2.2, 'rate')).toBe('+2.2 pt');
    expect(formatChange(-0.05, 'rate')).toBe('-0.05 pt');
    expect(formatChange(0.122, 'count')).toBe('+12.2%');
    expect(formatChange(undefined, 'count')).toBe('n/a');
  });

  it('wraps prose at 72 columns and keeps a URL whole', () => {
    const url = consoleUrl('E2QWRUHEXAMPLE');
    const lines = wrap(`${'word '.repeat(40)}${url} end`, '  ', '- ');
    expect(lines[0]!.startsWith('- ')).toBe(true);
    expect(lines).toContain(`  ${url}`);
    for (const line of lines)
      if (!line.includes('https://')) expect(line.length).toBeLessThanOrEqual(72);
  });
});
