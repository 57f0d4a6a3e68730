/**
 * One CloudFront log file → request counts per (distribution, content class, minute): the core of
 * the `logs` function, streaming (the parser reads line by line, gzip inflated as it goes).
 *
 * Which distribution: the line's `DistributionId` field when the delivery selected it (the
 * provisioning task does), else the object key's file name, `<id>.YYYY-MM-DD-HH.<unique>.gz`,
 * as CloudFront names its files. Which minute: `timestamp(ms)`, `timestamp` or `date` + `time`
 * (UTC); a file with none of them is counted at `fallbackTime`. Which class: the path's
 * extension, by the same rules as ingest (`shared/contentClasses.ts`).
 *
 * Bad input: a file that is not a CloudFront log, or whose distribution cannot be told, throws
 * CloudFrontLogError naming what (nothing of it is counted: the caller publishes only a file read
 * to its end). A line that cannot be counted (wrong number of fields, a status or byte count
 * that is not a number, a time that is not one) is skipped and reported; it never becomes a
 * count.
 */
import type { Readable } from 'node:stream';
import { emptyCounts, type ClassCounts } from '../../shared/classMetrics.js';
import {
  CloudFrontLogError,
  decodeLogValue,
  isCacheHit,
  parseCloudFrontLogLines,
  type LogLineProblem,
  type LogRecord,
} from '../../shared/cloudfrontLog.js';
import { classify, type ContentClassRule } from '../../shared/contentClasses.js';

/** Counts of one (distribution, class) in one minute. */
export interface ClassTally {
  readonly distributionId: string;
  readonly contentClass: string;
  /** Start of the minute, epoch ms. */
  readonly minute: number;
  readonly counts: ClassCounts;
}

export interface LogFileCount {
  /** Sorted by distribution, class, minute. */
  readonly tallies: ClassTally[];
  /** Requests counted (lines read into a tally). */
  readonly requests: number;
  readonly distributionIds: string[];
  /** Lines skipped; the first {@link MAX_PROBLEMS_KEPT} are kept in `problems`. */
  readonly skippedLines: number;
  readonly problems: LogLineProblem[];
}

export const MAX_PROBLEMS_KEPT = 5;

const DISTRIBUTION_ID = /^[A-Z0-9]{1,64}$/;
/** `E1ABC.2026-12-02-01.abcd1234.gz` (also without `.gz`). */
const FILE_NAME = /^([A-Z0-9]{1,64})\.\d{4}-\d{2}-\d{2}-\d{2}\.[^./]+(\.gz)?$/;

/** The distribution a log object's name says, or undefined. */
export function distributionFromKey(key: string): string | undefined {
  return FILE_NAME.exec(key.slice(key.lastIndexOf('/') + 1))?.[1];
}

const INTEGER = /^\d+$/;

function lineTime(record: LogRecord): number | undefined | 'bad' {
  const ms = record['timestamp(ms)'];
  if (ms !== undefined) return INTEGER.test(ms) ? Number(ms) : 'bad';
  const seconds = record.timestamp;
  if (seconds !== undefined) {
    const t = Number(seconds);
    return /^\d+(\.\d+)?$/.test(seconds) && Number.isFinite(t) ? Math.round(t * 1000) : 'bad';
  }
  const { date, time } = record;
  if (date === undefined && time === undefined) return undefined;
  const t = Date.parse(`${date}T${time}Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(date ?? '') && Number.isFinite(t) ? t : 'bad';
}

export async function countLogFile(
  input: Readable | Uint8Array | string,
  options: {
    readonly key: string;
    readonly rules: readonly ContentClassRule[];
    /** Where a file without a time field is counted. */
    readonly fallbackTime: number;
  },
): Promise<LogFileCount> {
  const fromKey = distributionFromKey(options.key);
  const tallies = new Map<string, ClassTally>();
  const problems: LogLineProblem[] = [];
  let skippedLines = 0;
  let requests = 0;
  const skip = (problem: LogLineProblem) => {
    skippedLines += 1;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push(problem);
  };

  for await (const { line, record } of parseCloudFrontLogLines(input, skip)) {
    const at = `lines[${line}]`;
    const named = record.DistributionId;
    const distributionId = named ?? fromKey;
    if (!distributionId)
      throw new CloudFrontLogError(
        'DistributionId',
        'is not a field of this file and its name is not <distribution-id>.YYYY-MM-DD-HH.<unique>.gz: the distribution cannot be told',
      );
    if (!DISTRIBUTION_ID.test(distributionId)) {
      skip({
        line,
        field: `${at}.DistributionId`,
        message: `"${distributionId}" is no distribution id`,
      });
      continue;
    }
    const status = record['sc-status']!;
    if (!/^\d{3}$/.test(status)) {
      skip({ line, field: `${at}.sc-status`, message: `"${status}" is not an HTTP status` });
      continue;
    }
    const bytes = record['sc-bytes'] ?? '0';
    if (!INTEGER.test(bytes)) {
      skip({ line, field: `${at}.sc-bytes`, message: `"${bytes}" is not a byte count` });
      continue;
    }
    const time = lineTime(record);
    if (time === 'bad') {
      skip({ line, field: `${at}.time`, message: 'the request time is not a UTC date and time' });
      continue;
    }
    const minute = Math.floor((time ?? options.fallbackTime) / 60_000) * 60_000;
    const path = decodeLogValue(record['cs-uri-stem']) ?? '';
    const { contentClass } = classify(path, options.rules);
    const id = `${distributionId}\0${contentClass}\0${minute}`;
    let tally = tallies.get(id);
    if (!tally) {
      tally = { distributionId, contentClass, minute, counts: emptyCounts() };
      tallies.set(id, tally);
    }
    const c = tally.counts;
    const code = Number(status);
    c.Requests += 1;
    if (isCacheHit(record)) c.Hits += 1;
    else if (record['x-edge-result-type'] === 'Miss') c.Misses += 1;
    if (code >= 400 && code <= 599) c.Errors += 1;
    c.Bytes += Number(bytes);
    requests += 1;
  }

  const sorted = [...tallies.values()].sort(
    (a, b) =>
      a.distributionId.localeCompare(b.distributionId) ||
      a.contentClass.localeCompare(b.contentClass) ||
      a.minute - b.minute,
  );
  return {
    tallies: sorted,
    requests,
    distributionIds: [...new Set(sorted.map((t) => t.distributionId))],
    skippedLines,
    problems,
  };
}
