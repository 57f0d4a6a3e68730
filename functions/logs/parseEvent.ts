/**
 * The logs function's event parsing: one SQS body (an S3 notification of the log bucket) → the
 * log objects it announces, each key decoded. A rejection is an InvalidInputError naming the
 * field (`body`, `Records`, `Records[0].s3.object.key`); S3's test event carries no object.
 */
import * as z from 'zod';
import { InvalidInputError } from '../../shared/errors.js';
import { fieldPath, issueText } from '../../shared/inputIssue.js';
import { decodeEventKey } from '../../shared/keys.js';

/** S3 sends one record per message; more than this is not an S3 notification. */
export const MAX_RECORDS_PER_MESSAGE = 100;

const recordSchema = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string().startsWith('ObjectCreated:', 'is not an ObjectCreated event'),
  s3: z.object({
    bucket: z.object({ name: z.string().min(3) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().min(0).optional(),
      eTag: z.string().min(1).optional(),
      versionId: z.string().min(1).optional(),
    }),
  }),
});

/** A delivered log object. */
export interface LogObject {
  readonly bucket: string;
  readonly key: string;
  readonly size?: number | undefined;
  /** The version announced (unquoted ETag; versionId on a versioned bucket): what counts once. */
  readonly eTag?: string | undefined;
  readonly versionId?: string | undefined;
}

/** The objects of one SQS body; `[]` for S3's test event. */
export function parseLogMessage(body: string): LogObject[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidInputError('body', 'is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidInputError('body', 'is not a JSON object');
  const obj = parsed as Record<string, unknown>;
  if (obj.Event === 's3:TestEvent') return [];
  if (!Array.isArray(obj.Records))
    throw new InvalidInputError('Records', 'is missing or not an array');
  if (obj.Records.length > MAX_RECORDS_PER_MESSAGE)
    throw new InvalidInputError(
      'Records',
      `has ${obj.Records.length} records; S3 sends one per message and logs takes at most ${MAX_RECORDS_PER_MESSAGE}`,
    );
  return obj.Records.map((raw, index) => {
    const at = `Records[${index}]`;
    const result = recordSchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new InvalidInputError(fieldPath(issue.path, at), issueText(issue, raw));
    }
    const { bucket, object } = result.data.s3;
    return {
      bucket: bucket.name,
      key: decodeEventKey(object.key, `${at}.s3.object.key`),
      size: object.size,
      ...(object.eTag ? { eTag: object.eTag.replace(/"/g, '') } : {}),
      ...(object.versionId ? { versionId: object.versionId } : {}),
    };
  });
}
