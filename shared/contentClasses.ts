/**
 * Content classes, defined once: what an object is (video, streaming, image, document, other),
 * how long the edge should keep it (its cache class), and what its extension says about it
 * (already compressed, compressible, rarely changing). Ingest classifies and tags objects with
 * these, the distribution spec builds its cache behaviours from the same built-in classes and
 * name rules, and the report judges behaviours by the same extension sets. Classification is by
 * file extension, case-insensitive.
 */
import * as z from 'zod';

export const CACHE_CLASSES = {
  /** Large, rarely changing media: 7 days. */
  video: { ttlSeconds: 7 * 24 * 3600 },
  /** Manifests and segments of live or frequently re-packaged streams: 1 hour. */
  streaming: { ttlSeconds: 3600 },
  /** Everything else: 24 hours (CloudFront's own default). */
  default: { ttlSeconds: 24 * 3600 },
} as const;
export type CacheClass = keyof typeof CACHE_CLASSES;

export interface ContentClassRule {
  readonly name: string;
  readonly extensions: readonly string[];
  readonly cacheClass: CacheClass;
}

export const OTHER_CLASS = 'other';

/** What a class name may be, wherever one is written (CONTENT_CLASSES, a spec's classes). */
export const CONTENT_CLASS_NAME = {
  pattern: /^[a-z][a-z0-9-]{0,31}$/,
  rule: 'must be lower-case letters, digits or "-", at most 32 characters',
} as const;

/** What an extension may be, wherever one is written. */
export const EXTENSION = {
  pattern: /^\.[A-Za-z0-9]{1,16}$/,
  rule: 'must look like ".mp4" (a dot, then 1 to 16 letters or digits)',
} as const;

export const DEFAULT_CONTENT_CLASSES: readonly ContentClassRule[] = Object.freeze([
  { name: 'video', extensions: ['.mp4', '.mov', '.webm', '.mkv'], cacheClass: 'video' },
  {
    name: 'streaming',
    extensions: ['.m3u8', '.mpd', '.ts', '.m4s', '.aac'],
    cacheClass: 'streaming',
  },
  {
    name: 'image',
    extensions: ['.png', '.jpg', '.jpeg', '.gif', '.webp', '.avif', '.svg'],
    cacheClass: 'default',
  },
  { name: 'document', extensions: ['.pdf', '.html', '.json', '.csv'], cacheClass: 'default' },
]);

/**
 * Extensions whose bodies are already compressed (video, audio, segments, raster images,
 * archives). By default CloudFront compresses every extension of a class except these: edge
 * compression cannot shrink them, and leaving Accept-Encoding out of their cache key keeps one
 * cached copy instead of one per encoding. So `.m3u8`/`.mpd` manifests are compressed and
 * `.ts`/`.m4s`/`.aac` segments are not. A class's `compress` overrides this.
 */
export const PRECOMPRESSED_EXTENSIONS: ReadonlySet<string> = new Set([
  ...['.mp4', '.m4v', '.mov', '.webm', '.mkv', '.ts', '.m4s', '.m2ts', '.aac', '.m4a', '.mp3'],
  ...['.ogg', '.opus', '.flac', '.jpg', '.jpeg', '.png', '.gif', '.webp', '.avif', '.heic'],
  ...['.zip', '.gz', '.br', '.zst', '.7z', '.woff', '.woff2'],
]);

/** Extensions whose objects rarely change once written (media, images, fonts). */
export const LONG_LIVED_EXTENSIONS: ReadonlySet<string> = new Set([
  ...['.mp4', '.m4v', '.mov', '.webm', '.mkv', '.mp3', '.m4a', '.ogg', '.opus', '.flac'],
  ...['.jpg', '.jpeg', '.png', '.gif', '.webp', '.avif', '.svg', '.ico'],
  ...['.woff', '.woff2', '.ttf', '.otf'],
]);

/** Text formats that edge compression shrinks (documents, manifests, code, subtitles). */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set([
  ...['.html', '.htm', '.json', '.csv', '.txt', '.xml', '.svg', '.js', '.mjs', '.css', '.map'],
  ...['.m3u8', '.mpd', '.vtt', '.srt', '.webmanifest', '.md', '.yaml', '.yml'],
]);

export interface Classification {
  readonly contentClass: string;
  readonly cacheClass: CacheClass;
  readonly ttlSeconds: number;
}

const ruleSchema = z.object({
  name: z.string().regex(CONTENT_CLASS_NAME.pattern, CONTENT_CLASS_NAME.rule),
  extensions: z.array(z.string().regex(EXTENSION.pattern, EXTENSION.rule)).min(1),
  cacheClass: z
    .enum(Object.keys(CACHE_CLASSES) as [CacheClass, ...CacheClass[]])
    .default('default'),
});

/**
 * Parses the `CONTENT_CLASSES` setting: a JSON array of `{ name, extensions, cacheClass }`.
 * Errors name the offending element, e.g. `[1].extensions[0]: must look like ".mp4"`.
 */
export function parseContentClasses(json: string): readonly ContentClassRule[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const result = z.array(ruleSchema).min(1).safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('');
    throw new Error(`${where.replace(/^\./, '') || 'value'}: ${issue.message}`);
  }
  const seen = new Map<string, string>();
  for (const rule of result.data) {
    for (const ext of rule.extensions) {
      const lower = ext.toLowerCase();
      const other = seen.get(lower);
      if (other && other !== rule.name) {
        throw new Error(`extension ${lower} is claimed by both "${other}" and "${rule.name}"`);
      }
      seen.set(lower, rule.name);
    }
  }
  return Object.freeze(
    result.data.map((r) =>
      Object.freeze({ ...r, extensions: r.extensions.map((e) => e.toLowerCase()) }),
    ),
  );
}

/** Classifies an S3 key (decoded) by its extension. */
export function classify(
  key: string,
  rules: readonly ContentClassRule[] = DEFAULT_CONTENT_CLASSES,
): Classification {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot).toLowerCase() : '';
  const rule = ext ? rules.find((r) => r.extensions.includes(ext)) : undefined;
  const cacheClass: CacheClass = rule?.cacheClass ?? 'default';
  return {
    contentClass: rule?.name ?? OTHER_CLASS,
    cacheClass,
    ttlSeconds: CACHE_CLASSES[cacheClass].ttlSeconds,
  };
}
