/** Event factories for tests: real shapes, only the fields a test cares about as arguments. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

/** Encodes a key the way S3 notifications do (form encoding: space → '+'). */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+');
}

export function s3EventRecord(options: {
  key: string;
  bucket?: string;
  eventName?: string;
  versionId?: string;
  eTag?: string;
  encoded?: boolean;
}): Record<string, unknown> {
  const bucket = options.bucket ?? 'example-content';
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2026-11-22T00:00:00.000Z',
    eventName: options.eventName ?? 'ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: options.encoded === false ? options.key : encodeEventKey(options.key),
        size: 1,
        eTag: options.eTag ?? 'd41d8cd98f00b204e9800998ecf8427e',
        ...(options.versionId ? { versionId: options.versionId } : {}),
        sequencer: '0055AED6DCD90281E5',
      },
    },
  };
}

export function sqsRecord(body: string, overrides: Partial<SQSRecord> = {}): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: `handle-${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1795306169394',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1795306169435',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:example-queue',
    awsRegion: 'us-east-1',
    ...overrides,
  };
}

export function sqsEvent(bodies: readonly string[]): SQSEvent {
  return { Records: bodies.map((b) => sqsRecord(b)) };
}

/** An SQS message body as S3 sends it for the given records. */
export function s3Message(...records: Array<Record<string, unknown>>): string {
  return JSON.stringify({ Records: records });
}

/**
 * S3's EventBridge `Object Created` as an EventBridge rule delivers it to SQS (the message body
 * is the event itself). The key is as stored: EventBridge does not URL-encode it.
 */
export function eventBridgeObjectCreated(options: {
  key: string;
  bucket?: string;
  versionId?: string | null;
  etag?: string;
  reason?: string;
  detailType?: string;
}): Record<string, unknown> {
  const bucket = options.bucket ?? 'example-content';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': options.detailType ?? 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2026-11-22T00:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: options.key,
        size: 1,
        etag: options.etag ?? 'd41d8cd98f00b204e9800998ecf8427e',
        ...(options.versionId !== undefined ? { 'version-id': options.versionId } : {}),
        sequencer: '0055AED6DCD90281E5',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '192.0.2.1',
      reason: options.reason ?? 'PutObject',
    },
  };
}
