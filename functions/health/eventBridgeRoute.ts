/**
 * The other way uploads reach the object-events queue (existing buckets, README "Existing
 * buckets: how events reach the pipeline"): S3's EventBridge delivery on the bucket, and an
 * enabled rule on the default bus whose pattern matches the bucket's `Object Created` events and
 * targets the queue. Found from the queue's side (ListRuleNamesByTarget), each rule read with
 * DescribeRule.
 */
import {
  DescribeRuleCommand,
  ListRuleNamesByTargetCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { errorName, fail, pass, warn, type HealthCheck } from './check.js';

/** What the check is told about S3's side: is EventBridge delivery on for the bucket? */
export type DeliveryFlag =
  | { readonly kind: 'on' }
  | { readonly kind: 'off' }
  /** The account does not report the flag (the emulator): the detail says so. */
  | { readonly kind: 'unreported'; readonly detail: string };

/** How a rule's pattern treats this bucket's Object Created events. */
type PatternMatch =
  | { readonly kind: 'all' }
  | { readonly kind: 'prefixes'; readonly prefixes: readonly string[] }
  | { readonly kind: 'none'; readonly why: string };

type Matcher = string | { readonly prefix?: unknown } | Record<string, unknown>;

/** Does one pattern field's list of matchers take this value? (strings and `prefix` only). */
function takes(matchers: unknown, value: string): boolean | undefined {
  if (matchers === undefined) return true;
  if (!Array.isArray(matchers)) return undefined;
  let unknown = false;
  for (const m of matchers as Matcher[]) {
    if (typeof m === 'string') {
      if (m === value) return true;
    } else if (m && typeof m === 'object' && typeof m.prefix === 'string') {
      if (value.startsWith(m.prefix)) return true;
    } else unknown = true;
  }
  return unknown ? undefined : false;
}

/**
 * The subset of EventBridge patterns the stack writes (resources/contentBuckets.cjs,
 * local/existingBucket.ts): exact strings and `prefix` matchers on source, detail-type, the
 * bucket name and the object key. Any other operator is reported as not understood (a warning,
 * never a pass on a guess).
 */
export function matchObjectCreated(
  pattern: Record<string, unknown>,
  bucket: string,
): PatternMatch | { readonly kind: 'unknown' } {
  const detail = (pattern.detail ?? {}) as Record<string, unknown>;
  const bucketField = (detail.bucket ?? {}) as Record<string, unknown>;
  const objectField = (detail.object ?? {}) as Record<string, unknown>;
  const checks = [
    ['source', takes(pattern.source, 'aws.s3'), 'aws.s3'],
    ['detail-type', takes(pattern['detail-type'], 'Object Created'), 'Object Created'],
    ['detail.bucket.name', takes(bucketField.name, bucket), bucket],
  ] as const;
  for (const [field, ok, value] of checks) {
    if (ok === undefined) return { kind: 'unknown' };
    if (!ok) return { kind: 'none', why: `its ${field} leaves out ${value}` };
  }
  const keys = objectField.key;
  if (keys === undefined) return { kind: 'all' };
  if (!Array.isArray(keys)) return { kind: 'unknown' };
  const prefixes = (keys as Matcher[]).map((k) =>
    k && typeof k === 'object' && typeof k.prefix === 'string' ? k.prefix : undefined,
  );
  if (prefixes.some((p) => p === undefined)) return { kind: 'unknown' };
  if (prefixes.includes('')) return { kind: 'all' };
  return { kind: 'prefixes', prefixes: prefixes as string[] };
}

interface RuleState {
  readonly name: string;
  readonly enabled: boolean;
  readonly match: ReturnType<typeof matchObjectCreated>;
}

async function ruleNames(events: EventBridgeClient, queueArn: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const out = await events.send(
      new ListRuleNamesByTargetCommand({ TargetArn: queueArn, NextToken: token }),
    );
    names.push(...(out.RuleNames ?? []));
    token = out.NextToken;
  } while (token);
  return names;
}

async function describe(
  events: EventBridgeClient,
  name: string,
  bucket: string,
): Promise<RuleState | { readonly name: string; readonly unreadable: string }> {
  try {
    const out = await events.send(new DescribeRuleCommand({ Name: name }));
    const pattern = out.EventPattern
      ? (JSON.parse(out.EventPattern) as Record<string, unknown>)
      : undefined;
    return {
      name,
      // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS delivers too.
      enabled: (out.State ?? '').startsWith('ENABLED'),
      // A schedule-only rule matches no event.
      match: pattern
        ? matchObjectCreated(pattern, bucket)
        : { kind: 'none', why: 'it has no event pattern' },
    };
  } catch (error) {
    // Another team's rule on the same queue, outside this role's DescribeRule grant.
    if (errorName(error) === 'AccessDeniedException') return { name, unreadable: 'access denied' };
    throw error;
  }
}

/**
 * The route S3 → EventBridge → rule → queue, as one check. Undefined when no rule targets the
 * queue at all (the caller then reports the missing notification as before).
 */
export async function checkEventBridgeRoute(
  events: EventBridgeClient,
  options: { readonly bucket: string; readonly queueArn: string; readonly delivery: DeliveryFlag },
): Promise<HealthCheck | undefined> {
  const { bucket, queueArn, delivery } = options;
  const name = 'object-created notification';
  const names = await ruleNames(events, queueArn);
  if (names.length === 0) return undefined;
  const rules = await Promise.all(names.map((n) => describe(events, n, bucket)));
  const read = rules.filter((r): r is RuleState => 'enabled' in r);
  const full = read.find((r) => r.enabled && r.match.kind === 'all');
  const partial = read.find((r) => r.enabled && r.match.kind === 'prefixes');
  const redeploy = 'deploy the stack again (it owns the rule): npx sls deploy --stage <stage>';
  if (delivery.kind === 'off' && (full ?? partial)) {
    return fail(
      name,
      `rule ${(full ?? partial)!.name} matches s3://${bucket} → ${queueArn}, but S3's EventBridge delivery is off for the bucket: uploads go unseen`,
      `aws s3api put-bucket-notification-configuration --bucket ${bucket} with "EventBridgeConfiguration": {} added to its current configuration (or deploy the stack again)`,
    );
  }
  if (full) {
    const route = `S3 → EventBridge rule ${full.name} → ${queueArn}`;
    // Unreported flag: a warning, not a pass. The rule is there and right, but that S3 sends
    // this bucket's events to EventBridge at all is exactly the half this account cannot show;
    // passing would claim what was not seen. (On AWS the flag is always reported: exact.)
    return delivery.kind === 'unreported'
      ? warn(
          name,
          `${route}; EventBridge delivery ${delivery.detail}`,
          'nothing to do locally; on AWS this check is exact',
        )
      : pass(name, `${route} (EventBridge delivery on)`);
  }
  if (partial && partial.match.kind === 'prefixes') {
    return warn(
      name,
      `S3 → EventBridge rule ${partial.name} → ${queueArn}: only keys under ${partial.match.prefixes.join(', ')}; other uploads are not seen${delivery.kind === 'unreported' ? `; EventBridge delivery ${delivery.detail}` : ''}`,
      'widen contentPrefixes if other keys should be served: npx sls deploy --param contentPrefixes=…',
    );
  }
  const why = rules.map((r) =>
    'unreadable' in r
      ? `${r.name}: not readable (${r.unreadable})`
      : !r.enabled
        ? `${r.name} is disabled`
        : r.match.kind === 'none'
          ? `${r.name}: ${r.match.why}`
          : `${r.name}: pattern not understood by this check`,
  );
  const understood = read.every((r) => !r.enabled || r.match.kind !== 'unknown');
  const detail = `no enabled EventBridge rule to ${queueArn} matches Object Created of s3://${bucket} (${why.join('; ')})`;
  return understood
    ? fail(name, `${detail}: uploads go unseen`, redeploy)
    : warn(name, detail, redeploy);
}
