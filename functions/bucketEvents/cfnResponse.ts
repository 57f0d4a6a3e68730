/**
 * The answer a Lambda-backed custom resource owes CloudFormation: one PUT of a small JSON body to
 * the presigned `ResponseURL` of the event (what AWS's `cfn-response` module does; no such helper
 * is installed here, and this is the whole of it). Without it CloudFormation waits until the
 * resource's ServiceTimeout.
 *
 * The URL is presigned: it is never logged. The body carries no object data.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  /** Shown in the stack events on FAILED: the reason, not a log pointer only. */
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Readonly<Record<string, string>>;
}

/** CloudFormation refuses a response body over 4 096 bytes; the Reason is what gets cut. */
export const MAX_RESPONSE_BYTES = 4096;

export interface SendOptions {
  /** Attempts for a connection error or a 5xx (the URL stays valid for about two hours). */
  readonly attempts?: number;
  readonly timeoutMs?: number;
}

/** The JSON body, with the Reason cut so the whole stays within MAX_RESPONSE_BYTES. */
export function responseBody(response: CustomResourceResponse): string {
  let body = JSON.stringify(response);
  if (Buffer.byteLength(body) <= MAX_RESPONSE_BYTES || !response.Reason) return body;
  let reason = response.Reason;
  while (Buffer.byteLength(body) > MAX_RESPONSE_BYTES && reason.length > 0) {
    reason = reason.slice(
      0,
      Math.max(0, reason.length - (Buffer.byteLength(body) - MAX_RESPONSE_BYTES) - 1),
    );
    body = JSON.stringify({ ...response, Reason: `${reason}…` });
  }
  return body;
}

/** PUTs the response; throws when every attempt failed (the caller logs it: nothing else to do). */
export async function sendResponse(
  responseUrl: string,
  response: CustomResourceResponse,
  options: SendOptions = {},
): Promise<void> {
  const body = responseBody(response);
  const attempts = options.attempts ?? 3;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const status = await put(responseUrl, body, options.timeoutMs ?? 10_000);
      if (status >= 200 && status < 300) return;
      last = new Error(`the response URL answered ${status}`);
      if (status < 500) break;
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`could not send the ${response.Status} response: ${(last as Error).message}`, {
    cause: last,
  });
}

function put(url: string, body: string, timeoutMs: number): Promise<number> {
  const target = new URL(url);
  const request = target.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'PUT',
        // The presigned URL was signed without a content type: send an empty one, as cfn-response does.
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
