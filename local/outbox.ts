/**
 * LOCAL ONLY. The local outbox: every mail the pipeline publishes to the alerts topic, readable
 * on this machine. An `http` subscription on the topic points at a listener on 127.0.0.1 (a free
 * port); each SNS notification becomes `<dir>/<time>-<slug>.txt` (subject, then the body) and a
 * callback for the console line.
 *
 * What moto does (tried, moto 5): it POSTs each notification to http subscribers while it handles
 * the Publish call, so the file is written before Publish returns. It confirms http subscriptions
 * at once and sends no SubscriptionConfirmation (one that arrives anyway is confirmed with its
 * token). And it fails every Publish to the topic (HTTP 500, the message not even recorded) while
 * an http subscriber does not answer: so `stop()` removes the subscription before the listener
 * closes, and a dead subscription a killed run left behind is removed at start.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  ConfirmSubscriptionCommand,
  ListSubscriptionsByTopicCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';

const HOST = '127.0.0.1';
/** The listener's path: marks the subscriptions an outbox made. */
export const OUTBOX_PATH = '/cdn-pipeline-outbox';
const MAX_BODY_BYTES = 1_000_000;
const PROBE_TIMEOUT_MS = 1_000;
const MAX_SLUG_LENGTH = 60;

export interface OutboxMail {
  readonly subject: string;
  readonly body: string;
  readonly messageId: string;
  readonly topicArn: string;
  readonly receivedAt: Date;
  /** The file written. */
  readonly file: string;
}

export interface OutboxOptions {
  readonly sns: SNSClient;
  readonly topicArn: string;
  /** The folder the mails go to (created when missing). */
  readonly dir: string;
  readonly onMail?: (mail: OutboxMail) => void;
  readonly onError?: (message: string) => void;
}

export interface Outbox {
  readonly dir: string;
  /** `http://127.0.0.1:<port>/cdn-pipeline-outbox`. */
  readonly endpoint: string;
  readonly subscriptionArn: string;
  /**
   * Unsubscribes (unless `unsubscribe: false`: the emulator is gone or going with this run),
   * then closes the listener.
   */
  stop(options?: { unsubscribe?: boolean }): Promise<void>;
}

/** The SNS message an http subscriber receives (the fields the outbox reads). */
interface SnsHttpMessage {
  readonly Type?: string;
  readonly MessageId?: string;
  readonly TopicArn?: string;
  readonly Subject?: string;
  readonly Message?: string;
  readonly Timestamp?: string;
  readonly Token?: string;
}

/** `[cdn-pipeline local] ALARM hit rate 61.0% < 80% on E1…` → `alarm-hit-rate-61-0-80-on-e1…`. */
export function slugOf(subject: string): string {
  const full = subject
    .replace(/^\[[^\]]*\]\s*/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (full.length <= MAX_SLUG_LENGTH) return full || 'message';
  const cut = full.slice(0, MAX_SLUG_LENGTH);
  // At a word boundary when there is one in the second half.
  const dash = cut.lastIndexOf('-');
  return (dash > MAX_SLUG_LENGTH / 2 ? cut.slice(0, dash) : cut).replace(/-+$/, '');
}

/** `20250102-030405-678`: UTC, sorts in time order. */
export function fileStamp(t: Date): string {
  const iso = t.toISOString(); // 2025-01-02T03:04:05.678Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}`;
}

/** The file's text: a few headers, a blank line, the body as published. */
export function mailText(mail: Omit<OutboxMail, 'file'>): string {
  const body = mail.body.endsWith('\n') ? mail.body : `${mail.body}\n`;
  return [
    `Subject: ${mail.subject}`,
    `Date: ${mail.receivedAt.toISOString()}`,
    `Topic: ${mail.topicArn}`,
    `Message-Id: ${mail.messageId}`,
    '',
    body,
  ].join('\n');
}

/** Writes the mail under a name not taken yet (two mails in one millisecond keep both). */
async function writeMail(dir: string, mail: Omit<OutboxMail, 'file'>): Promise<string> {
  const base = `${fileStamp(mail.receivedAt)}-${slugOf(mail.subject)}`;
  for (let n = 1; ; n++) {
    const file = join(dir, `${base}${n === 1 ? '' : `-${n}`}.txt`);
    try {
      await writeFile(file, mailText(mail), { flag: 'wx' });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`message over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseMessage(text: string): SnsHttpMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as SnsHttpMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** True when something answers HTTP on `endpoint` (a live outbox of another run). */
async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/** Removes outbox subscriptions on the topic whose listener is gone (they fail every Publish). */
async function removeDeadSubscriptions(sns: SNSClient, topicArn: string): Promise<void> {
  let NextToken: string | undefined;
  do {
    const page = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }),
    );
    for (const sub of page.Subscriptions ?? []) {
      const endpoint = sub.Endpoint ?? '';
      if (sub.Protocol !== 'http' || !sub.SubscriptionArn) continue;
      if (!endpoint.startsWith(`http://${HOST}:`) || !endpoint.endsWith(OUTBOX_PATH)) continue;
      if (await answers(endpoint)) continue;
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
    }
    NextToken = page.NextToken;
  } while (NextToken);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startOutbox(options: OutboxOptions): Promise<Outbox> {
  const { sns, topicArn, dir } = options;
  const onError = options.onError ?? (() => {});
  await mkdir(dir, { recursive: true });

  const handle = async (message: SnsHttpMessage): Promise<void> => {
    if (message.Type === 'SubscriptionConfirmation' && message.Token) {
      await sns.send(
        new ConfirmSubscriptionCommand({
          TopicArn: message.TopicArn ?? topicArn,
          Token: message.Token,
        }),
      );
      return;
    }
    if (message.Type !== 'Notification') return;
    const parsed = Date.parse(message.Timestamp ?? '');
    const mail = {
      subject: message.Subject ?? '(no subject)',
      body: message.Message ?? '',
      messageId: message.MessageId ?? '',
      topicArn: message.TopicArn ?? topicArn,
      receivedAt: Number.isFinite(parsed) ? new Date(parsed) : new Date(),
    };
    const file = await writeMail(dir, mail);
    options.onMail?.({ ...mail, file });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== OUTBOX_PATH) {
      res.writeHead(req.url === OUTBOX_PATH ? 405 : 404).end();
      return;
    }
    // Answered only once the file is written: when Publish returns, the mail is in the outbox.
    void readBody(req)
      .then(async (text) => {
        const message = parseMessage(text);
        if (!message) throw new Error('not an SNS message (JSON expected)');
        await handle(message);
        res.writeHead(200).end();
      })
      .catch((error: unknown) => {
        onError(`outbox: ${(error as Error).message}`);
        // 200 all the same: a mail the outbox could not write must not fail the Publish.
        if (!res.headersSent) res.writeHead(200).end();
      });
  });
  const port = await listen(server);
  const endpoint = `http://${HOST}:${port}${OUTBOX_PATH}`;

  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // moto keeps its connection alive
    });
  let subscriptionArn: string;
  try {
    await removeDeadSubscriptions(sns, topicArn);
    const sub = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'http',
        Endpoint: endpoint,
        ReturnSubscriptionArn: true,
      }),
    );
    subscriptionArn = sub.SubscriptionArn ?? '';
  } catch (error) {
    await close();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    dir,
    endpoint,
    subscriptionArn,
    stop: (stopOptions = {}) =>
      (stopped ??= (async () => {
        try {
          if (stopOptions.unsubscribe !== false && subscriptionArn.startsWith('arn:'))
            await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
        } catch (error) {
          onError(`outbox: could not unsubscribe (${(error as Error).message})`);
        }
        await close();
      })()),
  };
}
