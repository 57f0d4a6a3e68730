/**
 * The benchmark's workloads: what the bucket holds, which keys are overwritten when (simulated
 * milliseconds from the start), and the cache tag each object would carry (its ladder or folder).
 * Seeded: the same workload every run.
 */
import { prng } from '../local/prng.js';

export interface Overwrite {
  readonly at: number;
  readonly key: string;
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** Every key in the bucket, sorted by code unit (S3's listing order). */
  readonly bucketKeys: readonly string[];
  /** Oldest first. */
  readonly overwrites: readonly Overwrite[];
  /** The object's cache tag: the ladder or folder it belongs to. */
  readonly tagOf: (key: string) => string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const fmt = (n: number) => n.toLocaleString('en-US').replace(/,/g, ' ');
const folderTag = (key: string) => key.slice(0, key.lastIndexOf('/')).replace(/\//g, ':');

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function sorted(keys: string[]): string[] {
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `count` overwrites of `keys` (in that order) spread evenly over `spanMs`. */
function spread(keys: readonly string[], spanMs: number): Overwrite[] {
  const step = keys.length > 1 ? spanMs / keys.length : 0;
  return keys.map((key, i) => ({ at: Math.round(i * step), key }));
}

/**
 * A render farm re-publishing `ladders` HLS ladders (a playlist and `segments` segments each),
 * interleaved, over `spanMs`; the bucket also holds `otherLadders` unchanged ladders beside them.
 */
export function hlsBurst(
  options: { ladders?: number; segments?: number; otherLadders?: number; spanMs?: number } = {},
): Workload {
  const { ladders = 20, segments = 500, otherLadders = 200, spanMs = 300_000 } = options;
  const ladder = (i: number) => {
    const dir = `hls/title-${pad(i, 4)}`;
    return [
      `${dir}/index.m3u8`,
      ...Array.from({ length: segments }, (_, s) => `${dir}/seg-${pad(s, 5)}.ts`),
    ];
  };
  const changed = Array.from({ length: ladders }, (_, i) => ladder(i)).flat();
  const unchanged = Array.from({ length: otherLadders }, (_, i) => ladder(ladders + i)).flat();
  const rand = prng(8_001);
  return {
    name: 'HLS burst',
    description: `${ladders} ladders × (1 playlist + ${segments} segments) overwritten, interleaved, over ${spanMs / 1000} s; ${otherLadders} unchanged ladders beside them`,
    bucketKeys: sorted([...changed, ...unchanged]),
    overwrites: spread(shuffle([...changed], rand), spanMs),
    tagOf: folderTag,
  };
}

/** `count` overwrites over `prefixes` folders of `perPrefix` objects, folder popularity Zipf(1). */
export function zipfOverwrites(
  options: { count?: number; prefixes?: number; perPrefix?: number; spanMs?: number } = {},
): Workload {
  const { count = 10_000, prefixes = 200, perPrefix = 100, spanMs = 600_000 } = options;
  const rand = prng(8_002);
  const weights = Array.from({ length: prefixes }, (_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  weights.reduce((acc, w) => (cdf.push((acc + w) / total), acc + w), 0);
  const key = (p: number, o: number) => `assets/p${pad(p, 3)}/obj-${pad(o, 4)}.js`;
  const keys = Array.from({ length: count }, () => {
    const u = rand();
    let p = cdf.findIndex((c) => c >= u);
    if (p === -1) p = prefixes - 1;
    return key(p, Math.floor(rand() * perPrefix));
  });
  const all: string[] = [];
  for (let p = 0; p < prefixes; p += 1) for (let o = 0; o < perPrefix; o += 1) all.push(key(p, o));
  return {
    name: 'Zipf overwrites',
    description: `${fmt(count)} overwrites over ${prefixes} folders of ${perPrefix} objects, folder popularity Zipf(s = 1), over ${spanMs / 1000} s`,
    bucketKeys: sorted(all),
    overwrites: spread(keys, spanMs),
    tagOf: folderTag,
  };
}

/**
 * `count` distinct keys overwritten once each, uniformly over `folders` folders that each hold
 * `unchangedFactor` times more unchanged objects (so no wildcard may be used), over `spanMs`.
 */
export function uniformKeys(
  options: { count?: number; folders?: number; unchangedFactor?: number; spanMs?: number } = {},
): Workload {
  const { count = 100_000, folders = 1000, unchangedFactor = 10, spanMs = 200_000 } = options;
  const rand = prng(8_003);
  const perFolder = Math.ceil(count / folders);
  const key = (f: number, o: number) => `u/f${pad(f, 4)}/o-${pad(o, 5)}.json`;
  const changed: string[] = [];
  const all: string[] = [];
  for (let f = 0; f < folders; f += 1) {
    for (let o = 0; o < perFolder * (1 + unchangedFactor); o += 1) {
      all.push(key(f, o));
      if (o < perFolder && changed.length < count) changed.push(key(f, o));
    }
  }
  return {
    name: 'uniform keys',
    description: `${fmt(count)} distinct keys over ${fmt(folders)} folders holding ${unchangedFactor}× as many unchanged objects, over ${spanMs / 1000} s`,
    bucketKeys: sorted(all),
    overwrites: spread(shuffle(changed, rand), spanMs),
    tagOf: folderTag,
  };
}

/** One overwrite a second for `seconds`, of a random page among `sections` × `pages`. */
export function trickle(
  options: { seconds?: number; sections?: number; pages?: number } = {},
): Workload {
  const { seconds = 3600, sections = 100, pages = 100 } = options;
  const rand = prng(8_004);
  const key = (s: number, p: number) => `site/sec-${pad(s, 3)}/page-${pad(p, 4)}.html`;
  const all: string[] = [];
  for (let s = 0; s < sections; s += 1) for (let p = 0; p < pages; p += 1) all.push(key(s, p));
  const overwrites = Array.from({ length: seconds }, (_, i) => ({
    at: i * 1000,
    key: key(Math.floor(rand() * sections), Math.floor(rand() * pages)),
  }));
  return {
    name: 'trickle',
    description: `one overwrite a second for ${seconds / 60} min among ${sections} × ${pages} pages`,
    bucketKeys: sorted(all),
    overwrites,
    tagOf: folderTag,
  };
}

/**
 * Where a tag is not a folder: `products` products, each in `sizes` renditions stored by size
 * (`img/<size>/p-0001.jpg`: one folder per size holds every product), `changed` of them
 * re-published (every rendition) over `spanMs`. A folder wildcard would evict the other products;
 * the object's tag is its product (`product:p-0001`), whose members all change together.
 */
export function productImages(
  options: { products?: number; sizes?: number; changed?: number; spanMs?: number } = {},
): Workload {
  const { products = 2000, sizes = 6, changed = 300, spanMs = 120_000 } = options;
  const rand = prng(8_005);
  const sizeNames = Array.from({ length: sizes }, (_, i) => `w${(i + 1) * 200}`);
  const key = (p: number, size: string) => `img/${size}/p-${pad(p, 4)}.jpg`;
  const all: string[] = [];
  for (const size of sizeNames) for (let p = 0; p < products; p += 1) all.push(key(p, size));
  const picked = shuffle(
    Array.from({ length: products }, (_, p) => p),
    rand,
  ).slice(0, changed);
  const writes = shuffle(
    picked.flatMap((p) => sizeNames.map((size) => key(p, size))),
    rand,
  );
  return {
    name: 'product images',
    description: `${changed} of ${fmt(products)} products re-published in ${sizes} sizes each (folders by size), over ${spanMs / 1000} s`,
    bucketKeys: sorted(all),
    overwrites: spread(writes, spanMs),
    tagOf: (k) => `product:${k.slice(k.lastIndexOf('/') + 1, -'.jpg'.length)}`,
  };
}

/** The four workloads of issue 8 at full size, and where tags are not folders. */
export function allWorkloads(): Workload[] {
  return [hlsBurst(), zipfOverwrites(), uniformKeys(), trickle(), productImages()];
}
