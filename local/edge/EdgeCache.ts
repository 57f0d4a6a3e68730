/**
 * LOCAL ONLY (the local edge). One edge location's cache: entries by cache key, each with its
 * expiry, validators and the path and tags invalidations match on. In memory, bounded by bytes
 * (least recently used first out, as CloudFront evicts rarely requested objects), gone with the
 * process.
 */
import { matchesInvalidation } from './invalidationMatch.js';

export interface CacheEntry {
  readonly distributionId: string;
  readonly path: string;
  readonly tags: ReadonlySet<string>;
  /** The origin's status (200, or a cached error such as 403/404). */
  readonly status: number;
  /** Response headers as stored (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Epoch ms when stored (Age counts from here) and when it expires. */
  readonly storedAt: number;
  readonly expiresAt: number;
  /** The origin's ETag and Last-Modified, to revalidate an expired entry. */
  readonly etag?: string;
  readonly lastModified?: string;
}

export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

export class EdgeCache {
  readonly #entries = new Map<string, CacheEntry>();
  #bytes = 0;

  constructor(readonly maxBytes: number = DEFAULT_CACHE_BYTES) {}

  /** The entry (fresh or expired), marked as recently used. */
  get(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CacheEntry): void {
    this.delete(key);
    if (entry.body.length > this.maxBytes) return;
    this.#entries.set(key, entry);
    this.#bytes += entry.body.length;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= e.body.length;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.body.length;
  }

  /** Evicts the distribution's entries any of `items` matches; returns how many went. */
  invalidate(distributionId: string, items: readonly string[]): number {
    let evicted = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.distributionId !== distributionId) continue;
      if (items.some((item) => matchesInvalidation(item, entry))) {
        this.delete(key);
        evicted += 1;
      }
    }
    return evicted;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
