/**
 * The private prefixes' cache behaviours (functions/provision/distributionConfig.ts, adoptConfig.ts):
 * before every content-class behaviour, trusted key group by id, the cache policy of their content
 * class; on adoption, ahead of the team's own behaviours; and a config read back the way CloudFront
 * returns it compares as unchanged.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { adoptedConfig } from '../../../functions/provision/adoptConfig.js';
import { fieldChanges } from '../../../functions/provision/configChanges.js';
import {
  specCallerReference,
  toDistributionConfig,
  type DistributionRefs,
} from '../../../functions/provision/distributionConfig.js';
import { cachePolicyConfigs } from '../../../functions/provision/policies.js';
import { parseDistributionSpec, type DistributionSpec } from '../../../shared/distributionSpec.js';

const pem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
const KEY_A = pem();
const KEY_B = pem();

const spec = parseDistributionSpec({
  bucket: 'charts-prod',
  privatePrefixes: [
    { pathPattern: 'reports/2026/*', publicKey: KEY_B, keyGroupName: 'auditors' },
    { pathPattern: 'reports/*', publicKey: KEY_A },
    { pathPattern: 'private/*.mp4', publicKey: KEY_A, contentClass: 'video' },
  ],
});
const [first, second] = spec.privatePrefixes;

function refsFor(s: DistributionSpec, extra: Partial<DistributionRefs> = {}): DistributionRefs {
  return {
    callerReference: specCallerReference(s),
    originAccessControlId: 'E2OAC',
    cachePolicyIds: Object.fromEntries(cachePolicyConfigs(s).map((p) => [p.name, `id-${p.name}`])),
    responseHeadersPolicyId: 'rhp',
    keyGroupIds: { auditors: 'KG-AUDIT', [second!.keyGroupName]: 'KG-REPORTS' },
    ...extra,
  };
}

describe('toDistributionConfig with private prefixes', () => {
  const config = toDistributionConfig(spec, refsFor(spec));
  const items = config.CacheBehaviors!.Items!;

  it('puts the private behaviours first, in the spec order, then the content-class ones', () => {
    expect(items.slice(0, 4).map((b) => b.PathPattern)).toEqual([
      'reports/2026/*',
      'reports/*',
      'private/*.mp4',
      '*.mp4',
    ]);
    expect(config.CacheBehaviors!.Quantity).toBe(items.length);
  });

  it('trusts exactly the key group of each private behaviour, and none elsewhere', () => {
    expect(items.slice(0, 3).map((b) => b.TrustedKeyGroups)).toEqual([
      { Enabled: true, Quantity: 1, Items: ['KG-AUDIT'] },
      { Enabled: true, Quantity: 1, Items: ['KG-REPORTS'] },
      { Enabled: true, Quantity: 1, Items: ['KG-REPORTS'] },
    ]);
    for (const b of [...items.slice(3), config.DefaultCacheBehavior!]) {
      expect(b.TrustedKeyGroups).toEqual({ Enabled: false, Quantity: 0 });
    }
    expect(first!.keyGroupName).toBe('auditors');
  });

  it("uses the content class's cache policy (default unless given)", () => {
    expect(items[0]!.CachePolicyId).toBe(config.DefaultCacheBehavior!.CachePolicyId);
    expect(items[2]!.CachePolicyId).toBe(
      items.find((b) => b.PathPattern === '*.mp4')!.CachePolicyId,
    );
    expect(items[2]!.Compress).toBe(items.find((b) => b.PathPattern === '*.mp4')!.Compress);
  });

  it('fails naming the key group when its id is missing', () => {
    expect(() => toDistributionConfig(spec, refsFor(spec, { keyGroupIds: {} }))).toThrow(
      /keyGroupIds\.auditors: is missing/,
    );
  });

  it('compares as unchanged when read back as CloudFront returns it (no spurious update)', () => {
    const returned = structuredClone(config) as DistributionConfig;
    for (const b of returned.CacheBehaviors!.Items!) {
      // CloudFront echoes the legacy TTL fields and an empty TrustedSigners list.
      Object.assign(b, { MinTTL: 0, DefaultTTL: 86_400, MaxTTL: 31_536_000 });
      b.TrustedSigners = { Enabled: false, Quantity: 0, Items: [] };
    }
    expect(fieldChanges(returned, config)).toEqual([]);
  });

  it('reports a changed key group, and a reordering, as changes', () => {
    const other = toDistributionConfig(
      spec,
      refsFor(spec, { keyGroupIds: { auditors: 'KG-NEW', [second!.keyGroupName]: 'KG-REPORTS' } }),
    );
    expect(fieldChanges(config, other).map((c) => c.path)).toEqual([
      'CacheBehaviors[reports/2026/*].TrustedKeyGroups',
    ]);
    const swapped = structuredClone(config);
    swapped.CacheBehaviors!.Items!.reverse();
    expect(fieldChanges(swapped, config).map((c) => c.path)).toEqual(['CacheBehaviors.order']);
  });
});

describe('adopting a distribution with private prefixes', () => {
  const common = {
    TargetOriginId: 'charts',
    ViewerProtocolPolicy: 'allow-all' as const,
    MinTTL: 0,
  };
  const team = (): DistributionConfig => ({
    CallerReference: 'by-hand',
    Comment: 'charts',
    Enabled: true,
    Origins: {
      Quantity: 1,
      Items: [{ Id: 'charts', DomainName: 'charts-prod.s3.amazonaws.com', OriginPath: '' }],
    },
    DefaultCacheBehavior: common,
    CacheBehaviors: {
      Quantity: 2,
      Items: [
        { ...common, PathPattern: 'reports/*' },
        { ...common, PathPattern: 'reports/2026/*.pdf' },
      ],
    },
  });

  it('puts missing private behaviours before the team ones and gives an existing one our key group', () => {
    const config = adoptedConfig(team(), spec, refsFor(spec));
    const items = config.CacheBehaviors!.Items!;
    expect(items.slice(0, 4).map((b) => b.PathPattern)).toEqual([
      'reports/2026/*',
      'private/*.mp4',
      'reports/*',
      'reports/2026/*.pdf',
    ]);
    expect(items.map((b) => b.TrustedKeyGroups?.Items?.[0])).toEqual(
      expect.arrayContaining(['KG-AUDIT', 'KG-REPORTS']),
    );
    expect(items[2]!.TrustedKeyGroups).toEqual({
      Enabled: true,
      Quantity: 1,
      Items: ['KG-REPORTS'],
    });
    expect(items[3]!.TrustedKeyGroups).toBeUndefined();
  });

  it('adopting its own result changes nothing', () => {
    const once = adoptedConfig(team(), spec, refsFor(spec));
    expect(fieldChanges(once, adoptedConfig(once, spec, refsFor(spec)))).toEqual([]);
  });
});
