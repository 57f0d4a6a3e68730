/**
 * LOCAL ONLY. CloudFront's invalidation bookkeeping, which the emulator lacks (it marks every
 * invalidation `COMPLETED` at once, keeps no quota and no CallerReference idempotency): per
 * distribution, the invalidations with their paths, InProgress until a configurable time then
 * `Completed` (AWS's spelling); the in-flight quotas (3 000 file paths, 15 wildcard paths;
 * CloudFront DG "Concurrent invalidation request maximum"); CallerReference semantics (same
 * reference + same batch → the existing invalidation, other batch → InvalidationBatchAlreadyExists;
 * API Reference `InvalidationBatch`); and the refusals of /work/shared/cloudfront-facts.md §1
 * and §10 (leading `/`, `*` only last, 4 000 characters, raw `~`, tag item syntax, one batch
 * over 3 000 paths → BatchTooLarge).
 */
import { randomBytes } from 'node:crypto';
import type { InvalidationView } from './faultProxyXml.js';

/** CloudFront's quotas and limits (cloudfront-facts.md §1). */
export const CLOUDFRONT_INVALIDATION_LIMITS = {
  maxFilesInFlight: 3000,
  maxWildcardsInFlight: 15,
  maxPathsPerBatch: 3000,
  maxPathLength: 4000,
  maxTagLength: 256,
} as const;

/** CloudFront's messages, as its error bodies carry them. */
export const CLOUDFRONT_MESSAGES = {
  TooManyInvalidationsInProgress:
    'Processing your request will cause you to exceed the maximum number of in-progress invalidations.',
  InvalidArgument: 'Your request contains one or more invalid invalidation paths.',
  BatchTooLarge: 'Invalidation batch specified is too large.',
  InconsistentQuantities: "The value of Quantity and the size of Items don't match.",
  InvalidationBatchAlreadyExists:
    'The CallerReference you attempted to create the invalidation with is already in use by another invalidation batch.',
  NoSuchInvalidation: 'The specified invalidation does not exist.',
} as const;

/** A refusal, with CloudFront's status code (SDK schema: 400 / 413; 409 is our reading for the unmodelled AlreadyExists). */
export interface LedgerError {
  readonly status: number;
  readonly code: keyof typeof CLOUDFRONT_MESSAGES;
  readonly message: string;
}

export interface StoredInvalidation {
  readonly id: string;
  readonly distributionId: string;
  readonly callerReference: string;
  readonly paths: readonly string[];
  readonly createdAt: number;
  readonly files: number;
  readonly wildcards: number;
  readonly tags: number;
}

export interface InFlightCount {
  readonly files: number;
  readonly wildcards: number;
  readonly tags: number;
  readonly invalidations: number;
}

export interface LedgerOptions {
  /** How long an invalidation stays InProgress (default 20 s; AWS P95 under 25 s, 2026). */
  readonly completeAfterMs?: number;
  readonly maxFilesInFlight?: number;
  readonly maxWildcardsInFlight?: number;
  /**
   * Which pool a `#tag` item counts against. AWS says "the same concurrent invalidation limits"
   * without naming the pool; `files` by default (cloudfront-facts.md §10: count conservatively).
   */
  readonly tagPool?: 'files' | 'wildcards';
  readonly now?: () => number;
}

export type CreateOutcome =
  | { readonly ok: true; readonly invalidation: StoredInvalidation; readonly created: boolean }
  | { readonly ok: false; readonly error: LedgerError };

const err = (status: number, code: LedgerError['code'], detail?: string): CreateOutcome => ({
  ok: false,
  error: {
    status,
    code,
    message: detail ? `${CLOUDFRONT_MESSAGES[code]} ${detail}` : CLOUDFRONT_MESSAGES[code],
  },
});

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why CloudFront would refuse this item, or undefined when it takes it. */
export function refusedItem(item: string): string | undefined {
  if (item.startsWith('#')) {
    const tag = item.slice(1);
    if (!tag) return 'an empty tag';
    if (tag.length > CLOUDFRONT_INVALIDATION_LIMITS.maxTagLength)
      return 'a tag over 256 characters';
    if (!/^[\x21-\x7e]+$/.test(tag)) return 'a tag outside ASCII 33-126';
    if (tag.includes(',')) return 'a tag with a comma';
    if (tag.includes('*')) return 'a tag with a wildcard';
    return undefined;
  }
  if (!item.startsWith('/')) return 'a path not starting with /';
  if (item.length > CLOUDFRONT_INVALIDATION_LIMITS.maxPathLength)
    return 'a path over 4000 characters';
  if (item.indexOf('*') !== -1 && item.indexOf('*') !== item.length - 1)
    return 'a * that is not the last character';
  if (item.includes('~')) return 'a raw ~';
  if (CONTROL.test(item)) return 'a control character';
  return undefined;
}

export function classify(item: string): 'tag' | 'wildcard' | 'file' {
  if (item.startsWith('#')) return 'tag';
  return item.endsWith('*') ? 'wildcard' : 'file';
}

function newId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `I${[...randomBytes(13)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

function sameBatch(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

export interface InvalidationLedger {
  /** CreateInvalidation, judged as CloudFront would. */
  create(
    distributionId: string,
    batch: { callerReference: string; quantity: number; paths: readonly string[] },
  ): CreateOutcome;
  get(distributionId: string, id: string): StoredInvalidation | undefined;
  /** Newest first, as CloudFront lists them. */
  list(distributionId: string): readonly StoredInvalidation[];
  view(invalidation: StoredInvalidation): InvalidationView;
  inFlight(distributionId: string): InFlightCount;
  /** The most ever in flight at once, per pool, on this distribution. */
  maxInFlight(distributionId: string): InFlightCount;
  /** Every accepted invalidation, oldest first. */
  all(): readonly StoredInvalidation[];
  /** Marks every invalidation Completed now (a test's "time passes"). */
  completeAll(): void;
}

export function createInvalidationLedger(options: LedgerOptions = {}): InvalidationLedger {
  const now = options.now ?? Date.now;
  const completeAfterMs = options.completeAfterMs ?? 20_000;
  const maxFiles = options.maxFilesInFlight ?? CLOUDFRONT_INVALIDATION_LIMITS.maxFilesInFlight;
  const maxWildcards =
    options.maxWildcardsInFlight ?? CLOUDFRONT_INVALIDATION_LIMITS.maxWildcardsInFlight;
  const tagPool = options.tagPool ?? 'files';
  const byDistribution = new Map<string, StoredInvalidation[]>();
  const byReference = new Map<string, StoredInvalidation>();
  const completedAt = new Map<string, number>();
  const peaks = new Map<string, InFlightCount>();
  const accepted: StoredInvalidation[] = [];

  const doneAt = (i: StoredInvalidation) => completedAt.get(i.id) ?? i.createdAt + completeAfterMs;
  const inProgress = (i: StoredInvalidation) => now() < doneAt(i);
  const inFlight = (distributionId: string): InFlightCount => {
    let files = 0;
    let wildcards = 0;
    let tags = 0;
    let invalidations = 0;
    for (const i of byDistribution.get(distributionId) ?? []) {
      if (!inProgress(i)) continue;
      files += i.files;
      wildcards += i.wildcards;
      tags += i.tags;
      invalidations += 1;
    }
    return { files, wildcards, tags, invalidations };
  };

  return {
    create(distributionId, batch) {
      if (batch.quantity !== batch.paths.length) return err(400, 'InconsistentQuantities');
      if (batch.paths.length === 0) return err(400, 'InvalidArgument', 'The batch has no paths.');
      if (batch.paths.length > CLOUDFRONT_INVALIDATION_LIMITS.maxPathsPerBatch)
        return err(413, 'BatchTooLarge');
      for (const item of batch.paths) {
        const why = refusedItem(item);
        if (why) return err(400, 'InvalidArgument', `(${why})`);
      }
      const key = `${distributionId}\n${batch.callerReference}`;
      const earlier = byReference.get(key);
      if (earlier) {
        return sameBatch(earlier.paths, batch.paths)
          ? { ok: true, invalidation: earlier, created: false }
          : err(409, 'InvalidationBatchAlreadyExists');
      }
      const count = { files: 0, wildcards: 0, tags: 0 };
      for (const item of batch.paths) {
        const kind = classify(item);
        if (kind === 'tag') count.tags += 1;
        else if (kind === 'wildcard') count.wildcards += 1;
        else count.files += 1;
      }
      const current = inFlight(distributionId);
      const filesPool = (c: { files: number; tags: number }) =>
        c.files + (tagPool === 'files' ? c.tags : 0);
      const wildcardPool = (c: { wildcards: number; tags: number }) =>
        c.wildcards + (tagPool === 'wildcards' ? c.tags : 0);
      if (
        filesPool(current) + filesPool(count) > maxFiles ||
        wildcardPool(current) + wildcardPool(count) > maxWildcards
      ) {
        return err(400, 'TooManyInvalidationsInProgress');
      }
      const invalidation: StoredInvalidation = {
        id: newId(),
        distributionId,
        callerReference: batch.callerReference,
        paths: [...batch.paths],
        createdAt: now(),
        ...count,
      };
      const list = byDistribution.get(distributionId) ?? [];
      list.push(invalidation);
      byDistribution.set(distributionId, list);
      byReference.set(key, invalidation);
      accepted.push(invalidation);
      const after = inFlight(distributionId);
      const peak = peaks.get(distributionId);
      peaks.set(distributionId, {
        files: Math.max(peak?.files ?? 0, after.files),
        wildcards: Math.max(peak?.wildcards ?? 0, after.wildcards),
        tags: Math.max(peak?.tags ?? 0, after.tags),
        invalidations: Math.max(peak?.invalidations ?? 0, after.invalidations),
      });
      return { ok: true, invalidation, created: true };
    },
    get: (distributionId, id) => byDistribution.get(distributionId)?.find((i) => i.id === id),
    list: (distributionId) => [...(byDistribution.get(distributionId) ?? [])].reverse(),
    view: (i) => ({
      id: i.id,
      status: inProgress(i) ? 'InProgress' : 'Completed',
      createTime: new Date(i.createdAt),
      callerReference: i.callerReference,
      paths: i.paths,
    }),
    inFlight,
    maxInFlight: (distributionId) =>
      peaks.get(distributionId) ?? { files: 0, wildcards: 0, tags: 0, invalidations: 0 },
    all: () => [...accepted],
    completeAll() {
      const t = now();
      for (const i of accepted) if (inProgress(i)) completedAt.set(i.id, t);
    },
  };
}
