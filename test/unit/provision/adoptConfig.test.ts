import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { adoptedConfig } from '../../../functions/provision/adoptConfig.js';
import { fieldChanges } from '../../../functions/provision/configChanges.js';
import { specCallerReference } from '../../../functions/provision/distributionConfig.js';
import { cachePolicyConfigs } from '../../../functions/provision/policies.js';
import {
  oaiPrincipalArn,
  oaiStatementsFor,
  policyStatements,
  withoutOaiGrants,
} from '../../../shared/bucketPolicy.js';
import { parseDistributionSpec } from '../../../shared/distributionSpec.js';

const spec = parseDistributionSpec({ bucket: 'charts-prod' });
const refs = {
  callerReference: specCallerReference(spec),
  originAccessControlId: 'E2OAC',
  cachePolicyIds: Object.fromEntries(cachePolicyConfigs(spec).map((p) => [p.name, `id-${p.name}`])),
  responseHeadersPolicyId: 'rhp',
};
const FUNCTION = {
  Quantity: 1,
  Items: [
    {
      EventType: 'viewer-request' as const,
      FunctionARN: 'arn:aws:cloudfront::123456789012:function/rewrite',
    },
  ],
};

function team(): DistributionConfig {
  return {
    CallerReference: 'by-hand-2024',
    Comment: 'charts',
    Enabled: true,
    Aliases: { Quantity: 1, Items: ['charts.example.com'] },
    WebACLId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/a/b',
    Origins: {
      Quantity: 2,
      Items: [
        {
          Id: 'charts',
          DomainName: 'charts-prod.s3.amazonaws.com',
          OriginPath: '/public',
          S3OriginConfig: { OriginAccessIdentity: 'origin-access-identity/cloudfront/E1OAI' },
          OriginShield: { Enabled: true, OriginShieldRegion: 'us-east-1' },
        },
        {
          Id: 'app',
          DomainName: 'app.example.com',
          CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: 'charts',
      ViewerProtocolPolicy: 'https-only',
      FunctionAssociations: FUNCTION,
      ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
      MinTTL: 0,
      DefaultTTL: 60,
      MaxTTL: 60,
    },
    CacheBehaviors: {
      Quantity: 2,
      Items: [
        { PathPattern: '/api/*', TargetOriginId: 'app', ViewerProtocolPolicy: 'allow-all' },
        {
          PathPattern: '*.mp4',
          TargetOriginId: 'charts',
          ViewerProtocolPolicy: 'allow-all',
          FunctionAssociations: FUNCTION,
        },
      ],
    },
  };
}

describe('adoptedConfig', () => {
  it('returns the bucket origin through the OAC with its path, shield and id kept', () => {
    const origin = adoptedConfig(team(), spec, refs).Origins!.Items![0]!;
    expect(origin).toMatchObject({
      Id: 'charts',
      DomainName: 'charts-prod.s3.amazonaws.com',
      OriginPath: '/public',
      OriginAccessControlId: 'E2OAC',
      S3OriginConfig: { OriginAccessIdentity: '' },
      OriginShield: { Enabled: true, OriginShieldRegion: 'us-east-1' },
    });
  });

  it('returns the team behaviours first and untouched, class behaviours updated in place or added', () => {
    const config = adoptedConfig(team(), spec, refs);
    const items = config.CacheBehaviors!.Items!;
    expect(items[0]).toEqual(team().CacheBehaviors!.Items![0]);
    expect(items[1]).toMatchObject({
      PathPattern: '*.mp4',
      CachePolicyId: 'id-cdnp-charts-prod-video',
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: FUNCTION,
    });
    expect(items.filter((b) => b.PathPattern === '*.mp4')).toHaveLength(1);
    expect(items.at(-1)!.TargetOriginId).toBe('charts');
    expect(config.CacheBehaviors!.Quantity).toBe(items.length);
  });

  it('returns the default behaviour with the project policies, https-only and its function kept, legacy TTLs gone', () => {
    const d = adoptedConfig(team(), spec, refs).DefaultCacheBehavior!;
    expect(d).toMatchObject({
      CachePolicyId: 'id-cdnp-charts-prod-default',
      ResponseHeadersPolicyId: 'rhp',
      ViewerProtocolPolicy: 'https-only',
      FunctionAssociations: FUNCTION,
    });
    expect(d.ForwardedValues).toBeUndefined();
    expect(d.DefaultTTL).toBeUndefined();
  });

  it('keeps aliases, WAF and the app origin: no change reported outside origins and behaviours', () => {
    const paths = fieldChanges(team(), adoptedConfig(team(), spec, refs)).map((c) => c.path);
    expect(
      paths.every((p) => /^(Origins\[charts\]|DefaultCacheBehavior|CacheBehaviors)/.test(p)),
    ).toBe(true);
  });

  it('refuses a distribution whose default behaviour serves another origin, naming both', () => {
    const config = team();
    config.DefaultCacheBehavior!.TargetOriginId = 'app';
    expect(() => adoptedConfig(config, spec, refs, 'E2X')).toThrow(
      /E2X: its default behaviour targets origin "app", not the bucket "charts-prod"/,
    );
  });

  it('refuses when the merge would pass 25 cache behaviours', () => {
    const config = team();
    const items = Array.from({ length: 20 }, (_, i) => ({
      PathPattern: `/team-${i}/*`,
      TargetOriginId: 'app',
      ViewerProtocolPolicy: 'allow-all' as const,
    }));
    config.CacheBehaviors = { Quantity: items.length, Items: items };
    expect(() => adoptedConfig(config, spec, refs, 'E2X')).toThrow(/over CloudFront's 25/);
  });
});

describe('withoutOaiGrants', () => {
  const oai = oaiPrincipalArn('E1OAI');
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Only',
        Effect: 'Allow',
        Principal: { AWS: oai },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
      },
      {
        Sid: 'Both',
        Effect: 'Allow',
        Principal: { AWS: [oai, 'arn:aws:iam::123456789012:role/reader'] },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
      },
      {
        Sid: 'Canonical',
        Effect: 'Allow',
        Principal: { CanonicalUser: 'abc123' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
      },
    ],
  });

  it('returns the policy without the OAI: its own statement gone, shared ones keep the others', () => {
    const out = withoutOaiGrants(policy, [{ id: 'E1OAI', canonicalUserId: 'abc123' }]);
    expect(out.changed).toBe(true);
    const statements = policyStatements(out.policy);
    expect(statements.map((s) => s.Sid)).toEqual(['Both']);
    expect(statements[0]!.Principal).toEqual({ AWS: ['arn:aws:iam::123456789012:role/reader'] });
  });

  it('returns the policy unchanged for another OAI', () => {
    expect(withoutOaiGrants(policy, [{ id: 'E9OTHER' }])).toEqual({ policy, changed: false });
    expect(oaiStatementsFor(policyStatements(policy), { id: 'E1OAI' }).map((s) => s.Sid)).toEqual([
      'Only',
      'Both',
    ]);
  });
});
