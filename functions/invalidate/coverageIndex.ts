/**
 * "When did our latest recent invalidation covering this path start?", asked for every request of
 * a batch and every listed object of every folder listed — tens of thousands of times a batch.
 * Scanning every wildcard of every recent invalidation per question, and re-reading each recent
 * invalidation's paths into a fresh map per batch (up to 50 × 3 000 paths), made that check the
 * largest cost of the step. Here the recent invalidations are indexed once:
 *
 * - exact paths in one map (path → the creation times of the indexed invalidations naming it);
 * - wildcard prefixes in a map by prefix, probed only at the few prefix lengths that exist.
 *
 * A warm instance keeps one index per distribution and moves it with the recent set from batch
 * to batch (`update`: what left the set is removed, what joined it is added), so a batch pays for
 * the invalidations created since the previous one, not for all fifty.
 */
import { isWildcardPath } from '../../shared/keys.js';

export interface IndexedInvalidation {
  readonly id: string;
  readonly createTime: number;
  readonly paths: readonly string[];
}

const memberKey = (i: IndexedInvalidation) => `${i.id}@${i.createTime}`;

function addTime(map: Map<string, number[]>, key: string, time: number): void {
  const times = map.get(key);
  if (times) times.push(time);
  else map.set(key, [time]);
}

function removeTime(map: Map<string, number[]>, key: string, time: number): void {
  const times = map.get(key);
  if (!times) return;
  const at = times.indexOf(time);
  if (at !== -1) times.splice(at, 1);
  if (times.length === 0) map.delete(key);
}

const newest = (times: readonly number[] | undefined): number => {
  if (!times) return -Infinity;
  let at = -Infinity;
  for (const t of times) if (t > at) at = t;
  return at;
};

export class CoverageIndex {
  private readonly members = new Map<string, IndexedInvalidation>();
  private readonly exact = new Map<string, number[]>();
  private readonly prefixes = new Map<string, number[]>();
  /** Distinct wildcard prefix lengths, with how many indexed prefixes have each. */
  private readonly lengths = new Map<number, number>();
  private sortedLengths: number[] = [];

  /** Makes the index hold exactly `recent` (duplicates count once). */
  update(recent: readonly IndexedInvalidation[]): this {
    const wanted = new Map(recent.map((i) => [memberKey(i), i]));
    for (const [key, member] of this.members)
      if (!wanted.has(key)) {
        this.members.delete(key);
        this.edit(member, -1);
      }
    for (const [key, invalidation] of wanted)
      if (!this.members.has(key)) {
        this.members.set(key, invalidation);
        this.edit(invalidation, 1);
      }
    return this;
  }

  private edit(invalidation: IndexedInvalidation, sign: 1 | -1): void {
    const { createTime } = invalidation;
    let lengthsChanged = false;
    for (const path of invalidation.paths) {
      if (!isWildcardPath(path)) {
        if (sign > 0) addTime(this.exact, path, createTime);
        else removeTime(this.exact, path, createTime);
        continue;
      }
      const prefix = path.slice(0, -1);
      if (sign > 0) addTime(this.prefixes, prefix, createTime);
      else removeTime(this.prefixes, prefix, createTime);
      const count = (this.lengths.get(prefix.length) ?? 0) + sign;
      if (count > 0) this.lengths.set(prefix.length, count);
      else this.lengths.delete(prefix.length);
      lengthsChanged = true;
    }
    if (lengthsChanged) this.sortedLengths = [...this.lengths.keys()].sort((a, b) => a - b);
  }

  /**
   * When the latest indexed invalidation covering `path` was created (ms), or -Infinity: one
   * naming it (for a file path), or a wildcard whose prefix starts it (for any path).
   */
  latest(path: string): number {
    const wildcard = isWildcardPath(path);
    let at = wildcard ? -Infinity : newest(this.exact.get(path));
    if (this.sortedLengths.length === 0) return at;
    const own = wildcard ? path.slice(0, -1) : path;
    for (const length of this.sortedLengths) {
      if (length > own.length) break;
      const t = newest(this.prefixes.get(own.slice(0, length)));
      if (t > at) at = t;
    }
    return at;
  }
}
