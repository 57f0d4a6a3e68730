/**
 * The content bucket: private, encrypted, owner-enforced, versioned with lifecycle rules, one
 * notification to object-events, and TLS only.
 */
import { describe, expect, it } from 'vitest';
import { PREFIX } from './runs.js';
import { usePackagedStack } from './stack.js';
import { asArray, props, resource, resourcesOfType, target, type Cfn } from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

describe('content bucket', () => {
  const bucket = () => props(t(), 'ContentBucket', 'AWS::S3::Bucket');

  it('is private, encrypted, owner-enforced and stage-scoped', () => {
    expect(bucket().PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket().BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true },
    ]);
    expect(bucket().OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(bucket().BucketName['Fn::Sub']).toMatch(new RegExp(`^${PREFIX}-content-`));
  });

  it('is versioned, expires noncurrent versions and aborts stale multipart uploads', () => {
    expect(bucket().VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = bucket().LifecycleConfiguration.Rules as Record<string, Cfn>[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    );
  });

  it('sends one s3:ObjectCreated:* notification, to object-events, after the queue policy exists', () => {
    const notifications = bucket().NotificationConfiguration;
    expect(Object.keys(notifications)).toEqual(['QueueConfigurations']);
    expect(notifications.QueueConfigurations).toHaveLength(1);
    expect(notifications.QueueConfigurations[0].Event).toBe('s3:ObjectCreated:*');
    expect(target(notifications.QueueConfigurations[0].Queue)).toBe('ObjectEventsQueue');
    expect(asArray(resource(t(), 'ContentBucket').DependsOn)).toContain('ObjectEventsQueuePolicy');
  });

  it('denies every request that is not over TLS, to the bucket and its objects', () => {
    const policies = resourcesOfType(t(), 'AWS::S3::BucketPolicy').filter(
      ([, p]) => target(p.Properties?.Bucket) === 'ContentBucket',
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]![1].Properties as { PolicyDocument: { Statement: Cfn[] } })
      .PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [
          { 'Fn::GetAtt': ['ContentBucket', 'Arn'] },
          { 'Fn::Sub': '${ContentBucket.Arn}/*' },
        ],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it("is retained when the stack is deleted or the bucket replaced (the apps' objects stay)", () => {
    const bucket = resource(t(), 'ContentBucket', 'AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });
});
