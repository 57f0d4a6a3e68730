/**
 * Ingest's event parsing: one SQS body → the S3 records it carries, each checked and its key
 * decoded. Two shapes reach the object-events queue, and both become the same record:
 *
 * - an S3 event notification (`Records[]`, the stack's own bucket): keys are form-encoded
 *   (`red+flower.jpg`), decoded here;
 * - an EventBridge `Object Created` event (a bucket the team already has, with S3's EventBridge
 *   delivery and a rule per stack): one object per message, under `detail`; its key is the key
 *   as stored, not URL-encoded, so it is never decoded (a literal `%` or `+` stays itself).
 *
 * Every rejection is an InvalidInputError naming the field (`body`, `Records`,
 * `Records[0].s3.object.key`, `detail.object.key`, `detail-type`), so the message's one log line
 * says what to fix; the handler reports the message as failed (SQS retries it, then the DLQ
 * alarms) while the rest of the batch proceeds. Envelopes the pipeline does not read (SNS,
 * EventBridge events of other kinds or services) are named as such rather than reported as a
 * missing `Records`.
 */
import * as z from 'zod';
import { InvalidInputError } from '../../shared/errors.js';
import { fieldPath, hasLoneSurrogate, issueText } from '../../shared/inputIssue.js';
import { decodeEventKey, MAX_KEY_BYTES } from '../../shared/keys.js';
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

/** A parsed record: the S3 record's fields, its key as stored, and where its bucket was named. */
export type ParsedS3Record = S3Record & {
  /** The object's key as stored in S3 (decoded from an S3 notification, as is from EventBridge). */
  readonly key: string;
  /** The field that named the bucket (`Records[0].s3.bucket.name`, `detail.bucket.name`). */
  readonly bucketField: string;
};

/** EventBridge's detail-type for the only S3 event ingest reads. */
export const OBJECT_CREATED_DETAIL_TYPE = 'Object Created';

/**
 * S3's EventBridge `Object Created` (docs: "EventBridge event message structure"). `detail.object`
 * spells `etag` and `version-id` (null on an unversioned bucket); moto 5.2.1 spells `eTag`, and
 * says `reason: "ObjectCreated"` where S3 says `PutObject`: both are read.
 */
const eventBridgeSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal(OBJECT_CREATED_DETAIL_TYPE),
  time: z.string().optional(),
  detail: z.object({
    bucket: z.object({ name: z.string().min(3) }),
    object: z.object({
      key: z.string().min(1),
      'version-id': z.string().nullish(),
      etag: z.string().nullish(),
      eTag: z.string().nullish(),
      sequencer: z.string().nullish(),
      size: z.number().nullish(),
    }),
    reason: z.string().nullish(),
  }),
});

/** EventBridge's `detail.reason` → the S3 notification's event name suffix. */
const REASON_EVENT_NAMES: Readonly<Record<string, string>> = {
  PutObject: 'Put',
  PostObject: 'Post',
  CopyObject: 'Copy',
  CompleteMultipartUpload: 'CompleteMultipartUpload',
};

function isEventBridgeEvent(raw: unknown): raw is Record<string, unknown> {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    !Array.isArray(raw) &&
    typeof (raw as Record<string, unknown>)['detail-type'] === 'string' &&
    typeof (raw as Record<string, unknown>).source === 'string'
  );
}

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
    if (obj['detail-type'] === OBJECT_CREATED_DETAIL_TYPE) return undefined;
    return new InvalidInputError(
      'detail-type',
      `is ${quoted(obj['detail-type'])}: ingest handles "Object Created" only (narrow the EventBridge rule's pattern)`,
    );
  }
  return undefined;
}

/**
 * Parses an SQS body into its records: an S3 notification's `Records`, or the EventBridge
 * `Object Created` event itself as the one record (parseS3Record reads both); `[]` for S3's test
 * event. Throws InvalidInputError naming the field.
 */
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
    if (isEventBridgeEvent(obj)) return { records: [obj], testEvent: false };
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

/**
 * Checks the `index`th record of a message and decodes its key (an EventBridge event's key is
 * taken as it is). Throws InvalidInputError naming the field.
 */
export function parseS3Record(raw: unknown, index: number): ParsedS3Record {
  if (isEventBridgeEvent(raw)) return parseEventBridgeRecord(raw);
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
  return { ...result.data, key, bucketField: `${at}.s3.bucket.name` };
}

/** An EventBridge `Object Created` as the record an S3 notification would have carried. */
function parseEventBridgeRecord(raw: Record<string, unknown>): ParsedS3Record {
  const result = eventBridgeSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidInputError(fieldPath(issue.path), issueText(issue, raw));
  }
  const { detail, time } = result.data;
  const field = 'detail.object.key';
  const key = detail.object.key;
  if (hasLoneSurrogate(key))
    throw new InvalidInputError(field, 'has an unpaired UTF-16 surrogate: not valid UTF-8');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidInputError(
      field,
      `is ${bytes} bytes long; S3 keys are at most ${MAX_KEY_BYTES} bytes`,
    );
  }
  const eTag = detail.object.etag ?? detail.object.eTag;
  const versionId = detail.object['version-id'];
  const sequencer = detail.object.sequencer;
  const suffix = (detail.reason ? REASON_EVENT_NAMES[detail.reason] : undefined) ?? '*';
  return {
    eventSource: 'aws:s3',
    eventName: `ObjectCreated:${suffix}`,
    ...(time ? { eventTime: time } : {}),
    s3: {
      bucket: { name: detail.bucket.name },
      object: {
        key,
        ...(versionId ? { versionId } : {}),
        ...(eTag ? { eTag } : {}),
        ...(sequencer ? { sequencer } : {}),
      },
    },
    key,
    bucketField: 'detail.bucket.name',
  };
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
  field = `Records[${index}].s3.bucket.name`,
): InvalidInputError | undefined {
  const name = (error as { name?: string })?.name;
  if (name !== 'NoSuchBucket' && name !== 'AccessDenied') return undefined;
  return new InvalidInputError(
    field,
    `${quoted(bucket)}: S3 answered ${name}; not a bucket this pipeline serves (or its role may not read it)`,
    { cause: error },
  );
}
