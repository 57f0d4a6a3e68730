/**
 * Find-by-name helpers shared by the "ensure" tasks: CloudFront's List* calls page with
 * `Marker`/`NextMarker` (no SDK paginators for policies), and names are unique per account, so
 * a create that loses a race to another execution is answered by looking again.
 */
import { awsErrorName } from './errors.js';

/** Every item of a Marker-paged CloudFront list. */
export async function listAll<T>(
  page: (marker: string | undefined) => Promise<{ items: T[]; nextMarker?: string | undefined }>,
  maxPages = 100,
): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const { items, nextMarker } = await page(marker);
    all.push(...items);
    if (!nextMarker || nextMarker === marker) return all;
    marker = nextMarker;
  }
  return all;
}

/**
 * Creates a resource, or, when CloudFront says one with that name already exists (another run
 * created it meanwhile), finds it by name instead.
 */
export async function createOrFind<T>(
  create: () => Promise<T>,
  alreadyExists: readonly string[],
  find: () => Promise<T | undefined>,
): Promise<{ value: T; created: boolean }> {
  try {
    return { value: await create(), created: true };
  } catch (error) {
    if (!alreadyExists.includes(awsErrorName(error))) throw error;
    const found = await find();
    if (found === undefined) throw error;
    return { value: found, created: false };
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A canonical form for comparing a config AWS returns with the one we would send: what AWS
 * treats as "not set" (undefined, '', false, empty lists, `{ Quantity: 0 }`) is dropped, string
 * lists are sorted (they are sets in CloudFront configs).
 */
export function canonicalConfig(value: unknown): Json | undefined {
  if (value === undefined || value === null || value === '' || value === false) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map(canonicalConfig).filter((v): v is Json => v !== undefined);
    if (items.length === 0) return undefined;
    return items.every((v) => typeof v === 'string') ? [...(items as string[])].sort() : items;
  }
  if (typeof value !== 'object') return value as Json;
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) {
    const v = canonicalConfig((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  const keys = Object.keys(out);
  if (keys.length === 0 || (keys.length === 1 && out.Quantity === 0)) return undefined;
  return out;
}

/** True when `current` (as AWS returns it) says the same as `desired`. */
export function sameConfig(current: unknown, desired: unknown): boolean {
  return JSON.stringify(canonicalConfig(current)) === JSON.stringify(canonicalConfig(desired));
}
