/**
 * Cache-tag items in a plan: after the path plan (plan.ts), a `#tag` item replaces the file paths
 * of the changed objects carrying that tag when it is cheaper (it covers at least two paths the
 * plan would send, or could not fit), within the same quotas and the same bound on unchanged
 * objects a wildcard obeys. Pure, like plan.ts, and additive: without tagged requests the plan is
 * plan.ts's, unchanged.
 *
 * Quotas. AWS says a tag item counts "toward the same concurrent invalidation limits" without
 * saying which pool (3 000 files or 15 wildcards). Counted conservatively: one tag takes one
 * file path AND one wildcard path of the budget, so the plan stays inside both quotas whichever
 * pool CloudFront charges (the in-flight count and the shared ledger count tags the same way).
 *
 * Size. A `#tag` evicts every cached object carrying the tag, changed or not; the tag's members
 * that did not change are unchanged objects evicted, bounded like a wildcard's by
 * WILDCARD_MAX_UNCHANGED. S3 cannot list objects by metadata, so the size comes from the uploader:
 * `cache-tag-members` (`tag=N`, cacheTags.ts), the largest count any request of the call declares.
 * Unchanged members = that count minus the distinct objects with the tag this call requests and
 * those `changedElsewhere` names (earlier calls of the burst; anything else changed in other
 * batches is counted as unchanged: conservative). A tag with no
 * declared size, or one smaller than the changed members seen (stale), is never used. A tag whose
 * every member changed is exact (no unchanged object evicted) and is used when it replaces two
 * paths or more; one with unchanged members also needs COLLAPSE_MIN_SIBLINGS changed members, as
 * a folder does before it becomes a wildcard.
 *
 * Freshness. A tag reaches the copies CloudFront cached with it, that is copies of versions that
 * carried it: the tags of an object's versions must agree (cacheTagMetadata writes the same tags
 * on every upload of a ladder). Requests without tags, and distributions without a matching
 * CacheTagConfig (the caller passes no tags then), keep the path plan.
 */
import { planInvalidation, type Plan, type PlanInput } from './plan.js';
import { tagItem } from './cacheTags.js';

/** What one request's object carries. */
export interface TaggedObject {
  /** The object (bucket/key): members are counted once however many requests name it. */
  readonly object: string;
  /** Its cache tags, any case. */
  readonly tags: readonly string[];
  /** Declared member counts of its tags (any case). */
  readonly members?: Readonly<Record<string, number>>;
}

export interface TagPlanInput {
  /** Request id → its object's tags; only for a distribution whose CacheTagConfig reads them. */
  readonly tagged: ReadonlyMap<string, TaggedObject>;
  /**
   * Objects with the tag (lower-case) known to have changed in the same burst besides this
   * call's (earlier calls' requests): changed members, not unchanged ones.
   */
  readonly changedElsewhere?: (tag: string) => Iterable<string>;
}

export interface TagPlan extends Plan {
  /** The `#tag` items chosen: how many requests each covers, and its unchanged members. */
  readonly tags: ReadonlyArray<{
    readonly item: string;
    readonly covers: number;
    readonly unchanged: number;
  }>;
  /** Request id → the tag item that covers it (every path of the request). */
  readonly taggedBy: ReadonlyMap<string, string>;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const room = (limit: number, used: number): number => Math.max(0, Math.floor(limit - used));

/** The path plan, then `#tag` items where they are cheaper (see the file's comment). */
export function planWithTags(input: PlanInput, tags?: TagPlanInput): TagPlan {
  const plan = planInvalidation(input);
  if (!tags || tags.tagged.size === 0) return { ...plan, tags: [], taggedBy: new Map() };
  return addTagItems(plan, input, tags);
}

/**
 * {@link addTagItems} for the invalidate function: the path plan of `requests` and its settings
 * (MAX_INFLIGHT_*, WILDCARD_MAX_UNCHANGED), with tag items when `tags` is given.
 */
export function withTagItems(
  plan: Plan,
  requests: PlanInput['requests'],
  inFlight: PlanInput['inFlight'],
  settings: {
    readonly maxInflightPaths: number;
    readonly maxInflightWildcards: number;
    readonly wildcardMaxUnchanged: number;
    readonly collapseMinSiblings: number;
  },
  tags: TagPlanInput | undefined,
): TagPlan {
  if (!tags || tags.tagged.size === 0) return { ...plan, tags: [], taggedBy: new Map() };
  return addTagItems(
    plan,
    {
      requests,
      inFlight,
      limits: { maxFiles: settings.maxInflightPaths, maxWildcards: settings.maxInflightWildcards },
      collapse: {
        minSiblings: settings.collapseMinSiblings,
        maxUnchanged: settings.wildcardMaxUnchanged,
      },
    },
    tags,
  );
}

interface TagFacts {
  /** Request ids carrying the tag, input order. */
  readonly ids: string[];
  readonly objects: Set<string>;
  declared: number;
  /** Changed members outside this call (earlier calls of the burst). */
  elsewhere: number;
}

/** Adds `#tag` items to a path plan of the same input. */
export function addTagItems(plan: Plan, input: PlanInput, tagInput: TagPlanInput): TagPlan {
  const fileRoom = room(input.limits.maxFiles, input.inFlight.files);
  const wildcardRoom = room(input.limits.maxWildcards, input.inFlight.wildcards);
  const accepted = new Set(plan.accepted);
  const wildcards = plan.paths.filter((p) => p.endsWith('*'));
  const sent = new Set(plan.paths.filter((p) => !p.endsWith('*')));
  const covered = (path: string) => wildcards.some((w) => path.startsWith(w.slice(0, -1)));

  // Each request's paths that no wildcard of the plan covers; who needs each sent path.
  const open = new Map<string, Set<string>>();
  const needers = new Map<string, string[]>();
  for (const { id, path } of input.requests) {
    const mine = open.get(id) ?? new Set<string>();
    open.set(id, mine);
    if (mine.has(path) || covered(path)) continue;
    mine.add(path);
    if (accepted.has(id) && sent.has(path)) {
      const list = needers.get(path) ?? [];
      list.push(id);
      needers.set(path, list);
    }
  }

  // Per tag: who carries it, the distinct objects (changed members), the declared size.
  const facts = new Map<string, TagFacts>();
  for (const id of open.keys()) {
    const object = tagInput.tagged.get(id);
    if (!object) continue;
    const declared = new Map(
      Object.entries(object.members ?? {}).map(([t, n]) => [t.toLowerCase(), n]),
    );
    for (const raw of new Set(object.tags.map((t) => t.toLowerCase()))) {
      const f = facts.get(raw) ?? {
        ids: [],
        objects: new Set<string>(),
        declared: 0,
        elsewhere: 0,
      };
      facts.set(raw, f);
      f.ids.push(id);
      f.objects.add(object.object);
      f.declared = Math.max(f.declared, declared.get(raw) ?? 0);
    }
  }
  if (tagInput.changedElsewhere)
    for (const [tag, f] of facts)
      for (const object of tagInput.changedElsewhere(tag))
        if (!f.objects.has(object)) f.elsewhere += 1;
  const unchangedOf = (f: TagFacts): number | undefined =>
    f.declared >= f.objects.size
      ? Math.max(0, f.declared - f.objects.size - f.elsewhere)
      : undefined;

  const taggedBy = new Map<string, string>();
  const chosen: Array<TagPlan['tags'][number]> = [];
  let files = sent.size;
  let wildcardCount = wildcards.length;
  for (;;) {
    let best:
      | { tag: string; ids: string[]; removable: string[]; gain: number; unchanged: number }
      | undefined;
    for (const [tag, f] of [...facts].sort((a, b) => compare(a[0], b[0]))) {
      const unchanged = unchangedOf(f);
      if (unchanged === undefined || unchanged > input.collapse.maxUnchanged) continue;
      // Evicting unchanged members takes as many changed ones as a folder needs to collapse.
      if (unchanged > 0 && f.objects.size < Math.max(2, input.collapse.minSiblings)) continue;
      const ids = f.ids.filter((id) => !taggedBy.has(id) && open.get(id)!.size > 0);
      if (ids.length === 0) continue;
      const mine = new Set(ids);
      const gone = (id: string) => mine.has(id) || taggedBy.has(id);
      const theirs = new Set<string>();
      for (const id of ids) for (const p of open.get(id)!) if (sent.has(p)) theirs.add(p);
      const removable = [...theirs].filter((p) => needers.get(p)!.every(gone));
      // Paths of deferred requests the tag takes now (they would be sent later otherwise).
      const later = new Set<string>();
      for (const id of ids)
        if (!accepted.has(id)) for (const p of open.get(id)!) if (!sent.has(p)) later.add(p);
      const gain = removable.length + later.size;
      if (gain < 2) continue; // one tag item for one path: no cheaper
      if (files - removable.length + 1 > fileRoom || wildcardCount + 1 > wildcardRoom) continue;
      if (!best || gain > best.gain || (gain === best.gain && ids.length > best.ids.length))
        best = { tag, ids, removable, gain, unchanged };
    }
    if (!best) break;
    const item = tagItem(best.tag);
    for (const id of best.ids) taggedBy.set(id, item);
    for (const p of best.removable) sent.delete(p);
    files += 1 - best.removable.length;
    wildcardCount += 1;
    chosen.push({ item, covers: best.ids.length, unchanged: best.unchanged });
  }
  if (chosen.length === 0) return { ...plan, tags: [], taggedBy };

  const nowAccepted = [...open.keys()].filter((id) => accepted.has(id) || taggedBy.has(id));
  const stillDeferred = new Set(plan.deferred.filter((id) => !taggedBy.has(id)));
  return {
    paths: [...wildcards, ...sent, ...chosen.map((c) => c.item)].sort(compare),
    files: sent.size,
    wildcards: wildcards.length,
    accepted: nowAccepted,
    deferred: plan.deferred.filter((id) => stillDeferred.has(id)),
    collapsed: plan.collapsed,
    held: plan.held.filter((h) => stillDeferred.has(h.id)),
    tags: chosen.sort((a, b) => compare(a.item, b.item)),
    taggedBy,
  };
}
