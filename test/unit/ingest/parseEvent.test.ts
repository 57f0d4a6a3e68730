/**
 * Ingest's event parsing at its edges (the corpus in test/fixtures/bad-input/ingest runs the
 * cases through the real handler): the record limit's boundary, what the emulator cannot answer
 * (AccessDenied), and both shapes an object-created event arrives in: an S3 notification
 * (form-encoded keys) and EventBridge's Object Created (keys as stored), parsed into one record.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_RECORDS_PER_MESSAGE,
  parseS3Message,
  parseS3Record,
  unservedBucketError,
} from '../../../functions/ingest/parseEvent.js';
import { InvalidInputError } from '../../../shared/errors.js';
import { eventBridgeObjectCreated, s3EventRecord } from '../../helpers/factories.js';

const message = (n: number) =>
  JSON.stringify({ Records: Array.from({ length: n }, () => s3EventRecord({ key: 'a.png' })) });

describe('parseS3Message', () => {
  it(`takes ${MAX_RECORDS_PER_MESSAGE} records and refuses one more, naming Records`, () => {
    expect(parseS3Message(message(MAX_RECORDS_PER_MESSAGE)).records).toHaveLength(
      MAX_RECORDS_PER_MESSAGE,
    );
    expect(() => parseS3Message(message(MAX_RECORDS_PER_MESSAGE + 1))).toThrow(
      /^Records: has 101 records/,
    );
  });

  it('takes an EventBridge Object Created as the one record of its message', () => {
    const event = eventBridgeObjectCreated({ key: 'a.png' });
    expect(parseS3Message(JSON.stringify(event))).toEqual({ records: [event], testEvent: false });
  });

  it.each([
    ['Object Deleted', /^detail-type: is "Object Deleted": ingest handles "Object Created" only/],
    ['Object Tags Added', /^detail-type: is "Object Tags Added"/],
  ])('still refuses an EventBridge %s, naming detail-type', (detailType, message) => {
    const body = JSON.stringify(eventBridgeObjectCreated({ key: 'a.png', detailType }));
    expect(() => parseS3Message(body)).toThrow(message);
  });

  it('reads Records before any envelope field', () => {
    const body = JSON.stringify({ Type: 'Notification', Message: 'x', Records: [] });
    expect(parseS3Message(body)).toEqual({ records: [], testEvent: false });
  });
});

describe('parseS3Record: both shapes, one record', () => {
  const fromNotification = (key: string) =>
    parseS3Record(s3EventRecord({ key, bucket: 'charts.example.com', versionId: 'v1' }), 0);
  const fromEventBridge = (key: string) =>
    parseS3Record(
      eventBridgeObjectCreated({ key, bucket: 'charts.example.com', versionId: 'v1' }),
      0,
    );

  it.each([
    'charts/q3 revenue.png',
    'charts/a+b.png',
    'charts/100% done.png',
    'charts/%41%2F.png',
    'charts/données/é.svg',
    'charts/x?y#z*.png',
  ])('gives the same key, bucket, version and ETag for %j from either shape', (key) => {
    const a = fromNotification(key);
    const b = fromEventBridge(key);
    expect(b.key).toBe(key);
    expect(a.key).toBe(key);
    expect(b.s3).toMatchObject({
      bucket: { name: 'charts.example.com' },
      object: { versionId: 'v1', eTag: 'd41d8cd98f00b204e9800998ecf8427e' },
    });
    expect(b.s3.object.sequencer).toBe(a.s3.object.sequencer);
    expect(b.eventSource).toBe('aws:s3');
  });

  it('never decodes an EventBridge key: %2F and + are the characters they are', () => {
    expect(fromEventBridge('a%2Fb+c.png').key).toBe('a%2Fb+c.png');
    expect(fromNotification('a%2Fb+c.png').key).toBe('a%2Fb+c.png');
  });

  it.each([
    ['PutObject', 'ObjectCreated:Put'],
    ['PostObject', 'ObjectCreated:Post'],
    ['CopyObject', 'ObjectCreated:Copy'],
    ['CompleteMultipartUpload', 'ObjectCreated:CompleteMultipartUpload'],
    ['ObjectCreated', 'ObjectCreated:*'],
  ])('names an EventBridge reason %s as %s', (reason, eventName) => {
    const record = parseS3Record(eventBridgeObjectCreated({ key: 'a.png', reason }), 0);
    expect(record.eventName).toBe(eventName);
  });

  it('takes the event time, and no version for an unversioned bucket (version-id null)', () => {
    const record = parseS3Record(eventBridgeObjectCreated({ key: 'a.png', versionId: null }), 0);
    expect(record.eventTime).toBe('2026-11-22T00:00:00Z');
    expect(record.s3.object.versionId).toBeUndefined();
  });

  it("reads the emulator's eTag spelling too", () => {
    const event = eventBridgeObjectCreated({ key: 'a.png' });
    const object = (event.detail as { object: Record<string, unknown> }).object;
    delete object.etag;
    object.eTag = 'abc123';
    expect(parseS3Record(event, 0).s3.object.eTag).toBe('abc123');
  });

  it('names where the bucket came from, for an error about it', () => {
    expect(fromEventBridge('a.png').bucketField).toBe('detail.bucket.name');
    expect(fromNotification('a.png').bucketField).toBe('Records[0].s3.bucket.name');
  });

  const broken = (edit: (detail: Record<string, Record<string, unknown>>) => void) => {
    const event = eventBridgeObjectCreated({ key: 'a.png' });
    edit(event.detail as Record<string, Record<string, unknown>>);
    return () => parseS3Record(event, 0);
  };
  it.each([
    [
      'an empty key',
      (d: Record<string, Record<string, unknown>>) => (d.object!.key = ''),
      /^detail\.object\.key: is empty/,
    ],
    [
      'no key',
      (d: Record<string, Record<string, unknown>>) => delete d.object!.key,
      /^detail\.object\.key: is required/,
    ],
    [
      'a key that is a number',
      (d: Record<string, Record<string, unknown>>) => (d.object!.key = 7),
      /^detail\.object\.key: must be a string \(got 7\)/,
    ],
    [
      'a 1 025-byte key',
      (d: Record<string, Record<string, unknown>>) => (d.object!.key = 'k'.repeat(1025)),
      /^detail\.object\.key: is 1025 bytes long/,
    ],
    [
      'a lone surrogate',
      (d: Record<string, Record<string, unknown>>) => (d.object!.key = 'a\uD800.png'),
      /^detail\.object\.key: has an unpaired UTF-16 surrogate/,
    ],
    [
      'no bucket',
      (d: Record<string, Record<string, unknown>>) => delete d.bucket,
      /^detail\.bucket: is required/,
    ],
    [
      'a bucket name too short',
      (d: Record<string, Record<string, unknown>>) => (d.bucket!.name = 'ab'),
      /^detail\.bucket\.name: must be at least 3 characters/,
    ],
  ])('refuses %s, naming the field', (_what, edit, message) => {
    expect(broken(edit)).toThrow(InvalidInputError);
    expect(broken(edit)).toThrow(message);
  });

  it('takes a 1 024-byte EventBridge key', () => {
    const key = 'k'.repeat(1024);
    expect(parseS3Record(eventBridgeObjectCreated({ key }), 0).key).toBe(key);
  });
});

describe('unservedBucketError', () => {
  it.each(['NoSuchBucket', 'AccessDenied'])('names the bucket field for %s', (name) => {
    const error = unservedBucketError(Object.assign(new Error('x'), { name }), 2, 'other-bucket');
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'Records[2].s3.bucket.name' });
    expect(error!.message).toContain(`"other-bucket": S3 answered ${name}`);
  });

  it('names the field the record named its bucket in (an EventBridge event: detail.bucket.name)', () => {
    const denied = Object.assign(new Error('x'), { name: 'AccessDenied' });
    expect(unservedBucketError(denied, 0, 'b.example.com', 'detail.bucket.name')).toMatchObject({
      field: 'detail.bucket.name',
    });
  });

  it('leaves other errors alone (they are retried as they are)', () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'SlowDown' });
    expect(unservedBucketError(throttled, 0, 'example-content')).toBeUndefined();
  });
});
