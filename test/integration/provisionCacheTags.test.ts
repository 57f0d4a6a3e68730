/**
 * CacheTagConfig on the emulator: the config the spec builds comes back as sent (a re-run finds
 * nothing to change), and turning cache tags off removes it. moto 5.2.1 keeps CacheTagConfig, so
 * no local shim is needed for it.
 */
import {
  CreateDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configDiff,
  mergeForUpdate,
  specCallerReference,
  toDistributionConfig,
} from '../../functions/provision/distributionConfig.js';
import { cachePolicyConfigs } from '../../functions/provision/policies.js';
import { parseDistributionSpec } from '../../shared/distributionSpec.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu?.stop());

const desired = (extra: Record<string, unknown>) => {
  const spec = parseDistributionSpec({ bucket: 'tag-content', ...extra });
  return toDistributionConfig(spec, {
    callerReference: specCallerReference(spec),
    originAccessControlId: '',
    cachePolicyIds: Object.fromEntries(
      cachePolicyConfigs(spec).map((p) => [p.name, '658327ea-f89d-4fab-a63d-7e88639e58f6']),
    ),
    responseHeadersPolicyId: '67f7725c-6f97-4210-82d7-5512b31e9d03',
  });
};

describe('CacheTagConfig on the emulator', () => {
  it('reads back as sent, and is removed when the spec turns cache tags off', async () => {
    const on = desired({ cacheTagHeader: 'x-amz-meta-cache-tag' });
    const created = await emu.clients.cloudfront.send(
      new CreateDistributionCommand({ DistributionConfig: on }),
    );
    const id = created.Distribution!.Id!;
    const read = () => emu.clients.cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    const first = await read();
    expect(first.DistributionConfig!.CacheTagConfig).toEqual({
      HeaderName: 'x-amz-meta-cache-tag',
    });
    expect(configDiff(first.DistributionConfig!, on).filter((f) => f === 'CacheTagConfig')).toEqual(
      [],
    );

    const off = desired({});
    expect(configDiff(first.DistributionConfig!, off)).toContain('CacheTagConfig');
    await emu.clients.cloudfront.send(
      new UpdateDistributionCommand({
        Id: id,
        IfMatch: first.ETag,
        DistributionConfig: mergeForUpdate(first.DistributionConfig!, off),
      }),
    );
    const after = await read();
    expect(after.DistributionConfig!.CacheTagConfig).toBeUndefined();
    expect(
      configDiff(after.DistributionConfig!, off).filter((f) => f === 'CacheTagConfig'),
    ).toEqual([]);
  });
});
