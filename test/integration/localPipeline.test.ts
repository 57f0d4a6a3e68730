/**
 * The composed local pipeline (`local/pipeline.ts`) on a shared emulator: one pipeline per
 * stage's queues (a second is refused while the first lives; a stale lease is taken over and
 * explained), the local target npm start resolves, and the spec it provisions with being the
 * one `provision --local --bucket` writes.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import {
  CloudFrontClient,
  CreateCachePolicyCommand,
  ListCachePoliciesCommand,
} from '@aws-sdk/client-cloudfront';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { TagQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specInput } from '../../cli/provisionSpec.js';
import { installCloudFrontShim } from '../../local/cloudfrontShim.js';
import { s3ShimStore } from '../../local/cloudfrontShimStore.js';
import { listenerPid } from '../../local/emulator.js';
import {
  formatLease,
  LEASE_TAG_KEY,
  LEASE_TIMING,
  parseLease,
  PipelineAlreadyRunning,
  readLease,
  staleReason,
  type LeaseHolder,
} from '../../local/lease.js';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline.js';
import { localDistributionSpec } from '../../local/provision.js';
import { resolveLocalTarget, UsageError } from '../../local/startOptions.js';
import { deriveName, parseDistributionSpec } from '../../shared/distributionSpec.js';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let port: number;
const started: LocalPipeline[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  port = Number(new URL(emu.endpoint).port);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(started.map((p) => p.stop()));
  await emu?.stop();
});

/** A pipeline on the shared emulator (reused, so stopping it leaves the emulator running). */
async function pipeline(stage: string, log: string[] = [], ingested: string[] = []) {
  const p = await startLocalPipeline({
    port,
    stage,
    env: {},
    log: (line) => log.push(line),
    onError: (line) => log.push(line),
    observers: {
      ingest: (o) => {
        if (o.status === 'processed') ingested.push(o.key);
      },
    },
  });
  started.push(p);
  return p;
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('one pipeline per stage', () => {
  it('runs uploads through the pollers it started', async () => {
    const ingested: string[] = [];
    const p = await pipeline('composed', [], ingested);
    expect(p.emulator.owned).toBe(false);
    expect(p.distribution.id).toMatch(/^\w+$/);
    await p.clients.s3.send(
      new PutObjectCommand({ Bucket: p.stack.bucket, Key: 'docs/a b.pdf', Body: 'x' }),
    );
    const deadline = Date.now() + 20_000;
    while (!ingested.includes('docs/a b.pdf') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ingested).toContain('docs/a b.pdf');
    await p.stop();
    expect(await readLease(p.clients.sqs, p.stack.objectEvents.url)).toBeUndefined();
  }, 60_000);

  it('refuses a second pipeline on the same queues, naming the first; another stage is fine', async () => {
    const first = await pipeline('lease');
    await expect(pipeline('lease')).rejects.toThrow(PipelineAlreadyRunning);
    await expect(pipeline('lease')).rejects.toThrow(
      `another pipeline is already polling cdn-pipeline-lease-object-events on ${emu.endpoint} (pid ${process.pid},`,
    );
    const other = await pipeline('lease-other');
    await other.stop();
    // The refused runs left the first one's lease alone; once it stops, the stage is free.
    const held = await readLease(first.clients.sqs, first.stack.objectEvents.url);
    expect(held?.pid).toBe(process.pid);
    await first.stop();
    const again = await pipeline('lease');
    await again.stop();
  }, 90_000);

  it('takes over a stale lease and names the emulator with how to stop it', async () => {
    const setup = await pipeline('stale');
    await setup.stop();
    const dead = deadPid();
    const stale: LeaseHolder = {
      pid: dead,
      host: hostname(),
      startedAt: new Date().toISOString(),
      heartbeatAt: new Date().toISOString(),
      token: 'killed1',
    };
    await setup.clients.sqs.send(
      new TagQueueCommand({
        QueueUrl: setup.stack.objectEvents.url,
        Tags: { [LEASE_TAG_KEY]: formatLease(stale) },
      }),
    );
    const log: string[] = [];
    const p = await pipeline('stale', log);
    const moto = listenerPid(port);
    expect(moto).toBeGreaterThan(0);
    expect(log.join('\n')).toContain(
      `the emulator on port ${port} (pid ${moto}) was left behind by an earlier npm start that did not stop it (pid ${dead}`,
    );
    expect(log.join('\n')).toContain(`pid ${dead} is no longer running`);
    expect(log.join('\n')).toContain(`To stop it: kill ${moto}`);
    expect((await readLease(p.clients.sqs, p.stack.objectEvents.url))?.pid).toBe(process.pid);
    await p.stop();
  }, 60_000);
});

describe('the lease tag', () => {
  const holder: LeaseHolder = {
    pid: process.pid,
    host: hostname(),
    emulatorPid: 4242,
    startedAt: '2026-12-01T10:00:00.000Z',
    heartbeatAt: '2026-12-01T10:00:05.000Z',
    token: 'abc12345',
  };

  it('reads back what it writes, in characters SQS tag values allow', () => {
    expect(parseLease(formatLease(holder))).toEqual(holder);
    expect(formatLease(holder)).toMatch(/^[\w.:/=+\-@ ]+$/);
    expect(formatLease(holder).length).toBeLessThanOrEqual(256);
    expect(parseLease('')).toBeUndefined();
    expect(parseLease('pid=x')).toBeUndefined();
  });

  it('is stale when its pid is gone or its heartbeat stopped; fresh otherwise', () => {
    const beat = Date.parse(holder.heartbeatAt);
    expect(staleReason(holder, beat + 1_000)).toBeUndefined();
    expect(staleReason(holder, beat + LEASE_TIMING.staleAfterMs + 1_000)).toMatch(
      /^no heartbeat for \d+ s$/,
    );
    const dead = deadPid();
    expect(staleReason({ ...holder, pid: dead }, beat)).toBe(`pid ${dead} is no longer running`);
  });
});

describe('the CloudFront shim on a store', () => {
  it('shares its policies between processes on one emulator (two clients here)', async () => {
    const client = () => {
      const cloudfront = new CloudFrontClient({
        endpoint: emu.endpoint,
        region: 'us-east-1',
        credentials: { ...TEST_CREDENTIALS },
      });
      installCloudFrontShim(cloudfront, { store: s3ShimStore(emu.clients.s3) });
      return cloudfront;
    };
    const created = await client().send(
      new CreateCachePolicyCommand({
        CachePolicyConfig: {
          Name: 'shared-policy',
          MinTTL: 0,
          ParametersInCacheKeyAndForwardedToOrigin: {
            EnableAcceptEncodingGzip: true,
            HeadersConfig: { HeaderBehavior: 'none' },
            CookiesConfig: { CookieBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'none' },
          },
        },
      }),
    );
    const listed = await client().send(new ListCachePoliciesCommand({ Type: 'custom' }));
    expect(listed.CachePolicyList?.Items?.map((i) => i.CachePolicy?.Id)).toContain(
      created.CachePolicy?.Id,
    );
  });
});

describe('what npm start aims at', () => {
  it('provisions with the spec provision --local --bucket writes: one name, one distribution', async () => {
    const bucket = 'cdn-pipeline-local-content';
    expect(localDistributionSpec(bucket)).toEqual(await specInput({ bucket }));
    expect(parseDistributionSpec(localDistributionSpec(bucket)).name).toBe(deriveName(bucket));
  });

  it.each([
    [{ port: '4570' }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4571' }, 4570],
    [{}, { CDN_PIPELINE_LOCAL_PORT: '4572', AWS_ENDPOINT_URL: 'http://127.0.0.1:4571' }, 4572],
    [{}, { AWS_ENDPOINT_URL: 'http://localhost:4571' }, 4571],
    [{}, {}, 4566],
  ])('resolveLocalTarget(%j, %j) → port %i, stage local', (flags, env, expected) => {
    expect(resolveLocalTarget(flags, env)).toEqual({ port: expected, stage: 'local' });
  });

  it('refuses an endpoint that is not this machine, and a stage that cannot name a bucket', () => {
    expect(() => resolveLocalTarget({}, { AWS_ENDPOINT_URL: 'https://s3.example.com' })).toThrow(
      UsageError,
    );
    expect(() => resolveLocalTarget({ stage: 'Dev_1' }, {})).toThrow(/^--stage: /);
  });
});
