/**
 * Ingest's event parsing at its edges (the corpus in test/fixtures/bad-input/ingest runs the
 * cases through the real handler): the record limit's boundary, what the emulator cannot answer
 * (AccessDenied), and EventBridge's own Object Created.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_RECORDS_PER_MESSAGE,
  parseS3Message,
  unservedBucketError,
} from '../../../functions/ingest/parseEvent.js';
import { InvalidInputError } from '../../../shared/errors.js';
import { s3EventRecord } from '../../helpers/factories.js';

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

  it('names detail-type for an EventBridge Object Created, which this ingest does not read', () => {
    const body = JSON.stringify({
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: 'example-content' }, object: { key: 'a.png' } },
    });
    expect(() => parseS3Message(body)).toThrow(
      /^detail-type: is "Object Created" from EventBridge/,
    );
  });

  it('reads Records before any envelope field', () => {
    const body = JSON.stringify({ Type: 'Notification', Message: 'x', Records: [] });
    expect(parseS3Message(body)).toEqual({ records: [], testEvent: false });
  });
});

describe('unservedBucketError', () => {
  it.each(['NoSuchBucket', 'AccessDenied'])('names the bucket field for %s', (name) => {
    const error = unservedBucketError(Object.assign(new Error('x'), { name }), 2, 'other-bucket');
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: 'Records[2].s3.bucket.name' });
    expect(error!.message).toContain(`"other-bucket": S3 answered ${name}`);
  });

  it('leaves other errors alone (they are retried as they are)', () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'SlowDown' });
    expect(unservedBucketError(throttled, 0, 'example-content')).toBeUndefined();
  });
});
