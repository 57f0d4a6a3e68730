/**
 * `cdn-pipeline report --local`, run in-process against the emulator: two managed distributions
 * (one with additional metrics, one without) and one foreign one, 47 minutes of 1-minute
 * `AWS/CloudFront` datapoints around now (so a `--since 15m` window and the one before it are
 * fully seeded even if a minute turns during the test), `PathsBilled` this month. Nothing may be
 * mailed and no alarm state written.
 */
import {} from '@aws-sdk/client-cloudfront';
import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { parseSince, reportConfigFor, windowLabel } from '../../cli/report.js';
import { emulatorData } from '../../local/emulator.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { ensureAlarmTable } from '../../local/bootstrap.js';
import { createTaggedDistribution } from '../helpers/distributions.js';

const STAGE = 'clireport';
const TABLE = `cdn-pipeline-${STAGE}-alarm-state`;
const MINUTE = 60_000;

let emu: TestEmulator;
let hot: string;
let basic: string;
let foreign: string;
let out: string[];
let stdout: string[];

/** 100 requests a minute from 45 minutes ago to 2 minutes ahead; rates as CloudFront sends them. */
async function seed(id: string, additional: boolean): Promise<void> {
  const dims = [
    { Name: 'DistributionId', Value: id },
    { Name: 'Region', Value: 'Global' },
  ];
  const thisMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
  const data: MetricDatum[] = [];
  for (let m = -45; m < 2; m++) {
    const Timestamp = new Date(thisMinute + m * MINUTE);
    const point = (MetricName: string, Value: number, Unit: MetricDatum['Unit']) =>
      data.push({ MetricName, Dimensions: dims, Timestamp, Value, Unit });
    point('Requests', 100, 'None');
    point('BytesDownloaded', 100 * 250_000, 'None');
    point('4xxErrorRate', 0.5, 'Percent');
    point('5xxErrorRate', 0.05, 'Percent');
    point('TotalErrorRate', 0.55, 'Percent');
    if (additional) {
      point('CacheHitRate', 61, 'Percent');
      point('OriginLatency', 200, 'Milliseconds');
    }
  }
  await emu.clients.cloudwatchGlobal.send(
    new PutMetricDataCommand({ Namespace: 'AWS/CloudFront', MetricData: data }),
  );
}

beforeAll(async () => {
  emu = await startTestEmulator();
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
  const { clients } = emu;
  // What npm start creates for the stage: the report must leave both untouched.
  await ensureAlarmTable(clients.dynamodb, TABLE);
  await clients.sns.send(new CreateTopicCommand({ Name: `cdn-pipeline-${STAGE}-alerts` }));
  const managed = { 'cdn-pipeline:managed': 'true', 'cdn-pipeline:stage': STAGE };
  hot = await createTaggedDistribution(clients.cloudfront, 'rpt-hot', managed);
  basic = await createTaggedDistribution(clients.cloudfront, 'rpt-basic', managed);
  foreign = await createTaggedDistribution(clients.cloudfront, 'rpt-foreign', { team: 'other' });
  await Promise.all([seed(hot, true), seed(basic, false), seed(foreign, true)]);
  // The invalidate function's EMF: 1 500 paths billed this month.
  const now = new Date();
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  await clients.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'CdnPipeline',
      MetricData: [
        {
          MetricName: 'PathsBilled',
          Dimensions: [{ Name: 'service', Value: `cdn-pipeline-${STAGE}-invalidate` }],
          Timestamp: new Date(Math.max(monthStart + MINUTE, now.getTime() - 10 * MINUTE)),
          Value: 1500,
          Unit: 'Count',
        },
      ],
    }),
  );
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});
afterEach(() => vi.restoreAllMocks());

function capture(): { stderr: string[] } {
  out = [];
  stdout = [];
  const stderr: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
    stdout.push(args.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
    stderr.push(args.join(' '));
  });
  // commander writes usage errors itself
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  return { stderr };
}

const run = (...args: string[]) => main(['node', 'cdn-pipeline', ...args]);
const local = ['report', '--local', '--stage', STAGE];

interface JsonReport {
  stage: string;
  since: string;
  window: { start: string; end: string };
  previousWindow: { start: string; end: string };
  distributions: Array<{
    distributionId: string;
    current: Record<string, unknown>;
    previous: Record<string, unknown> | null;
    trend: Record<string, { current: unknown; previous: unknown; change: unknown }>;
  }>;
  spend: Record<string, unknown> | null;
  recommendations: Array<Record<string, unknown>>;
  skipped: unknown[];
  mailed: boolean;
}

describe('cdn-pipeline report', () => {
  it('prints one line per managed distribution, the spend and the recommendations', async () => {
    capture();
    expect(await run(...local, '--since', '15m'), out.join('\n')).toBe(0);
    const text = stdout.join('\n');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^cdn-pipeline clireport: the last 15 min, \d{4}-\d\d-\d\d \d\d:\d\d UTC to .* compared with the 15 min before \(nothing mailed\)$/,
    );
    const header = lines.findIndex((l) => l.startsWith('distribution'));
    expect(lines[header]).toMatch(
      /^distribution\s+requests\s+change\s+hit\s+change\s+4xx\s+5xx\s+origin\s+bytes$/,
    );
    expect(lines[header + 1]).toMatch(/^-+( {2}-+){8}$/);
    const row = (id: string) => lines.find((l) => l.startsWith(`${id} `)) ?? '';
    expect(row(hot)).toMatch(
      /^\w+\s+1\.5k\s+0\.0%\s+61\.0%\s+0\.0 pt\s+0\.50%\s+0\.05%\s+200 ms\s+375 MB$/,
    );
    expect(row(basic)).toMatch(
      /^\w+\s+1\.5k\s+0\.0%\s+n\/a\s+n\/a\s+0\.50%\s+0\.05%\s+n\/a\s+375 MB$/,
    );
    expect(text).toContain(`hit n/a for ${basic}: additional metrics off`);
    expect(text).not.toContain(foreign);
    expect(text).toContain(
      'Invalidation spend this month (per account): 1,500 of 1,000 free paths, 500 above it, about $2.50',
    );
    expect(text).toMatch(/^Recommendations \(\d+\)$/m);
    expect(text).toContain(`[info] ${basic}: Additional metrics are off`);
    expect(text).toMatch(/^ {5}evidence {2}\S/m);
    expect(text).toMatch(/^ {5}expected {2}\S/m);
  });

  it('prints the structured report with --json: summaries, trends, spend, recommendations', async () => {
    capture();
    expect(await run(...local, '--since', '15m', '--json')).toBe(0);
    const report = JSON.parse(stdout.join('\n')) as JsonReport;
    expect(report).toMatchObject({ stage: STAGE, since: '15 min', mailed: false, skipped: [] });
    const { start, end } = report.window;
    expect(Date.parse(end) - Date.parse(start)).toBe(15 * MINUTE);
    expect(report.previousWindow).toEqual({
      start: new Date(Date.parse(start) - 15 * MINUTE).toISOString(),
      end: start,
    });
    expect(report.distributions.map((d) => d.distributionId).sort()).toEqual([basic, hot].sort());
    const h = report.distributions.find((d) => d.distributionId === hot)!;
    expect(h.current).toMatchObject({ requests: 1500, hitRate: 61, originLatencyMs: 200 });
    expect(h.previous).toMatchObject({ requests: 1500, hitRate: 61 });
    expect(h.trend.requests).toEqual({ current: 1500, previous: 1500, change: 0 });
    expect(h.trend.hitRate).toEqual({ current: 61, previous: 61, change: 0 });
    const b = report.distributions.find((d) => d.distributionId === basic)!;
    expect(b.current).toMatchObject({ hitRate: null, additionalMetrics: false });
    expect(b.trend.hitRate).toEqual({ current: null, previous: null, change: null });
    expect(report.spend).toMatchObject({
      pathsBilled: 1500,
      billablePaths: 500,
      estimatedUsd: 2.5,
    });
    expect(report.recommendations.length).toBeGreaterThan(0);
    for (const r of report.recommendations) {
      expect(r).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          severity: expect.stringMatching(/^(info|warn|critical)$/),
          evidence: expect.any(String),
          expectedEffect: expect.any(String),
        }),
      );
    }
  });

  it('reports only the distributions given with --distribution', async () => {
    capture();
    expect(await run(...local, '--since', '15m', '--json', '--distribution', hot)).toBe(0);
    const report = JSON.parse(stdout.join('\n')) as JsonReport;
    expect(report.distributions.map((d) => d.distributionId)).toEqual([hot]);
  });

  it.each(['90x', '0m', '8d', '15', ''])('refuses --since "%s" with exit code 2', async (since) => {
    const { stderr } = capture();
    expect(await run(...local, '--since', since)).toBe(2);
    expect(stderr.join('')).toMatch(/--since <duration>.*15m, 6h, 24h or 7d/);
    expect(stdout).toEqual([]);
  });

  it('refuses a --distribution that is not a distribution id with exit code 2', async () => {
    const { stderr } = capture();
    expect(await run(...local, '--distribution', 'not-an-id')).toBe(2);
    expect(stderr.join('')).toMatch(/--distribution <ids>/);
  });

  it('sent no mail and wrote no alarm state', async () => {
    const data = (await emulatorData(emu.endpoint)) as {
      sns: { Topic: Array<{ sent_notifications: unknown[] }> };
    };
    expect(data.sns.Topic.length).toBeGreaterThan(0);
    for (const topic of data.sns.Topic) expect(topic.sent_notifications).toEqual([]);
    const items = await emu.clients.dynamodb.send(new ScanCommand({ TableName: TABLE }));
    expect(items.Count).toBe(0);
  });
});

describe('report flags and config', () => {
  it.each([
    ['15m', 15, '15 min'],
    ['6h', 360, '6 h'],
    ['24h', 1440, '24 h'],
    ['7d', 10080, '7 days'],
  ])('reads --since %s as %i minutes (%s)', (value, minutes, label) => {
    expect(parseSince(value)).toBe(minutes);
    expect(windowLabel(minutes)).toBe(label);
  });

  it('takes the dashboard, table and topic from the stack outputs when it has them', () => {
    const config = reportConfigFor({
      stage: 'prod',
      region: 'eu-west-1',
      local: false,
      outputs: new Map([
        ['DashboardName', 'cdn-pipeline-prod'],
        ['AlarmStateTableName', 'cdn-pipeline-prod-alarm-state'],
        ['AlertsTopicArn', 'arn:aws:sns:eu-west-1:123456789012:cdn-pipeline-prod-alerts'],
      ]),
      distributionIds: [],
    });
    expect(config).toMatchObject({
      stage: 'prod',
      region: 'eu-west-1',
      dashboardName: 'cdn-pipeline-prod',
      alarmTable: 'cdn-pipeline-prod-alarm-state',
      invalidateServiceName: 'cdn-pipeline-prod-invalidate',
      metricsNamespace: 'CdnPipeline',
    });
  });

  it("uses the stage's names without a stack, and no dashboard link locally", () => {
    const deployed = reportConfigFor({
      stage: 'dev',
      region: 'us-east-1',
      local: false,
      outputs: new Map(),
      distributionIds: ['E2EXAMPLE1'],
    });
    expect(deployed).toMatchObject({
      dashboardName: 'cdn-pipeline-dev',
      alarmTable: 'cdn-pipeline-dev-alarm-state',
      distributionIds: ['E2EXAMPLE1'],
    });
    const local = reportConfigFor({
      stage: 'local',
      region: 'us-east-1',
      local: true,
      outputs: new Map(),
      distributionIds: [],
    });
    expect(local.dashboardName).toBeUndefined();
  });
});
