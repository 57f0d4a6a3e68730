/**
 * The message ingest sends to the invalidation-requests queue: one per object that needs its
 * edges refreshed. Small and versioned so both sides can evolve.
 */
import { z } from 'zod';

export const invalidationRequestSchema = z.object({
  v: z.literal(1),
  bucket: z.string().min(3).max(63),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
  etag: z.string().min(1).optional(),
  eventTime: z.string().min(1).optional(),
  sequencer: z.string().min(1).optional(),
  /** Why ingest asked: overwrite, policy-all, unversioned-bucket, object-gone. */
  reason: z.string().min(1),
});

export type InvalidationRequest = z.output<typeof invalidationRequestSchema>;

/**
 * What makes one upload distinct from another of the same key. A redelivery of the same upload
 * has the same identity (so it creates no second invalidation); a later overwrite has a new one.
 */
export function uploadIdentity(r: InvalidationRequest): string {
  // On a bucket whose versioning is suspended every upload gets the version id "null": it does
  // not tell one upload from the next.
  if (r.versionId && r.versionId !== 'null') return `${r.bucket}/${r.key}@${r.versionId}`;
  return `${r.bucket}/${r.key}#${r.etag ?? ''}@${r.eventTime ?? ''}#${r.sequencer ?? ''}`;
}
