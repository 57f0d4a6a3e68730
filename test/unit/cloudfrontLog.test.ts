/**
 * The CloudFront standard log format (shared/cloudfrontLog.ts): AWS's documented sample lines
 * parsed (plain and gzip, streamed), lines formatted by the edge read back, and the bad-input
 * corpus of test/fixtures/bad-input/logs/ (its manifest: test/fixtures/bad-input/README.md).
 */
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CloudFrontLogError,
  decodeLogValue,
  encodeLogValue,
  formatLogLine,
  isCacheHit,
  logFileHeader,
  parseCloudFrontLog,
  STANDARD_LOG_FIELDS,
  type LogLineProblem,
  type LogRecord,
} from '../../shared/cloudfrontLog.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const SAMPLES = join(FIXTURES, 'cloudfront-logs');
const CORPUS = join(FIXTURES, 'bad-input', 'logs');

async function parse(input: Parameters<typeof parseCloudFrontLog>[0]) {
  const records: LogRecord[] = [];
  const problems: LogLineProblem[] = [];
  for await (const r of parseCloudFrontLog(input, (p) => problems.push(p))) records.push(r);
  return { records, problems };
}

describe('AWS documentation sample lines', () => {
  it.each([
    ['plain text, as bytes', () => readFileSync(join(SAMPLES, 'aws-docs-example.log'))],
    ['gzip, streamed from disk', () => createReadStream(join(SAMPLES, 'aws-docs-example.log.gz'))],
  ])('reads every field of every line (%s)', async (_how, open) => {
    const { records, problems } = await parse(open());
    expect(problems).toEqual([]);
    expect(records).toHaveLength(6);
    const [first] = records;
    expect(first).toMatchObject({
      date: '2019-12-04',
      time: '21:02:31',
      'x-edge-location': 'LAX1',
      'sc-bytes': '392',
      'c-ip': '192.0.2.100',
      'cs-method': 'GET',
      'cs(Host)': 'd111111abcdef8.cloudfront.net',
      'cs-uri-stem': '/index.html',
      'sc-status': '200',
      'x-edge-result-type': 'Hit',
      'x-edge-request-id': 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
      'cs-protocol': 'https',
      'time-taken': '0.001',
      'cs-protocol-version': 'HTTP/2.0',
      'c-port': '11040',
      'x-edge-detailed-result-type': 'Hit',
      'sc-content-type': 'text/html',
      'sc-content-len': '78',
    });
    // `-` is an empty value: absent, not the string "-".
    expect(first!['cs(Referer)']).toBeUndefined();
    expect(first!['sc-range-end']).toBeUndefined();
    expect(decodeLogValue(first!['cs(User-Agent)'])).toBe(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36',
    );
    expect(records.map(isCacheHit)).toEqual([true, true, true, false, false, false]);
    expect(records[3]).toMatchObject({
      'sc-status': '502',
      'x-edge-detailed-result-type': 'OriginDnsError',
      'cs(Referer)': 'http://www.example.com/',
    });
  });

  it('reads a stream cut into one-byte chunks, and CRLF line ends', async () => {
    const text = readFileSync(join(SAMPLES, 'aws-docs-example.log'), 'utf8').replace(/\n/g, '\r\n');
    const gz = gzipSync(text);
    async function* bytes() {
      for (const b of gz) yield Buffer.from([b]);
    }
    const { records } = await parse((await import('node:stream')).Readable.from(bytes()));
    expect(records).toHaveLength(6);
    expect(records[5]!['sc-range-end']).toBeUndefined();
  });

  it('reads a v2 delivery with chosen fields in its own order', async () => {
    const text =
      '#Version: 1.0\n#Fields: timestamp DistributionId cs-uri-stem sc-status x-edge-result-type cache-behavior-path-pattern\n' +
      '1733100000\tE1EXAMPLE\t/videos/a.mp4\t200\tMiss\t*.mp4\n';
    const { records } = await parse(text);
    expect(records).toEqual([
      {
        timestamp: '1733100000',
        DistributionId: 'E1EXAMPLE',
        'cs-uri-stem': '/videos/a.mp4',
        'sc-status': '200',
        'x-edge-result-type': 'Miss',
        'cache-behavior-path-pattern': '*.mp4',
      },
    ]);
  });
});

describe('formatting', () => {
  it('writes 33 tab-separated fields in the documented order, - for empty, and reads them back', async () => {
    const record: LogRecord = {
      date: '2026-12-02',
      time: '01:02:03',
      'cs-uri-stem': '/videos/clip%20final.mp4',
      'sc-status': '206',
      'cs(User-Agent)': encodeLogValue('curl/8.5.0 (x86_64) "quoted" 100%'),
      'x-edge-result-type': 'Hit',
      'sc-range-start': '0',
      'sc-range-end': '99',
    };
    const line = formatLogLine(record);
    expect(line.split('\t')).toHaveLength(STANDARD_LOG_FIELDS.length);
    expect(line.split('\t')[STANDARD_LOG_FIELDS.indexOf('cs(Referer)')]).toBe('-');
    expect(line).not.toMatch(/ /);
    const { records } = await parse(`${logFileHeader()}${line}\n`);
    expect(records).toEqual([record]);
    expect(decodeLogValue(records[0]!['cs(User-Agent)'])).toBe('curl/8.5.0 (x86_64) "quoted" 100%');
  });

  it('never lets a tab or newline in a value break the line', () => {
    const line = formatLogLine({ 'cs-uri-stem': '/a\tb\nc' });
    expect(line.split('\t')).toHaveLength(33);
  });
});

interface Case {
  readonly id: string;
  readonly target: string;
  readonly input: string;
  readonly expect: 'rejected' | 'accepted';
  readonly expectField: string | null;
  readonly expectMessageIncludes: string | null;
  readonly why: string;
  readonly options?: { readonly expectRecords?: number; readonly expectProblemField?: string };
}
const cases = JSON.parse(readFileSync(join(CORPUS, 'cases.json'), 'utf8')) as Case[];

describe('the bad-input corpus (logs)', () => {
  it('uses every file of the folder', () => {
    const files = readdirSync(CORPUS).filter((f) => f !== 'cases.json');
    expect(new Set(cases.map((c) => c.input))).toEqual(new Set(files));
    expect(cases.every((c) => c.target === 'logs')).toBe(true);
  });

  describe.each(cases)('$id', (c) => {
    it(`${c.expect === 'rejected' ? 'refuses' : 'reads'} it: ${c.why}`, async () => {
      const input = createReadStream(join(CORPUS, c.input));
      if (c.expect === 'rejected') {
        const error = await parse(input).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CloudFrontLogError);
        expect((error as CloudFrontLogError).field).toBe(c.expectField);
        expect((error as Error).message).toContain(c.expectMessageIncludes);
        return;
      }
      const { records, problems } = await parse(input);
      expect(records).toHaveLength(c.options?.expectRecords ?? 0);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.field).toBe(c.options?.expectProblemField);
      expect(problems[0]!.message).toContain(c.expectMessageIncludes);
    });
  });
});
