/** A small tagged distribution on the emulator, for tests that need one to exist (not provisioned). */
import {
  CreateDistributionWithTagsCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { MANAGED_POLICY_IDS } from '../../shared/catalogue.js';

const CACHING_OPTIMIZED = MANAGED_POLICY_IDS.cache.cachingOptimized;

export async function createTaggedDistribution(
  cloudfront: CloudFrontClient,
  ref: string,
  tags: Record<string, string>,
  options: { alias?: boolean; originBucket?: string } = {},
): Promise<string> {
  const out = await cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: {
        DistributionConfig: {
          CallerReference: ref,
          Comment: ref,
          Enabled: true,
          ...(options.alias ? { Aliases: { Quantity: 1, Items: [`${ref}.example.com`] } } : {}),
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 's3-content',
                DomainName: `${options.originBucket ?? 'content'}.s3.us-east-1.amazonaws.com`,
                S3OriginConfig: { OriginAccessIdentity: '' },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 's3-content',
            ViewerProtocolPolicy: 'redirect-to-https',
            CachePolicyId: CACHING_OPTIMIZED,
            Compress: true,
          },
        },
        Tags: { Items: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      },
    }),
  );
  return out.Distribution!.Id!;
}
