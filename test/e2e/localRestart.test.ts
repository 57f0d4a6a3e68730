/**
 * `npm start` after a run that was killed (SIGKILL: no cleanup): the emulator it started still
 * answers on the port and its lease is still on the queue. The next run must not be blocked by
 * the stale lease, must name the emulator left behind (its pid, its port) and how to stop it,
 * leave it running when it stops, and not announce the unchanged distribution again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetQueueUrlCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorData, freePort, isEmulatorUp, listenerPid } from '../../local/emulator.js';
import { LEASE_TAG_KEY, parseLease, processAlive } from '../../local/lease.js';
import { createClients } from '../../shared/clients.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  out: string;
  err: string;
}

let port: number;
let endpoint: string;
let workdir: string;
const runs: Run[] = [];
let leftBehind: number | undefined;

function start(): Run {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    CDN_PIPELINE_OUTBOX_DIR: join(workdir, 'outbox'),
  };
  for (const name of ['AWS_ENDPOINT_URL', 'CDN_PIPELINE_LOCAL_PORT']) delete env[name];
  // node with tsx's loader rather than the tsx binary: the binary relays signals to a child and,
  // when that child is slow to acknowledge one (a loaded machine), exits 143 itself.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/start.ts', '--port', String(port)],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const run: Run = {
    child,
    exited: new Promise((r) => child.once('exit', (code) => r(code))),
    out: '',
    err: '',
  };
  child.stdout?.on('data', (chunk: Buffer) => (run.out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (run.err += chunk.toString()));
  runs.push(run);
  return run;
}

async function ready(run: Run, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/ready in \d+ ms[\s\S]*?\n {2}stop/.test(run.out)) {
    if (run.child.exitCode !== null) throw new Error(`exited early\n${run.out}\n${run.err}`);
    if (Date.now() > deadline) throw new Error(`not ready\n${run.out}\n${run.err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function lease() {
  const { sqs } = createClients({
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: 'cdn-pipeline-local-object-events' }),
  );
  const tags = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));
  return parseLease(tags.Tags?.[LEASE_TAG_KEY]);
}

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-restart-'));
  port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const run of runs) {
    if (run.child.pid && run.child.exitCode === null) {
      try {
        process.kill(-run.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  const pid = leftBehind ?? listenerPid(port);
  if (pid && processAlive(pid)) process.kill(pid, 'SIGKILL');
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

describe('npm start after a killed run', () => {
  it('names the emulator the killed run left behind, with how to stop it, and takes over', async () => {
    const first = start();
    await ready(first);
    const held = await lease();
    expect(held?.emulatorPid).toBeGreaterThan(0);
    // SIGKILL the process that runs the pipeline: no exit hook, moto is orphaned.
    process.kill(held!.pid, 'SIGKILL');
    await first.exited;
    expect(await isEmulatorUp(endpoint)).toBe(true);
    leftBehind = held!.emulatorPid;
    expect(listenerPid(port)).toBe(leftBehind);

    const second = start();
    await ready(second);
    expect(second.out).toContain('(moto, reused)');
    expect(second.err).toContain(
      `the emulator on port ${port} (pid ${leftBehind}) was left behind by an earlier npm start`,
    );
    expect(second.err).toContain(`pid ${held!.pid}`);
    expect(second.err).toContain(`To stop it: kill ${leftBehind}`);
    const taken = await lease();
    expect(taken?.token).not.toBe(held!.token);
    expect(taken?.emulatorPid).toBe(leftBehind);
    // The distribution the first run announced is found unchanged, and not announced again.
    const id = /distribution (\w+) created by the provisioning workflow/.exec(first.err)?.[1];
    expect(id, first.err).toBeDefined();
    expect(second.err).toContain(`distribution ${id} unchanged by the provisioning workflow`);
    expect(`${second.out}${second.err}`).not.toMatch(/\bupdated\b/);
    const data = (await emulatorData(endpoint)) as {
      sns?: { Topic?: Array<{ sent_notifications?: unknown[][] }> };
    };
    const announced = (data.sns?.Topic ?? [])
      .flatMap((t) => t.sent_notifications ?? [])
      .map((n) => String(n[2]))
      .filter((subject) => subject.includes('distribution ready'));
    expect(announced).toHaveLength(1);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.out).toContain(`stopped (emulator left running at ${endpoint})`);
    // It let go of the lease: the next run starts without a stale one to explain.
    expect(await lease()).toBeUndefined();
    expect(await isEmulatorUp(endpoint)).toBe(true);
  }, 120_000);
});
