/**
 * LOCAL ONLY (the local edge). A request to an S3 origin, as CloudFront makes it through OAC:
 * GetObject on the emulator's S3 for the key the viewer path names under the origin path
 * (conditional with If-None-Match when revalidating an expired entry). S3's answer comes back as
 * an HTTP response (status, the headers S3 would send, body); an origin that does not answer
 * is a 502 (connection refused, DNS) or 504 (timeout), as CloudFront reports it.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';

export interface OriginResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly latencyMs: number;
  /** The origin did not answer: `OriginConnectError`, `OriginReadTimeout`, … (log detail). */
  readonly failure?: string;
}

export const ORIGIN_TIMEOUT_MS = 30_000;

function headersOf(out: GetObjectCommandOutput): Record<string, string> {
  const h: Record<string, string> = {};
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') h[name] = String(value);
  };
  set('content-type', out.ContentType);
  set('etag', out.ETag);
  set('last-modified', out.LastModified?.toUTCString());
  set('cache-control', out.CacheControl);
  set('expires', out.ExpiresString ?? out.Expires?.toUTCString());
  set('content-encoding', out.ContentEncoding);
  set('content-disposition', out.ContentDisposition);
  set('content-language', out.ContentLanguage);
  set('x-amz-version-id', out.VersionId);
  for (const [k, v] of Object.entries(out.Metadata ?? {})) set(`x-amz-meta-${k.toLowerCase()}`, v);
  set('accept-ranges', 'bytes');
  set('server', 'AmazonS3');
  return h;
}

function s3ErrorBody(code: string, message: string, key: string): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
      `<Key>${key.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`)}</Key></Error>`,
  );
}

type SdkError = Error & { $metadata?: { httpStatusCode?: number }; code?: string; Code?: string };

/** Fetches `key` from `bucket`; never throws. */
export async function fetchFromS3(
  s3: S3Client,
  request: {
    readonly bucket: string;
    readonly key: string;
    /** What S3 answers through OAC for a missing key (404 with s3:ListBucket, else 403). */
    readonly missingStatus: 403 | 404;
    readonly ifNoneMatch?: string;
    readonly timeoutMs?: number;
  },
): Promise<OriginResponse> {
  const started = performance.now();
  const latency = () => performance.now() - started;
  const xml = { 'content-type': 'application/xml', server: 'AmazonS3' };
  if (request.key === '') {
    // The bucket root: a ListObjects, which OAC's s3:GetObject does not allow.
    return {
      status: 403,
      headers: xml,
      body: s3ErrorBody('AccessDenied', 'Access Denied', ''),
      latencyMs: latency(),
    };
  }
  try {
    const out = await s3.send(
      new GetObjectCommand({
        Bucket: request.bucket,
        Key: request.key,
        ...(request.ifNoneMatch ? { IfNoneMatch: request.ifNoneMatch } : {}),
      }),
      { abortSignal: AbortSignal.timeout(request.timeoutMs ?? ORIGIN_TIMEOUT_MS) },
    );
    const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
    return { status: 200, headers: headersOf(out), body, latencyMs: latency() };
  } catch (error) {
    const e = error as SdkError;
    const status = e.$metadata?.httpStatusCode;
    if (status === 304)
      return { status: 304, headers: {}, body: Buffer.alloc(0), latencyMs: latency() };
    if (e.name === 'NoSuchKey' || (status === 404 && e.name !== 'NoSuchBucket')) {
      const s = request.missingStatus;
      const body =
        s === 404
          ? s3ErrorBody('NoSuchKey', 'The specified key does not exist.', request.key)
          : s3ErrorBody('AccessDenied', 'Access Denied', request.key);
      return { status: s, headers: xml, body, latencyMs: latency() };
    }
    if (e.name === 'NoSuchBucket')
      return {
        status: 404,
        headers: xml,
        body: s3ErrorBody('NoSuchBucket', 'The specified bucket does not exist', request.key),
        latencyMs: latency(),
      };
    if (status !== undefined && status >= 400) {
      return {
        status,
        headers: xml,
        body: s3ErrorBody(e.name, e.message, request.key),
        latencyMs: latency(),
      };
    }
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
    return {
      status: timedOut ? 504 : 502,
      headers: {},
      body: Buffer.alloc(0),
      latencyMs: latency(),
      failure: timedOut ? 'OriginReadTimeout' : 'OriginConnectError',
    };
  }
}
