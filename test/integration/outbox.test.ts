/**
 * The local outbox against the emulator: moto POSTs each SNS notification to the outbox's http
 * subscription while it handles the Publish, so the file exists when Publish returns. A dead
 * subscription (a killed run's) would fail every Publish: it is removed at start, and `stop()`
 * removes the outbox's own.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileStamp,
  OUTBOX_PATH,
  slugOf,
  startOutbox,
  type OutboxMail,
} from '../../local/outbox.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let topicArn: string;
let dir: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  topicArn = (await emu.clients.sns.send(new CreateTopicCommand({ Name: 'outbox-alerts' })))
    .TopicArn!;
  dir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-outbox-'));
}, 60_000);
afterAll(async () => {
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const publish = (Subject: string, Message: string) =>
  emu.clients.sns.send(new PublishCommand({ TopicArn: topicArn, Subject, Message }));

async function subscriptions(): Promise<Array<{ Protocol?: string; Endpoint?: string }>> {
  const out = await emu.clients.sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
  );
  return out.Subscriptions ?? [];
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('local outbox', () => {
  it('writes a published message to a file before Publish returns, and reports it', async () => {
    const received: OutboxMail[] = [];
    const outbox = await startOutbox({
      sns: emu.clients.sns,
      topicArn,
      dir,
      onMail: (m) => received.push(m),
    });
    try {
      expect(outbox.endpoint).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${OUTBOX_PATH}$`));
      const subject = '[cdn-pipeline local] ALARM hit rate 61.0% < 80% on E2EXAMPLE1';
      const body = 'ALARM: hit rate on E2EXAMPLE1\n\n  hit rate        61.0%\n';
      const { MessageId } = await publish(subject, body);

      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d{8}-\d{6}-\d{3}-alarm-hit-rate-61-0-80-on-e2example1\.txt$/);
      const text = readFileSync(join(dir, files[0]!), 'utf8');
      expect(text.startsWith(`Subject: ${subject}\nDate: `)).toBe(true);
      expect(text).toContain(`Message-Id: ${MessageId}\n\n${body}`);
      expect(received).toEqual([
        expect.objectContaining({
          subject,
          body,
          messageId: MessageId,
          file: join(dir, files[0]!),
        }),
      ]);
    } finally {
      await outbox.stop();
    }
  });

  it('removes its subscription on stop: later publishes still succeed', async () => {
    const outbox = await startOutbox({ sns: emu.clients.sns, topicArn, dir });
    expect((await subscriptions()).map((s) => s.Endpoint)).toContain(outbox.endpoint);
    await outbox.stop();
    expect(await subscriptions()).toEqual([]);
    await expect(publish('after stop', 'nobody listens')).resolves.toHaveProperty('MessageId');
  });

  it("removes a dead outbox subscription left by a killed run, keeping others'", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}${OUTBOX_PATH}`;
    await emu.clients.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: dead }),
    );
    const live = await startOutbox({ sns: emu.clients.sns, topicArn, dir: join(dir, 'a') });
    const second = await startOutbox({ sns: emu.clients.sns, topicArn, dir: join(dir, 'b') });
    try {
      const endpoints = (await subscriptions()).map((s) => s.Endpoint).sort();
      expect(endpoints).toEqual([live.endpoint, second.endpoint].sort());
      await publish('to both', 'one mail, two outboxes');
      expect(readdirSync(join(dir, 'a'))).toHaveLength(1);
      expect(readdirSync(join(dir, 'b'))).toHaveLength(1);
    } finally {
      await Promise.all([live.stop(), second.stop()]);
    }
  });
});

describe('outbox file names', () => {
  it('drops the subject prefix and keeps a readable slug, cut at a word', () => {
    expect(slugOf('[cdn-pipeline local] daily report: 1 distribution, 2 recommendations')).toBe(
      'daily-report-1-distribution-2-recommendations',
    );
    expect(
      slugOf('[cdn-pipeline] distribution ready: E2EXAMPLE1ABCD (d111111abcdef8.cloudfront.net)'),
    ).toBe('distribution-ready-e2example1abcd-d111111abcdef8-cloudfront');
    expect(slugOf('[x] ???')).toBe('message');
  });

  it('stamps files in UTC so that they sort in time order', () => {
    expect(fileStamp(new Date('2025-01-02T03:04:05.678Z'))).toBe('20250102-030405-678');
  });
});
