/**
 * The bucketEvents custom resource's answer to CloudFormation (cfnResponse.ts) and its thin
 * handler: one PUT of the response JSON to the presigned ResponseURL (here a loopback listener),
 * with an empty content type; SUCCESS with the record in the PhysicalResourceId, FAILED with the
 * reason (and a PhysicalResourceId that undoes nothing); retried on a 5xx; never more than 4 KB.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_RESPONSE_BYTES,
  responseBody,
  sendResponse,
  type CustomResourceResponse,
} from '../../functions/bucketEvents/cfnResponse.js';
import { createBucketEventsHandler } from '../../functions/bucketEvents/handler.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: CustomResourceResponse;
}

let server: Server;
let base: string;
let received: Received[];
/** Status codes the listener answers with, in turn (then 200). */
let answers: number[];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method!,
        url: req.url!,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as CustomResourceResponse,
      });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(() => {
  received = [];
  answers = [];
});

const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/cdn-pipeline-prod/0a1b2c3d-1111-2222-3333-444455556666';
const response: CustomResourceResponse = {
  Status: 'SUCCESS',
  PhysicalResourceId: 'charts-prod|added',
  StackId: STACK_ID,
  RequestId: 'req-1',
  LogicalResourceId: 'BucketEventsChartsProd',
};

describe('sendResponse', () => {
  it('PUTs the JSON body to the response URL with an empty content type', async () => {
    await sendResponse(`${base}/presigned?X-Amz-Signature=abc`, response);
    expect(received).toEqual([
      {
        method: 'PUT',
        url: '/presigned?X-Amz-Signature=abc',
        contentType: '',
        body: response,
      },
    ]);
  });

  it('tries again after a 5xx, and stops after a 4xx with a clear error', async () => {
    answers = [503];
    await sendResponse(`${base}/r`, response, { attempts: 3 });
    expect(received).toHaveLength(2);
    received = [];
    answers = [403, 403];
    await expect(sendResponse(`${base}/r`, response, { attempts: 3 })).rejects.toThrow(
      'could not send the SUCCESS response: the response URL answered 403',
    );
    expect(received).toHaveLength(1);
  });

  it('keeps the body within 4 096 bytes by cutting the Reason', () => {
    const body = responseBody({ ...response, Status: 'FAILED', Reason: 'é"'.repeat(5000) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const parsed = JSON.parse(body) as CustomResourceResponse;
    expect(parsed.Reason!.endsWith('…')).toBe(true);
    expect(parsed.PhysicalResourceId).toBe(response.PhysicalResourceId);
  });
});

describe('bucketEvents handler', () => {
  const event = (
    requestType: 'Create' | 'Update' | 'Delete',
    extra: Record<string, unknown> = {},
  ): CloudFormationCustomResourceEvent =>
    ({
      RequestType: requestType,
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:cdn-pipeline-prod-bucketEvents',
      ResponseURL: `${base}/cfn-response`,
      StackId: STACK_ID,
      RequestId: 'req-2',
      LogicalResourceId: 'BucketEventsChartsProd',
      ResourceType: 'Custom::BucketEventBridgeDelivery',
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x',
        Bucket: 'charts-prod',
      },
      ...extra,
    }) as CloudFormationCustomResourceEvent;
  const quiet = { info: () => undefined, error: () => undefined };

  it('answers FAILED with the reason, naming the field, when the Bucket property is bad', async () => {
    const handler = createBucketEventsHandler({
      s3: { send: () => Promise.reject(new Error('not called')) },
      log: quiet,
    });
    const bad = event('Create', {
      ResourceProperties: { ServiceToken: 'x', Bucket: 'Charts Prod' },
    });
    await handler(bad);
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({
      Status: 'FAILED',
      Reason: 'InvalidInputError: ResourceProperties.Bucket: "Charts Prod" is not a bucket name',
      StackId: STACK_ID,
      RequestId: 'req-2',
      LogicalResourceId: 'BucketEventsChartsProd',
    });
    // A failed Create records nothing done: its Delete undoes nothing.
    expect(received[0]!.body.PhysicalResourceId).toMatch(/\|none$/);
  });

  it('answers FAILED with the S3 error, keeping the given PhysicalResourceId on Update', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const handler = createBucketEventsHandler({
      s3: { send: () => Promise.reject(denied) },
      log: quiet,
    });
    await handler(event('Update', { PhysicalResourceId: 'charts-prod|added' }));
    expect(received[0]!.body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'charts-prod|added',
    });
    expect(received[0]!.body.Reason).toContain(
      'cannot read the notification configuration of bucket charts-prod: AccessDenied',
    );
  });

  it('answers SUCCESS with the record and what changed', async () => {
    const calls: string[] = [];
    const handler = createBucketEventsHandler({
      s3: {
        send: (command: { constructor: { name: string } }) => {
          calls.push(command.constructor.name);
          if (command.constructor.name === 'GetBucketTaggingCommand')
            return Promise.reject(Object.assign(new Error('none'), { name: 'NoSuchTagSet' }));
          return Promise.resolve({ $metadata: {} });
        },
      } as never,
      log: quiet,
    });
    await handler(event('Create'));
    expect(calls).toEqual([
      'GetBucketNotificationConfigurationCommand',
      'GetBucketTaggingCommand',
      'PutBucketNotificationConfigurationCommand',
    ]);
    expect(received[0]!.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'charts-prod|added',
      Data: { Bucket: 'charts-prod', Record: 'added', Change: 'enabled' },
    });
  });

  it('answers SUCCESS without touching S3 for the Delete of a failed Create', async () => {
    const handler = createBucketEventsHandler({
      s3: { send: () => Promise.reject(new Error('not called')) },
      log: quiet,
    });
    await handler(event('Delete', { PhysicalResourceId: 'charts-prod|none' }));
    expect(received[0]!.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'charts-prod|none',
    });
  });
});
