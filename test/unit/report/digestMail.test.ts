import { describe, expect, it } from 'vitest';
import {
  digestMail,
  type DigestMailInput,
  type DigestRow,
} from '../../../functions/report/digestMail.js';
import type { MailContext } from '../../../functions/report/mail.js';
import type { TrafficSummary } from '../../../functions/report/metrics.js';
import { consoleUrl, dashboardUrl } from '../../../shared/text/links.js';
import { expectPhoneWidth, isAscii as ascii } from '../../helpers/mailText.js';

const CTX: MailContext = { stage: 'prod', region: 'eu-west-1', dashboardName: 'cdn-pipeline-prod' };

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
