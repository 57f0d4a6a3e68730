/** The bucket-policy merge, as a pure function. */
import { describe, expect, it } from 'vitest';
import { mergeBucketPolicy } from '../../../functions/provision/bucketPolicy.js';
import { distributionStatement, normaliseDistributionArn } from '../../../shared/bucketPolicy.js';

const BUCKET = 'example-content';
const EMULATOR_ARN = 'arn:aws:cloudfront:123456789012:distribution/E2QWRUHAPOMQZL';
const AWS_ARN = 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL';
const OURS = distributionStatement(BUCKET, AWS_ARN);
const TLS_ONLY = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const OTHER_DISTRIBUTION = distributionStatement(
  BUCKET,
  'arn:aws:cloudfront::123456789012:distribution/EOTHER',
);
const policy = (...statements: unknown[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const statementsOf = (json: string) => (JSON.parse(json) as { Statement: unknown[] }).Statement;

describe('normaliseDistributionArn', () => {
  it.each([
    [EMULATOR_ARN, AWS_ARN],
    [AWS_ARN, AWS_ARN],
    [
      'arn:aws-cn:cloudfront::123456789012:distribution/E1',
      'arn:aws-cn:cloudfront::123456789012:distribution/E1',
    ],
  ])('returns the AWS form of %s', (given, expected) => {
    expect(normaliseDistributionArn(given).arn).toBe(expected);
  });

  it('rejects what is not a distribution ARN', () => {
    expect(() => normaliseDistributionArn('arn:aws:s3:::bucket')).toThrow(/distribution ARN/);
  });
});

describe('distributionStatement', () => {
  it('grants s3:GetObject to CloudFront, limited to this distribution in the AWS ARN format', () => {
    expect(distributionStatement(BUCKET, EMULATOR_ARN)).toEqual({
      Sid: 'cdnp-E2QWRUHAPOMQZL',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: { StringEquals: { 'AWS:SourceArn': AWS_ARN } },
    });
  });
});

describe('mergeBucketPolicy', () => {
  it.each([
    { when: 'the bucket has no policy', existing: undefined, expected: [OURS], changed: true },
    {
      when: 'other statements exist (they are kept, in order)',
      existing: policy(TLS_ONLY, OTHER_DISTRIBUTION),
      expected: [TLS_ONLY, OTHER_DISTRIBUTION, OURS],
      changed: true,
    },
    {
      when: 'our statement is outdated (it is replaced in place)',
      existing: policy({ ...OURS, Action: ['s3:GetObject', 's3:PutObject'] }, TLS_ONLY),
      expected: [OURS, TLS_ONLY],
      changed: true,
    },
    {
      when: 'the policy holds a single statement object',
      existing: JSON.stringify({ Version: '2012-10-17', Statement: TLS_ONLY }),
      expected: [TLS_ONLY, OURS],
      changed: true,
    },
    {
      when: 'our statement is already there, keys in another order',
      existing: policy(TLS_ONLY, {
        Condition: OURS.Condition,
        Resource: OURS.Resource,
        Action: OURS.Action,
        Principal: OURS.Principal,
        Effect: OURS.Effect,
        Sid: OURS.Sid,
      }),
      expected: undefined,
      changed: false,
    },
  ])('merges when $when', ({ existing, expected, changed }) => {
    const merged = mergeBucketPolicy(existing, BUCKET, EMULATOR_ARN);
    expect(merged.changed).toBe(changed);
    expect(merged.sid).toBe('cdnp-E2QWRUHAPOMQZL');
    if (expected) expect(statementsOf(merged.policy)).toEqual(expected);
    else expect(merged.policy).toBe(existing);
  });

  it('is idempotent: a second run on its own output changes nothing', () => {
    const first = mergeBucketPolicy(policy(TLS_ONLY), BUCKET, EMULATOR_ARN);
    const second = mergeBucketPolicy(first.policy, BUCKET, EMULATOR_ARN);
    expect(second).toEqual({ ...first, changed: false });
    expect(statementsOf(second.policy)).toHaveLength(2);
  });

  it('keeps the policy Id and Version', () => {
    const existing = JSON.stringify({ Version: '2008-10-17', Id: 'P1', Statement: [TLS_ONLY] });
    const merged = JSON.parse(mergeBucketPolicy(existing, BUCKET, AWS_ARN).policy) as object;
    expect(merged).toMatchObject({ Version: '2008-10-17', Id: 'P1' });
  });

  it('reports Allow statements open to everyone, and never adds one', () => {
    const publicRead = {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    };
    const merged = mergeBucketPolicy(policy(TLS_ONLY, publicRead), BUCKET, AWS_ARN);
    expect(merged.publicStatements).toEqual(['PublicRead']);
    expect(mergeBucketPolicy(undefined, BUCKET, AWS_ARN).publicStatements).toEqual([]);
  });
});
