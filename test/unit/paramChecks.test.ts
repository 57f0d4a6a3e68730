/**
 * The packaging-time parameter checks (resources/paramChecks.cjs), as osls calls them: with a
 * `resolveVariable` that answers `sls:stage` and `param:<name>`.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Resolver = (args: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<string>;
const checks = createRequire(import.meta.url)('../../resources/paramChecks.cjs') as Record<
  'alertEmail' | 'provisionBuckets',
  Resolver
>;

const resolving = (values: Record<string, string | undefined>) => ({
  resolveVariable: async (name: string) => values[name],
});

describe('alertEmail', () => {
  it.each(['dev', 'local'])('lets stage %s go without an address', async (stage) => {
    await expect(
      checks.alertEmail(resolving({ 'sls:stage': stage, 'param:alertEmail': '' })),
    ).resolves.toBe('');
  });

  it.each(['prod', 'staging', 'ci', 'Dev'])(
    'refuses stage %s without an address',
    async (stage) => {
      await expect(
        checks.alertEmail(resolving({ 'sls:stage': stage, 'param:alertEmail': '  ' })),
      ).rejects.toThrow(`alertEmail: stage "${stage}" needs an address for its alarms`);
    },
  );

  it('returns the address, trimmed, on any stage', async () => {
    await expect(
      checks.alertEmail(
        resolving({ 'sls:stage': 'prod', 'param:alertEmail': ' ops@example.com ' }),
      ),
    ).resolves.toBe('ops@example.com');
  });
});

describe('provisionBuckets', () => {
  it.each([
    'media-content',
    'media-*',
    'cdn-pipeline-prod-content-${AWS::AccountId}-${AWS::Region}',
  ])('accepts %s', async (value) => {
    await expect(
      checks.provisionBuckets(resolving({ 'param:provisionBuckets': value })),
    ).resolves.toBe(value);
  });

  it.each(['*', '**', '?*', ''])('refuses "%s" (every bucket)', async (value) => {
    await expect(
      checks.provisionBuckets(resolving({ 'param:provisionBuckets': value })),
    ).rejects.toThrow('would cover every bucket');
  });

  it.each(['arn:aws:s3:::media', 'Media', 'media/*', '${aws:accountId}-media'])(
    'refuses "%s" (not a bucket name or pattern)',
    async (value) => {
      await expect(
        checks.provisionBuckets(resolving({ 'param:provisionBuckets': value })),
      ).rejects.toThrow('provisionBuckets: ');
    },
  );
});
