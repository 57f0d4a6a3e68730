/**
 * Ingest core: one SQS message (an S3 event notification) in, one outcome per S3 record out.
 * Classifies each object, merges its CDN tags, and decides whether its edges need refreshing.
 * Writes tags only — never an object — so it cannot trigger itself.
 */
import {
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { classify } from '../../shared/contentClasses.js';
import type { IngestConfig } from './config.js';
import { InvalidInputError } from '../../shared/errors.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { decodeEventKey, keyWarnings, viewerPathForKey } from '../../shared/keys.js';
import { cdnTags, mergeTags } from './tags.js';
import type { IngestOutcome } from './types.js';

export interface IngestCoreDeps {
  readonly s3: S3Client;
  readonly config: IngestConfig;
  /** Queues one invalidation request; resolves once SQS has accepted it. */
  readonly requestInvalidation: (request: InvalidationRequest) => Promise<void>;
  /** Whether the bucket keeps versions (cached by the caller). */
  readonly isVersioned: (bucket: string) => Promise<boolean>;
}

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

/** True when the key has more than one version or delete marker: this upload replaced something. */
async function hasEarlierVersion(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  const out = await s3.send(
    new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: 2 }),
  );
  const same = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].filter((v) => v.Key === key);
  return same.length >= 2;
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

type Decision = { invalidation: 'requested' | 'not-needed'; reason: string };

async function decide(
  deps: IngestCoreDeps,
  bucket: string,
  key: string,
  gone: boolean,
): Promise<Decision> {
  switch (deps.config.invalidateOn) {
    case 'none':
      return { invalidation: 'not-needed', reason: 'policy-none' };
    case 'all':
      return { invalidation: 'requested', reason: 'policy-all' };
    case 'overwrites':
      if (gone) return { invalidation: 'requested', reason: 'object-gone' };
      if (!(await deps.isVersioned(bucket)))
        return { invalidation: 'requested', reason: 'unversioned-bucket' };
      return (await hasEarlierVersion(deps.s3, bucket, key))
        ? { invalidation: 'requested', reason: 'overwrite' }
        : { invalidation: 'not-needed', reason: 'new-object' };
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
  const decision = await decide(deps, bucket, record.key, tagged.gone);
  if (decision.invalidation === 'requested') {
    await deps.requestInvalidation({
      v: 1,
      bucket,
      key: record.key,
      versionId: record.s3.object.versionId || undefined,
      etag: record.s3.object.eTag || undefined,
      eventTime: record.eventTime || undefined,
      sequencer: record.s3.object.sequencer || undefined,
      reason: decision.reason,
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

/** Caches GetBucketVersioning per bucket for the life of the function instance. */
export function versioningLookup(s3: S3Client, onUnversioned?: (bucket: string) => void) {
  const cache = new Map<string, Promise<boolean>>();
  return (bucket: string): Promise<boolean> => {
    let hit = cache.get(bucket);
    if (!hit) {
      hit = s3.send(new GetBucketVersioningCommand({ Bucket: bucket })).then((out) => {
        const enabled = out.Status === 'Enabled';
        if (!enabled) onUnversioned?.(bucket);
        return enabled;
      });
      hit.catch(() => cache.delete(bucket));
      cache.set(bucket, hit);
    }
    return hit;
  };
}
