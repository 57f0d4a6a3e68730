/** How a zod issue on a spec reads to a person: the field's dotted path and what to change. */
import type * as z from 'zod';

/** A value as a message may quote it: key material (PEM text) never is. */
export function quoted(value: unknown): string {
  const text = JSON.stringify(value);
  return /-----BEGIN|PRIVATE KEY/.test(text ?? '') ? '(PEM text, not shown)' : String(text);
}
/** `['geo', 'countries', 2]` → `geo.countries[2]`; `[]` → `spec`. */
export function fieldName(path: readonly PropertyKey[]): string {
  const text = path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
  return text || 'spec';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

export function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
): { path: PropertyKey[]; message: string } {
  const path = [...issue.path];
  if (issue.code === 'invalid_union') {
    // Report the alternative that got furthest: its problem is the one the user meant.
    const deepest = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest && deepest.path.length > 0) {
      return describeIssue({ ...deepest, path: [...path, ...deepest.path] }, input);
    }
    return { path, message: `${issue.message} (got ${quoted(valueAt(input, path))})` };
  }
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return {
      path: [...path, key],
      message: 'is not a field of the distribution spec (names are case-sensitive)',
    };
  }
  const value = valueAt(input, path);
  if (issue.code === 'invalid_type' && value === undefined) return { path, message: 'is required' };
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    return {
      path,
      message: `must be one of ${issue.values.join(', ')} (got ${quoted(value)})`,
    };
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int' && typeof value === 'number') {
    return { path, message: `must be a whole number (got ${value})` };
  }
  if (issue.code === 'invalid_type') {
    return { path, message: `must be ${article(issue.expected)} (got ${quoted(value)})` };
  }
  return { path, message: issue.message };
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
