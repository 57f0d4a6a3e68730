/**
 * LOCAL ONLY (the local edge). CloudFront standard logs from the edge's own traffic: one line per
 * request in the documented field order (shared/cloudfrontLog.ts), buffered per distribution and
 * written every few seconds as a gzip file to the log bucket on the emulator, named as CloudFront
 * names them: `<prefix><distribution-id>.YYYY-MM-DD-HH.<unique>.gz`, the hour (UTC) being the
 * requests' own. The bucket is the distribution's `Logging` bucket when it has one, else the
 * edge's default log bucket (created when missing).
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  encodeLogUri,
  encodeLogValue,
  formatLogLine,
  logFileHeader,
  type LogRecord,
} from '../../shared/cloudfrontLog.js';

/** What one served request puts in its log line. */
export interface LoggedRequest {
  readonly at: Date;
  readonly pop: string;
  readonly distributionId: string;
  readonly domainName: string;
  readonly method: string;
  readonly host?: string | undefined;
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly clientIp: string;
  readonly clientPort: number;
  readonly protocolVersion: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly seconds: number;
  readonly resultType: string;
  readonly detailedResultType: string;
  readonly requestId: string;
  readonly contentType?: string | undefined;
  readonly contentLength?: number | undefined;
  readonly range?: { readonly start: number; readonly end: number } | undefined;
  readonly includeCookies: boolean;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The log line's fields, as CloudFront writes them. */
export function logRecord(r: LoggedRequest): LogRecord {
  const iso = r.at.toISOString();
  const taken = r.seconds.toFixed(3);
  const text = (v: string | undefined) => (v ? encodeLogValue(v) : undefined);
  return {
    date: iso.slice(0, 10),
    time: iso.slice(11, 19),
    'x-edge-location': r.pop,
    'sc-bytes': String(r.bytesOut),
    'c-ip': r.clientIp,
    'cs-method': r.method,
    'cs(Host)': r.domainName,
    'cs-uri-stem': encodeLogUri(r.path),
    'sc-status': String(r.status),
    'cs(Referer)': text(r.headers.referer),
    'cs(User-Agent)': text(r.headers['user-agent']),
    'cs-uri-query': r.query ? encodeLogUri(r.query) : undefined,
    'cs(Cookie)': r.includeCookies ? text(r.headers.cookie) : undefined,
    'x-edge-result-type': r.resultType,
    'x-edge-request-id': r.requestId,
    'x-host-header': r.host,
    'cs-protocol': 'http',
    'cs-bytes': String(r.bytesIn),
    'time-taken': taken,
    'x-forwarded-for': r.headers['x-forwarded-for'],
    'x-edge-response-result-type': r.resultType,
    'cs-protocol-version': r.protocolVersion,
    'c-port': String(r.clientPort),
    'time-to-first-byte': taken,
    'x-edge-detailed-result-type': r.detailedResultType,
    'sc-content-type': r.contentType,
    'sc-content-len': r.contentLength !== undefined ? String(r.contentLength) : undefined,
    'sc-range-start': r.range ? String(r.range.start) : undefined,
    'sc-range-end': r.range ? String(r.range.end) : undefined,
  };
}

/**
 * `<prefix><id>.YYYY-MM-DD-HH.<unique>.gz`. The prefix may hold the S3 suffix-path variables of
 * a standard logging (v2) delivery (`{DistributionId}/{yyyy}/{MM}/{dd}/{HH}/`), filled with the
 * file's distribution and hour (UTC), as CloudWatch Logs' delivery service fills them.
 */
export function logFileKey(
  prefix: string,
  distributionId: string,
  hour: Date,
  unique: string,
): string {
  const d = hour;
  const [yyyy, MM, dd, HH] = [
    String(d.getUTCFullYear()),
    two(d.getUTCMonth() + 1),
    two(d.getUTCDate()),
    two(d.getUTCHours()),
  ];
  const vars: Record<string, string> = { DistributionId: distributionId, yyyy, MM, dd, HH };
  const where = prefix.replace(/\{(DistributionId|yyyy|MM|dd|HH)\}/g, (_, v: string) => vars[v]!);
  return `${where}${distributionId}.${yyyy}-${MM}-${dd}-${HH}.${unique}.gz`;
}

export interface AccessLogWriter {
  add(
    request: LoggedRequest,
    destination: { readonly bucket: string; readonly prefix: string },
  ): void;
  /** Writes everything buffered; returns the keys written. */
  flush(): Promise<string[]>;
  stop(): Promise<void>;
}

export function startAccessLog(options: {
  readonly s3: S3Client;
  readonly everyMs: number;
  readonly onError?: (line: string) => void;
}): AccessLogWriter {
  const { s3 } = options;
  const onError = options.onError ?? (() => undefined);
  // bucket \0 prefix \0 distribution \0 hour → lines
  const pending = new Map<string, string[]>();
  const ensured = new Set<string>();
  let flushing: Promise<string[]> | undefined;

  async function ensureBucket(bucket: string): Promise<void> {
    if (ensured.has(bucket)) return;
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: unknown) => {
      const name = (e as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
    });
    ensured.add(bucket);
  }

  async function write(): Promise<string[]> {
    const batches = [...pending];
    pending.clear();
    const written: string[] = [];
    for (const [group, lines] of batches) {
      const [bucket, prefix, distributionId, hour] = group.split('\0') as [
        string,
        string,
        string,
        string,
      ];
      const key = logFileKey(
        prefix,
        distributionId,
        new Date(Number(hour)),
        randomBytes(4).toString('hex'),
      );
      const body = gzipSync(`${logFileHeader()}${lines.join('\n')}\n`);
      try {
        await ensureBucket(bucket);
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/x-gzip',
          }),
        );
        written.push(`${bucket}/${key}`);
      } catch (error) {
        onError(
          `edge: writing log file s3://${bucket}/${key} failed: ${(error as Error).name}: ${(error as Error).message}`,
        );
      }
    }
    return written;
  }

  const flush = async () => {
    await flushing;
    flushing = write();
    try {
      return await flushing;
    } finally {
      flushing = undefined;
    }
  };
  const timer = setInterval(() => void flush(), options.everyMs);
  timer.unref();

  return {
    add(request, destination) {
      const hour = Math.floor(request.at.getTime() / 3_600_000) * 3_600_000;
      const group = [destination.bucket, destination.prefix, request.distributionId, hour].join(
        '\0',
      );
      const lines = pending.get(group) ?? [];
      lines.push(formatLogLine(logRecord(request)));
      pending.set(group, lines);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
