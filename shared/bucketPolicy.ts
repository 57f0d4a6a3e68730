/**
 * What the pipeline knows about S3 bucket policies: the statement that lets one distribution read
 * through OAC (`Sid: cdnp-<id>`, principal the CloudFront service, `AWS:SourceArn` = that
 * distribution), finding it again, and spotting statements that make a bucket public. Used by the
 * provisioning workflow (which writes the statement) and the health checks (which verify it).
 */

export const STATEMENT_SID_PREFIX = 'cdnp-';

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: PolicyStatement | PolicyStatement[];
  [key: string]: unknown;
}

/** The statements of a policy document (JSON), or none when there is no policy. */
export function policyStatements(policy: string | undefined): PolicyStatement[] {
  if (!policy) return [];
  const doc = JSON.parse(policy) as PolicyDocument;
  return doc.Statement ? (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) : [];
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/**
 * A distribution ARN as AWS formats it, `arn:<partition>:cloudfront::<account>:distribution/<id>`,
 * from what the API returned (the emulator's `arn:aws:cloudfront:<account>:distribution/<id>`
 * lacks the empty region). The condition must match what CloudFront signs with.
 */
export function normaliseDistributionArn(arn: string): {
  arn: string;
  partition: string;
  account: string;
  distributionId: string;
} {
  const match =
    /^arn:(aws[a-z-]*):cloudfront:(?:[a-z0-9-]*:)?(\d{12}):distribution\/([A-Z0-9]+)$/.exec(arn);
  if (!match) {
    throw new Error(`not a CloudFront distribution ARN: ${JSON.stringify(arn)}`);
  }
  const [, partition, account, distributionId] = match as unknown as [
    string,
    string,
    string,
    string,
  ];
  return {
    arn: `arn:${partition}:cloudfront::${account}:distribution/${distributionId}`,
    partition,
    account,
    distributionId,
  };
}

/** The statement granting this distribution read access. */
export function distributionStatement(bucket: string, distributionArn: string): PolicyStatement {
  const { arn, partition, distributionId } = normaliseDistributionArn(distributionArn);
  return {
    Sid: `${STATEMENT_SID_PREFIX}${distributionId}`,
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: 's3:GetObject',
    Resource: `arn:${partition}:s3:::${bucket}/*`,
    Condition: { StringEquals: { 'AWS:SourceArn': arn } },
  };
}

/** The statement that lets CloudFront read for this distribution (OAC, AWS:SourceArn), if any. */
export function oacStatementFor(
  statements: readonly PolicyStatement[],
  distributionArn: string,
): PolicyStatement | undefined {
  const want = distributionKey(distributionArn);
  return statements.find((s) => {
    if (s.Effect !== 'Allow') return false;
    const service = (s.Principal as { Service?: unknown } | undefined)?.Service;
    if (!asList(service).includes('cloudfront.amazonaws.com')) return false;
    const actions = asList(s.Action);
    if (!actions.some((a) => a === 's3:GetObject' || a === 's3:*' || a === '*')) return false;
    return Object.values(s.Condition ?? {}).some((operands) =>
      Object.entries(operands).some(
        ([k, v]) =>
          k.toLowerCase() === 'aws:sourcearn' &&
          asList(v).some((arn) => typeof arn === 'string' && distributionKey(arn) === want),
      ),
    );
  });
}

/** `account/id` of a distribution ARN, whatever its form (the emulator's lacks `::`). */
function distributionKey(arn: string): string | undefined {
  try {
    const { account, distributionId } = normaliseDistributionArn(arn);
    return `${account}/${distributionId}`;
  } catch {
    return undefined;
  }
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  return asList(aws).includes('*');
}

/**
 * Condition keys that confine an Allow for everyone to known callers when compared with fixed
 * values (S3's own test of a "public" policy: "The meaning of public" in the S3 User Guide).
 * `aws:SecureTransport`, `aws:Referer`, `aws:UserAgent` restrict nothing: anyone can send them.
 */
export const RESTRICTING_CONDITION_KEYS = [
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalservicename',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceip',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:userid',
  's3:dataaccesspointaccount',
  's3:dataaccesspointarn',
] as const;

/** Operators that compare a key with fixed values (not negations, not "IfExists"). */
const FIXING_OPERATORS =
  /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$/i;

/** A value that names someone, not a wildcard nor an open network. */
function fixedValue(value: unknown): boolean {
  if (typeof value !== 'string' || value === '' || value === '*') return false;
  if (value.endsWith('/0')) return false; // 0.0.0.0/0, ::/0
  return !/^\*|:\*$/.test(value);
}

/** Whether a statement's Condition confines it to known callers (see RESTRICTING_CONDITION_KEYS). */
export function hasRestrictingCondition(statement: PolicyStatement): boolean {
  return Object.entries(statement.Condition ?? {}).some(
    ([operator, operands]) =>
      FIXING_OPERATORS.test(operator) &&
      Object.entries(operands ?? {}).some(
        ([key, value]) =>
          (RESTRICTING_CONDITION_KEYS as readonly string[]).includes(key.toLowerCase()) &&
          asList(value).length > 0 &&
          asList(value).every(fixedValue),
      ),
  );
}

/** An Allow open to everyone: `Principal: "*"` (or `{AWS: "*"}`), or an Allow with NotPrincipal. */
function allowsEveryone(s: PolicyStatement): boolean {
  return s.Effect === 'Allow' && (isEveryone(s.Principal) || s.NotPrincipal !== undefined);
}

/**
 * Allow statements open to everyone: `open`, with no condition that confines them to known
 * callers (public: S3 serves anyone, around CloudFront), and `conditional`, confined by such a
 * condition (a VPC endpoint, an account, an ARN: not public, but worth a look). Named by Sid, or
 * `#<index>` when a statement has none.
 */
export function publicAllows(statements: readonly PolicyStatement[]): {
  open: string[];
  conditional: string[];
} {
  const everyone = statements
    .map((s, i) => ({ s, id: s.Sid ?? `#${i}` }))
    .filter(({ s }) => allowsEveryone(s));
  return {
    open: everyone.filter(({ s }) => !hasRestrictingCondition(s)).map(({ id }) => id),
    conditional: everyone.filter(({ s }) => hasRestrictingCondition(s)).map(({ id }) => id),
  };
}

/** S3's groups that make an ACL grant public: everyone, and every AWS account. */
export const PUBLIC_ACL_GROUPS = {
  'http://acs.amazonaws.com/groups/global/AllUsers': 'AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers': 'AuthenticatedUsers',
} as const;

export interface AclGrant {
  readonly Grantee?: { readonly Type?: string; readonly URI?: string };
  readonly Permission?: string;
}

/** The public grants of a bucket ACL, as `AllUsers READ`. */
export function publicAclGrants(grants: readonly AclGrant[]): string[] {
  return grants.flatMap((g) => {
    const group = PUBLIC_ACL_GROUPS[(g.Grantee?.URI ?? '') as keyof typeof PUBLIC_ACL_GROUPS];
    return group ? [`${group} ${g.Permission ?? '?'}`] : [];
  });
}

// ── Legacy Origin Access Identities (OAI → OAC migration) ───────────────────────────────────

/** How an origin names its OAI: `origin-access-identity/cloudfront/<id>`. */
export const OAI_ORIGIN_PREFIX = 'origin-access-identity/cloudfront/';

/** The OAI id an origin's `S3OriginConfig.OriginAccessIdentity` names, if any. */
export function oaiIdFromOrigin(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.startsWith(OAI_ORIGIN_PREFIX) ? value.slice(OAI_ORIGIN_PREFIX.length) : value;
}

/** The principal ARN S3 shows for an OAI grant (whatever form it was written in). */
export function oaiPrincipalArn(oaiId: string, partition = 'aws'): string {
  return `arn:${partition}:iam::cloudfront:user/CloudFront Origin Access Identity ${oaiId}`;
}

/** One OAI as a bucket policy can name it: by id (the ARN form) and by S3 canonical user id. */
export interface OaiPrincipal {
  readonly id: string;
  readonly canonicalUserId?: string;
}

function principalValues(principal: unknown, kind: 'AWS' | 'CanonicalUser'): unknown[] {
  const value = (principal as Record<string, unknown> | undefined)?.[kind];
  return value === undefined ? [] : asList(value);
}

function isOaiPrincipal(kind: 'AWS' | 'CanonicalUser', value: unknown, oai: OaiPrincipal): boolean {
  if (typeof value !== 'string') return false;
  if (kind === 'CanonicalUser') return value === oai.canonicalUserId;
  return (
    /^arn:aws[a-z-]*:iam::cloudfront:user\/CloudFront Origin Access Identity (\S+)$/.exec(
      value,
    )?.[1] === oai.id
  );
}

/** Allow statements that grant the OAI (by ARN or canonical user) `s3:GetObject`. */
export function oaiStatementsFor(
  statements: readonly PolicyStatement[],
  oai: OaiPrincipal,
): PolicyStatement[] {
  return statements.filter((s) => {
    if (s.Effect !== 'Allow') return false;
    const actions = asList(s.Action);
    if (!actions.some((a) => a === 's3:GetObject' || a === 's3:*' || a === '*')) return false;
    return (['AWS', 'CanonicalUser'] as const).some((kind) =>
      principalValues(s.Principal, kind).some((v) => isOaiPrincipal(kind, v, oai)),
    );
  });
}

/**
 * The policy without these OAIs as principals: each is removed from the statements that name it;
 * a statement left with no principal is dropped, every other statement is kept as it is.
 */
export function withoutOaiGrants(
  policy: string | undefined,
  oais: readonly OaiPrincipal[],
): { policy: string | undefined; changed: boolean } {
  if (!policy) return { policy, changed: false };
  const doc = JSON.parse(policy) as PolicyDocument;
  const statements = policyStatements(policy);
  let changed = false;
  const kept: PolicyStatement[] = [];
  for (const statement of statements) {
    const principal = statement.Principal;
    if (typeof principal !== 'object' || principal === null) {
      kept.push(statement);
      continue;
    }
    const next: Record<string, unknown> = {};
    let removed = false;
    for (const [kind, value] of Object.entries(principal as Record<string, unknown>)) {
      const values = asList(value).filter(
        (v) =>
          !(
            (kind === 'AWS' || kind === 'CanonicalUser') &&
            oais.some((oai) => isOaiPrincipal(kind, v, oai))
          ),
      );
      if (values.length !== asList(value).length) removed = true;
      if (values.length > 0) next[kind] = Array.isArray(value) ? values : values[0];
    }
    if (!removed) {
      kept.push(statement);
      continue;
    }
    changed = true;
    if (Object.keys(next).length > 0) kept.push({ ...statement, Principal: next });
  }
  if (!changed) return { policy, changed: false };
  return { policy: JSON.stringify({ ...doc, Statement: kept }), changed: true };
}
