/**
 * The logs core on real CloudFront lines (test/fixtures/cloudfront-logs/: AWS's documented sample
 * file, plain and gzip): per (distribution, class, minute) counts, the EMF they become, and the
 * bad input that must never become a count.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CloudFrontLogError, logFileHeader } from '../../../shared/cloudfrontLog.js';
import { DEFAULT_CONTENT_CLASSES, parseContentClasses } from '../../../shared/contentClasses.js';
import { countLogFile, distributionFromKey } from '../../../functions/logs/countLog.js';
import { classMetricsEmf, EMF_MAX_AGE_MS } from '../../../functions/logs/emf.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const SAMPLE = join(FIXTURES, 'cloudfront-logs', 'aws-docs-example.log');
const KEY = 'AWSLogs/123456789012/CloudFront/E2EXAMPLE.2019-12-04-21.a1b2c3d4.gz';
const options = { key: KEY, rules: DEFAULT_CONTENT_CLASSES, fallbackTime: 0 };
const minute = (iso: string) => Date.parse(iso);

describe('countLogFile on the AWS documentation sample', () => {
  it.each([
    ['gzip, streamed', () => createReadStream(`${SAMPLE}.gz`)],
    ['plain bytes', () => readFileSync(SAMPLE)],
  ])('counts each request once, by class and minute (%s)', async (_how, open) => {
    const counted = await countLogFile(open(), options);
    expect(counted.requests).toBe(6);
    expect(counted.skippedLines).toBe(0);
    expect(counted.distributionIds).toEqual(['E2EXAMPLE']);
    expect(counted.tallies).toEqual([
      {
        // /index.html ×3, Hit, 200, 392 bytes each
        distributionId: 'E2EXAMPLE',
        contentClass: 'document',
        minute: minute('2019-12-04T21:02:00Z'),
        counts: { Requests: 3, Hits: 3, Misses: 0, Errors: 0, Bytes: 1176 },
      },
      {
        // /favicon.ico and / at 22:36, Error, 502, 900 bytes each: errors, neither hit nor miss
        distributionId: 'E2EXAMPLE',
        contentClass: 'other',
        minute: minute('2019-12-13T22:36:00Z'),
        counts: { Requests: 2, Hits: 0, Misses: 0, Errors: 2, Bytes: 1800 },
      },
      {
        distributionId: 'E2EXAMPLE',
        contentClass: 'other',
        minute: minute('2019-12-13T22:37:00Z'),
        counts: { Requests: 1, Hits: 0, Misses: 0, Errors: 1, Bytes: 900 },
      },
    ]);
  });

  it('classifies with the configured rules (the same CONTENT_CLASSES as ingest)', async () => {
    const rules = parseContentClasses(
      JSON.stringify([{ name: 'pages', extensions: ['.html'], cacheClass: 'default' }]),
    );
    const counted = await countLogFile(readFileSync(SAMPLE), { ...options, rules });
    expect(counted.tallies.map((t) => t.contentClass)).toEqual(['other', 'other', 'pages']);
  });
});

describe('which distribution a file is about', () => {
  it('reads it from CloudFront file names, with or without a prefix', () => {
    expect(distributionFromKey('E2EXAMPLE.2019-12-04-21.a1b2c3d4.gz')).toBe('E2EXAMPLE');
    expect(distributionFromKey('logs/E2EXAMPLE/2019/12/04/21/E2EXAMPLE.2019-12-04-21.x.gz')).toBe(
      'E2EXAMPLE',
    );
    expect(distributionFromKey('AWSLogs/notes.txt')).toBeUndefined();
  });

  it("prefers the line's DistributionId field (v2), and counts each distribution apart", async () => {
    const text =
      '#Version: 1.0\n#Fields: timestamp DistributionId cs-uri-stem sc-status sc-bytes x-edge-result-type\n' +
      '1733101230\tE1AAA\t/videos/a.mp4\t206\t1000\tMiss\n' +
      '1733101231\tE1AAA\t/videos/a.mp4\t206\t1000\tHit\n' +
      '1733101232\tE1AAA\t/videos/a.mp4\t206\t1000\tRefreshHit\n' +
      '1733101233\tE2BBB\t/img/logo.png\t404\t300\tError\n';
    const counted = await countLogFile(gzipSync(text), { ...options, key: 'v2/some-file.gz' });
    const at = Math.floor(1733101230 / 60) * 60_000;
    expect(counted.tallies).toEqual([
      {
        distributionId: 'E1AAA',
        contentClass: 'video',
        minute: at,
        counts: { Requests: 3, Hits: 2, Misses: 1, Errors: 0, Bytes: 3000 },
      },
      {
        distributionId: 'E2BBB',
        contentClass: 'image',
        minute: at,
        counts: { Requests: 1, Hits: 0, Misses: 0, Errors: 1, Bytes: 300 },
      },
    ]);
  });

  it('refuses a file whose distribution cannot be told, naming the field', async () => {
    const error = await countLogFile(readFileSync(SAMPLE), { ...options, key: 'logs/x.gz' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CloudFrontLogError);
    expect(error).toMatchObject({ field: 'DistributionId' });
  });
});

describe('bad input never becomes a count', () => {
  it('skips a line whose status, bytes or time are not values, and says which line', async () => {
    const fields = ['date', 'time', 'cs-uri-stem', 'sc-status', 'sc-bytes', 'x-edge-result-type'];
    const text =
      logFileHeader(fields) +
      '2026-12-02\t01:02:03\t/a.mp4\t200\t10\tHit\n' +
      '2026-12-02\t01:02:04\t/a.mp4\tOK\t10\tHit\n' +
      '2026-12-02\t01:02:05\t/a.mp4\t200\tten\tHit\n' +
      'yesterday\t01:02:06\t/a.mp4\t200\t10\tHit\n';
    const counted = await countLogFile(text, options);
    expect(counted.requests).toBe(1);
    expect(counted.skippedLines).toBe(3);
    expect(counted.problems.map((p) => p.field)).toEqual([
      'lines[4].sc-status',
      'lines[5].sc-bytes',
      'lines[6].time',
    ]);
  });

  it('counts the whole lines of a file with one cut line, and reports the cut one', async () => {
    const counted = await countLogFile(
      createReadStream(join(FIXTURES, 'bad-input', 'logs', 'short-line.log')),
      options,
    );
    expect(counted.requests).toBe(5);
    expect(counted.skippedLines).toBe(1);
    expect(counted.problems[0]!.field).toBe('lines[4]');
  });

  it.each(['truncated.log.gz', 'corrupt.log.gz', 'unknown-version.log', 'unknown-field.log'])(
    'refuses %s whole',
    async (file) => {
      await expect(
        countLogFile(createReadStream(join(FIXTURES, 'bad-input', 'logs', file)), options),
      ).rejects.toBeInstanceOf(CloudFrontLogError);
    },
  );
});

describe('classMetricsEmf', () => {
  it('writes one EMF object per tally: DistributionId + ContentClass, the minute as timestamp', async () => {
    const now = Date.parse('2026-12-02T02:00:00Z');
    const tally = {
      distributionId: 'E2EXAMPLE',
      contentClass: 'video',
      minute: Date.parse('2026-12-02T01:02:00Z'),
      counts: { Requests: 3, Hits: 2, Misses: 1, Errors: 0, Bytes: 3000 },
    };
    const old = { ...tally, minute: now - EMF_MAX_AGE_MS - 60_000 };
    const { emf, refused } = classMetricsEmf([tally, old], now);
    expect(refused).toEqual([old]);
    expect(emf).toEqual([
      {
        _aws: {
          Timestamp: tally.minute,
          CloudWatchMetrics: [
            {
              Namespace: 'CdnPipeline/ContentClasses',
              Dimensions: [['DistributionId', 'ContentClass']],
              Metrics: [
                { Name: 'Requests', Unit: 'Count' },
                { Name: 'Hits', Unit: 'Count' },
                { Name: 'Misses', Unit: 'Count' },
                { Name: 'Errors', Unit: 'Count' },
                { Name: 'Bytes', Unit: 'Bytes' },
              ],
            },
          ],
        },
        DistributionId: 'E2EXAMPLE',
        ContentClass: 'video',
        Requests: 3,
        Hits: 2,
        Misses: 1,
        Errors: 0,
        Bytes: 3000,
      },
    ]);
  });
});
