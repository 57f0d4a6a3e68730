/**
 * The logs core: one delivered log object → the EMF of its per-class counts, or a clear reason it
 * gives none. Plain: clients and lookups come in `deps`.
 *
 * - read: GetObject, streamed into the counter (gzip inflated as it streams; never whole).
 * - bad file (not a CloudFront log, corrupt or truncated gzip, unknown version or fields, no
 *   distribution): `rejected`, with the field and why — nothing of it counted, not retried (the
 *   object will not change).
 * - a distribution this stack does not manage (deleted, untagged, another stage): its requests
 *   are left out, `unmanaged` says which and why; other distributions of the file still count.
 * - the object is gone (deleted before it was read), or the version its event announced is (the
 *   file was rewritten: the rewrite's own event counts the new bytes): `missing`. The read asks
 *   for that version (VersionId, else If-Match on the ETag), so one version never counts twice.
 * - anything else (S3 or CloudFront failing, throttled) throws: the message is retried, then
 *   lands in the DLQ, and nothing was published for it.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CloudFrontLogError, type LogLineProblem } from '../../shared/cloudfrontLog.js';
import type { ContentClassRule } from '../../shared/contentClasses.js';
import { countLogFile, type ClassTally } from './countLog.js';
import { classMetricsEmf, type EmfObject } from './emf.js';
import type { ManagedLookup } from './managed.js';
import type { LogObject } from './parseEvent.js';

export interface LogsCoreDeps {
  readonly s3: S3Client;
  readonly isManaged: ManagedLookup;
  readonly rules: readonly ContentClassRule[];
  /** The clock, epoch ms. */
  readonly now: () => number;
}

export type LogOutcome =
  | {
      readonly status: 'counted';
      readonly object: LogObject;
      readonly emf: EmfObject[];
      readonly requests: number;
      readonly byDistribution: Record<string, number>;
      readonly unmanaged: Array<{ distributionId: string; reason: string; requests: number }>;
      readonly skippedLines: number;
      readonly problems: LogLineProblem[];
      /** Tallies CloudWatch would not take (older than 14 days, or ahead): not published. */
      readonly refused: number;
    }
  | {
      readonly status: 'rejected';
      readonly object: LogObject;
      readonly field: string;
      readonly error: string;
    }
  | { readonly status: 'missing'; readonly object: LogObject };

const requestsOf = (tallies: readonly ClassTally[]) =>
  tallies.reduce((n, t) => n + t.counts.Requests, 0);

export async function processLogObject(deps: LogsCoreDeps, object: LogObject): Promise<LogOutcome> {
  let body: Readable;
  try {
    const out = await deps.s3.send(
      new GetObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        ...(object.versionId
          ? { VersionId: object.versionId }
          : object.eTag
            ? { IfMatch: `"${object.eTag}"` }
            : {}),
      }),
    );
    body = out.Body as Readable;
  } catch (error) {
    const name = (error as { name?: string })?.name;
    if (
      name === 'NoSuchKey' ||
      name === 'NotFound' ||
      name === 'NoSuchVersion' ||
      name === 'PreconditionFailed'
    )
      return { status: 'missing', object };
    throw error;
  }
  let counted: Awaited<ReturnType<typeof countLogFile>>;
  try {
    counted = await countLogFile(body, {
      key: object.key,
      rules: deps.rules,
      fallbackTime: deps.now(),
    });
  } catch (error) {
    body.destroy?.();
    if (error instanceof CloudFrontLogError)
      return { status: 'rejected', object, field: error.field, error: error.message };
    throw error;
  }

  const kept: ClassTally[] = [];
  const unmanaged: Array<{ distributionId: string; reason: string; requests: number }> = [];
  const byDistribution: Record<string, number> = {};
  for (const id of counted.distributionIds) {
    const mine = counted.tallies.filter((t) => t.distributionId === id);
    const verdict = await deps.isManaged(id);
    if (verdict.managed) {
      kept.push(...mine);
      byDistribution[id] = requestsOf(mine);
    } else
      unmanaged.push({ distributionId: id, reason: verdict.reason, requests: requestsOf(mine) });
  }
  const { emf, refused } = classMetricsEmf(kept, deps.now());
  return {
    status: 'counted',
    object,
    emf,
    requests: requestsOf(kept) - requestsOf(refused),
    byDistribution,
    unmanaged,
    skippedLines: counted.skippedLines,
    problems: counted.problems,
    refused: refused.length,
  };
}
