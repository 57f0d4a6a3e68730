/**
 * The pure parts of the local run's failure reporting and polling settings: the settings read
 * from serverless.yml, the DLQ alarm's mail (CloudWatch's subject, the report mails' layout),
 * and the emulator watch's verdict and message.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDeployedPolling } from '../../../local/pollingSettings.js';
import { dlqAlarmMail, readDlqAlarm, type DlqArrival } from '../../../local/dlqAlarmMail.js';
import type { Emulator } from '../../../local/emulator.js';
import { describeLoss, watchEmulator, type EmulatorLoss } from '../../../local/emulatorWatch.js';
import {
  LOCAL_MAX_WINDOW_MS,
  LOCAL_POLLING,
  LOCAL_UNBOUNDED_CONCURRENCY,
  localPolling,
} from '../../../local/pipeline.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('the local pollers’ settings', () => {
  it('are serverless.yml’s event sources, the window capped, an unbounded concurrency bounded', () => {
    const deployed = readDeployedPolling();
    expect(deployed).toEqual({
      ingest: { batchSize: 10, windowSeconds: 0, maximumConcurrency: undefined },
      invalidate: { batchSize: 1000, windowSeconds: 60, maximumConcurrency: 2 },
    });
    expect(LOCAL_POLLING).toEqual({
      ingest: { batchSize: 10, windowMs: 0, maxConcurrency: LOCAL_UNBOUNDED_CONCURRENCY },
      invalidate: { batchSize: 1000, windowMs: LOCAL_MAX_WINDOW_MS, maxConcurrency: 2 },
    });
  });

  it('follow a change of serverless.yml (params and a concurrency set on ingest)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-sls-'));
    try {
      const yml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8')
        .replace(/ingestBatchSize: 10/, 'ingestBatchSize: 7')
        .replace(
          /(maximumBatchingWindow: \$\{param:ingestBatchWindow\})/,
          '$1\n          maximumConcurrency: 4',
        )
        .replace(/invalidateBatchWindow: 60/, 'invalidateBatchWindow: 1');
      writeFileSync(join(dir, 'serverless.yml'), yml);
      expect(localPolling(readDeployedPolling(join(dir, 'serverless.yml')))).toEqual({
        ingest: { batchSize: 7, windowMs: 0, maxConcurrency: 4 },
        invalidate: { batchSize: 1000, windowMs: 1000, maxConcurrency: 2 },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the DLQ alarm’s mail', () => {
  const alarm = readDlqAlarm('InvalidationRequestsDLQAlarm', 'local');
  const at = new Date('2026-12-02T01:02:03Z');
  const arrival: DlqArrival = {
    dlq: 'cdn-pipeline-local-invalidation-requests-dlq',
    source: 'cdn-pipeline-local-invalidation-requests',
    messageId: '3f939fde-5c7e-4504-9081-0e70c38db072',
    receiveCount: 10,
    reason: 'TooManyInvalidationsInProgress: the distribution’s in-flight quota is full',
    at,
  };
  const input = {
    alarm,
    dlq: arrival.dlq,
    dlqUrl: 'http://127.0.0.1:4566/123456789012/cdn-pipeline-local-invalidation-requests-dlq',
    region: 'us-east-1',
    at,
  };

  it('is read from resources/alarms.cjs, named as deployed for the stage', () => {
    expect(alarm).toMatchObject({
      name: 'cdn-pipeline-local-invalidation-requests-dlq-not-empty',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
      periodSeconds: 300,
      threshold: 0,
    });
    expect(alarm.description).toMatch(/edges may be stale/);
  });

  it('has CloudWatch’s subject, ASCII lines a phone shows, and the messages (local only)', () => {
    const mail = dlqAlarmMail({ ...input, transition: 'alarm', messages: 1, arrivals: [arrival] });
    expect(mail.subject).toBe(
      'ALARM: "cdn-pipeline-local-invalidation-requests-dlq-not-empty" in US East (N. Virginia)',
    );
    expect(mail.body).toMatch(/^[\x20-\x7e\n]*$/);
    for (const line of mail.body.split('\n'))
      if (!/https?:\/\//.test(line)) expect(line.length).toBeLessThanOrEqual(72);
    expect(mail.body).toContain('OK -> ALARM');
    expect(mail.body).toContain('Local run (not in the AWS mail)');
    const flat = mail.body.replace(/\s+/g, ' ');
    expect(flat).toContain(`${arrival.messageId}, 10 receives from`);
    expect(flat).toContain("the distribution's in-flight quota is full");
  });

  it('says OK when the DLQ is empty again, without a local section', () => {
    const mail = dlqAlarmMail({ ...input, transition: 'ok', messages: 0, arrivals: [] });
    expect(mail.subject).toBe(
      'OK: "cdn-pipeline-local-invalidation-requests-dlq-not-empty" in US East (N. Virginia)',
    );
    expect(mail.body).toContain('ALARM -> OK');
    expect(mail.body).not.toContain('Local run');
  });
});

describe('the emulator watch', () => {
  it('reports an emulator started here that exits, once, with how it ended', async () => {
    let exit: (how: string) => void = () => {};
    const emulator: Emulator = {
      endpoint: 'http://127.0.0.1:9',
      port: 9,
      owned: true,
      pid: 4242,
      exited: new Promise((r) => (exit = r)),
      stop: async () => {},
    };
    const losses: EmulatorLoss[] = [];
    const watch = watchEmulator({
      emulator,
      everyMs: 60_000,
      refusals: 1_000,
      recordsInFlight: () => 10,
      sampleBacklog: async () => ({ objectEvents: 0, invalidationRequests: 0, at: new Date() }),
      onLost: (loss) => losses.push(loss),
    });
    exit('signal SIGKILL');
    await new Promise((r) => setTimeout(r, 10));
    watch.noteRefused();
    expect(losses).toEqual([
      {
        endpoint: 'http://127.0.0.1:9',
        pid: 4242,
        owned: true,
        how: 'exited (signal SIGKILL)',
        recordsInFlight: 10,
      },
    ]);
    watch.stop();
  });

  it('says what was lost in one message', () => {
    const text = describeLoss({
      endpoint: 'http://127.0.0.1:4566',
      pid: 4242,
      owned: true,
      how: 'exited (signal SIGKILL)',
      backlog: { objectEvents: 12, invalidationRequests: 1, at: new Date('2026-12-02T01:02:03Z') },
      recordsInFlight: 10,
    });
    expect(text).toContain('the emulator at http://127.0.0.1:4566 (moto, pid 4242) exited');
    expect(text).toContain('12 uploads not yet ingested');
    expect(text).toContain('1 invalidation request not yet sent');
    expect(text).toContain('01:02:03 UTC');
    expect(text).toContain('10 of them in batches being handled');
    expect(text).not.toContain('\n');
  });
});
