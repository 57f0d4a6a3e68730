/**
 * LOCAL ONLY (the local edge). Which cached entries an invalidation item evicts, by CloudFront's
 * rules (CloudFront DG, "Specifying the files to invalidate"): a path matches the request path
 * exactly, or, ending in `*` (the only place a wildcard may stand), every path it prefixes;
 * case-sensitive; the query string plays no part (every query-string variant of the path goes);
 * percent-encoded characters match only where the viewer sent them encoded. A `#tag` item (cache
 * tags, on a distribution with `CacheTagConfig`) evicts every entry stored with that tag, compared
 * case-insensitively.
 */

/** What an entry exposes to invalidation matching. */
export interface Invalidatable {
  /** The request path as the viewer sent it, without the query string. */
  readonly path: string;
  /** Cache tags read from the origin's tag header (CacheTagConfig), if any. */
  readonly tags: ReadonlySet<string>;
}

/** An invalidation item as CreateInvalidation takes it: `/path`, `/prefix*` or `#tag`. */
export function matchesInvalidation(item: string, entry: Invalidatable): boolean {
  if (item.startsWith('#')) {
    // Tags are case-insensitive (CloudFront DG, "Invalidate by cache tag").
    const tag = item.slice(1).toLowerCase();
    for (const t of entry.tags) if (t.toLowerCase() === tag) return true;
    return false;
  }
  const path = item.split('?')[0]!;
  if (path.endsWith('*')) return entry.path.startsWith(path.slice(0, -1));
  return entry.path === path;
}
