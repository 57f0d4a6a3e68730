import type { Classification } from '../../shared/contentClasses.js';

/** What ingest did with one S3 object (one S3 event record). */
export type IngestOutcome =
  | {
      readonly status: 'processed';
      readonly messageId: string;
      readonly bucket: string;
      readonly key: string;
      readonly eventName: string;
      readonly classification: Classification;
      /** Tags now on the object (merged). */
      readonly tags: Readonly<Record<string, string>>;
      /**
       * `conditional`: a new key, requested only for distributions that cache a missing
       * object's error longer than NEW_KEY_ERROR_TTL_SECONDS (INVALIDATE_NEW_KEYS=when-error-cached).
       */
      readonly invalidation: 'requested' | 'conditional' | 'not-needed';
      /** Why: a key of INVALIDATION_REASONS (shared/invalidation/request.ts), or `policy-none`. */
      readonly reason: string;
      readonly warnings: readonly string[];
    }
  | { readonly status: 'skipped'; readonly messageId: string; readonly reason: string }
  | {
      readonly status: 'failed';
      readonly messageId: string;
      readonly error: string;
      readonly field?: string;
    };

export type IngestObserver = (outcome: IngestOutcome) => void;
