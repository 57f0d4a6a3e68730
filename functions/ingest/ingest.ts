/**
 * Ingest core: one SQS message (an S3 event notification) in, one outcome per S3 record out.
 * Classifies each object, merges its CDN tags, and decides whether its edges need refreshing.
 * Writes tags only — never an object — so it cannot trigger itself.
 */
import {
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { classify } from '../../shared/contentClasses.js';
import type { IngestConfig } from './config.js';
import { InvalidInputError } from '../../shared/errors.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { decodeEventKey, keyWarnings, viewerPathForKey } from '../../shared/keys.js';
import { versionHistory, type NamedVersion } from './history.js';
import { cdnTags, mergeTags } from './tags.js';
import type { IngestOutcome } from './types.js';
import type { VersioningLookup } from './versioning.js';

export interface IngestCoreDeps {
  readonly s3: S3Client;
  readonly config: IngestConfig;
  /** Queues one invalidation request; resolves once SQS has accepted it. */
  readonly requestInvalidation: (request: InvalidationRequest) => Promise<void>;
  /** Whether the bucket keeps versions (cached by the caller, for a bounded time). */
  readonly isVersioned: VersioningLookup;
  /** The clock (ms since the epoch). */
  readonly now: () => number;
}

/**
 * S3 lifecycle expires a noncurrent version at the earliest a day after it became noncurrent,
 * that is a day after the upload that replaced it: until then the version an upload replaced is
 * still listed, unless someone deleted it by version id.
 */
export const LIFECYCLE_MIN_AGE_MS = 24 * 3600 * 1000;

const recordSchema = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string().startsWith('ObjectCreated:', 'is not an ObjectCreated event'),
  eventTime: z.string().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(3) }),
    object: z.object({
      key: z.string().min(1),
      versionId: z.string().optional(),
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});
type S3Record = z.output<typeof recordSchema>;

function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** Parses an SQS body into S3 records; `[]` for S3's test event. Throws InvalidInputError naming the field. */
export function parseS3Message(body: string): { records: unknown[]; testEvent: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidInputError('body', 'is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null)
    throw new InvalidInputError('body', 'is not a JSON object');
  const obj = parsed as Record<string, unknown>;
  if (obj.Event === 's3:TestEvent') return { records: [], testEvent: true };
  if (!Array.isArray(obj.Records))
    throw new InvalidInputError('Records', 'is missing or not an array');
  return { records: obj.Records, testEvent: false };
}

export function parseS3Record(raw: unknown, index: number): S3Record & { key: string } {
  const result = recordSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const got = issue.path.reduce<unknown>(
      (v, p) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined),
      raw,
    );
    const detail = typeof got === 'string' ? ` (got "${got.slice(0, 80)}")` : '';
    throw new InvalidInputError(
      `Records[${index}].${fieldOf(issue.path)}`,
      `${issue.message}${detail}`,
    );
  }
  const key = decodeEventKey(result.data.s3.object.key, `Records[${index}].s3.object.key`);
  return { ...result.data, key };
}

function isMissingObject(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound';
}

async function writeTags(
  s3: S3Client,
  record: S3Record & { key: string },
  classification: ReturnType<typeof classify>,
): Promise<{ tags: Record<string, string>; warnings: string[]; gone: boolean }> {
  const bucket = record.s3.bucket.name;
  const versionId = record.s3.object.versionId;
  const warnings: string[] = [];
  const ours = cdnTags(classification, viewerPathForKey(record.key)!);
  try {
    const current = await s3.send(
      new GetObjectTaggingCommand({ Bucket: bucket, Key: record.key, VersionId: versionId }),
    );
    const existing = (current.TagSet ?? []).map((t) => ({
      Key: t.Key ?? '',
      Value: t.Value ?? '',
    }));
    const merge = mergeTags(existing, ours);
    if (merge.dropped.length) {
      warnings.push(
        `object already has ${existing.length} tags; left out ${merge.dropped.join(', ')} (S3 allows 10)`,
      );
    }
    if (merge.changed) {
      await s3.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: record.key,
          VersionId: versionId,
          Tagging: { TagSet: merge.tagSet },
        }),
      );
    }
    return {
      tags: Object.fromEntries(merge.tagSet.map((t) => [t.Key, t.Value])),
      warnings,
      gone: false,
    };
  } catch (error) {
    if (!isMissingObject(error)) throw error;
    warnings.push('object was deleted or replaced before it could be tagged');
    return { tags: {}, warnings, gone: true };
  }
}

type Decision = {
  invalidation: 'requested' | 'conditional' | 'not-needed';
  reason: string;
};

/** INVALIDATE_ON=overwrites on a versioned bucket: did this upload replace something? */
async function overwriteDecision(
  deps: IngestCoreDeps,
  bucket: string,
  key: string,
  named: NamedVersion,
): Promise<Decision> {
  const history = await versionHistory(deps.s3, bucket, key, named);
  if (!history.found) return { invalidation: 'requested', reason: 'object-gone' };
  if (history.olderVersions > 0) return { invalidation: 'requested', reason: 'overwrite' };
  if (history.olderDeleteMarkers > 0) return { invalidation: 'requested', reason: 'recreated' };
  const age = history.lastModified ? deps.now() - history.lastModified.getTime() : 0;
  if (age >= LIFECYCLE_MIN_AGE_MS) return { invalidation: 'requested', reason: 'history-unknown' };
  switch (deps.config.invalidateNewKeys) {
    case 'never':
      return { invalidation: 'not-needed', reason: 'new-object' };
    case 'when-error-cached':
      return { invalidation: 'conditional', reason: 'new-object' };
    case 'always':
      return { invalidation: 'requested', reason: 'new-object' };
  }
}

async function decide(
  deps: IngestCoreDeps,
  record: S3Record & { key: string },
  gone: boolean,
): Promise<Decision> {
  const bucket = record.s3.bucket.name;
  switch (deps.config.invalidateOn) {
    case 'none':
      return { invalidation: 'not-needed', reason: 'policy-none' };
    case 'all':
      return { invalidation: 'requested', reason: 'policy-all' };
    case 'overwrites':
      if (gone) return { invalidation: 'requested', reason: 'object-gone' };
      if (!(await deps.isVersioned(bucket)))
        return { invalidation: 'requested', reason: 'unversioned-bucket' };
      return overwriteDecision(deps, bucket, record.key, {
        ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
        ...(record.s3.object.eTag ? { eTag: record.s3.object.eTag } : {}),
        ...(record.eventTime ? { eventTime: record.eventTime } : {}),
      });
  }
}

/** Processes one S3 record. Throws on anything that must be retried or is invalid. */
export async function ingestRecord(
  deps: IngestCoreDeps,
  messageId: string,
  raw: unknown,
  index: number,
): Promise<IngestOutcome> {
  const record = parseS3Record(raw, index);
  const bucket = record.s3.bucket.name;
  const classification = classify(record.key, deps.config.contentClasses);
  const tagged = await writeTags(deps.s3, record, classification);
  const decision = await decide(deps, record, tagged.gone);
  if (decision.invalidation !== 'not-needed') {
    await deps.requestInvalidation({
      v: 1,
      bucket,
      key: record.key,
      versionId: record.s3.object.versionId || undefined,
      etag: record.s3.object.eTag || undefined,
      eventTime: record.eventTime || undefined,
      sequencer: record.s3.object.sequencer || undefined,
      reason: decision.reason,
      ...(decision.invalidation === 'conditional'
        ? { ifErrorCachedOver: deps.config.newKeyErrorTtlSeconds }
        : {}),
    });
  }
  return {
    status: 'processed',
    messageId,
    bucket,
    key: record.key,
    eventName: record.eventName,
    classification,
    tags: tagged.tags,
    invalidation: decision.invalidation,
    reason: decision.reason,
    warnings: [...keyWarnings(record.key), ...tagged.warnings],
  };
}
