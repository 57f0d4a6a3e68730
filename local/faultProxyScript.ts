/**
 * LOCAL ONLY. The fault proxy's script: which CloudFront call gets which fault, by operation and
 * call number, every n-th call or with a seeded probability. Read from JSON (`npm start --
 * --faults FILE`) or given as an object by tests:
 *
 *   { "seed": 7, "completeAfterMs": 20000,
 *     "faults": { "CreateInvalidation": [{ "call": 2, "fault": "TooManyInvalidationsInProgress" },
 *                                        { "every": 3, "fault": "Throttling" }],
 *                 "*": [{ "probability": 0.1, "fault": "503" }] } }
 *
 * The bare `faults` map is accepted as the whole file too. Rules of one operation count that
 * operation's calls (each HTTP request is a call, SDK retries included); `*` rules count every
 * CloudFront call. The first matching rule wins, the operation's own rules before `*`.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { prng } from './prng.js';

/** The faults the proxy can inject, named as a script names them. */
export const FAULT_KINDS = [
  'TooManyInvalidationsInProgress',
  'Throttling',
  '503',
  'reset',
  /** The call is carried out, then the connection dropped before the answer. */
  'reset-after',
  'latency',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The CloudFront operations the proxy names (the invalidation ones it answers, the rest it forwards). */
export const CLOUDFRONT_OPERATIONS = [
  'CreateInvalidation',
  'GetInvalidation',
  'ListInvalidations',
  'ListDistributions',
  'GetDistribution',
  'GetDistributionConfig',
  'CreateDistribution',
  'CreateDistributionWithTags',
  'UpdateDistribution',
  'ListTagsForResource',
  'TagResource',
  'OriginAccessControl',
] as const;
export type CloudFrontOperation = (typeof CLOUDFRONT_OPERATIONS)[number];

const positiveInt = z.number().int().positive();

const ruleSchema = z
  .object({
    /** This call number (1-based), or these. */
    call: z.union([positiveInt, z.array(positiveInt).min(1)]).optional(),
    /** Every n-th call (n, 2n, …). */
    every: positiveInt.optional(),
    /** Each call with this probability, from the script's seeded generator. */
    probability: z.number().min(0).max(1).optional(),
    fault: z.enum(FAULT_KINDS),
    /** For `latency`: how long to hold the call before it proceeds (default 1 000 ms). */
    ms: z.number().int().min(0).max(120_000).optional(),
  })
  .strict();
export type FaultRule = z.output<typeof ruleSchema>;

const operationKey = z.union([z.enum(CLOUDFRONT_OPERATIONS), z.literal('*')]);
const faultsSchema = z.partialRecord(operationKey, z.array(ruleSchema));
export type FaultRules = z.output<typeof faultsSchema>;

const scriptSchema = z
  .object({
    seed: z.number().int().optional(),
    /** How long an invalidation stays InProgress (AWS: under 25 s at P95, April 2026). */
    completeAfterMs: z.number().int().min(0).optional(),
    faults: faultsSchema.default({}),
  })
  .strict();
export type FaultScript = z.output<typeof scriptSchema>;

export class FaultScriptError extends Error {
  override readonly name = 'FaultScriptError';
}

/** Validates a script (the full form or the bare `faults` map); errors name the field. */
export function parseFaultScript(value: unknown, source = 'fault script'): FaultScript {
  const full =
    value && typeof value === 'object' && !Array.isArray(value) && 'faults' in value
      ? value
      : { faults: value };
  const result = scriptSchema.safeParse(full);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || '(root)';
  throw new FaultScriptError(`${source}: ${field}: ${issue.message}`);
}

export function readFaultScript(file: string): FaultScript {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FaultScriptError(`${file}: cannot read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FaultScriptError(`${file}: is not JSON: ${(error as Error).message}`);
  }
  return parseFaultScript(value, file);
}

export { prng };

export interface ChosenFault {
  readonly fault: FaultKind;
  readonly ms?: number;
}

/** Decides each call's fault from the script; counts calls per operation and overall. */
export function faultChooser(script: FaultScript): (operation: string) => ChosenFault | undefined {
  const random = prng(script.seed ?? 1);
  const counts = new Map<string, number>();
  let all = 0;
  const matches = (rule: FaultRule, n: number): boolean => {
    if (rule.call !== undefined) {
      const calls = Array.isArray(rule.call) ? rule.call : [rule.call];
      if (!calls.includes(n)) return false;
    }
    if (rule.every !== undefined && n % rule.every !== 0) return false;
    // Drawn only when asked, so adding a call-numbered rule does not shift the sequence.
    if (rule.probability !== undefined && !(random() < rule.probability)) return false;
    return true;
  };
  const rules = script.faults as Record<string, FaultRule[] | undefined>;
  return (operation) => {
    const n = (counts.get(operation) ?? 0) + 1;
    counts.set(operation, n);
    all += 1;
    const pick =
      (rules[operation] ?? []).find((r) => matches(r, n)) ??
      (rules['*'] ?? []).find((r) => matches(r, all));
    return pick
      ? { fault: pick.fault, ...(pick.ms !== undefined ? { ms: pick.ms } : {}) }
      : undefined;
  };
}
