/**
 * LOCAL ONLY (the local edge). The cache side of a request: a fresh entry is a Hit; an expired
 * 200 with an ETag is revalidated (If-None-Match: a 304 is a RefreshHit, and the entry lives
 * another TTL); anything else is a Miss fetched from S3, compressed where CloudFront would, and
 * stored for its TTL (an error for its error-caching TTL). An origin that does not answer leaves
 * an expired copy served as it is (DG, "Origin unavailable").
 */
import type { CacheEntry } from './EdgeCache.js';
import { compress, isCompressible } from './compression.js';
import {
  errorCachingMinTtl,
  type EdgeBehaviour,
  type EdgeDistribution,
} from './edgeDistributions.js';
import type { EdgeDeps, ResultType } from './edgeDeps.js';
import { fetchFromS3, type OriginResponse } from './origin.js';
import { selectBehaviour } from './routing.js';
import { errorTtl, objectTtl } from './ttl.js';

function entryFrom(
  distribution: EdgeDistribution,
  path: string,
  response: OriginResponse,
  ttl: number,
  now: number,
): CacheEntry {
  const tagHeader = distribution.cacheTagHeader;
  const tags = new Set(
    (tagHeader ? (response.headers[tagHeader] ?? '') : '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );
  return {
    distributionId: distribution.id,
    path,
    tags,
    status: response.status,
    headers: response.headers,
    body: response.body,
    storedAt: now,
    expiresAt: now + ttl * 1000,
    ...(response.headers.etag ? { etag: response.headers.etag } : {}),
    ...(response.headers['last-modified']
      ? { lastModified: response.headers['last-modified'] }
      : {}),
  };
}

/** Compresses a fresh 200 for the viewer's coding where CloudFront would. */
function compressed(response: OriginResponse, coding: 'br' | 'gzip' | undefined): OriginResponse {
  const h = response.headers;
  if (!coding || response.status !== 200) return response;
  if (!isCompressible(h['content-type'], response.body.length, h['content-encoding']))
    return response;
  const headers: Record<string, string> = {
    ...h,
    'content-encoding': coding,
    vary: 'Accept-Encoding',
  };
  if (h.etag && !h.etag.startsWith('W/')) headers.etag = `W/${h.etag}`;
  return { ...response, headers, body: compress(response.body, coding) };
}

/**
 * The distribution's custom error page for `status` (CustomErrorResponses with a
 * ResponsePagePath), fetched through the behaviour that serves the page's path, with the
 * configured ResponseCode; undefined when none is configured or the page cannot be read (the
 * origin's error is served then, as CloudFront does).
 */
async function errorPage(
  deps: EdgeDeps,
  distribution: EdgeDistribution,
  status: number,
): Promise<OriginResponse | undefined> {
  const page = distribution.errorPages.get(status);
  if (!page) return undefined;
  const origin = distribution.origins.get(selectBehaviour(distribution, page.path).targetOriginId);
  if (!origin?.bucket) return undefined;
  const key = decodeURIComponent(page.path.replace(/^\/+/, ''));
  const response = await fetchFromS3(deps.s3, {
    bucket: origin.bucket,
    key: origin.originPath ? `${origin.originPath.slice(1)}/${key}` : key,
    missingStatus: distribution.missingObjectStatus,
  });
  return response.status === 200 ? { ...response, status: page.responseCode } : undefined;
}

export interface Lookup {
  readonly entry: CacheEntry;
  readonly resultType: ResultType;
  readonly detail: string;
  readonly originLatencyMs?: number;
}

/** The cache for this key: fresh, revalidated, or fetched (and stored when its TTL allows). */
export async function lookup(
  deps: EdgeDeps,
  distribution: EdgeDistribution,
  behaviour: EdgeBehaviour,
  key: string,
  s3Key: string,
  path: string,
  coding: 'br' | 'gzip' | undefined,
): Promise<Lookup> {
  const now = deps.now();
  const cached = deps.cache.get(key);
  if (cached && cached.expiresAt > now) return { entry: cached, resultType: 'Hit', detail: 'Hit' };
  const origin = distribution.origins.get(behaviour.targetOriginId);
  const policy = behaviour.cachePolicy;
  const ttls = {
    minTtl: policy.MinTTL ?? 0,
    defaultTtl: policy.DefaultTTL ?? 86_400,
    maxTtl: policy.MaxTTL ?? 31_536_000,
  };
  if (!origin?.bucket) {
    const response = {
      status: 502,
      headers: {},
      body: Buffer.alloc(0),
      latencyMs: 0,
      failure: 'OriginConnectError',
    };
    return {
      entry: entryFrom(distribution, path, response, 0, now),
      resultType: 'Error',
      detail: response.failure,
    };
  }
  const revalidate = cached?.status === 200 && cached.etag !== undefined;
  const response = await fetchFromS3(deps.s3, {
    bucket: origin.bucket,
    key: origin.originPath ? `${origin.originPath.slice(1)}/${s3Key}` : s3Key,
    missingStatus: distribution.missingObjectStatus,
    ...(revalidate ? { ifNoneMatch: cached.etag!.replace(/^W\//, '') } : {}),
    ...(deps.originTimeoutMs ? { timeoutMs: deps.originTimeoutMs } : {}),
  });
  const at = deps.now();
  const latency = { originLatencyMs: response.latencyMs };
  if (response.status === 304 && cached) {
    const ttl = objectTtl(
      ttls,
      { cacheControl: cached.headers['cache-control'], expires: cached.headers.expires },
      at,
    );
    const refreshed = { ...cached, storedAt: at, expiresAt: at + ttl * 1000 };
    if (ttl > 0) deps.cache.set(key, refreshed);
    else deps.cache.delete(key);
    return { entry: refreshed, resultType: 'RefreshHit', detail: 'RefreshHit', ...latency };
  }
  if (response.failure) {
    // CloudFront keeps serving what it has when the origin does not answer (DG, "Origin unavailable").
    if (cached)
      return { entry: cached, resultType: 'RefreshHit', detail: 'RefreshHit', ...latency };
    return {
      entry: entryFrom(distribution, path, response, 0, at),
      resultType: 'Error',
      detail: response.failure,
      ...latency,
    };
  }
  const served = compressed(response, coding);
  const cc = { cacheControl: served.headers['cache-control'], expires: served.headers.expires };
  const isError = served.status >= 400;
  const ttl = isError
    ? errorTtl(served.status, errorCachingMinTtl(distribution, served.status), ttls.maxTtl, cc, at)
    : objectTtl(ttls, cc, at);
  const page = isError ? await errorPage(deps, distribution, served.status) : undefined;
  const entry = entryFrom(distribution, path, page ?? served, ttl, at);
  if (ttl > 0) deps.cache.set(key, entry);
  else deps.cache.delete(key);
  return {
    entry,
    resultType: isError ? 'Error' : 'Miss',
    detail: isError ? 'Error' : 'Miss',
    ...latency,
  };
}
