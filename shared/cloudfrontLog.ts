/**
 * CloudFront standard log files (legacy, and standard logging v2's W3C output to S3): the field
 * order, one line's formatting, and a streaming parser (gzip or plain) that a `logs` function and
 * the local edge share. Field names and order: CloudFront DG, "Standard logging reference" § "Log
 * file fields" (33 fields, tab-separated, `-` for an empty value, `#Version: 1.0` and `#Fields:`
 * headers); v2 adds optional fields (origin-fbl, origin-lbl, asn, c-country,
 * cache-behavior-path-pattern, …) and lets the fields be chosen, so the parser reads the
 * `#Fields:` line rather than assuming the order.
 *
 * Bad input: a file with another `#Version`, no `#Fields:` line, unknown field names, or without
 * the fields a count needs is refused with a {@link CloudFrontLogError} naming what is wrong; a
 * truncated or corrupt gzip likewise. A single line with the wrong number of fields is reported
 * (line number, counts) and skipped: the rest of the file proceeds.
 */
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { InvalidInputError } from './errors.js';

/** The 33 fields of a standard log line, in the documented order. */
export const STANDARD_LOG_FIELDS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

export type StandardLogField = (typeof STANDARD_LOG_FIELDS)[number];

/** Fields standard logging v2 may add (selected per delivery). */
export const V2_EXTRA_FIELDS = [
  'timestamp',
  'timestamp(ms)',
  'DistributionId',
  'DistributionTenantId',
  'connection-id',
  'origin-fbl',
  'origin-lbl',
  'asn',
  'c-country',
  'cache-behavior-path-pattern',
] as const;

const KNOWN_FIELDS: ReadonlySet<string> = new Set([...STANDARD_LOG_FIELDS, ...V2_EXTRA_FIELDS]);
/** What a request count needs from every line. */
export const REQUIRED_FIELDS = ['cs-uri-stem', 'sc-status', 'x-edge-result-type'] as const;

export const LOG_VERSION = '1.0';

/** A log file that cannot be read as a CloudFront log; `field` names what is wrong. */
export class CloudFrontLogError extends InvalidInputError {}

/** One request, by field name; a `-` in the file is absent here. */
export type LogRecord = Readonly<Partial<Record<string, string>>>;

/** Where a line was skipped and why. */
export interface LogLineProblem {
  /** 1-based line number in the (inflated) file. */
  readonly line: number;
  /** `lines[<line>]`, in the style errors name their field. */
  readonly field: string;
  readonly message: string;
}

/** The two header lines of a file with these fields. */
export function logFileHeader(fields: readonly string[] = STANDARD_LOG_FIELDS): string {
  return `#Version: ${LOG_VERSION}\n#Fields: ${fields.join(' ')}\n`;
}

/**
 * URL-encodes what CloudFront encodes in free-text fields (user agent, referer, cookie): space,
 * control characters, non-ASCII (as UTF-8), `"`, `\`, and `%` itself, so the value decodes back.
 */
export function encodeLogValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code <= 0x20 || code >= 0x7f || ch === '"' || ch === '\\' || ch === '%') {
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else out += ch;
  }
  return out;
}

/**
 * Encodes what must not stand raw in an already percent-encoded field (URI stem, query): space,
 * tab, control and non-ASCII characters; an existing `%XX` stays as the viewer sent it.
 */
export function encodeLogUri(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code <= 0x20 || code >= 0x7f) {
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else out += ch;
  }
  return out;
}

/** One tab-separated line (no newline) in `fields` order; missing or empty values are `-`. */
export function formatLogLine(
  record: LogRecord,
  fields: readonly string[] = STANDARD_LOG_FIELDS,
): string {
  return fields
    .map((f) => {
      const v = record[f];
      return v === undefined || v === '' ? '-' : v.replace(/[\t\r\n]/g, ' ');
    })
    .join('\t');
}

function checkFields(fields: string[]): void {
  const unknown = fields.filter((f) => !KNOWN_FIELDS.has(f));
  if (unknown.length)
    throw new CloudFrontLogError('#Fields', `names unknown field(s): ${unknown.join(', ')}`);
  const missing = REQUIRED_FIELDS.filter((f) => !fields.includes(f));
  if (missing.length)
    throw new CloudFrontLogError(
      '#Fields',
      `lacks the field(s) a count needs: ${missing.join(', ')}`,
    );
}

/**
 * Bytes or a stream, read line by line with `node:readline` (never the whole file in memory);
 * gzip is recognised by its magic number and inflated with `node:zlib` as it streams. A corrupt
 * or truncated gzip stream is a {@link CloudFrontLogError} on `file`.
 */
async function* lines(input: Readable | Uint8Array | string): AsyncGenerator<string> {
  const source: AsyncIterable<Buffer | string> =
    typeof input === 'string' || input instanceof Uint8Array
      ? Readable.from([Buffer.from(input)])
      : input;
  const iterator = source[Symbol.asyncIterator]();
  // Peek at the first two bytes (gzip's magic number) without losing them.
  const head: Buffer[] = [];
  let seen = 0;
  while (seen < 2) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value);
    head.push(chunk);
    seen += chunk.length;
  }
  const first = Buffer.concat(head);
  const bytes = Readable.from(
    (async function* () {
      if (first.length) yield first;
      for (let next = await iterator.next(); !next.done; next = await iterator.next())
        yield Buffer.from(next.value);
    })(),
  );
  const gzip = first[0] === 0x1f && first[1] === 0x8b;
  let text: Readable = bytes;
  if (gzip) {
    const gunzip = createGunzip();
    bytes.on('error', (e) => gunzip.destroy(e));
    text = bytes.pipe(gunzip);
  }
  const reader = createInterface({ input: text, crlfDelay: Infinity });
  try {
    // readline's iterator rethrows its input's error (a bad gzip stream) here.
    for await (const line of reader) yield line;
  } catch (error) {
    if (!gzip) throw error;
    throw new CloudFrontLogError(
      'file',
      `is not a complete gzip stream (${(error as Error).message})`,
      { cause: error },
    );
  } finally {
    reader.close();
  }
}

/**
 * Streams a log file's records. `onProblem` hears of every skipped line (default: none kept).
 * Throws {@link CloudFrontLogError} for a file that is not a CloudFront log (see the module).
 */
export async function* parseCloudFrontLog(
  input: Readable | Uint8Array | string,
  onProblem: (problem: LogLineProblem) => void = () => undefined,
): AsyncGenerator<LogRecord> {
  for await (const { record } of parseCloudFrontLogLines(input, onProblem)) yield record;
}

/** {@link parseCloudFrontLog} with each record's 1-based line number (for a precise report). */
export async function* parseCloudFrontLogLines(
  input: Readable | Uint8Array | string,
  onProblem: (problem: LogLineProblem) => void = () => undefined,
): AsyncGenerator<{ readonly line: number; readonly record: LogRecord }> {
  let fields: string[] | undefined;
  let number = 0;
  for await (const raw of lines(input)) {
    number += 1;
    const line = raw.replace(/\r$/, '');
    if (line === '') continue;
    if (line.startsWith('#')) {
      const version = /^#Version:\s*(.*)$/.exec(line);
      if (version) {
        if (version[1]!.trim() !== LOG_VERSION)
          throw new CloudFrontLogError(
            '#Version',
            `is "${version[1]!.trim()}"; only ${LOG_VERSION} is known`,
          );
        continue;
      }
      const named = /^#Fields:\s*(.*)$/.exec(line);
      if (named) {
        fields = named[1]!.trim().split(/\s+/);
        checkFields(fields);
      }
      continue;
    }
    if (!fields)
      throw new CloudFrontLogError('#Fields', `line ${number} comes before any #Fields: header`);
    const values = line.split('\t');
    if (values.length !== fields.length) {
      onProblem({
        line: number,
        field: `lines[${number}]`,
        message: `has ${values.length} fields; the #Fields header names ${fields.length}`,
      });
      continue;
    }
    const record: Record<string, string> = {};
    fields.forEach((f, i) => {
      if (values[i] !== '-') record[f] = values[i]!;
    });
    yield { line: number, record };
  }
  if (!fields && number > 0)
    throw new CloudFrontLogError('#Fields', 'is missing: no header names the fields');
}

/** Decodes a URL-encoded log value (`Mozilla/5.0%20(X11)` → `Mozilla/5.0 (X11)`); bad escapes stay. */
export function decodeLogValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The result types that count as served from cache (`Hit`, `RefreshHit`). */
export function isCacheHit(record: LogRecord): boolean {
  const r = record['x-edge-result-type'];
  return r === 'Hit' || r === 'RefreshHit';
}
