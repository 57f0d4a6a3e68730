/**
 * How the invalidate function reads CloudFront's errors: "not now" (throttled, quota full: the
 * requests come back through SQS), "this input is wrong" (bisected to the rejected path), or a
 * rejection of the whole call (account, distribution) that no bisecting can fix; and the paths
 * CloudFront is known to refuse, which are never sent.
 */

/**
 * Why CloudFront refuses `path` without asking it, or undefined. Only documented refusals: a raw
 * `~` (InvalidArgument "invalid invalidation paths"; `%7E` is accepted but matches nothing, since
 * viewers send `~` raw — aws/aws-sdk-js-v3#4042, apancutt/deploy-aws-s3-cloudfront#6), and
 * characters a path must carry URL-encoded: non-ASCII, controls and spaces (CloudFront Developer
 * Guide, "Invalidation paths": RFC 1738). Anything else is left for CloudFront to judge.
 */
export function knownRefusal(path: string): string | undefined {
  if (path.includes('~'))
    return 'CloudFront refuses a raw "~" in invalidation paths (and "%7E" matches nothing)';
  if (/[^\x21-\x7e]/.test(path))
    return 'CloudFront refuses spaces, controls and non-ASCII characters raw in invalidation paths';
  return undefined;
}

/** Errors that mean "not now": quota full, throttled, or a transient service failure. */
export function isThrottle(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return (
    name === 'TooManyInvalidationsInProgress' ||
    name === 'Throttling' ||
    name === 'ThrottlingException'
  );
}

/**
 * Errors that mean "this input is wrong": a 4xx CloudFront answered about the call itself
 * (InvalidArgument, BatchTooLarge, InconsistentQuantities, …), not throttling. Sending the same
 * paths again fails the same way. Anything else (throttling, 5xx, network) is worth retrying.
 */
export function isRejection(error: unknown): boolean {
  if (isThrottle(error)) return false;
  const e = error as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 400 && status < 500;
  return e?.$fault === 'client';
}

/** Rejections that are about the account or the distribution, never about a path. */
export const CALL_LEVEL_REJECTIONS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'NoSuchDistribution',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
]);

export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}
