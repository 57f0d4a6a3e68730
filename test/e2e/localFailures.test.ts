/**
 * `npm start` when things go wrong, the way a user sees it: a poison message reaching the DLQ
 * prints a line naming it and lands the DLQ alarm's mail in the outbox; the emulator killed
 * under it ends the run (exit code 3) with one message saying what was lost, and leaves no
 * process behind.
 */
import { SendMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, listenerPid } from '../../local/emulator.js';
import { EMULATOR_LOST_EXIT_CODE } from '../../local/start.js';
import { createClients } from '../../shared/clients.js';

const ROOT = resolve(import.meta.dirname, '../..');
const QUEUE = 'cdn-pipeline-local-object-events';

let child: ChildProcess;
let exited: Promise<number | null>;
let port: number;
let endpoint: string;
let stdout = '';
let stderr = '';
let workdir: string;

async function waitFor(
  pattern: RegExp,
  timeoutMs: number,
  stream: () => string = () => stdout,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = stream().match(pattern);
    if (match) return match;
    if (Date.now() > deadline)
      throw new Error(
        `no ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-e2e-failures-'));
  port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    CDN_PIPELINE_OUTBOX_DIR: join(workdir, 'outbox'),
  };
  delete env.AWS_ENDPOINT_URL;
  delete env.CDN_PIPELINE_LOCAL_PORT;
  child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['local/start.ts', '--port', String(port)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  exited = new Promise((r) => child.once('exit', (code) => r(code)));
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(/ready in \d+ ms/, 60_000);
}, 90_000);

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

describe('npm start, when things go wrong', () => {
  it('prints a line for a message that reaches a DLQ, and its alarm mail lands in the outbox', async () => {
    const { sqs } = createClients({
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const queueUrl = `${endpoint}/123456789012/${QUEUE}`;
    // Redrive after 2 receives, 1 s apart (the queue's settings; locally 5 × 30 s).
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${QUEUE}-dlq`,
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    // A long poll already waiting keeps the timeout it started with: let it end (5 s) first.
    await new Promise((r) => setTimeout(r, 6_000));
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not json' }),
    );
    await waitFor(
      new RegExp(
        `dlq {9}${QUEUE}-dlq {2}message ${MessageId} {2}\\(2 receives from ${QUEUE}\\)\\n\\s+reason: `,
      ),
      30_000,
    );
    const mail = await waitFor(
      /mail {8}(ALARM: "cdn-pipeline-local-object-events-dlq-not-empty" in US East \(N\. Virginia\)) {2}→ (\S+\.txt)\n/,
      10_000,
    );
    const text = readFileSync(mail[2]!, 'utf8');
    expect(text.startsWith(`Subject: ${mail[1]!}\n`)).toBe(true);
    expect(text).toContain(`${MessageId}, 2 receives from`);
  }, 60_000);

  it('exits with code 3 and one message saying what was lost when the emulator is killed', async () => {
    const moto = listenerPid(port);
    expect(moto).toBeGreaterThan(0);
    process.kill(moto!, 'SIGKILL');
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r('still running'), 20_000)),
    ]);
    expect(code).toBe(EMULATOR_LOST_EXIT_CODE);
    const lines = stderr.split('\n').filter((l) => l.includes('exited (signal SIGKILL)'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the emulator at ${endpoint} (moto, pid ${moto}) exited`);
    expect(lines[0]).toMatch(
      /lost: \d+ uploads? not yet ingested and \d+ invalidation requests? not yet sent/,
    );
    expect(stderr).not.toMatch(/ECONNREFUSED/);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(ps.split('\n').filter((l) => l.includes(`-p ${port}`))).toEqual([]);
  }, 30_000);
});
