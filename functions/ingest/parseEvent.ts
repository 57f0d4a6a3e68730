/**
 * Ingest's event parsing: one SQS body → the S3 records it carries, each checked and its key
 * decoded. Every rejection is an InvalidInputError naming the field (`body`, `Records`,
 * `Records[0].s3.object.key`, `detail-type`), so the message's one log line says what to fix;
 * the handler reports the message as failed (SQS retries it, then the DLQ alarms) while the
 * rest of the batch proceeds. Envelopes the pipeline does not read (SNS, EventBridge events of
 * other kinds) are named as such rather than reported as a missing `Records`.
 */
import * as z from 'zod';
import { InvalidInputError } from '../../shared/errors.js';
import { fieldPath, hasLoneSurrogate, issueText } from '../../shared/inputIssue.js';
import { decodeEventKey } from '../../shared/keys.js';
import { clip } from '../../shared/text/layout.js';

/**
 * S3 sends one record per message. Each record costs a few S3 calls within the function's
 * timeout, and the message is the unit of retry (one failed record redoes them all): a
 * message with more than this many is not an S3 notification and is refused whole.
 */
export const MAX_RECORDS_PER_MESSAGE = 100;

const recordSchema = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string().startsWith('ObjectCreated:', 'is not an ObjectCreated event'),
  eventTime: z.string().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(3) }),
    object: z.object({
      key: z.string().min(1),
      versionId: z.string().optional(),
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});
export type S3Record = z.output<typeof recordSchema>;

const quoted = (value: unknown) => JSON.stringify(clip(String(value), 80));

/** Names the envelope of a body that is not an S3 notification, or undefined. */
function foreignEnvelope(obj: Record<string, unknown>): InvalidInputError | undefined {
  if (obj.Type === 'Notification' && typeof obj.Message === 'string') {
    return new InvalidInputError(
      'Type',
      'is "Notification": the S3 event is wrapped in an SNS envelope; enable raw message delivery on the subscription, or send S3 notifications to the queue directly',
    );
  }
  if (typeof obj['detail-type'] === 'string' && typeof obj.source === 'string') {
    if (obj.source !== 'aws.s3') {
      return new InvalidInputError(
        'source',
        `is ${quoted(obj.source)}: an EventBridge event of another service; ingest reads S3 events only (check the rule that targets this queue)`,
      );
    }
    return new InvalidInputError(
      'detail-type',
      obj['detail-type'] === 'Object Created'
        ? 'is "Object Created" from EventBridge, which this ingest does not read: send S3 event notifications to the queue'
        : `is ${quoted(obj['detail-type'])}: ingest handles "Object Created" only (narrow the EventBridge rule's pattern)`,
    );
  }
  return undefined;
}

/** Parses an SQS body into S3 records; `[]` for S3's test event. Throws InvalidInputError naming the field. */
export function parseS3Message(body: string): { records: unknown[]; testEvent: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidInputError('body', 'is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidInputError('body', 'is not a JSON object');
  const obj = parsed as Record<string, unknown>;
  if (obj.Event === 's3:TestEvent') return { records: [], testEvent: true };
  if (obj.Records === undefined) {
    const envelope = foreignEnvelope(obj);
    if (envelope) throw envelope;
  }
  if (!Array.isArray(obj.Records))
    throw new InvalidInputError('Records', 'is missing or not an array');
  if (obj.Records.length > MAX_RECORDS_PER_MESSAGE) {
    throw new InvalidInputError(
      'Records',
      `has ${obj.Records.length} records; S3 sends one per message and ingest takes at most ${MAX_RECORDS_PER_MESSAGE}`,
    );
  }
  return { records: obj.Records, testEvent: false };
}

/** Checks the `index`th record of a message and decodes its key. Throws InvalidInputError naming the field. */
export function parseS3Record(raw: unknown, index: number): S3Record & { key: string } {
  const at = `Records[${index}]`;
  const result = recordSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidInputError(fieldPath(issue.path, at), issueText(issue, raw));
  }
  const field = `${at}.s3.object.key`;
  const key = decodeEventKey(result.data.s3.object.key, field);
  if (hasLoneSurrogate(key))
    throw new InvalidInputError(field, 'has an unpaired UTF-16 surrogate: not valid UTF-8');
  return { ...result.data, key };
}

/**
 * S3's answer for a bucket this function cannot work in (NoSuchBucket; AccessDenied where its
 * role names the content bucket only), as an error naming the record's bucket; undefined for
 * any other error.
 */
export function unservedBucketError(
  error: unknown,
  index: number,
  bucket: string,
): InvalidInputError | undefined {
  const name = (error as { name?: string })?.name;
  if (name !== 'NoSuchBucket' && name !== 'AccessDenied') return undefined;
  return new InvalidInputError(
    `Records[${index}].s3.bucket.name`,
    `${quoted(bucket)}: S3 answered ${name}; not a bucket this pipeline serves (or its role may not read it)`,
    { cause: error },
  );
}
