/**
 * The composed local pipeline when things go wrong, as on AWS: a poison message reaches the DLQ
 * (a line naming it, the DLQ alarm's mail in the outbox, once, then its OK mail), a reused
 * emulator that dies is noticed and what was lost is told, and under load the pollers run
 * several batches at once, never more than the configured maximum.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  PurgeQueueCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DlqArrival } from '../../local/dlqAlarmMail.js';
import { startEmulator } from '../../local/emulator.js';
import type { EmulatorLoss } from '../../local/emulatorWatch.js';
import type { OutboxMail } from '../../local/outbox.js';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let port: number;
let workdir: string;
const started: LocalPipeline[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  port = Number(new URL(emu.endpoint).port);
  workdir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-failures-'));
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(started.map((p) => p.stop()));
  await emu?.stop();
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

async function until<T>(probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a message that reaches a DLQ', () => {
  it('prints a line naming it, and the DLQ alarm mails once (ALARM), then OK once emptied', async () => {
    const arrivals: DlqArrival[] = [];
    const mails: OutboxMail[] = [];
    const p = await startLocalPipeline({
      port,
      stage: 'poison',
      env: {},
      outboxDir: join(workdir, 'outbox'),
      log: () => {},
      onError: () => {},
      observers: { dlq: (a) => arrivals.push(a), mail: (m) => mails.push(m) },
    });
    started.push(p);
    const { sqs } = p.clients;
    // The queue's own redrive, shortened so the test does not wait 5 × 30 s: the pollers honour
    // whatever the queue says.
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: p.stack.objectEvents.url,
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: p.stack.objectEventsDlq.arn,
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    // A long poll already waiting keeps the timeout it started with: let it end (5 s) first.
    await new Promise((r) => setTimeout(r, 6_000));
    const send = async () =>
      (
        await sqs.send(
          new SendMessageCommand({ QueueUrl: p.stack.objectEvents.url, MessageBody: 'not json' }),
        )
      ).MessageId!;

    const first = await send();
    const arrival = await until(() => arrivals.find((a) => a.messageId === first));
    expect(arrival).toMatchObject({
      dlq: 'cdn-pipeline-poison-object-events-dlq',
      source: 'cdn-pipeline-poison-object-events',
      receiveCount: 2,
    });
    expect(arrival.reason).toMatch(/body.*JSON/);

    const subject =
      'ALARM: "cdn-pipeline-poison-object-events-dlq-not-empty" in US East (N. Virginia)';
    const alarm = await until(() => mails.find((m) => m.subject === subject));
    const text = readFileSync(alarm.file, 'utf8');
    expect(text).toContain(`Subject: ${subject}\n`);
    expect(text).toContain('Uploads that ingest could not process are in the');
    expect(text).toContain('OK -> ALARM');
    expect(text).toContain('QueueName = cdn-pipeline-poison-object-events-dlq');
    expect(text).toContain(`${first}, 2 receives from`);

    // A second one while the alarm is raised: its line, no second mail.
    const second = await send();
    await until(() => arrivals.find((a) => a.messageId === second));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: p.stack.objectEventsDlq.url }));
    const ok = await until(() =>
      mails.find((m) => m.subject.startsWith('OK: "cdn-pipeline-poison-object-events-dlq')),
    );
    expect(readFileSync(ok.file, 'utf8')).toContain('ALARM -> OK');
    expect(mails.filter((m) => m.subject === subject)).toHaveLength(1);
    expect(arrivals.map((a) => a.messageId)).toEqual([first, second]);
    await p.stop();
  }, 90_000);
});

describe('an emulator that dies under the pipeline', () => {
  it('is noticed (connections refused), once, with the backlog it last saw', async () => {
    const own = await startEmulator({ port: 0, reuse: false });
    const losses: EmulatorLoss[] = [];
    const errors: string[] = [];
    const p = await startLocalPipeline({
      port: own.port,
      stage: 'lost',
      env: {},
      log: () => {},
      onError: (line) => errors.push(line),
      onEmulatorLost: (loss) => losses.push(loss),
    });
    started.push(p);
    expect(p.emulator.owned).toBe(false);
    // Let the watch read the queues once.
    await new Promise((r) => setTimeout(r, 1_500));
    await own.stop();
    const loss = await until(() => losses[0]);
    expect(loss).toMatchObject({ endpoint: own.endpoint, owned: false });
    expect(loss.how).toBe('refused 3 connections in a row');
    expect(loss.backlog).toMatchObject({ objectEvents: 0, invalidationRequests: 0 });
    await p.stop();
    expect(losses).toHaveLength(1);
    // After the loss, the parts' retries against the dead endpoint are not reported one by one.
    const after = errors.length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(errors).toHaveLength(after);
  }, 60_000);
});

describe('pollers under load', () => {
  it('run several ingest batches at once, never more than the configured maximum', async () => {
    const inFlight: Record<'ingest' | 'invalidate', number[]> = { ingest: [], invalidate: [] };
    const ingested = new Set<string>();
    const p = await startLocalPipeline({
      port,
      stage: 'load',
      env: {},
      log: () => {},
      onError: () => {},
      observers: {
        batch: (queue, result) => inFlight[queue].push(result.inFlight),
        ingest: (o) => {
          if (o.status === 'processed') ingested.add(o.key);
        },
      },
    });
    started.push(p);
    const keys = Array.from({ length: 150 }, (_, i) => `renders/job-${i % 5}/frame-${i}.png`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < keys.length) {
          const Key = keys[next++]!;
          await p.clients.s3.send(new PutObjectCommand({ Bucket: p.stack.bucket, Key, Body: 'x' }));
        }
      }),
    );
    await until(() => (ingested.size === keys.length ? true : undefined), 120_000);
    expect(p.polling.ingest.maxConcurrency).toBeGreaterThan(1);
    expect(Math.max(...inFlight.ingest)).toBeGreaterThan(1);
    expect(Math.max(...inFlight.ingest)).toBeLessThanOrEqual(p.polling.ingest.maxConcurrency);
    await p.stop();
  }, 180_000);
});
