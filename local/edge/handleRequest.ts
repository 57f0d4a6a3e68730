/**
 * LOCAL ONLY (the local edge). One viewer request, the way one CloudFront edge location answers
 * it: checks CloudFront makes before anything else (URL and header sizes, path traversal), the
 * distribution and behaviour, the allowed methods, a CORS preflight, then the cache (fresh: Hit;
 * expired with a validator: revalidated, RefreshHit on a 304; else Miss and a fetch from S3),
 * error caching, compression (cacheLookup.ts), conditional requests and ranges, and the headers
 * CloudFront adds.
 * Plain function of its dependencies; the HTTP server (server.ts) only parses and writes.
 */
import { decodeEventKey } from '../../shared/keys.js';
import { cacheKey, normalisedEncoding } from './cacheKey.js';
import { CLOUDFRONT_REASONS, errorPage } from './cloudfrontErrors.js';
import { lookup } from './cacheLookup.js';
import type { CacheEntry } from './EdgeCache.js';
import type { EdgeDeps, EdgeRequest, EdgeResponse, ResultType } from './edgeDeps.js';
import type { EdgeDistribution } from './edgeDistributions.js';
import { parseRange } from './ranges.js';
import { applyResponseHeadersPolicy, preflightHeaders } from './responseHeaders.js';
import { routeDistribution, selectBehaviour } from './routing.js';
import { refusedUnsigned, unsignedQuery } from './signedRequests.js';

export type { EdgeDeps, EdgeRequest, EdgeResponse, ResultType } from './edgeDeps.js';

/** CloudFront's quotas on a request (DG, "Quotas" and "Standard logging reference"). */
export const REQUEST_LIMITS = { maxUrlBytes: 8_192, maxHeaderBytes: 20_480 } as const;

const CLOUDFRONT_ERROR = 'Error from cloudfront';
const X_CACHE: Record<ResultType, string> = {
  Hit: 'Hit from cloudfront',
  RefreshHit: 'RefreshHit from cloudfront',
  Miss: 'Miss from cloudfront',
  Error: CLOUDFRONT_ERROR,
};

function splitUrl(url: string): { path: string; query: string } {
  const at = url.indexOf('?');
  return at < 0 ? { path: url, query: '' } : { path: url.slice(0, at), query: url.slice(at + 1) };
}

/** An answer CloudFront makes itself (its HTML page). */
function generated(
  deps: EdgeDeps,
  request: EdgeRequest,
  status: keyof typeof CLOUDFRONT_REASONS | 403,
  detail: string,
  where: { path: string; query: string; distributionId?: string },
): EdgeResponse {
  const body = errorPage(status, CLOUDFRONT_REASONS[status], request.requestId);
  return finish(deps, request, {
    status,
    headers: { 'content-type': 'text/html', server: 'CloudFront' },
    body,
    resultType: 'Error',
    detailedResultType: detail,
    ...where,
  });
}

/** The headers every answer carries, then HEAD's empty body. */
function finish(deps: EdgeDeps, request: EdgeRequest, response: EdgeResponse): EdgeResponse {
  const headers: Record<string, string> = {
    ...response.headers,
    date: new Date(deps.now()).toUTCString(),
    'x-cache': X_CACHE[response.resultType],
    via: `1.1 ${deps.viaHost} (CloudFront)`,
    'x-amz-cf-pop': deps.pop,
    'x-amz-cf-id': request.requestId,
  };
  const body =
    request.method === 'HEAD' || response.status === 304 ? Buffer.alloc(0) : response.body;
  if (response.status !== 304) headers['content-length'] = String(response.body.length);
  return { ...response, headers, body };
}

/** The path has a `.` or `..` segment (raw or percent-encoded): CloudFront answers 400. */
function traverses(path: string): boolean {
  return path.split('/').some((s) => /^(\.|%2e){1,2}$/i.test(s));
}

/** The S3 key a viewer path names (`+` is a space, as S3 reads it), before the origin path. */
function keyFor(path: string, distribution: EdgeDistribution): string {
  const viewer =
    path === '/' && distribution.defaultRootObject ? `/${distribution.defaultRootObject}` : path;
  const relative = viewer.slice(1);
  return relative ? decodeEventKey(relative, 'path') : '';
}

/** If-None-Match / If-Modified-Since against a 200 entry: true when the viewer's copy is current. */
function notModified(entry: CacheEntry, headers: EdgeRequest['headers']): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    const tags = inm.split(',').map((t) => t.trim().replace(/^W\//, ''));
    const etag = (entry.headers.etag ?? '').replace(/^W\//, '');
    return tags.includes('*') || (etag !== '' && tags.includes(etag));
  }
  const ims = Date.parse(headers['if-modified-since'] ?? '');
  const lm = Date.parse(entry.lastModified ?? '');
  return !Number.isNaN(ims) && !Number.isNaN(lm) && lm <= ims;
}

/** Answers one viewer request; never throws for anything a viewer can send. */
export async function handleEdgeRequest(
  deps: EdgeDeps,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const raw = splitUrl(request.url);
  if (Buffer.byteLength(request.url) > REQUEST_LIMITS.maxUrlBytes)
    return generated(deps, request, 414, 'Error', raw);
  if (request.headerBytes > REQUEST_LIMITS.maxHeaderBytes)
    return generated(deps, request, 494, 'Error', raw);
  if (!request.url.startsWith('/') || traverses(raw.path))
    return generated(deps, request, 400, 'Error', raw);

  const routed = routeDistribution(
    deps.distributions(),
    request.headers.host,
    raw.path,
    deps.defaultDistributionId,
  );
  if (routed.kind === 'unknown') return generated(deps, request, 403, 'Error', raw);
  const { distribution, path } = routed;
  const where = { path, query: raw.query, distributionId: distribution.id };
  if (!distribution.enabled) return generated(deps, request, 403, 'Error', where);

  let decoded: string;
  let s3Key: string;
  try {
    decoded = decodeURIComponent(path);
    s3Key = keyFor(path, distribution);
  } catch {
    return generated(deps, request, 400, 'Error', where);
  }
  const behaviour = selectBehaviour(distribution, decoded);
  const context = { ...where, behaviourPattern: behaviour.pathPattern };
  const method = request.method.toUpperCase();
  if (!behaviour.allowedMethods.includes(method))
    return generated(deps, request, 403, 'Error', context);
  if (behaviour.trustedKeys) {
    const refused = refusedUnsigned(
      deps,
      request,
      distribution,
      behaviour.trustedKeys,
      path,
      raw.query,
    );
    if (refused) return finish(deps, request, { ...refused, ...context });
  }
  const policyHeaders = behaviour.responseHeadersPolicy;
  const origin = request.headers.origin;

  if (method === 'OPTIONS') {
    const preflight = preflightHeaders(policyHeaders, {
      ...(origin ? { origin } : {}),
      ...(request.headers['access-control-request-method']
        ? { method: request.headers['access-control-request-method'] }
        : {}),
      ...(request.headers['access-control-request-headers']
        ? { headers: request.headers['access-control-request-headers'] }
        : {}),
    });
    // Without a CORS config that allows it, S3 refuses the preflight itself (403).
    const headers = preflight ?? { 'content-type': 'application/xml', server: 'AmazonS3' };
    return finish(deps, request, {
      status: preflight ? 200 : 403,
      headers,
      body: Buffer.alloc(0),
      resultType: preflight ? 'Miss' : 'Error',
      detailedResultType: preflight ? 'Miss' : 'Error',
      ...context,
    });
  }
  if (method !== 'GET' && method !== 'HEAD') {
    // Forwarded, not cached: OAC's s3:GetObject allows no writes.
    const headers = { 'content-type': 'application/xml', server: 'AmazonS3' };
    return finish(deps, request, {
      status: 403,
      headers,
      body: Buffer.alloc(0),
      resultType: 'Error',
      detailedResultType: 'Error',
      ...context,
    });
  }

  const ranged = request.headers.range !== undefined && method === 'GET';
  const params = behaviour.cachePolicy.ParametersInCacheKeyAndForwardedToOrigin;
  // CloudFront compresses whole objects only; a range request is served from the identity copy.
  const coding =
    behaviour.compress && !ranged
      ? normalisedEncoding(params, request.headers['accept-encoding'])
      : undefined;
  const keyHeaders = coding
    ? request.headers
    : { ...request.headers, 'accept-encoding': undefined };
  const key = cacheKey(behaviour.cachePolicy, {
    distributionId: distribution.id,
    path,
    query: behaviour.trustedKeys ? unsignedQuery(raw.query) : raw.query,
    headers: keyHeaders,
  });
  const found = await lookup(deps, distribution, behaviour, key, s3Key, path, coding);
  const { entry } = found;
  const base = {
    ...context,
    resultType: found.resultType,
    detailedResultType: found.detail,
    ...(found.originLatencyMs !== undefined ? { originLatencyMs: found.originLatencyMs } : {}),
  };
  if (entry.status >= 500 && entry.body.length === 0) {
    const status = entry.status === 504 ? 504 : 502;
    return { ...generated(deps, request, status, found.detail, context), ...base };
  }

  const headers: Record<string, string> = { ...entry.headers };
  if (found.resultType === 'Hit' || found.resultType === 'RefreshHit')
    headers.age = String(Math.max(0, Math.floor((deps.now() - entry.storedAt) / 1000)));
  applyResponseHeadersPolicy(policyHeaders, headers, origin);

  if (entry.status !== 200) {
    return finish(deps, request, {
      status: entry.status,
      headers,
      body: entry.body,
      ...base,
      resultType: 'Error',
    });
  }
  if (notModified(entry, request.headers)) {
    return finish(deps, request, { status: 304, headers, body: Buffer.alloc(0), ...base });
  }
  if (ranged) {
    const range = parseRange(request.headers.range, entry.body.length);
    if (range.kind === 'unsatisfiable') {
      headers['content-range'] = `bytes */${entry.body.length}`;
      delete headers.etag;
      return finish(deps, request, { status: 416, headers, body: Buffer.alloc(0), ...base });
    }
    if (range.kind === 'partial') {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${entry.body.length}`;
      const body = entry.body.subarray(range.start, range.end + 1);
      return finish(deps, request, { status: 206, headers, body, ...base, range });
    }
  }
  return finish(deps, request, { status: 200, headers, body: entry.body, ...base });
}
