/**
 * The local edge through the real local pipeline (local/pipeline.ts with `edge`): an overwrite is
 * served fresh within the invalidate batching window + 2 s, a missing object's cached error is
 * held and an invalidation clears it, bad requests get CloudFront's statuses without taking the
 * edge down, and its traffic lands as CloudFront standard logs in the log bucket and as
 * `AWS/CloudFront` metrics in the emulator's CloudWatch.
 */
import { request } from 'node:http';
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportHandlers } from '../../local/handlers.js';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline.js';
import { parseCloudFrontLog, type LogRecord } from '../../shared/cloudfrontLog.js';

let pipeline: LocalPipeline;
const ingested: string[] = [];

beforeAll(async () => {
  pipeline = await startLocalPipeline({
    port: 0,
    reuseEmulator: false,
    stage: 'edge',
    env: {},
    edge: { port: 0 },
    observers: {
      ingest: (o) => {
        if (o.status === 'processed') ingested.push(o.key);
      },
    },
  });
}, 90_000);
afterAll(async () => {
  await pipeline?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request to the edge with the raw http client (any header, any path). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const url = new URL(pipeline.edge!.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const put = (key: string, body: string, contentType = 'video/mp4') =>
  pipeline.clients.s3.send(
    new PutObjectCommand({
      Bucket: pipeline.stack.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
    }),
  );

async function until<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('freshness after an overwrite', () => {
  it('serves v1 (Miss, then Hit), then v2 with Miss within the batching window + 2 s', async () => {
    const key = 'videos/clip.mp4';
    await put(key, 'v1 bytes');
    await until('ingest of v1', 20_000, async () => (ingested.includes(key) ? true : undefined));

    const first = await get(`/${key}`);
    expect(first.status).toBe(200);
    expect(first.body).toBe('v1 bytes');
    expect(first.headers['x-cache']).toBe('Miss from cloudfront');
    expect(first.headers.via).toMatch(/^1\.1 [0-9a-f]+\.cloudfront\.net \(CloudFront\)$/);
    expect(first.headers['x-amz-cf-pop']).toBeTruthy();
    expect(first.headers['x-amz-cf-id']).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
    expect(first.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(first.headers.age).toBeUndefined();

    const second = await get(`/${key}`);
    expect(second.body).toBe('v1 bytes');
    expect(second.headers['x-cache']).toBe('Hit from cloudfront');
    expect(second.headers.age).toMatch(/^\d+$/);

    const overwritten = Date.now();
    await put(key, 'v2 bytes');
    const windowMs = pipeline.polling.invalidate.windowMs;
    const fresh = await until('v2 at the edge', windowMs + 2_000, async () => {
      const answer = await get(`/${key}`);
      return answer.body === 'v2 bytes' ? answer : undefined;
    });
    expect(fresh.headers['x-cache']).toBe('Miss from cloudfront');
    expect(pipeline.edge!.stats().evicted).toBeGreaterThanOrEqual(1);
    // Not asserted (no timing assertions): how long freshness took, for the report.
    console.info(`edge freshness: v2 served ${Date.now() - overwritten} ms after the overwrite`);
  }, 60_000);
});

describe('a missing object', () => {
  it('keeps its cached error until an invalidation clears it', async () => {
    const key = 'docs/late report.pdf';
    const path = '/docs/late%20report.pdf';
    const missing = await get(path);
    // S3 through OAC without s3:ListBucket answers a missing key with 403 (CloudFront passes it on).
    expect(missing.status).toBe(403);
    expect(missing.headers['x-cache']).toBe('Error from cloudfront');
    expect(missing.body).toContain('<Code>AccessDenied</Code>');

    await put(key, 'the report', 'application/pdf');
    await until('ingest of the new key', 20_000, async () =>
      ingested.includes(key) ? true : undefined,
    );
    const held = await get(path);
    expect(held.status).toBe(403); // held for ErrorCachingMinTTL (10 s): a new key is not invalidated
    expect(held.headers['x-cache']).toBe('Error from cloudfront');

    await pipeline.clients.cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: pipeline.distribution.id,
        InvalidationBatch: {
          CallerReference: `edge-${Date.now()}`,
          Paths: { Quantity: 1, Items: ['/docs/late*'] },
        },
      }),
    );
    const served = await until('the object after the invalidation', 5_000, async () => {
      const answer = await get(path);
      return answer.status === 200 ? answer : undefined;
    });
    expect(served.body).toBe('the report');
    expect(served.headers['x-cache']).toBe('Miss from cloudfront');
  }, 60_000);
});

describe('bad requests', () => {
  it.each([
    ['a path that climbs out of the root', '/videos/../etc/passwd', {}, 400],
    ['an encoded dot-dot segment', '/videos/%2e%2e/secret.mp4', {}, 400],
    ['a host no distribution has', '/videos/clip.mp4', { host: 'unknown.example.com' }, 403],
    ['an unknown distribution id', '/_edge/E0000000000000/videos/clip.mp4', {}, 403],
    ['headers over 20 KB', '/videos/clip.mp4', { 'x-filler': 'a'.repeat(21_000) }, 494],
    ['a URL over 8 192 bytes', `/videos/${'a'.repeat(8_200)}.mp4`, {}, 414],
    ['a method the behaviour does not allow', '/videos/clip.mp4', {}, 403, 'DELETE'],
  ])(
    'answers %s with CloudFront\u2019s status',
    async (_what, path, headers, status, method = 'GET') => {
      const answer = await get(path, headers as Record<string, string>, method);
      expect(answer.status).toBe(status);
      expect(answer.headers['x-cache']).toBe('Error from cloudfront');
      // Still serving.
      expect((await get('/videos/clip.mp4')).status).toBe(200);
    },
  );

  it('answers a range past the end with 416 and a valid range with 206', async () => {
    const bad = await get('/videos/clip.mp4', { range: 'bytes=500-600' });
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe('bytes */8');
    const part = await get('/videos/clip.mp4', { range: 'bytes=1-3' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 1-3/8');
    expect(part.body).toBe('2 b');
  });

  it('answers an oversized request Node refuses without going down', async () => {
    const answer = await get('/videos/clip.mp4', { 'x-filler': 'a'.repeat(70_000) }).catch(
      (e: Error) => ({ status: 0, headers: {}, body: e.message }),
    );
    expect([0, 400, 431]).toContain(answer.status);
    expect((await get('/videos/clip.mp4')).status).toBe(200);
  });
});

describe('what the traffic leaves behind', () => {
  it('writes CloudFront standard log files the shared parser reads, and AWS/CloudFront metrics', async () => {
    await put('videos/logged.mp4', 'logged');
    await get('/videos/logged.mp4');
    await get('/videos/logged.mp4');
    await get('/videos/logged.mp4', { range: 'bytes=99-' });
    const { logFiles, datapoints } = await pipeline.edge!.flush();
    expect(logFiles.length).toBeGreaterThan(0);
    expect(datapoints).toBeGreaterThan(0);
    // The stage's distribution has a standard-logging delivery (EnsureLogging, on the emulator):
    // its files go to the stack's log bucket under the delivery's suffix path, as on AWS.
    const id = pipeline.distribution.id;
    const name = new RegExp(
      `^${pipeline.stack.standardLogBucket}/${id}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/${id}\\.\\d{4}-\\d{2}-\\d{2}-\\d{2}\\.[0-9a-f]+\\.gz$`,
    );
    for (const file of logFiles) expect(file).toMatch(name);
    const listed = await pipeline.clients.s3.send(
      new ListObjectsV2Command({ Bucket: pipeline.stack.standardLogBucket, Prefix: `${id}/` }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.length).toBeGreaterThan(0);
    const records: LogRecord[] = [];
    for (const key of keys) {
      const out = await pipeline.clients.s3.send(
        new GetObjectCommand({ Bucket: pipeline.stack.standardLogBucket, Key: key }),
      );
      const problems: unknown[] = [];
      for await (const r of parseCloudFrontLog(
        Buffer.from(await out.Body!.transformToByteArray()),
        (p) => problems.push(p),
      ))
        records.push(r);
      expect(problems).toEqual([]);
    }
    const clip = records.filter(
      (r) => r['cs-uri-stem'] === '/videos/logged.mp4' && r['sc-status'] === '200',
    );
    expect(clip.map((r) => r['x-edge-result-type'])).toEqual(
      expect.arrayContaining(['Miss', 'Hit']),
    );
    expect(records.some((r) => r['sc-status'] === '416')).toBe(true);
    expect(records.every((r) => r['cs(Host)'] === pipeline.distribution.domainName)).toBe(true);

    const now = Date.now();
    const stats = await pipeline.clients.cloudwatchGlobal.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/CloudFront',
        MetricName: 'Requests',
        Dimensions: [
          { Name: 'DistributionId', Value: pipeline.distribution.id },
          { Name: 'Region', Value: 'Global' },
        ],
        StartTime: new Date(now - 3_600_000),
        EndTime: new Date(now + 60_000),
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    const requests = (stats.Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0);
    expect(requests).toBe(records.length);

    // The report's own check reads the same traffic (no additional metrics: no hit rate, as on
    // AWS). Its window is whole hours here: the one now is in, against the log lines in it.
    const report = buildReportHandlers(
      pipeline.clients,
      pipeline.stack,
      {},
      { checkSeconds: 3_600 },
    );
    const check = await report.check({ time: new Date(now + 3_600_000).toISOString() });
    const mine = check.distributions.find((d) => d.distributionId === pipeline.distribution.id);
    const start = Date.parse(check.window.start);
    const inWindow = records.filter((r) => Date.parse(`${r.date}T${r.time}Z`) >= start);
    expect(mine?.requests).toBe(inWindow.length);
    expect(mine?.hitRate).toBeUndefined();
    const errors = inWindow.filter((r) => Number(r['sc-status']) >= 400).length;
    expect(mine?.totalErrorRate).toBeCloseTo((100 * errors) / inWindow.length);
  }, 60_000);
});
