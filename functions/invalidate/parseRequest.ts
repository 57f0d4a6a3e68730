/**
 * Invalidate's message parsing: one SQS body → an invalidation request, or the reason it is
 * refused, naming the field (`body`, `key`, `v`, …). A refused message is reported failed on its
 * own (SQS retries it, then the DLQ alarms); the rest of the batch proceeds. Fields a newer
 * ingest may add are ignored (new fields are optional by design); a newer version (`v`) is
 * refused, never guessed at.
 */
import {
  describeValue,
  fieldPath,
  hasLoneSurrogate,
  issueText,
  valueAt,
} from '../../shared/inputIssue.js';
import {
  invalidationRequestSchema,
  type InvalidationRequest,
} from '../../shared/invalidation/request.js';

export type ParsedBody =
  | {
      readonly request: InvalidationRequest;
      readonly error?: undefined;
      readonly field?: undefined;
    }
  | { readonly request?: undefined; readonly error: string; readonly field: string };

const refuse = (field: string, message: string): ParsedBody => ({
  error: `${field}: ${message}`,
  field,
});

export function parseRequestBody(body: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return refuse('body', 'is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return refuse('body', `must be an object (got ${describeValue(value)})`);
  const result = invalidationRequestSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = fieldPath(issue.path) || 'body';
    if (field === 'v') {
      const v = valueAt(value, ['v']);
      return refuse(
        'v',
        v === undefined
          ? 'is required (this function reads version 1 requests: "v": 1)'
          : `is ${describeValue(v)}; this function reads version 1 requests only (is a newer ingest deployed?)`,
      );
    }
    return refuse(field, issueText(issue, value));
  }
  if (hasLoneSurrogate(result.data.key))
    return refuse('key', 'has an unpaired UTF-16 surrogate: not valid UTF-8, so no S3 key');
  return { request: result.data };
}
