/**
 * The report function against the emulator: managed distributions found by their tags,
 * `AWS/CloudFront` datapoints seeded with PutMetricData (1-minute, DistributionId + Region=Global),
 * alarm state in DynamoDB, mail read back from the emulator's SNS. Each check run is one 15-minute
 * window later than the one before, with its own seeded datapoints. Faults the emulator cannot
 * produce (throttled GetMetricData, a failed publish) are injected on separate clients.
 */
import {
  DeleteDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../functions/report/check.js';
import { createReportHandlers } from '../../functions/report/handler.js';
import { runDigest } from '../../functions/report/digest.js';
import type { ReportClients } from '../../functions/report/types.js';
import { emulatorData } from '../../local/emulator.js';
import { createClients } from '../../shared/clients.js';
import {
  applyObservation,
  readAlarmState,
  type AlarmStore,
} from '../../shared/alarms/alarmState.js';
import { loadReportConfig, type ReportConfig } from '../../functions/report/config.js';
import {
  startTestEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestEmulator,
} from '../helpers/emulator.js';
import { ensureAlarmTable } from '../../local/bootstrap.js';
import { createTaggedDistribution } from '../helpers/distributions.js';

const TABLE = 'cdn-pipeline-test-alarms';
const STAGE = 'test';
const NAMESPACE = 'CdnPipeline';
const INVALIDATE_SERVICE = 'cdn-pipeline-test-invalidate';
const SLOT_MS = 15 * 60_000;
/** Slot 0 ends here: on a 15-minute boundary two days ago (the digest reads 48 h back). */
const BASE = Math.floor(Date.now() / SLOT_MS) * SLOT_MS - 2 * 86_400_000;
/** A check of slot i runs 2 minutes after its window [BASE+(i-1)·15 min, BASE+i·15 min) ends. */
const runAt = (slot: number) => new Date(BASE + slot * SLOT_MS + 2 * 60_000);

let emu: TestEmulator;
let clients: ReportClients;
let config: ReportConfig;
let topicArn: string;
/** Managed, additional metrics on: the one that alarms. */
let hot: string;
/** Managed, very little traffic: never judged. */
let quiet: string;
/** Managed, additional metrics off: no hit rate, ever. */
let basic: string;
/** Not managed: never reported. */
let foreign: string;

const MANAGED = { 'cdn-pipeline:managed': 'true', 'cdn-pipeline:stage': STAGE };

interface Traffic {
  /** Requests per minute. */
  readonly rpm: number;
  readonly hitRate?: number;
  readonly e4?: number;
  readonly e5?: number;
  readonly latency?: number;
}

/** 15 one-minute datapoints of each metric for the window of `slot`, as CloudFront publishes them. */
async function seed(id: string, slot: number, traffic: Traffic): Promise<void> {
  const dims = [
    { Name: 'DistributionId', Value: id },
    { Name: 'Region', Value: 'Global' },
  ];
  const data: MetricDatum[] = [];
  for (let m = 0; m < 15; m++) {
    const Timestamp = new Date(BASE + (slot - 1) * SLOT_MS + m * 60_000);
    const point = (MetricName: string, Value: number, Unit: MetricDatum['Unit']) =>
      data.push({ MetricName, Dimensions: dims, Timestamp, Value, Unit });
    point('Requests', traffic.rpm, 'None');
    point('BytesDownloaded', traffic.rpm * 250_000, 'None');
    point('4xxErrorRate', traffic.e4 ?? 0.5, 'Percent');
    point('5xxErrorRate', traffic.e5 ?? 0.05, 'Percent');
    point('TotalErrorRate', (traffic.e4 ?? 0.5) + (traffic.e5 ?? 0.05), 'Percent');
    if (traffic.hitRate !== undefined) point('CacheHitRate', traffic.hitRate, 'Percent');
    if (traffic.latency !== undefined) point('OriginLatency', traffic.latency, 'Milliseconds');
  }
  await clients.cloudwatchGlobal.send(
    new PutMetricDataCommand({ Namespace: 'AWS/CloudFront', MetricData: data }),
  );
}

const BREACHING: Traffic = { rpm: 100, hitRate: 61, latency: 200 };
const CLEAN: Traffic = { rpm: 100, hitRate: 95, latency: 180 };
const LOW: Traffic = { rpm: 2, hitRate: 10, latency: 200 };
const BASIC: Traffic = { rpm: 80 };

/** Seeds every distribution's traffic for `slot`: `hot` as given, the others as usual. */
async function seedSlot(slot: number, hotTraffic: Traffic | undefined): Promise<void> {
  if (hotTraffic) await seed(hot, slot, hotTraffic);
  await seed(quiet, slot, LOW);
  await seed(basic, slot, BASIC);
  await seed(foreign, slot, BREACHING);
}

/** Every mail published to the alerts topic, oldest first. */
async function mails(): Promise<Array<{ subject: string; body: string }>> {
  const data = (await emulatorData(emu.endpoint)) as {
    sns: { Topic: Array<{ arn: string; sent_notifications: Array<[string, string, string]> }> };
  };
  const topic = data.sns.Topic.find((t) => t.arn === topicArn);
  return (topic?.sent_notifications ?? []).map(([, body, subject]) => ({ subject, body }));
}

const store = (): AlarmStore => ({ dynamodb: clients.dynamodb, table: TABLE });

/** Fresh clients whose `command` fails with `name` before it is sent (no retries). */
function faultyClients(command: string, name: string): ReportClients {
  const fresh = createClients({
    endpoint: emu.endpoint,
    credentials: { ...TEST_CREDENTIALS },
    region: TEST_REGION,
  });
  const fault = Object.assign(new Error(`injected ${name}`), { name, $fault: 'client' });
  for (const client of [fresh.cloudwatchGlobal, fresh.sns]) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === command) throw fault;
        return next(args);
      },
      { step: 'initialize', name: 'injectFault' },
    );
  }
  return {
    cloudwatchGlobal: fresh.cloudwatchGlobal,
    cloudwatch: clients.cloudwatch,
    dynamodb: clients.dynamodb,
    sns: fresh.sns,
    cloudfront: clients.cloudfront,
  };
}

async function deleteDistribution(id: string): Promise<void> {
  const cf = clients.cloudfront;
  const current = await cf.send(new GetDistributionConfigCommand({ Id: id }));
  await cf.send(
    new UpdateDistributionCommand({
      Id: id,
      IfMatch: current.ETag,
      DistributionConfig: { ...current.DistributionConfig!, Enabled: false },
    }),
  );
  const disabled = await cf.send(new GetDistributionConfigCommand({ Id: id }));
  await cf.send(new DeleteDistributionCommand({ Id: id, IfMatch: disabled.ETag }));
}

beforeAll(async () => {
  emu = await startTestEmulator();
  clients = emu.clients;
  await ensureAlarmTable(clients.dynamodb, TABLE);
  topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'cdn-pipeline-test-alerts' })))
    .TopicArn!;
  hot = await createTaggedDistribution(clients.cloudfront, 'hot', MANAGED, { alias: true });
  quiet = await createTaggedDistribution(clients.cloudfront, 'quiet', MANAGED, { alias: true });
  basic = await createTaggedDistribution(clients.cloudfront, 'basic', MANAGED, { alias: true });
  foreign = await createTaggedDistribution(
    clients.cloudfront,
    'foreign',
    { team: 'other' },
    { alias: true },
  );
  config = loadReportConfig({
    ALERTS_TOPIC_ARN: topicArn,
    ALARM_TABLE: TABLE,
    STAGE,
    DASHBOARD_NAME: 'cdn-pipeline-test',
    METRICS_NAMESPACE: NAMESPACE,
    INVALIDATE_SERVICE_NAME: INVALIDATE_SERVICE,
    AWS_REGION: TEST_REGION,
  });
});
afterAll(() => emu?.stop());

describe('check', () => {
  it('raises exactly one ALARM mail after K = 3 breaching checks, none before', async () => {
    for (const slot of [1, 2]) {
      await seedSlot(slot, BREACHING);
      const result = await runCheck({ clients, config }, runAt(slot));
      expect(result.transitions).toEqual([]);
      expect(await mails()).toEqual([]);
    }
    await seedSlot(3, BREACHING);
    const result = await runCheck({ clients, config }, runAt(3));

    expect(result.distributions.map((s) => s.distributionId).sort()).toEqual(
      [hot, quiet, basic].sort(),
    );
    const hotSummary = result.distributions.find((s) => s.distributionId === hot)!;
    expect(hotSummary).toMatchObject({ requests: 1500, hitRate: 61, periodsWithRequests: 15 });
    expect(result.transitions).toEqual([
      expect.objectContaining({
        distributionId: hot,
        metric: 'hitRate',
        transition: 'alarm',
        status: 'mailed',
      }),
    ]);
    const sent = await mails();
    expect(sent).toHaveLength(1);
    // The emulator's listing has no aliases (AWS's has): the domain is the cloudfront.net one.
    expect(sent[0]!.subject).toMatch(
      new RegExp(
        `^\\[cdn-pipeline test\\] ALARM hit rate 61\\.0% < 80% on ${hot} \\(\\w+\\.cloudfront\\.net\\)$`,
      ),
    );
    expect(sent[0]!.subject.length).toBeLessThanOrEqual(100);
    expect(result.mails).toEqual([sent[0]!.subject]);
    expect(sent[0]!.body).toContain(
      `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/${hot}`,
    );
    expect(sent[0]!.body).toContain('#dashboards/dashboard/cdn-pipeline-test');
    expect(sent[0]!.body).toMatch(/requests\s+1\.5k/);
    const state = await readAlarmState(store(), hot, 'hitRate');
    expect(state).toMatchObject({ state: 'ALARM', breaches: 3, version: 3 });
  });

  it('does not count a window twice when the same slot is checked again', async () => {
    const again = await runCheck({ clients, config }, new Date(runAt(3).getTime() + 5 * 60_000));
    expect(
      again.alarms.find((a) => a.distributionId === hot && a.metric === 'hitRate')?.status,
    ).toBe('ignored');
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({
      breaches: 3,
      version: 3,
    });
    expect(await mails()).toHaveLength(1);
  });

  it('counts concurrent checks of the same window once', async () => {
    await seedSlot(4, BREACHING);
    const runs = await Promise.all([
      runCheck({ clients, config }, runAt(4)),
      runCheck({ clients, config }, runAt(4)),
    ]);
    const statuses = runs.map(
      (r) => r.alarms.find((a) => a.distributionId === hot && a.metric === 'hitRate')?.status,
    );
    expect(statuses.sort()).toEqual(['counted', 'ignored']);
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({
      breaches: 4,
      version: 4,
    });
    expect(await mails()).toHaveLength(1);
  });

  it('moves nothing on a window without datapoints', async () => {
    // Slot 5: nothing seeded for any distribution (CloudFront published nothing).
    const result = await runCheck({ clients, config }, runAt(5));
    expect(result.transitions).toEqual([]);
    // No threshold counter moves; only the alarm counts one window without data (ALARM_STALE_AFTER).
    for (const a of result.alarms)
      expect(a.status).toBe(
        a.distributionId === hot && a.metric === 'hitRate' ? 'counted' : 'ignored',
      );
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({
      state: 'ALARM',
      breaches: 4,
      noData: 1,
      version: 5,
    });
  });

  it('sends exactly one RECOVERED mail after K = 3 clean checks, none before', async () => {
    for (const slot of [6, 7]) {
      await seedSlot(slot, CLEAN);
      expect((await runCheck({ clients, config }, runAt(slot))).transitions).toEqual([]);
      expect(await mails()).toHaveLength(1);
    }
    await seedSlot(8, CLEAN);
    const result = await runCheck({ clients, config }, runAt(8));
    expect(result.transitions).toEqual([
      expect.objectContaining({ distributionId: hot, metric: 'hitRate', transition: 'recovered' }),
    ]);
    const sent = await mails();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.subject).toMatch(
      new RegExp(`^\\[cdn-pipeline test\\] RECOVERED hit rate 95\\.0% >= 80% on ${hot} `),
    );
    expect(sent[1]!.body).toMatch(/in alarm since\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({ state: 'OK', clean: 3 });
  });

  it('never judges a distribution with fewer than MIN_REQUESTS requests in the window', async () => {
    // `quiet` had a 10 % hit rate on 30 requests per window in every check so far.
    for (const metric of ['hitRate', 'errorRate4xx', 'errorRate5xx', 'originLatencyMs'] as const)
      expect(await readAlarmState(store(), quiet, metric)).toMatchObject({
        state: 'OK',
        version: 0,
      });
    expect((await mails()).some((m) => m.subject.includes(quiet))).toBe(false);
  });

  it('never judges a hit rate that does not exist (additional metrics off)', async () => {
    expect(await readAlarmState(store(), basic, 'hitRate')).toMatchObject({ version: 0 });
    // Its error rates are judged (and clean).
    expect(await readAlarmState(store(), basic, 'errorRate5xx')).toMatchObject({
      state: 'OK',
      clean: 7, // slots 1-4 and 6-8
    });
  });

  it('never reports a distribution that is not tagged as managed', async () => {
    const result = await runCheck({ clients, config }, runAt(8));
    expect(result.distributions.map((s) => s.distributionId)).not.toContain(foreign);
    expect((await mails()).some((m) => m.subject.includes(foreign))).toBe(false);
  });

  it('survives throttled GetMetricData without moving any state', async () => {
    await seedSlot(9, BREACHING);
    const before = await readAlarmState(store(), hot, 'hitRate');
    const result = await runCheck(
      { clients: faultyClients('GetMetricDataCommand', 'ThrottlingException'), config },
      runAt(9),
    );
    expect(result.distributions).toEqual([]);
    expect(result.skipped).toContainEqual({
      distributionId: hot,
      reason: expect.stringMatching(/^metrics unreadable \(ThrottlingException/),
    });
    expect(await readAlarmState(store(), hot, 'hitRate')).toEqual(before);
  });

  it('keeps a transition whose mail failed unstored, and mails it at the next check', async () => {
    // Slot 9 (seeded above) and 10 breach; slot 11 completes K while SNS fails.
    await runCheck({ clients, config }, runAt(9));
    await seedSlot(10, BREACHING);
    await runCheck({ clients, config }, runAt(10));
    await seedSlot(11, BREACHING);
    const failed = await runCheck(
      { clients: faultyClients('PublishCommand', 'InternalErrorException'), config },
      runAt(11),
    );
    expect(failed.transitions).toEqual([
      expect.objectContaining({ distributionId: hot, transition: 'alarm', status: 'mail-failed' }),
    ]);
    expect(failed.mails).toEqual([]);
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({
      state: 'OK',
      breaches: 3,
    });
    expect(await mails()).toHaveLength(2);

    await seedSlot(12, BREACHING);
    const retried = await runCheck({ clients, config }, runAt(12));
    expect(retried.transitions).toEqual([
      expect.objectContaining({ distributionId: hot, transition: 'alarm', status: 'mailed' }),
    ]);
    const sent = await mails();
    expect(sent).toHaveLength(3);
    expect(sent[2]!.subject).toContain(`ALARM hit rate 61.0% < 80% on ${hot}`);
  });

  it('skips a distribution deleted between runs, and one listed explicitly, without failing', async () => {
    await deleteDistribution(quiet);
    await seedSlot(13, BREACHING);
    const result = await runCheck(
      { clients, config: { ...config, distributionIds: [quiet, 'E0000NOSUCHID'] } },
      runAt(13),
    );
    expect(result.distributions.map((s) => s.distributionId).sort()).toEqual([basic, hot].sort());
    expect(result.skipped).toEqual(
      expect.arrayContaining([
        { distributionId: quiet, reason: 'deleted' },
        { distributionId: 'E0000NOSUCHID', reason: 'deleted' },
      ]),
    );
    expect(result.transitions).toEqual([]);
  });

  it('applies a lost write race again instead of overwriting (optimistic concurrency)', async () => {
    const key = { distributionId: 'ERACE', metric: 'errorRate5xx' as const };
    const observation = (slot: number) => ({ breaching: true, value: 3, periodEnd: runAt(slot) });
    const stale = await readAlarmState(store(), key.distributionId, key.metric);
    await applyObservation(store(), key, observation(1), 3, async () => {});
    // A run that read before the write above: its conditional write fails, it re-reads and counts.
    const late = await applyObservation(store(), key, observation(2), 3, async () => {}, stale);
    expect(late.status).toBe('counted');
    expect(await readAlarmState(store(), key.distributionId, key.metric)).toMatchObject({
      breaches: 2,
      version: 2,
    });
  });
});

describe('handler', () => {
  it('runs the check for the scheduled time of the EventBridge event', async () => {
    const handlers = createReportHandlers({ clients, config });
    const result = await handlers.check({ time: runAt(14).toISOString() });
    expect(result.kind).toBe('check');
    expect(result.window.end).toBe(new Date(BASE + 14 * SLOT_MS).toISOString());
    expect(result.distributions.map((s) => s.distributionId).sort()).toEqual([basic, hot].sort());
  });
});

describe('digest', () => {
  it('mails one report: a line per distribution, spend against the free tier, recommendations', async () => {
    const now = runAt(14);
    // The invalidate function's EMF: 1 500 paths billed this month.
    const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    await clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: NAMESPACE,
        MetricData: [
          {
            MetricName: 'PathsBilled',
            Dimensions: [{ Name: 'service', Value: INVALIDATE_SERVICE }],
            Timestamp: new Date(Math.max(start + 60_000, now.getTime() - 3_600_000)),
            Value: 1500,
            Unit: 'Count',
          },
        ],
      }),
    );
    const before = (await mails()).length;
    const result = await runDigest({ clients, config }, now);

    const sent = await mails();
    expect(sent).toHaveLength(before + 1);
    const mail = sent.at(-1)!;
    expect(result.mails).toEqual([mail.subject]);
    expect(mail.subject).toBe(
      `[cdn-pipeline test] daily report: 2 distributions, ${result.recommendations.length} recommendations`,
    );
    expect(mail.subject.length).toBeLessThanOrEqual(100);

    const lines = mail.body.split('\n');
    const header = lines.findIndex((l) => l.startsWith('distribution'));
    const overview = lines.slice(header + 1, header + 3);
    // Slots 1-4 and 6-13 seeded for `hot`: 12 windows of 15 minutes at 100 requests a minute.
    expect(result.distributions.find((s) => s.distributionId === hot)?.requests).toBe(12 * 1500);
    expect(overview.find((l) => l.startsWith(hot))).toMatch(
      /\d+(\.\d+)?k\s+\d+\.\d%\s+0\.50%\s+0\.05%\s+\d+ ms\s+\S+ [kMG]?B$/,
    );
    expect(overview.find((l) => l.startsWith(basic))).toMatch(/\sn\/a\s+0\.50%\s+0\.05%\s+n\/a\s/);
    expect(mail.body).toContain('hit rate: n/a (additional metrics off)');
    expect(mail.body).toMatch(/paths billed\s+1,500 of 1,000 free/);
    expect(mail.body).toMatch(/above free tier\s+500 paths, about \$2\.50/);
    expect(mail.body).toMatch(/RECOMMENDATIONS \(\d+\)/);
    expect(mail.body).toContain('Invalidations above the free tier');
    expect(mail.body).toContain(`${basic}: Additional metrics are off`);
    expect(mail.body).toContain('Evidence: ');
    expect(mail.body).not.toContain(foreign);
    for (const line of lines) {
      if (!/^https:\/\//.test(line)) expect(line.length, line).toBeLessThanOrEqual(72);
    }
    // The spend advice is per account: listed once, not once per distribution.
    expect(result.recommendations.filter((r) => r.id === 'invalidation-spend')).toHaveLength(1);
  }, 120_000); // the emulator takes seconds for 2 × 24 h of 1-minute periods
});

describe('alarms that can no longer be judged', () => {
  /** The next slot to check: after the handler's and the digest's slot 14. */
  let slot = 15;
  const cleared = async () => (await mails()).filter((m) => m.subject.includes('ALARM CLEARED'));

  it('closes an alarm after ALARM_STALE_AFTER = 8 checks without data, with one mail', async () => {
    expect(config.staleAfter).toBe(8);
    // `hot` is in ALARM since slot 12; slot 14 (the handler's check) had no data for it.
    const before = await readAlarmState(store(), hot, 'hitRate');
    expect(before).toMatchObject({ state: 'ALARM', noData: 1 });
    const sent = (await mails()).length;
    // Nothing seeded from here on: CloudFront published nothing for `hot`.
    for (let i = before.noData + 1; i < 8; i++) {
      const result = await runCheck({ clients, config }, runAt(slot++));
      expect(result.transitions).toEqual([]);
    }
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({
      state: 'ALARM',
      noData: 7,
    });
    // The same window again counts nothing.
    await runCheck({ clients, config }, new Date(runAt(slot - 1).getTime() + 60_000));
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({ noData: 7 });
    expect(await mails()).toHaveLength(sent);

    const result = await runCheck({ clients, config }, runAt(slot++));
    expect(result.transitions).toEqual([
      expect.objectContaining({
        distributionId: hot,
        metric: 'hitRate',
        transition: 'stale',
        status: 'mailed',
      }),
    ]);
    const all = await mails();
    expect(all).toHaveLength(sent + 1);
    const mail = all.at(-1)!;
    expect(mail.subject).toMatch(
      new RegExp(`^\\[cdn-pipeline test\\] ALARM CLEARED \\(no data\\) hit rate on ${hot} `),
    );
    expect(mail.body.replace(/\s+/g, ' ')).toContain(
      'no data for 8 checks (2 h); the alarm is closed without a verdict',
    );
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({
      state: 'OK',
      breaches: 0,
      noData: 0,
    });

    // OK rows are not counted on missing data: nothing more, however long it lasts.
    await runCheck({ clients, config }, runAt(slot++));
    expect(await mails()).toHaveLength(sent + 1);
  });

  it('closes the alarm of a deleted distribution at the next check, with one mail', async () => {
    for (let i = 0; i < 3; i++) {
      await seed(hot, slot, BREACHING);
      await runCheck({ clients, config }, runAt(slot++));
    }
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({ state: 'ALARM' });
    const sent = (await mails()).length;
    expect((await mails()).at(-1)!.subject).toContain(`ALARM hit rate 61.0% < 80% on ${hot}`);

    await deleteDistribution(hot);
    // Two checks at once: only the one that wins the conditional write mails.
    const runs = await Promise.all([
      runCheck({ clients, config }, runAt(slot)),
      runCheck({ clients, config }, runAt(slot++)),
    ]);
    expect(runs.flatMap((r) => r.transitions)).toEqual([
      expect.objectContaining({
        distributionId: hot,
        metric: 'hitRate',
        transition: 'unmonitored',
        status: 'mailed',
      }),
    ]);
    const all = await mails();
    expect(all).toHaveLength(sent + 1);
    expect(all.at(-1)!.subject).toBe(
      `[cdn-pipeline test] ALARM CLEARED (no longer monitored) hit rate on ${hot}`,
    );
    expect(all.at(-1)!.body.replace(/\s+/g, ' ')).toContain(
      'no longer tagged as managed for this stage',
    );
    expect(await readAlarmState(store(), hot, 'hitRate')).toMatchObject({ state: 'OK' });

    const next = await runCheck({ clients, config }, runAt(slot++));
    expect(next.transitions).toEqual([]);
    expect(await mails()).toHaveLength(sent + 1);
    expect((await cleared()).filter((m) => m.subject.includes(hot))).toHaveLength(2);
  });
});
