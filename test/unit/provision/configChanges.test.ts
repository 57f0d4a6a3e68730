import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { configDiff, fieldChanges } from '../../../functions/provision/configChanges.js';
import {
  specCallerReference,
  toDistributionConfig,
} from '../../../functions/provision/distributionConfig.js';
import { cachePolicyConfigs } from '../../../functions/provision/policies.js';
import { parseDistributionSpec } from '../../../shared/distributionSpec.js';

function build(extra: Record<string, unknown> = {}, oac = 'E2OACID'): DistributionConfig {
  const s = parseDistributionSpec({ bucket: 'charts-prod', ...extra });
  return toDistributionConfig(s, {
    callerReference: specCallerReference(s),
    originAccessControlId: oac,
    cachePolicyIds: Object.fromEntries(cachePolicyConfigs(s).map((p) => [p.name, `id-${p.name}`])),
    responseHeadersPolicyId: 'rhp-id',
  });
}

/**
 * What CloudFront's GetDistributionConfig answers today for a config we sent: every default it
 * fills in (S3 origins' OriginReadTimeout, origin shield, connection settings, gRPC off, empty
 * OriginAccessControlId-free fields, Items: [] beside Quantity: 0), lists in its own order.
 */
function asCloudFrontReturnsIt(config: DistributionConfig): DistributionConfig {
  const copy = structuredClone(config);
  const behaviour = <T extends object>(b: T) => ({
    ...b,
    GrpcConfig: { Enabled: false },
    TrustedSigners: { Enabled: false, Quantity: 0, Items: [] },
    TrustedKeyGroups: { Enabled: false, Quantity: 0, Items: [] },
    LambdaFunctionAssociations: { Quantity: 0, Items: [] },
    FunctionAssociations: { Quantity: 0, Items: [] },
    RealtimeLogConfigArn: '',
  });
  return {
    ...copy,
    CallerReference: 'cdnp-older',
    OriginGroups: { Quantity: 0, Items: [] },
    Staging: false,
    ContinuousDeploymentPolicyId: '',
    Origins: {
      Quantity: copy.Origins!.Quantity,
      Items: copy.Origins!.Items!.map((o) => ({
        ...o,
        S3OriginConfig: { OriginAccessIdentity: '', OriginReadTimeout: 30 },
        ConnectionAttempts: 3,
        ConnectionTimeout: 10,
        OriginShield: { Enabled: false },
        CustomHeaders: { Quantity: 0, Items: [] },
      })),
    },
    DefaultCacheBehavior: behaviour(copy.DefaultCacheBehavior!),
    CacheBehaviors: {
      Quantity: copy.CacheBehaviors!.Quantity,
      Items: copy.CacheBehaviors!.Items!.map(behaviour),
    },
  };
}

describe('fieldChanges', () => {
  it('returns nothing when CloudFront echoes the config with every default it fills in', () => {
    const desired = build();
    expect(fieldChanges(asCloudFrontReturnsIt(desired), desired)).toEqual([]);
    expect(configDiff(asCloudFrontReturnsIt(desired), desired)).toEqual([]);
  });

  it('returns the one leaf that differs, keyed by origin id and path pattern', () => {
    const current = asCloudFrontReturnsIt(build({}, 'E2OLDOAC'));
    current.CacheBehaviors!.Items![0]!.CachePolicyId = 'some-other-policy';
    const desired = build();
    expect(fieldChanges(current, desired)).toEqual([
      {
        path: 'CacheBehaviors[*.mp4].CachePolicyId',
        before: 'some-other-policy',
        after: 'id-cdnp-charts-prod-video',
      },
      {
        path: 'Origins[s3-charts-prod].OriginAccessControlId',
        before: 'E2OLDOAC',
        after: 'E2OACID',
      },
    ]);
    expect(configDiff(current, desired)).toEqual(['CacheBehaviors', 'Origins']);
  });

  it('returns an added and a removed behaviour as whole values', () => {
    const desired = build();
    const current = asCloudFrontReturnsIt(desired);
    const [first, ...rest] = current.CacheBehaviors!.Items!;
    current.CacheBehaviors = { Quantity: rest.length, Items: rest };
    const changes = fieldChanges(current, desired);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.path).toBe('CacheBehaviors[*.mp4]');
    expect(changes[0]!.before).toBeUndefined();
    expect(changes[0]!.after).toMatchObject({ PathPattern: first!.PathPattern });
  });

  it('returns the order of behaviours when only their precedence changed', () => {
    const desired = build();
    const current = asCloudFrontReturnsIt(desired);
    current.CacheBehaviors!.Items!.reverse();
    expect(fieldChanges(current, desired).map((c) => c.path)).toEqual(['CacheBehaviors.order']);
  });

  it('compares a boolean CloudFront defaults to false as false when it is left out', () => {
    const desired = build();
    const current = asCloudFrontReturnsIt(desired);
    delete current.DefaultCacheBehavior!.SmoothStreaming;
    expect(fieldChanges(current, desired)).toEqual([]);
    current.DefaultCacheBehavior!.Compress = false;
    expect(fieldChanges(current, desired)).toEqual([
      { path: 'DefaultCacheBehavior.Compress', before: false, after: true },
    ]);
  });

  it('does not compare top-level fields the desired config leaves out', () => {
    const desired = build();
    const current = { ...asCloudFrontReturnsIt(desired), Staging: true };
    expect(fieldChanges(current, desired)).toEqual([]);
  });
});
