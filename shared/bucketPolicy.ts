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

/** Allow statements open to everyone: unconditional ones (public) and conditional ones (suspect). */
export function publicAllows(statements: readonly PolicyStatement[]): {
  open: string[];
  conditional: string[];
} {
  const everyone = statements
    .map((s, i) => ({ s, id: s.Sid ?? `#${i}` }))
    .filter(({ s }) => s.Effect === 'Allow' && isEveryone(s.Principal));
  return {
    open: everyone.filter(({ s }) => !s.Condition).map(({ id }) => id),
    conditional: everyone.filter(({ s }) => s.Condition).map(({ id }) => id),
  };
}
