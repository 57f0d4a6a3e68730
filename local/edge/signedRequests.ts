/**
 * LOCAL ONLY (the local edge). CloudFront's check of a signed URL or signed cookies on a behaviour
 * with trusted key groups (CloudFront DG, "Serve private content with signed URLs and signed
 * cookies"): the key pair id names a public key of the behaviour's key groups; the signature is
 * RSA-SHA1 over the policy (a canned policy CloudFront rebuilds from the URL and `Expires`, or
 * the custom `Policy` sent along), in CloudFront's URL-safe base64 (`-` `_` `~` for `+` `=` `/`);
 * the policy's resource matches the URL (`*` and `?` wildcards in a custom policy), its
 * `DateLessThan` is in the future, its `DateGreaterThan` past and its `IpAddress` contains the
 * viewer. Verified with node:crypto, not with the signer the pipeline uses.
 */
import { createVerify } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import { cookiePairs, queryPairs } from './cacheKey.js';
import type { EdgeDeps, EdgeRequest, EdgeResponse } from './edgeDeps.js';
import type { EdgeDistribution } from './edgeDistributions.js';

/** The query parameters of a signed URL, removed before the cache key and the origin. */
export const SIGNING_PARAMS: ReadonlySet<string> = new Set([
  'Expires',
  'Policy',
  'Signature',
  'Key-Pair-Id',
]);

export type SignedCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: 'MissingKey' | 'InvalidKey' | 'AccessDenied';
      readonly reason: string;
    };

/** CloudFront's URL-safe base64 back to bytes. */
export function cloudFrontBase64(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

/** The query without the signing parameters (order kept, as CloudFront rebuilds the URL). */
export function unsignedQuery(query: string): string {
  return query
    .split('&')
    .filter((p) => p && !SIGNING_PARAMS.has(p.split('=')[0]!))
    .join('&');
}

interface Statement {
  Resource?: string;
  Condition?: {
    DateLessThan?: { 'AWS:EpochTime'?: number };
    DateGreaterThan?: { 'AWS:EpochTime'?: number };
    IpAddress?: { 'AWS:SourceIp'?: string };
  };
}

function resourceMatches(pattern: string, url: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(url);
}

function inRange(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const v4 = ip.replace(/^::ffff:/, '');
  if (!base || !isIPv4(base) || !isIPv4(v4)) return false;
  const list = new BlockList();
  list.addSubnet(base, bits === undefined ? 32 : Number(bits), 'ipv4');
  return list.check(v4, 'ipv4');
}

const deny = (code: 'MissingKey' | 'InvalidKey' | 'AccessDenied', reason: string): SignedCheck => ({
  ok: false,
  code,
  reason,
});

/**
 * Checks a request to a private behaviour. `urls` are the full URLs (`https://<host><path>` plus
 * the unsigned query) the signature may cover: the Host the viewer used, or the distribution's
 * domain and aliases for a request to the loopback edge.
 */
export function checkSignedRequest(request: {
  readonly urls: readonly string[];
  readonly query: string;
  readonly cookie: string | undefined;
  readonly clientIp: string;
  readonly nowSeconds: number;
  /** Public key id → PEM, from the behaviour's trusted key groups. */
  readonly trustedKeys: ReadonlyMap<string, string>;
}): SignedCheck {
  const q = new Map(queryPairs(request.query));
  const c = new Map(cookiePairs(request.cookie));
  const fromUrl = q.has('Key-Pair-Id') || q.has('Signature');
  const get = (name: string) => (fromUrl ? q.get(name) : c.get(`CloudFront-${name}`));
  const keyPairId = get('Key-Pair-Id');
  const signature = get('Signature');
  if (!keyPairId) return deny('MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
  const pem = request.trustedKeys.get(keyPairId);
  if (!pem) return deny('InvalidKey', 'Unknown Key');
  if (!signature) return deny('AccessDenied', 'Missing Signature');
  const policyParam = get('Policy');
  const expires = get('Expires');
  const candidates: Array<{ policy: string; url?: string }> = policyParam
    ? [{ policy: cloudFrontBase64(policyParam).toString('utf8') }]
    : expires && /^\d+$/.test(expires)
      ? request.urls.map((url) => ({
          url,
          policy: JSON.stringify({
            Statement: [
              { Resource: url, Condition: { DateLessThan: { 'AWS:EpochTime': Number(expires) } } },
            ],
          }),
        }))
      : [];
  if (candidates.length === 0) return deny('AccessDenied', 'Missing Expires or Policy');
  const signatureBytes = cloudFrontBase64(signature);
  const signed = candidates.find(({ policy }) =>
    createVerify('RSA-SHA1').update(policy).verify(pem, signatureBytes),
  );
  if (!signed) return deny('AccessDenied', 'Access denied');
  let statement: Statement | undefined;
  try {
    statement = (JSON.parse(signed.policy) as { Statement?: Statement[] }).Statement?.[0];
  } catch {
    return deny('AccessDenied', 'Malformed Policy');
  }
  const condition = statement?.Condition ?? {};
  if (!request.urls.some((url) => resourceMatches(statement?.Resource ?? '', url)))
    return deny('AccessDenied', 'Access denied');
  const lessThan = condition.DateLessThan?.['AWS:EpochTime'];
  if (typeof lessThan !== 'number' || request.nowSeconds >= lessThan)
    return deny('AccessDenied', 'Access denied');
  const greaterThan = condition.DateGreaterThan?.['AWS:EpochTime'];
  if (typeof greaterThan === 'number' && request.nowSeconds < greaterThan)
    return deny('AccessDenied', 'Access denied');
  const ip = condition.IpAddress?.['AWS:SourceIp'];
  if (ip && !inRange(request.clientIp, ip)) return deny('AccessDenied', 'Access denied');
  return { ok: true };
}

/** CloudFront's 403 for a private behaviour's request without a valid signature, else undefined. */
export function refusedUnsigned(
  deps: EdgeDeps,
  request: EdgeRequest,
  distribution: EdgeDistribution,
  trustedKeys: ReadonlyMap<string, string>,
  path: string,
  query: string,
): Omit<EdgeResponse, 'path' | 'query'> | undefined {
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const named = [distribution.domainName, ...distribution.aliases].map((h) => h.toLowerCase());
  const rest = unsignedQuery(query);
  const urls = (named.includes(host) ? [host] : named).map(
    (h) => `https://${h}${path}${rest ? `?${rest}` : ''}`,
  );
  const check = checkSignedRequest({
    urls,
    query,
    cookie: request.headers.cookie,
    clientIp: request.clientIp ?? '',
    nowSeconds: Math.floor(deps.now() / 1000),
    trustedKeys,
  });
  if (check.ok) return undefined;
  const body = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${check.code}</Code><Message>${check.reason}</Message></Error>`,
  );
  return {
    status: 403,
    headers: { 'content-type': 'text/xml', server: 'CloudFront' },
    body,
    resultType: 'Error',
    detailedResultType: 'Error',
  };
}
