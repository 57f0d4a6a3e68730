/**
 * The report's per-content-class part against the emulator: class counts seeded as the logs
 * function's EMF becomes them (namespace CdnPipeline/ContentClasses, DistributionId +
 * ContentClass, one datapoint per hour), then hourly checks and a digest. Proves: one ALARM mail
 * after K = 3 breaching class windows (and none for the healthy class, none for a second check
 * of the same window), one RECOVERED mail after K clean ones; the digest's class table and a
 * recommendation that cites the class with its evidence and TTL.
 */
import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../functions/report/check.js';
import { runDigest } from '../../functions/report/digest.js';
import { loadReportConfig, type ReportConfig } from '../../functions/report/config.js';
import type { ReportClients } from '../../functions/report/types.js';
import { ensureAlarmTable } from '../../local/bootstrap.js';
import { emulatorData } from '../../local/emulator.js';
import { CLASS_METRICS_NAMESPACE } from '../../shared/classMetrics.js';
import { applyObservation, type AlarmStore } from '../../shared/alarms/alarmState.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { startTestEmulator, TEST_REGION, type TestEmulator } from '../helpers/emulator.js';

const TABLE = 'cdn-pipeline-test-class-alarms';
const HOUR = 3_600_000;
/** Hour 0 ends here, two days ago on the hour. */
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 2 * 86_400_000;
/** The check of hour i runs 2 minutes after [BASE+(i-1) h, BASE+i h) ends. */
const runAt = (hour: number, minutes = 2) => new Date(BASE + hour * HOUR + minutes * 60_000);

let emu: TestEmulator;
let clients: ReportClients;
let config: ReportConfig;
let topicArn: string;
let logged: string;
let plain: string;

interface Counts {
  readonly hits: number;
  readonly misses: number;
  readonly errors?: number;
}

async function seedHour(hour: number, byClass: Record<string, Counts>): Promise<void> {
  const Timestamp = new Date(BASE + (hour - 1) * HOUR + 5 * 60_000);
  const data: MetricDatum[] = [];
  for (const [cls, c] of Object.entries(byClass)) {
    const Dimensions = [
      { Name: 'DistributionId', Value: logged },
      { Name: 'ContentClass', Value: cls },
    ];
    const requests = c.hits + c.misses + (c.errors ?? 0);
    for (const [MetricName, Value] of [
      ['Requests', requests],
      ['Hits', c.hits],
      ['Misses', c.misses],
      ['Errors', c.errors ?? 0],
      ['Bytes', requests * 1_000_000],
    ] as const)
      data.push({
        MetricName,
        Dimensions,
        Timestamp,
        Value,
        Unit: MetricName === 'Bytes' ? 'Bytes' : 'Count',
      });
  }
  await clients.cloudwatch.send(
    new PutMetricDataCommand({ Namespace: CLASS_METRICS_NAMESPACE, MetricData: data }),
  );
}

async function mails(): Promise<Array<{ subject: string; body: string }>> {
  const data = (await emulatorData(emu.endpoint)) as {
    sns: { Topic: Array<{ arn: string; sent_notifications: Array<[string, string, string]> }> };
  };
  const topic = data.sns.Topic.find((t) => t.arn === topicArn);
  return (topic?.sent_notifications ?? []).map(([, body, subject]) => ({ subject, body }));
}

const BAD_VIDEO = { video: { hits: 610, misses: 390 }, image: { hits: 950, misses: 50 } };
const GOOD_VIDEO = { video: { hits: 960, misses: 40 }, image: { hits: 950, misses: 50 } };

beforeAll(async () => {
  emu = await startTestEmulator();
  clients = emu.clients;
  await ensureAlarmTable(clients.dynamodb, TABLE);
  topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'class-alerts' }))).TopicArn!;
  const managed = { 'cdn-pipeline:managed': 'true', 'cdn-pipeline:stage': 'test' };
  logged = await createTaggedDistribution(clients.cloudfront, 'logged', managed, { alias: true });
  plain = await createTaggedDistribution(clients.cloudfront, 'plain', managed);
  config = loadReportConfig({
    ALERTS_TOPIC_ARN: topicArn,
    ALARM_TABLE: TABLE,
    STAGE: 'test',
    AWS_REGION: TEST_REGION,
    HIT_RATE_THRESHOLDS: 'video=90,image=85',
  });
}, 60_000);
afterAll(() => emu?.stop());

describe('per-class alarms', () => {
  it('raises one ALARM for the breaching class after K = 3 windows, none for the healthy one', async () => {
    for (const hour of [1, 2]) {
      await seedHour(hour, BAD_VIDEO);
      const result = await runCheck({ clients, config }, runAt(hour));
      expect(result.transitions).toEqual([]);
      // A second check within the same hour observes the same window: not counted again.
      await runCheck({ clients, config }, runAt(hour, 17));
    }
    await seedHour(3, BAD_VIDEO);
    const result = await runCheck({ clients, config }, runAt(3));
    expect(result.classes).toEqual([
      expect.objectContaining({ distributionId: logged, contentClass: 'image', hitRate: 95 }),
      expect.objectContaining({
        distributionId: logged,
        contentClass: 'video',
        hitRate: 61,
        requests: 1000,
      }),
    ]);
    expect(result.transitions).toEqual([
      expect.objectContaining({
        distributionId: logged,
        metric: 'classHitRate:video',
        transition: 'alarm',
        status: 'mailed',
      }),
    ]);
    const sent = await mails();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toContain(`ALARM video hit rate 61.0% < 90% on ${logged}`);
    expect(sent[0]!.body).toContain('standard logs');
    // The distribution without logs has no class counts and raises nothing.
    expect(
      result.classAlarms
        .filter((a) => a.distributionId === plain)
        .every((a) => a.breaching === undefined),
    ).toBe(true);

    await seedHour(4, BAD_VIDEO);
    await runCheck({ clients, config }, runAt(4));
    expect(await mails()).toHaveLength(1);
  });

  it('recovers once after K = 3 clean windows', async () => {
    for (const hour of [5, 6]) {
      await seedHour(hour, GOOD_VIDEO);
      expect((await runCheck({ clients, config }, runAt(hour))).transitions).toEqual([]);
    }
    await seedHour(7, GOOD_VIDEO);
    const result = await runCheck({ clients, config }, runAt(7));
    expect(result.transitions).toEqual([
      expect.objectContaining({ metric: 'classHitRate:video', transition: 'recovered' }),
    ]);
    await seedHour(8, GOOD_VIDEO);
    await runCheck({ clients, config }, runAt(8));
    const sent = await mails();
    expect(sent.map((m) => m.subject.replace(/^\[[^\]]+\] /, '').split(' ')[0])).toEqual([
      'ALARM',
      'RECOVERED',
    ]);
  });
});

describe('a class alarm of a distribution no longer checked', () => {
  it('is closed at the next check, with one mail', async () => {
    const store: AlarmStore<string> = {
      dynamodb: clients.dynamodb,
      table: TABLE,
      metrics: ['classHitRate:video'],
    };
    const raised = await applyObservation(
      store,
      { distributionId: 'E0GONEDIST', metric: 'classHitRate:video' },
      { breaching: true, value: 40, periodEnd: new Date(BASE) },
      1,
      async () => undefined,
    );
    expect(raised.state.state).toBe('ALARM');
    const before = (await mails()).length;
    const result = await runCheck({ clients, config }, runAt(9));
    expect(result.transitions).toContainEqual(
      expect.objectContaining({
        distributionId: 'E0GONEDIST',
        metric: 'classHitRate:video',
        transition: 'unmonitored',
        status: 'mailed',
      }),
    );
    const sent = (await mails()).slice(before);
    expect(sent.map((m) => m.subject)).toEqual([
      expect.stringContaining('CLEARED (no longer monitored) video hit rate on E0GONEDIST'),
    ]);
    await runCheck({ clients, config }, runAt(10));
    expect((await mails()).length).toBe(before + 1);
  });
});

describe('the digest', () => {
  it('shows a per-class table and cites the class below its minimum, with its TTL', async () => {
    // Hours 1-4 (bad video): a 4-hour digest ending with hour 4.
    const result = await runDigest({ clients, config }, runAt(4, 0), {
      publish: false,
      windowMinutes: 240,
    });
    const video = result.classes.find((c) => c.contentClass === 'video')!;
    expect(video).toMatchObject({ requests: 4000, hits: 2440, misses: 1560, hitRate: 61 });
    const body = result.mail.body;
    expect(body).toContain('per content class (standard logs)');
    expect(body).toMatch(/video\s+4k\s+61\.0%!\s+90%\s+0\.0%\s+4 GB/);
    expect(body).toMatch(/image\s+4k\s+95\.0%\s+85%/);
    // CachingOptimized (the test distribution's policy) keeps objects 1 day by default.
    expect(result.recommendations).toContainEqual(
      expect.objectContaining({
        id: 'class-hit-rate:video',
        distributionId: logged,
        title: 'video: 61.0% hits, TTL 1 d',
      }),
    );
    expect(result.recommendations.some((r) => r.id === 'class-hit-rate:image')).toBe(false);
  });
});
