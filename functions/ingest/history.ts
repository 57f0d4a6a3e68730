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
 * One key's own listing: its versions and delete markers page by page (Prefix = the key; the
 * key's own entries come first, so reading stops at the first other key) and places the named
 * version among them. Delete markers are ordered by LastModified only (S3 lists them apart from
 * versions); one in the same second as the version counts as older.
 */
async function keyHistory(
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
  return placed(versions, markers, named);
}

/** The named version placed among one key's versions and delete markers (newest first). */
function placed(
  versions: readonly ObjectVersion[],
  markers: readonly DeleteMarkerEntry[],
  named: NamedVersion,
): VersionHistory {
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

// ── Several keys, one listing ─────────────────────────────────────────────────────────────
//
// The records of a batch ask at the same moment (ingest runs them side by side), often for keys
// of one folder. Their questions are gathered for one turn of the event loop and answered, per
// bucket, by ONE ListObjectVersions over the keys' common prefix (a page of up to
// SHARED_PAGE_SIZE entries, in key order): a key whose entries the page holds entirely (the page
// is the last one, or it went on past the key) is placed exactly as its own listing would place
// it. Keys the page did not reach, or cut, or whose version it does not show, are read alone as
// before — so a batch costs at most
// one call more than before, and on the emulator (which copies every version of the bucket on
// each call) ten records of a folder cost one listing instead of ten.

/** Entries (versions and delete markers) in the shared page: ListObjectVersions' maximum. */
export const SHARED_PAGE_SIZE = 1000;

interface Question {
  readonly key: string;
  readonly named: NamedVersion;
  readonly resolve: (history: VersionHistory) => void;
  readonly reject: (error: unknown) => void;
}

/** S3 lists keys in UTF-8 byte order (not JavaScript's UTF-16 order). */
const s3Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function commonPrefix(keys: readonly string[]): string {
  let prefix = keys[0] ?? '';
  for (const key of keys) {
    let i = 0;
    while (i < prefix.length && i < key.length && prefix[i] === key[i]) i += 1;
    prefix = prefix.slice(0, i);
  }
  // Never split a surrogate pair: the prefix is sent as UTF-8.
  const last = prefix.charCodeAt(prefix.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? prefix.slice(0, -1) : prefix;
}

/** Answers several keys' questions from one listing; the keys it cannot answer, alone. */
async function answerTogether(
  s3: S3Client,
  bucket: string,
  questions: readonly Question[],
): Promise<void> {
  const alone = (q: Question) => keyHistory(s3, bucket, q.key, q.named).then(q.resolve, q.reject);
  const keys = [...new Set(questions.map((q) => q.key))];
  if (keys.length < 2) {
    await Promise.all(questions.map(alone));
    return;
  }
  let page: ListObjectVersionsCommandOutput;
  try {
    page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: commonPrefix(keys),
        MaxKeys: SHARED_PAGE_SIZE,
      }),
    );
  } catch {
    // Each key alone, as before: its own error (or answer) is its own.
    await Promise.all(questions.map(alone));
    return;
  }
  const versions = new Map<string, ObjectVersion[]>();
  const markers = new Map<string, DeleteMarkerEntry[]>();
  let lastKey: string | undefined;
  const seen = (k: string | undefined) => {
    if (k !== undefined && (lastKey === undefined || s3Order(k, lastKey) > 0)) lastKey = k;
  };
  for (const v of page.Versions ?? []) {
    seen(v.Key);
    if (v.Key !== undefined) versions.set(v.Key, [...(versions.get(v.Key) ?? []), v]);
  }
  for (const m of page.DeleteMarkers ?? []) {
    seen(m.Key);
    if (m.Key !== undefined) markers.set(m.Key, [...(markers.get(m.Key) ?? []), m]);
  }
  // Complete for a key when nothing follows the page, or the page went on past the key.
  const complete = (key: string) =>
    !page.IsTruncated || (lastKey !== undefined && s3Order(lastKey, key) > 0);
  // A version the page does not show (the object is gone, or S3 answered oddly) is asked about
  // alone: rare, and "gone" is then the key's own listing's word.
  await Promise.all(
    questions.map((q) => {
      const history = complete(q.key)
        ? placed(versions.get(q.key) ?? [], markers.get(q.key) ?? [], q.named)
        : undefined;
      return history?.found ? q.resolve(history) : alone(q);
    }),
  );
}

/** Per client and bucket, the questions waiting for this turn's shared listing. */
const waiting = new Map<S3Client, Map<string, Question[]>>();

/**
 * Reads the key's versions and delete markers and places the named version among them (see
 * keyHistory). Questions asked in the same turn of the event loop, for the same bucket, share
 * one listing where it answers them (above); the answers are the same as each key's own.
 */
export function versionHistory(
  s3: S3Client,
  bucket: string,
  key: string,
  named: NamedVersion,
): Promise<VersionHistory> {
  return new Promise((resolve, reject) => {
    let buckets = waiting.get(s3);
    if (!buckets) {
      waiting.set(s3, (buckets = new Map()));
      setImmediate(() => {
        waiting.delete(s3);
        for (const [name, questions] of buckets!) void answerTogether(s3, name, questions);
      });
    }
    const questions = buckets.get(bucket) ?? [];
    buckets.set(bucket, questions);
    questions.push({ key, named, resolve, reject });
  });
}
