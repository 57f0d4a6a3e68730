/**
 * What S3 still knows about a key's past, seen from the version an event names: the question
 * "did this upload replace something?" is "does a version or delete marker OLDER than this one
 * exist?", not "are there two versions?" (a new upload's late event, handled once the key was
 * overwritten, sees two versions too).
 */
import {
  ListObjectVersionsCommand,
  type DeleteMarkerEntry,
  type ListObjectVersionsCommandOutput,
  type ObjectVersion,
  type S3Client,
} from '@aws-sdk/client-s3';

/** What an event says about the version it announces. */
export interface NamedVersion {
  readonly versionId?: string;
  readonly eTag?: string;
  readonly eventTime?: string;
}

export type VersionHistory =
  | { readonly found: false }
  | {
      readonly found: true;
      /** How the event's version was found: by its id, or (no id in the event) by ETag and time. */
      readonly matchedBy: 'version-id' | 'etag' | 'latest';
      readonly lastModified?: Date;
      readonly olderVersions: number;
      readonly olderDeleteMarkers: number;
    };

/** ListObjectVersions page size: a key rarely has more; a longer history takes more pages. */
export const HISTORY_PAGE_SIZE = 100;
/** S3 time stamps have whole seconds; an event's time is the request's, a little later. */
const CLOCK_SLACK_MS = 1_000;

const unquote = (etag: string | undefined) => etag?.replace(/"/g, '');

/**
 * Where the named version sits in the key's versions (newest first), or -1. With a version id
 * (every event of a versioned bucket on AWS) the match is exact. Without one (the emulator's
 * events carry none) the newest version with the event's ETag is taken — among those, the newest
 * not later than the event — so an ambiguous match errs towards "something older exists":
 * a spare invalidation, never a missed one. No ETag either: the latest version.
 */
function locate(
  versions: readonly ObjectVersion[],
  named: NamedVersion,
): { at: number; by: 'version-id' | 'etag' | 'latest' } {
  if (named.versionId)
    return { at: versions.findIndex((v) => v.VersionId === named.versionId), by: 'version-id' };
  const etag = unquote(named.eTag);
  if (!etag) return { at: versions.length ? 0 : -1, by: 'latest' };
  const same = versions.flatMap((v, i) => (unquote(v.ETag) === etag ? [i] : []));
  const eventMs = named.eventTime ? Date.parse(named.eventTime) : NaN;
  const notLater = Number.isNaN(eventMs)
    ? []
    : same.filter((i) => (versions[i]!.LastModified?.getTime() ?? 0) <= eventMs + CLOCK_SLACK_MS);
  return { at: (notLater.length ? notLater : same)[0] ?? -1, by: 'etag' };
}

/**
 * ListObjectVersions page after page. The SDK has no paginator for it (its cursor is two
 * markers, NextKeyMarker and NextVersionIdMarker), so this is one.
 */
async function* versionPages(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<ListObjectVersionsCommandOutput> {
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: HISTORY_PAGE_SIZE,
        ...markers,
      }),
    );
    yield page;
    if (!page.IsTruncated) return;
    markers = {
      ...(page.NextKeyMarker ? { KeyMarker: page.NextKeyMarker } : {}),
      ...(page.NextVersionIdMarker ? { VersionIdMarker: page.NextVersionIdMarker } : {}),
    };
    if (!markers.KeyMarker) return; // truncated without a cursor: nothing more can be asked
  }
}

/**
 * Reads the key's versions and delete markers page by page (Prefix = the key; the
 * key's own entries come first, so reading stops at the first other key) and places the named
 * version among them. Delete markers are ordered by LastModified only (S3 lists them apart from
 * versions); one in the same second as the version counts as older.
 */
export async function versionHistory(
  s3: S3Client,
  bucket: string,
  key: string,
  named: NamedVersion,
): Promise<VersionHistory> {
  const versions: ObjectVersion[] = [];
  const markers: DeleteMarkerEntry[] = [];
  for await (const page of versionPages(s3, bucket, key)) {
    let past = false;
    for (const v of page.Versions ?? []) {
      if (v.Key === key) versions.push(v);
      else past = true;
    }
    for (const m of page.DeleteMarkers ?? []) {
      if (m.Key === key) markers.push(m);
      else past = true;
    }
    if (past) break;
    // An exact match with an older version already listed answers the question.
    if (named.versionId) {
      const at = versions.findIndex((v) => v.VersionId === named.versionId);
      if (at >= 0 && at < versions.length - 1) break;
    }
  }
  const { at, by } = locate(versions, named);
  if (at < 0) return { found: false };
  const lastModified = versions[at]!.LastModified;
  const olderDeleteMarkers = markers.filter(
    (m) => !lastModified || !m.LastModified || m.LastModified.getTime() <= lastModified.getTime(),
  ).length;
  return {
    found: true,
    matchedBy: by,
    ...(lastModified ? { lastModified } : {}),
    olderVersions: versions.length - 1 - at,
    olderDeleteMarkers,
  };
}
