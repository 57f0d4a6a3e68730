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
import { classify } from '../../shared/contentClasses.js';
import type { IngestConfig } from './config.js';
import type { InvalidationRequest } from '../../shared/invalidation/request.js';
import { keyWarnings, viewerPathForKey } from '../../shared/keys.js';
import { versionHistory, type NamedVersion } from './history.js';
import { cdnTags, mergeTags } from './tags.js';
import { objectCacheTags, readsCacheTags } from './cacheTags.js';
import type { IngestOutcome } from './types.js';
import type { VersioningLookup } from './versioning.js';
import type { KeyLedger, LedgerVerdict } from './keyLedger.js';
import { parseS3Record, unservedBucketError, type S3Record } from './parseEvent.js';

export { parseS3Message, parseS3Record } from './parseEvent.js';

export interface IngestCoreDeps {
  readonly s3: S3Client;
  readonly config: IngestConfig;
  /** Queues one invalidation request; resolves once SQS has accepted it. */
  readonly requestInvalidation: (request: InvalidationRequest) => Promise<void>;
  /** Whether the bucket keeps versions (cached by the caller, for a bounded time). */
  readonly isVersioned: VersioningLookup;
  /** The clock (ms since the epoch). */
  readonly now: () => number;
  /** KEY_LEDGER_TABLE set: exact overwrite detection on unversioned buckets (`keyLedger.ts`). */
  readonly keyLedger?: KeyLedger;
}

/**
 * S3 lifecycle expires a noncurrent version at the earliest a day after it became noncurrent,
 * that is a day after the upload that replaced it: until then the version an upload replaced is
 * still listed, unless someone deleted it by version id.
 */
export const LIFECYCLE_MIN_AGE_MS = 24 * 3600 * 1000;

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
  deps: Omit<IngestCoreDeps, 'requestInvalidation'>,
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
  return newKeyDecision(deps.config);
}

/** A key uploaded for the first time: INVALIDATE_NEW_KEYS decides. */
function newKeyDecision(config: IngestConfig): Decision {
  switch (config.invalidateNewKeys) {
    case 'never':
      return { invalidation: 'not-needed', reason: 'new-object' };
    case 'when-error-cached':
      return { invalidation: 'conditional', reason: 'new-object' };
    case 'always':
      return { invalidation: 'requested', reason: 'new-object' };
  }
}

async function decide(
  deps: Omit<IngestCoreDeps, 'requestInvalidation'>,
  record: S3Record & { key: string },
  gone: boolean,
): Promise<Decision> {
  const bucket = record.s3.bucket.name;
  switch (deps.config.invalidateOn) {
    case 'none':
      return { invalidation: 'not-needed', reason: 'policy-none' };
    case 'all':
      return { invalidation: 'requested', reason: 'policy-all' };
    case 'overwrites': {
      if (gone) return { invalidation: 'requested', reason: 'object-gone' };
      // With a ledger, every upload is recorded, versioned bucket or not, so a bucket whose
      // versioning is suspended later is still exact from its first unversioned upload on.
      const observed = deps.keyLedger?.observe({
        bucket,
        key: record.key,
        ...(record.s3.object.eTag ? { eTag: record.s3.object.eTag } : {}),
        ...(record.s3.object.sequencer ? { sequencer: record.s3.object.sequencer } : {}),
      });
      observed?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
      if (!(await deps.isVersioned(bucket))) {
        if (!observed) return { invalidation: 'requested', reason: 'unversioned-bucket' };
        return ledgerDecision(deps.config, (await observed).verdict);
      }
      const [decision] = await Promise.all([
        overwriteDecision(deps, bucket, record.key, {
          ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
          ...(record.s3.object.eTag ? { eTag: record.s3.object.eTag } : {}),
          ...(record.eventTime ? { eventTime: record.eventTime } : {}),
        }),
        observed,
      ]);
      return decision;
    }
  }
}

/** An unversioned bucket with a key ledger: its verdict decides. */
function ledgerDecision(config: IngestConfig, verdict: LedgerVerdict): Decision {
  switch (verdict) {
    case 'overwrite':
      return { invalidation: 'requested', reason: 'overwrite' };
    // The ledger does not know every key yet (not seeded): the upload may replace one.
    case 'unknown':
      return { invalidation: 'requested', reason: 'unversioned-bucket' };
    case 'new':
      return newKeyDecision(config);
  }
}

/** What one S3 record needs: its outcome, and the invalidation request to queue first, if any. */
export interface PreparedRecord {
  readonly outcome: IngestOutcome & { readonly status: 'processed' };
  readonly request?: InvalidationRequest;
}

/**
 * Does the S3 work of one parsed record: tags the object and, at the same time, decides whether
 * its edges need refreshing (the decision reads the key's history, which tagging does not
 * change). Queues nothing: the caller sends `request` and reports `outcome` once it is accepted.
 * Throws on anything that must be retried.
 */
export async function prepareRecord(
  deps: Omit<IngestCoreDeps, 'requestInvalidation'>,
  messageId: string,
  record: S3Record & { key: string; bucketField?: string },
  index = 0,
): Promise<PreparedRecord> {
  const bucket = record.s3.bucket.name;
  const classification = classify(record.key, deps.config.contentClasses);
  const [tagging, deciding] = await Promise.allSettled([
    writeTags(deps.s3, record, classification),
    decide(deps, record, false),
  ]);
  if (tagging.status === 'rejected')
    throw unservedBucketError(tagging.reason, index, bucket, record.bucketField) ?? tagging.reason;
  const tagged = tagging.value;
  // An object gone before it could be tagged is refreshed whatever its history said.
  let decision: Decision;
  if (tagged.gone && deps.config.invalidateOn === 'overwrites')
    decision = { invalidation: 'requested', reason: 'object-gone' };
  else if (deciding.status === 'rejected') throw deciding.reason;
  else decision = deciding.value;
  // Cache tags only where a distribution reads them, and only for a request: no call otherwise.
  const cacheTags =
    decision.invalidation !== 'not-needed' && readsCacheTags(deps.config.cacheTagBuckets, bucket)
      ? await objectCacheTags(deps.s3, bucket, record.key, record.s3.object.versionId)
      : undefined;
  const request: InvalidationRequest | undefined =
    decision.invalidation === 'not-needed'
      ? undefined
      : {
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
          ...(cacheTags?.tags.length ? { cacheTags: cacheTags.tags } : {}),
          ...(cacheTags && Object.keys(cacheTags.members).length
            ? { cacheTagMembers: cacheTags.members }
            : {}),
        };
  return {
    outcome: {
      status: 'processed',
      messageId,
      bucket,
      key: record.key,
      eventName: record.eventName,
      classification,
      tags: tagged.tags,
      invalidation: decision.invalidation,
      reason: decision.reason,
      warnings: [...keyWarnings(record.key), ...tagged.warnings, ...(cacheTags?.warnings ?? [])],
    },
    ...(request ? { request } : {}),
  };
}

/** Processes one S3 record, queueing its request itself. Throws on anything that must be retried or is invalid. */
export async function ingestRecord(
  deps: IngestCoreDeps,
  messageId: string,
  raw: unknown,
  index: number,
): Promise<IngestOutcome> {
  const prepared = await prepareRecord(deps, messageId, parseS3Record(raw, index), index);
  if (prepared.request) await deps.requestInvalidation(prepared.request);
  return prepared.outcome;
}
