/**
 * How a zod issue on a queue message reads in its one log line: the field's path
 * (`Records[0].s3.object.key`) and what is wrong in words ("is required", "must be a string
 * (got 42)"), never the whole message. Used by ingest's and invalidate's message parsing.
 */
import type { z } from 'zod';
import { clip } from './text/layout.js';

/** `['s3', 'object', 'key']` under `Records[0]` → `Records[0].s3.object.key`; `[]` → the prefix. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** The value at `path` in `input`, or undefined. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A short description of a value for an error message (strings clipped, objects by kind). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(clip(value, 80));
  return String(value);
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** What is wrong with the value an issue points at, in words. */
export function issueText(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path);
  const got = ` (got ${describeValue(value)})`;
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? 'is required' : `must be ${article(issue.expected)}${got}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}${got}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) === 1
          ? 'is empty (at least 1 character)'
          : `must be at least ${issue.minimum} characters${got}`;
      return `must be >= ${issue.minimum}${got}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be <= ${issue.maximum}${got}`;
    default:
      return typeof value === 'string' ? `${issue.message}${got}` : issue.message;
  }
}

/** A string with an unpaired UTF-16 surrogate cannot be encoded as UTF-8 (what S3 keys are). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
