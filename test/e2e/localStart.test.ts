/**
 * `npm start` the way a user runs it: the local runner as a child process, uploads with the real
 * awscli (a key with a space, a multipart upload, an overwrite), the readable output checked,
 * the provisioning ready mail read from the local outbox, a second terminal set up from the
 * printed `export` lines, `provision --local --bucket` finding the same distribution, a second
 * npm start refused, then SIGTERM: exit 0 and no emulator left behind.
 */
import {
  GetDistributionCommand,
  GetInvalidationCommand,
  ListDistributionsCommand,
} from '@aws-sdk/client-cloudfront';
import { GetQueueUrlCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isEmulatorUp } from '../../local/emulator.js';
import { LEASE_TAG_KEY, parseLease } from '../../local/lease.js';
import { createClients } from '../../shared/clients.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUCKET = 'cdn-pipeline-local-content';
const KEY = 'videos/clip final.mp4';
const BIG_KEY = 'videos/big reel.mov';

let child: ChildProcess;
let exited: Promise<number | null>;
let port: number;
let endpoint: string;
let stdout = '';
let stderr = '';
let workdir: string;

async function waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = stdout.match(pattern);
    if (match) return match;
    if (child.exitCode !== null) {
      throw new Error(
        `npm start exited (${child.exitCode}) before ${pattern}\n${stdout}\n${stderr}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A shell with none of this machine's AWS settings (config, credentials, endpoint, region). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_CONFIG_FILE: join(workdir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(workdir, 'no-credentials'),
  };
  for (const name of Object.keys(env)) {
    if (
      /^AWS_(ENDPOINT_URL|PROFILE|SESSION_TOKEN|REGION|DEFAULT_REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY)$/.test(
        name,
      )
    ) {
      delete env[name];
    }
  }
  return env;
}

/** What the ready block's `export` lines set, read from the output as a user would paste them. */
function exported(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [, assignments] of stdout.matchAll(/^\s+(?:shell\s+)?export (.+)$/gm)) {
    for (const pair of assignments!.split(' ')) {
      const at = pair.indexOf('=');
      vars[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return vars;
}

/** The awscli a user already has, isolated from this machine's AWS config. */
function aws(...args: string[]): string {
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(workdir, 'aws-config'),
  };
  const result = spawnSync('aws', ['--endpoint-url', endpoint, ...args], {
    cwd: workdir,
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  if (result.status !== 0) {
    throw new Error(
      `aws ${args.join(' ')} failed (${result.status}): ${result.stderr}${String(result.error ?? '')}`,
    );
  }
  return result.stdout;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The ingest block printed for `key`, up to its invalidation decision. */
function ingestBlock(key: string, decision: 'invalidation requested' | 'no invalidation'): RegExp {
  return new RegExp(`ingest\\s+${escape(key)}\\n(?:.*\\n){0,3}?\\s+${decision} \\(`);
}

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-e2e-'));
  writeFileSync(join(workdir, 'aws-config'), '[default]\nregion = us-east-1\n');
  port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    CDN_PIPELINE_OUTBOX_DIR: join(workdir, 'outbox'),
  };
  delete env.CDN_PIPELINE_CHECK_SECONDS;
  delete env.AWS_ENDPOINT_URL;
  delete env.CDN_PIPELINE_LOCAL_PORT;
  child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['local/start.ts', '--port', String(port)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so cleanup after a failed test can reach every descendant.
    detached: true,
  });
  exited = new Promise((r) => child.once('exit', (code) => r(code)));
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
}, 60_000);

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

describe('npm start', () => {
  let distributionId = '';

  it('prints one ready block with the endpoint, bucket, distribution and an example command', async () => {
    const ready = await waitFor(/ready in (\d+) ms[\s\S]*?\n {2}stop/, 60_000);
    expect(Number(ready[1])).toBeGreaterThan(0);
    expect(stdout).toContain(`endpoint      ${endpoint}`);
    expect(stdout).toContain(`bucket        ${BUCKET}`);
    expect(stdout).toContain(
      `aws --endpoint-url ${endpoint} s3 cp "clip final.mp4" "s3://${BUCKET}/${KEY}"`,
    );
    const distribution = stdout.match(/distribution {2}(\S+) {2}(\S+\.cloudfront\.net)/);
    expect(distribution).not.toBeNull();
    distributionId = distribution![1]!;
    expect(stdout.match(/ready in/g)).toHaveLength(1);
  }, 60_000);

  it('names the outbox in the ready block; the ready mail is in it; the first check ran', async () => {
    const outbox = join(workdir, 'outbox');
    expect(stdout).toContain(`outbox        ${outbox}${sep}`);
    expect(stdout).toMatch(/reports {7}check every 1 min, digest every 10 min/);
    const mail = stdout.match(
      /mail {8}(\[cdn-pipeline\] distribution ready: .+?) {2}→ (\S+\.txt)\n/,
    );
    expect(mail, stdout).not.toBeNull();
    expect(mail![2]!.startsWith(outbox + sep)).toBe(true);
    const text = readFileSync(mail![2]!, 'utf8');
    expect(text.startsWith(`Subject: ${mail![1]!}\n`)).toBe(true);
    expect(text).toContain(`Distribution ${distributionId} is deployed`);
    await waitFor(
      /check {7}1 distribution, \d\d:\d\d-\d\d:\d\d UTC, 0 requests: nothing judged/,
      10_000,
    );
  }, 20_000);

  it('shows an upload with its content class and tags, and no invalidation for a new object', async () => {
    writeFileSync(join(workdir, 'clip final.mp4'), Buffer.alloc(64 * 1024, 1));
    aws('s3', 'cp', 'clip final.mp4', `s3://${BUCKET}/${KEY}`);
    await waitFor(ingestBlock(KEY, 'no invalidation'), 20_000);
    const block = stdout.slice(stdout.lastIndexOf(`ingest      ${KEY}`));
    expect(block).toMatch(/class video, cache video \(7 d\)/);
    expect(block).toMatch(/tags .*cdn:class=video/);
    expect(block).toMatch(/tags .*cdn:cache=video/);
  }, 40_000);

  it('handles a multipart upload from the awscli', async () => {
    writeFileSync(join(workdir, 'big reel.mov'), Buffer.alloc(9 * 1024 * 1024, 2));
    aws('s3', 'cp', 'big reel.mov', `s3://${BUCKET}/${BIG_KEY}`);
    const head = JSON.parse(aws('s3api', 'head-object', '--bucket', BUCKET, '--key', BIG_KEY)) as {
      ETag: string;
    };
    // A multipart ETag ends in "-<number of parts>".
    expect(head.ETag).toMatch(/-\d+"?$/);
    await waitFor(ingestBlock(BIG_KEY, 'no invalidation'), 20_000);
  }, 60_000);

  it('invalidates the encoded path after an overwrite', async () => {
    writeFileSync(join(workdir, 'clip final.mp4'), Buffer.alloc(64 * 1024, 3));
    aws('s3', 'cp', 'clip final.mp4', `s3://${BUCKET}/${KEY}`);
    await waitFor(ingestBlock(KEY, 'invalidation requested'), 20_000);
    const line = await waitFor(
      new RegExp(
        `invalidate\\s+${escape(distributionId)}\\s+invalidation\\s+(\\S+)[^\\n]*\\n(?:\\s+\\S+\\n)*?\\s+/videos/clip%20final\\.mp4\\n`,
      ),
      20_000,
    );
    const invalidationId = line[1]!;
    const cloudfront = createClients({
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }).cloudfront;
    const got = await cloudfront.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }),
    );
    expect(got.Invalidation?.InvalidationBatch?.Paths?.Items).toContain('/videos/clip%20final.mp4');
  }, 60_000);

  it('prints the export lines a second terminal needs: the awscli (v1 here) works with them alone', () => {
    expect(exported()).toEqual({
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      CDN_LOCAL_EDGE_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    const result = spawnSync('aws', ['s3api', 'head-object', '--bucket', BUCKET, '--key', KEY], {
      cwd: workdir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...cleanEnv(), ...exported() },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('ETag');
  }, 60_000);

  it('provision --local --bucket <its bucket> finds the same distribution: one for the bucket', async () => {
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/cdn-pipeline.js'), 'provision', '--local', '--bucket', BUCKET, '--json'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...cleanEnv(), ...exported() } },
    );
    expect(result.status, result.stderr).toBe(0);
    // The same distribution, left as it was (the local shim's policies are shared through the
    // emulator, so this process finds npm start's).
    expect(JSON.parse(result.stdout)).toMatchObject({ distributionId, action: 'unchanged' });
    const { cloudfront } = createClients({
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const list = await cloudfront.send(new ListDistributionsCommand({}));
    const serving: string[] = [];
    for (const { Id } of list.DistributionList?.Items ?? []) {
      const got = await cloudfront.send(new GetDistributionCommand({ Id }));
      const origins = got.Distribution?.DistributionConfig?.Origins?.Items ?? [];
      if (origins.some((o) => o.DomainName?.startsWith(`${BUCKET}.s3.`))) serving.push(Id!);
    }
    expect(serving).toEqual([distributionId]);
  }, 60_000);

  it('refuses a second npm start on the same queues, naming the one that polls them', async () => {
    const { sqs } = createClients({
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: 'cdn-pipeline-local-object-events' }),
    );
    const tags = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));
    const holder = parseLease(tags.Tags?.[LEASE_TAG_KEY]);
    expect(holder).toBeDefined();
    const second = spawnSync(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['local/start.ts', '--port', String(port)],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(second.status, second.stdout + second.stderr).toBe(1);
    expect(second.stderr).toContain(
      `another pipeline is already polling cdn-pipeline-local-object-events on ${endpoint} (pid ${holder!.pid},`,
    );
    expect(second.stderr).toContain(`kill ${holder!.pid}`);
    expect(second.stdout).not.toContain('ready in');
    // The first one still holds the lease and still runs.
    const after = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));
    expect(parseLease(after.Tags?.[LEASE_TAG_KEY])?.token).toBe(holder!.token);
    expect(child.exitCode).toBeNull();
  }, 60_000);

  it('stops on SIGTERM: exit code 0, emulator gone, no process left', async () => {
    child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(() => r('timeout'), 20_000)),
    ]);
    expect(code).toBe(0);
    expect(await isEmulatorUp(endpoint)).toBe(false);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    const leftovers = ps
      .split('\n')
      .filter((l) => l.includes(`-p ${port}`) || l.includes(`--port ${port}`));
    expect(leftovers).toEqual([]);
  }, 30_000);
});
