/**
 * LOCAL ONLY. The fault proxy's HTTP side: which CloudFront operation a REST call is (by method
 * and path, API version 2020-05-31), the answers of the faults it injects (CloudFront's status
 * codes and XML error bodies, cloudfront-facts.md §1), and small request/response helpers.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { errorXml } from './faultProxyXml.js';

export const API = '/2020-05-31';

/** What each injected fault answers (cloudfront-facts.md §1 "CreateInvalidation error codes"). */
export const FAULT_ANSWERS = {
  TooManyInvalidationsInProgress: {
    status: 400,
    code: 'TooManyInvalidationsInProgress',
    message:
      'Processing your request will cause you to exceed the maximum number of in-progress invalidations.',
    type: 'Sender',
  },
  Throttling: { status: 400, code: 'Throttling', message: 'Rate exceeded', type: 'Sender' },
  '503': {
    status: 503,
    code: 'ServiceUnavailable',
    message: 'CloudFront encountered an internal error. Please try again.',
    type: 'Receiver',
  },
} as const;

export interface Route {
  readonly operation: string;
  readonly distributionId?: string;
  readonly invalidationId?: string;
}

/** Names a CloudFront REST call by method and path; undefined for other services. */
export function cloudFrontRoute(method: string, url: URL): Route | undefined {
  const path = url.pathname;
  if (!path.startsWith(`${API}/`)) return undefined;
  const parts = path.slice(API.length + 1).split('/');
  if (parts[0] === 'distribution') {
    const id = parts[1] ? decodeURIComponent(parts[1]) : undefined;
    if (!id)
      return {
        operation:
          method === 'GET'
            ? 'ListDistributions'
            : url.searchParams.has('WithTags')
              ? 'CreateDistributionWithTags'
              : 'CreateDistribution',
      };
    if (parts[2] === 'invalidation') {
      if (parts[3])
        return {
          operation: 'GetInvalidation',
          distributionId: id,
          invalidationId: decodeURIComponent(parts[3]),
        };
      return {
        operation: method === 'POST' ? 'CreateInvalidation' : 'ListInvalidations',
        distributionId: id,
      };
    }
    if (parts[2] === 'config')
      return {
        operation: method === 'PUT' ? 'UpdateDistribution' : 'GetDistributionConfig',
        distributionId: id,
      };
    if (!parts[2]) return { operation: 'GetDistribution', distributionId: id };
  }
  if (parts[0] === 'tagging')
    return { operation: method === 'GET' ? 'ListTagsForResource' : 'TagResource' };
  if (parts[0] === 'origin-access-control') return { operation: 'OriginAccessControl' };
  return { operation: 'CloudFront' };
}

export function withoutBody(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const rest = { ...headers };
  for (const name of [
    'content-length',
    'content-type',
    'content-md5',
    'transfer-encoding',
    'expect',
  ])
    delete rest[name];
  return rest;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendXml(res: ServerResponse, status: number, body: string, headers = {}): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': crypto.randomUUID(),
    ...headers,
  });
  res.end(body);
}

export function sendError(
  res: ServerResponse,
  error: { status: number; code: string; message: string; type?: 'Sender' | 'Receiver' },
): void {
  sendXml(res, error.status, errorXml(error));
}
