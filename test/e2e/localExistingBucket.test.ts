/**
 * The "done when", on the emulator: a team's bucket that already exists (dots in its
 * name, versioned) notifies a queue and a topic of its own and is served by a distribution set up
 * by hand on a legacy OAI. `npm start -- --port P --bucket NAME` (a child process, as a user runs
 * it, reusing the emulator that holds the bucket) adopts the distribution and runs the pipeline
 * on the bucket. Then:
 *
 * - every bucket-policy version written during the migration (recorded by a transparent proxy
 *   between npm start and the emulator), and every one sampled meanwhile, grants the OAI or the
 *   OAC: never neither; both while the switch deploys; the OAC alone at the end;
 * - the distribution reads through the OAC, and the OAI is gone;
 * - uploads reach the team's queue and topic (every ObjectCreated) and the pipeline, which tags
 *   each of them and invalidates the overwrite on the adopted distribution;
 * - the bucket's own notifications are still configured; SIGTERM exits 0 and leaves the
 *   emulator (not npm start's) running.
 */
import {
  GetCloudFrontOriginAccessIdentityCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import {
  GetBucketNotificationConfigurationCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, isEmulatorUp, startEmulator, type Emulator } from '../../local/emulator.js';
import { installLocalCloudFrontShims } from '../../local/provision.js';
import { createClients, type AwsClients } from '../../shared/clients.js';
import {
  oacStatementFor,
  oaiStatementsFor,
  policyStatements,
  type PolicyStatement,
} from '../../shared/bucketPolicy.js';
import { TEST_CREDENTIALS } from '../helpers/emulator.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recordingProxy.js';
import {
  bucketPolicyOf,
  createdKeysIn,
  createTeamSetup,
  type TeamSetup,
} from '../helpers/teamBucket.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUCKET = 'charts.local.example.com';
const NEW_KEY = 'charts/q3 revenue+plan.png';
const OTHER_KEY = 'charts/weekly/2026-11-30.svg';

let emulator: Emulator;
let clients: AwsClients;
/**
 * Clients whose LOCAL-ONLY CloudFront shims have read nothing yet: a shim loads the state npm
 * start's shims write on the emulator once, on first use, so the setup's clients see the
 * distribution as they left it.
 */
function freshClients(): AwsClients {
  const fresh = createClients({
    endpoint: emulator.endpoint,
    credentials: { ...TEST_CREDENTIALS },
    region: 'us-east-1',
  });
  installLocalCloudFrontShims(fresh);
  return fresh;
}
let proxy: RecordingProxy;
let team: TeamSetup;
let child: ChildProcess;
let exited: Promise<number | null>;
let stdout = '';
let stderr = '';
let workdir: string;
/** The bucket policy as read every few ms while npm start adopts the distribution. */
const sampled: Array<string | undefined> = [];
let sampling = true;
let sampler: Promise<void>;

async function waitFor(
  pattern: RegExp,
  timeoutMs: number,
  text: () => string = () => stdout,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = text().match(pattern);
    if (match) return match;
    if (child.exitCode !== null)
      throw new Error(
        `npm start exited (${child.exitCode}) before ${pattern}\n${stdout}\n${stderr}`,
      );
    if (Date.now() > deadline)
      throw new Error(
        `no ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The ingest block printed for `key`, up to its invalidation decision. */
function ingestBlock(key: string, decision: 'invalidation requested' | 'no invalidation'): RegExp {
  return new RegExp(`ingest\\s+${escape(key)}\\n(?:.*\\n){0,3}?\\s+${decision} \\(`);
}

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-e2e-bucket-'));
  // The team's emulator, already running and holding the bucket (not npm start's to stop).
  emulator = await startEmulator({ port: 0, reuse: false });
  clients = createClients({
    endpoint: emulator.endpoint,
    credentials: { ...TEST_CREDENTIALS },
    region: 'us-east-1',
  });
  installLocalCloudFrontShims(clients);
  team = await createTeamSetup(clients, BUCKET);
  // Every write of the bucket's policy npm start makes, in order.
  proxy = await startRecordingProxy(emulator.endpoint, (method, url) => {
    const at = new URL(url, 'http://emulator');
    return (
      (method === 'PUT' || method === 'DELETE') &&
      at.pathname.replace(/\/$/, '') === `/${BUCKET}` &&
      at.searchParams.has('policy')
    );
  });
  sampler = (async () => {
    while (sampling) {
      sampled.push(await bucketPolicyOf(clients.s3, BUCKET));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    CDN_PIPELINE_OUTBOX_DIR: join(workdir, 'outbox'),
  };
  for (const name of ['AWS_ENDPOINT_URL', 'CDN_PIPELINE_LOCAL_PORT', 'CDN_PIPELINE_CHECK_SECONDS'])
    delete env[name];
  const edgePort = await freePort();
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/start.ts',
      '--port',
      String(proxy.port),
      '--bucket',
      BUCKET,
      '--edge-port',
      String(edgePort),
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  exited = new Promise((r) => child.once('exit', (code) => r(code)));
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
}, 60_000);

afterAll(async () => {
  sampling = false;
  await sampler?.catch(() => undefined);
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await proxy?.stop();
  await emulator?.stop();
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

describe('npm start -- --bucket on a bucket and OAI distribution a team already has', () => {
  let distributionArn = '';

  it('adopts the distribution that reads the bucket and keeps the bucket as it is', async () => {
    await waitFor(/ready in \d+ ms[\s\S]*?\n {2}stop/, 120_000);
    sampling = false;
    await sampler;
    expect(stdout).toContain(`bucket        ${BUCKET}`);
    const shown = stdout.match(/distribution {2}(\S+) {2}(\S+\.cloudfront\.net)/);
    expect(shown?.[1]).toBe(team.distributionId);
    expect(stderr).toContain(
      `bucket ${BUCKET} already existed: left as it is; S3's EventBridge delivery merged into ` +
        `its notifications (kept: queue charts-team-uploads, topic charts-team-uploads), rule ` +
        `cdn-pipeline-local-object-created → cdn-pipeline-local-object-events`,
    );
    expect(stderr).toContain(`is served by ${team.distributionId}, not yet managed: adopting it`);
    expect(stderr).toContain(
      `distribution ${team.distributionId} adopted by the provisioning workflow`,
    );
    distributionArn = (
      await clients.cloudfront.send(new GetDistributionCommand({ Id: team.distributionId }))
    ).Distribution!.ARN!;
  }, 130_000);

  it('never let the bucket policy grant neither the OAI nor the OAC during the migration', () => {
    const grants = (policy: string | undefined) => {
      const statements: PolicyStatement[] = policyStatements(policy);
      return {
        oai: oaiStatementsFor(statements, { id: team.oaiId }).length > 0,
        oac: oacStatementFor(statements, distributionArn) !== undefined,
      };
    };
    const written = proxy.recorded;
    expect(written.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(written.every((r) => r.status === 204 || r.status === 200)).toBe(true);
    const versions = written.map((r) => grants(r.body));
    // The OAC granted beside the OAI before the switch, the OAI's grant removed once Deployed.
    expect(versions.length).toBeGreaterThanOrEqual(2);
    for (const v of versions) expect(v.oai || v.oac, JSON.stringify(versions)).toBe(true);
    expect(versions[0]).toEqual({ oai: true, oac: true });
    expect(versions.at(-1)).toEqual({ oai: false, oac: true });
    // What a reader saw meanwhile: the OAI until the grant, both, then the OAC alone.
    expect(sampled.length).toBeGreaterThan(0);
    for (const policy of sampled) {
      const g = grants(policy);
      expect(g.oai || g.oac, policy).toBe(true);
    }
    // The team's own statement is kept.
    expect(policyStatements(written.at(-1)!.body)).toContainEqual(team.teamStatement);
  });

  it('leaves the distribution on the OAC, and deletes the OAI nothing reads through any more', async () => {
    const { cloudfront } = freshClients();
    const config = await cloudfront.send(
      new GetDistributionConfigCommand({ Id: team.distributionId }),
    );
    const origin = config.DistributionConfig!.Origins!.Items![0]!;
    expect(origin.OriginAccessControlId).toMatch(/\w+/);
    expect(origin.S3OriginConfig?.OriginAccessIdentity ?? '').toBe('');
    await expect(
      cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: team.oaiId })),
    ).rejects.toMatchObject({ name: 'NoSuchCloudFrontOriginAccessIdentity' });
  });

  it("delivers every upload to the team's queue and topic and to the pipeline, which tags them all and invalidates the overwrite", async () => {
    // Test events S3 sent when the configuration was written are not uploads.
    await createdKeysIn(clients.sqs, team.queueUrl);
    await createdKeysIn(clients.sqs, team.topicQueueUrl);
    const put = (key: string, body: string) =>
      clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await put(NEW_KEY, 'first');
    await put(OTHER_KEY, '<svg/>');
    await waitFor(ingestBlock(NEW_KEY, 'no invalidation'), 30_000);
    await waitFor(ingestBlock(OTHER_KEY, 'no invalidation'), 30_000);
    await put(NEW_KEY, 'second');
    await waitFor(ingestBlock(NEW_KEY, 'invalidation requested'), 30_000);

    const uploads = [NEW_KEY, OTHER_KEY, NEW_KEY];
    expect(await createdKeysIn(clients.sqs, team.queueUrl)).toEqual(uploads);
    expect(await createdKeysIn(clients.sqs, team.topicQueueUrl)).toEqual(uploads);

    for (const key of [NEW_KEY, OTHER_KEY]) {
      const tags = await clients.s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
      expect(Object.fromEntries((tags.TagSet ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
        'cdn:class': 'image',
        'cdn:path': `/${key}`,
      });
    }

    // The overwrite's invalidation on the adopted distribution (the invalidate window is 2 s).
    const path = '/charts/q3%20revenue%2Bplan.png';
    const deadline = Date.now() + 30_000;
    let paths: string[] = [];
    while (Date.now() < deadline) {
      const list = await clients.cloudfront.send(
        new ListInvalidationsCommand({ DistributionId: team.distributionId }),
      );
      paths = [];
      for (const item of list.InvalidationList?.Items ?? []) {
        const got = await clients.cloudfront.send(
          new GetInvalidationCommand({ DistributionId: team.distributionId, Id: item.Id }),
        );
        paths.push(...(got.Invalidation?.InvalidationBatch?.Paths?.Items ?? []));
      }
      if (paths.includes(path)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(paths).toContain(path);
    expect(paths.some((p) => p.includes('weekly'))).toBe(false);
  }, 120_000);

  it("still has the bucket's own notifications; SIGTERM exits 0 and leaves the team's emulator running", async () => {
    const config = await clients.s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }),
    );
    expect(config.QueueConfigurations?.map((q) => q.QueueArn)).toEqual([
      expect.stringMatching(/:charts-team-uploads$/),
    ]);
    expect(config.TopicConfigurations?.map((t) => t.TopicArn)).toEqual([team.topicArn]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain(`stopped (emulator left running at ${proxy.endpoint})`);
    expect(await isEmulatorUp(emulator.endpoint)).toBe(true);
  }, 30_000);
});
