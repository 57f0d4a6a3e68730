/**
 * The scheduled health function against the emulator: a stage bootstrapped and provisioned with
 * the real workflow, its handler run on successive schedule times. Failing → one ALARM mail;
 * still failing → no mail; passing again → one RESOLVED mail; a publish that fails is retried by
 * the next run. The state lives in the report's alarm table, where the report never sees it.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduledHealthHandler } from '../../functions/health/handler.js';
import {
  HEALTH_METRIC,
  healthAlarmKey,
  type ScheduledHealthConfig,
} from '../../functions/health/scheduled.js';
import {
  readAlarmState,
  readAlarmStates,
  scanAlarmedStates,
} from '../../shared/alarms/alarmState.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { emulatorData } from '../../local/emulator.js';
import { provisionLocally } from '../../local/provision.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { expectPhoneWidth, isAscii } from '../helpers/mailText.js';

let emu: TestEmulator;
let stack: LocalStack;
let config: ScheduledHealthConfig;
const SILENT_LOG = { info() {}, warn() {}, error() {} };

beforeAll(async () => {
  emu = await startTestEmulator();
  stack = await bootstrapLocalStack(emu.clients, { stage: 'hs' });
  const run = await provisionLocally({
    clients: emu.clients,
    alertsTopicArn: stack.alertsTopicArn,
    spec: { bucket: stack.bucket },
    stage: 'hs',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
  });
  expect(run.status).toBe('SUCCEEDED');
  config = {
    bucket: stack.bucket,
    alertsTopicArn: stack.alertsTopicArn,
    alarmTable: stack.alarmTable,
    stage: 'hs',
    region: 'us-east-1',
  };
}, 60_000);
afterAll(async () => {
  await emu?.stop();
});

/** Every health mail published to the alerts topic, oldest first (not provisioning's "ready"). */
async function mails(): Promise<Array<{ subject: string; body: string }>> {
  const data = (await emulatorData(emu.endpoint)) as {
    sns: { Topic: Array<{ arn: string; sent_notifications: Array<[string, string, string]> }> };
  };
  const topic = data.sns.Topic.find((t) => t.arn === stack.alertsTopicArn);
  return (topic?.sent_notifications ?? [])
    .map(([, body, subject]) => ({ subject, body }))
    .filter((m) => m.subject.includes(' health check '));
}

/** Schedule times 15 minutes apart. */
let slot = 0;
const nextTime = () => new Date(Date.UTC(2026, 11, 2, 0, 15 * slot++)).toISOString();

function handler(sns: SNSClient = emu.clients.sns) {
  return createScheduledHealthHandler({
    clients: { ...emu.clients, sns },
    config,
    log: SILENT_LOG,
  });
}

const breakChain = () =>
  emu.clients.sqs.send(
    new SendMessageCommand({ QueueUrl: stack.objectEventsDlq.url, MessageBody: '{}' }),
  );
const repairChain = () =>
  emu.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.objectEventsDlq.url }));

/** An SNS client whose Publish fails as a throttled call would (the emulator never throttles). */
function throttledSns(): SNSClient {
  const real = emu.clients.sns;
  return {
    send: (command: unknown) =>
      command instanceof PublishCommand
        ? Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
        : real.send(command as never),
  } as unknown as SNSClient;
}

describe('scheduled health check', () => {
  it('mails nothing while the chain passes (warnings do not alarm)', async () => {
    const result = await handler()({ time: nextTime() });
    expect(result.outcome).toBe('ok');
    expect(result.failed).toEqual([]);
    expect(result.transition).toBeUndefined();
    expect(await mails()).toEqual([]);
  });

  it('mails one ALARM, naming the failed check and its fix, when a check starts failing', async () => {
    await breakChain();
    const result = await handler()({ time: nextTime() });
    expect(result).toMatchObject({
      outcome: 'failed',
      failed: ['object-events DLQ'],
      status: 'transition',
      transition: 'alarm',
    });
    const sent = await mails();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toBe(
      `[cdn-pipeline hs] ALARM: health check failing for s3://${stack.bucket}`,
    );
    expect(sent[0]!.body).toMatch(/^FAIL object-events DLQ: /m);
    expect(sent[0]!.body).toMatch(/^ {2}fix: /m);
    for (const mail of sent) {
      expectPhoneWidth(mail.body);
      expect(isAscii(mail.body), mail.body).toBe(true);
    }
  });

  it('mails nothing more while it keeps failing', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await handler()({ time: nextTime() });
      expect(result.outcome).toBe('failed');
      expect(result.transition).toBeUndefined();
    }
    expect(await mails()).toHaveLength(1);
  });

  it('mails one RESOLVED when every check passes again, then nothing', async () => {
    await repairChain();
    const result = await handler()({ time: nextTime() });
    expect(result).toMatchObject({ outcome: 'ok', status: 'transition', transition: 'recovered' });
    await handler()({ time: nextTime() });
    const sent = await mails();
    expectPhoneWidth(sent[1]!.body);
    expect(isAscii(sent[1]!.body)).toBe(true);
    expect(sent.map((m) => m.subject)).toEqual([
      `[cdn-pipeline hs] ALARM: health check failing for s3://${stack.bucket}`,
      `[cdn-pipeline hs] RESOLVED: health check passing again for s3://${stack.bucket}`,
    ]);
  });

  it('retries a mail whose publish failed at the next run, and sends it once', async () => {
    await breakChain();
    const failed = await handler(throttledSns())({ time: nextTime() });
    expect(failed).toMatchObject({ status: 'announce-failed', transition: 'alarm' });
    expect(await mails()).toHaveLength(2);
    const retried = await handler()({ time: nextTime() });
    expect(retried).toMatchObject({ status: 'transition', transition: 'alarm' });
    await handler()({ time: nextTime() });
    const sent = await mails();
    expect(sent).toHaveLength(3);
    expect(sent[2]!.subject).toContain('ALARM: health check failing');
    await repairChain();
  });

  it("keeps its row in the report's alarm table, invisible to the report's reads and sweep", async () => {
    const { states } = await scanAlarmedStates({
      dynamodb: emu.clients.dynamodb,
      table: stack.alarmTable,
    });
    // The health row is in ALARM (the last case), yet the report's sweep does not see it.
    expect(states).toEqual([]);
    const report = await readAlarmStates(
      { dynamodb: emu.clients.dynamodb, table: stack.alarmTable },
      healthAlarmKey(stack.bucket),
    );
    expect(report.size).toBe(0);
    const own = await readAlarmState(
      { dynamodb: emu.clients.dynamodb, table: stack.alarmTable, metrics: [HEALTH_METRIC] },
      healthAlarmKey(stack.bucket),
      HEALTH_METRIC,
    );
    expect(own).toMatchObject({ state: 'ALARM', lastValue: 1 });
    expect(own.version).toBeGreaterThan(0);
  });
});
