/**
 * Comparing a distribution's config as CloudFront returns it with the config the workflow wants,
 * field by field: the update path (is an UpdateDistribution needed?) and the adoption preview
 * (`provision --distribution ID --dry-run`) use this one comparison, so what the preview shows is
 * what the run changes.
 *
 * Both sides are normalised the way CloudFront answers GetDistributionConfig: what it treats as
 * "not set" ('' strings, false booleans, `{ Quantity: 0 }` lists, `Items: []`) and the defaults
 * it fills in (S3 origins' `OriginReadTimeout` 30 s, custom origins' keep-alive 5 s, connection
 * attempts 3 and timeout 10 s, origin shield off, gRPC off, the legacy TTLs and ForwardedValues
 * it echoes beside a cache policy, the certificate's echo fields) are dropped; sets are sorted
 * (string lists, origins by id, error responses by code). Cache behaviours keep their order:
 * it is their precedence.
 */
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One leaf that differs; `before`/`after` undefined: absent on that side. */
export interface FieldChange {
  /** `DefaultCacheBehavior.CachePolicyId`, `CacheBehaviors[*.mp4].Compress`, `Origins[s3-b].OriginAccessControlId`. */
  readonly path: string;
  readonly before?: Json;
  readonly after?: Json;
}

/**
 * Top-level fields the spec manages even when it leaves them out: absent means off (cache tags
 * turned off remove CacheTagConfig), so they are compared and, on update, not kept from `current`.
 */
export const MANAGED_WHEN_ABSENT = ['CacheTagConfig'] as const;

/** Legacy per-behaviour cache settings CloudFront echoes (and ignores) beside a cache policy. */
const LEGACY_CACHE_FIELDS = ['ForwardedValues', 'MinTTL', 'DefaultTTL', 'MaxTTL'] as const;
/**
 * Values CloudFront fills in when they are not sent, by field name (origins: connection
 * settings; `S3OriginConfig`/`CustomOriginConfig`: read and keep-alive timeouts).
 */
const FILLED_DEFAULTS: Readonly<Record<string, unknown>> = {
  ConnectionAttempts: 3,
  ConnectionTimeout: 10,
  ResponseCompletionTimeout: 0,
  OriginReadTimeout: 30,
  OriginKeepaliveTimeout: 5,
};
/** Lists whose items are a set (sorted) rather than an order. */
const SET_LISTS = new Set(['CustomErrorResponses', 'Origins', 'OriginGroups']);
/** The field naming an item of a list of objects, in the order they are tried. */
const ITEM_KEYS = [
  'Id',
  'PathPattern',
  'ErrorCode',
  'EventType',
  'FunctionARN',
  'LambdaFunctionARN',
];

/** The canonical form of one field's value (undefined: CloudFront would call it not set). */
export function canonical(value: unknown, key = ''): Json | undefined {
  if (value === undefined || value === null || value === '' || value === false) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v)).filter((v): v is Json => v !== undefined);
    if (items.length === 0) return undefined;
    if (items.every((v) => typeof v === 'string')) return [...(items as string[])].sort();
    if (SET_LISTS.has(key)) {
      return items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
    return items;
  }
  if (typeof value !== 'object') return value as Json;

  let record = value as Record<string, unknown>;
  if (key === 'ViewerCertificate') {
    record = record.CloudFrontDefaultCertificate
      ? { CloudFrontDefaultCertificate: true }
      : {
          ACMCertificateArn: record.ACMCertificateArn,
          IAMCertificateId: record.IAMCertificateId,
          SSLSupportMethod: record.SSLSupportMethod,
          MinimumProtocolVersion: record.MinimumProtocolVersion,
        };
  }
  if (key === 'Logging' && !record.Enabled) return undefined;
  if (key === 'GeoRestriction' && record.RestrictionType === 'none') return undefined;
  if (typeof record.CachePolicyId === 'string' && record.CachePolicyId) {
    record = { ...record };
    for (const field of LEGACY_CACHE_FIELDS) delete record[field];
  }
  const out: Record<string, Json> = {};
  for (const k of Object.keys(record).sort()) {
    if (FILLED_DEFAULTS[k] !== undefined && record[k] === FILLED_DEFAULTS[k]) continue;
    // A list's Items are keyed by the list's own name, so set-like lists sort correctly.
    const v = canonical(record[k], k === 'Items' ? key : k);
    if (v !== undefined) out[k] = v;
  }
  const keys = Object.keys(out);
  if (keys.length === 0) return undefined;
  if (keys.length === 1 && out.Quantity === 0) return undefined;
  return out;
}

const isRecord = (v: Json | undefined): v is { [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const same = (a: Json | undefined, b: Json | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The field that names every item of both lists, if one does. */
function itemKey(a: Json[], b: Json[]): string | undefined {
  const all = [...a, ...b];
  if (!all.every(isRecord)) return undefined;
  return ITEM_KEYS.find((k) =>
    all.every((item) => ['string', 'number'].includes(typeof (item as Record<string, Json>)[k])),
  );
}

/** How an absent side reads in a change: false / '' as CloudFront returns them, else absent. */
function shown(value: Json | undefined, other: Json | undefined): Json | undefined {
  if (value !== undefined) return value;
  if (typeof other === 'boolean') return false;
  if (typeof other === 'string') return '';
  return undefined;
}

function walk(path: string, a: Json | undefined, b: Json | undefined, out: FieldChange[]): void {
  if (same(a, b)) return;
  // A settings object set on one side only reads leaf by leaf; a list item added or removed
  // (`…[*.mp4]`) reads as a whole.
  if (!path.endsWith(']')) {
    if (isRecord(a) && b === undefined) b = {};
    if (isRecord(b) && a === undefined) a = {};
    if (Array.isArray(a) && b === undefined) b = [];
    if (Array.isArray(b) && a === undefined) a = [];
  }
  if (isRecord(a) && isRecord(b)) {
    // `{ Quantity, Items }`: the items speak for the count.
    const items = Array.isArray(a.Items) || Array.isArray(b.Items);
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (items && k === 'Quantity') continue;
      walk(items && k === 'Items' ? path : `${path}.${k}`, a[k], b[k], out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = itemKey(a, b);
    if (key) {
      const name = (item: Json) => String((item as Record<string, Json>)[key]);
      const before = new Map(a.map((item) => [name(item), item]));
      const after = new Map(b.map((item) => [name(item), item]));
      for (const id of [...new Set([...before.keys(), ...after.keys()])].sort()) {
        walk(`${path}[${id}]`, before.get(id), after.get(id), out);
      }
      const kept = (list: Json[], other: Map<string, Json>) =>
        list.map(name).filter((id) => other.has(id));
      const order = [kept(a, after), kept(b, before)];
      if (!same(order[0], order[1]))
        out.push({ path: `${path}.order`, before: order[0], after: order[1] });
      return;
    }
  }
  const before = shown(a, b);
  const after = shown(b, a);
  out.push({
    path,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  });
}

/**
 * Every leaf of `desired` whose value differs from `current`, both normalised as CloudFront
 * returns a config. Top-level fields `desired` leaves unset are not compared (the update keeps
 * them as they are), nor is CallerReference (CloudFront forbids changing it).
 */
export function fieldChanges(
  current: DistributionConfig,
  desired: DistributionConfig,
): FieldChange[] {
  const out: FieldChange[] = [];
  const keys = new Set([...Object.keys(desired), ...MANAGED_WHEN_ABSENT]);
  for (const key of [...keys].sort() as Array<keyof DistributionConfig>) {
    const managed = (MANAGED_WHEN_ABSENT as readonly string[]).includes(key);
    if (key === 'CallerReference' || (desired[key] === undefined && !managed)) continue;
    walk(key, canonical(current[key], key), canonical(desired[key], key), out);
  }
  return out;
}

/** The top-level fields that differ (see {@link fieldChanges}); empty means no update. */
export function configDiff(current: DistributionConfig, desired: DistributionConfig): string[] {
  return [...new Set(fieldChanges(current, desired).map((c) => c.path.split(/[.[]/, 1)[0]!))];
}

/** True when UpdateDistribution would change nothing this spec manages. */
export function sameConfig(current: DistributionConfig, desired: DistributionConfig): boolean {
  return fieldChanges(current, desired).length === 0;
}
