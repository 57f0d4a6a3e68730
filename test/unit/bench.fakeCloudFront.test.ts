/**
 * The benchmark's in-memory CloudFront refuses what CloudFront refuses and completes on its clock:
 * its numbers (refused calls, paths billed, in flight) are only as good as this.
 */
import { CreateInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DISTRIBUTION_ID, FakeCloudFront, fakeS3 } from '../../bench/fakeAws.js';

const create = (cf: FakeCloudFront, reference: string, paths: string[]) =>
  cf.client.send(
    new CreateInvalidationCommand({
      DistributionId: DISTRIBUTION_ID,
      InvalidationBatch: {
        CallerReference: reference,
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );

const files = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `/f/${from + i}.js`);

describe('bench fake CloudFront', () => {
  it('refuses past 3 000 file paths in flight, counts the refused call as billed, frees on completion', async () => {
    let now = 0;
    const cf = new FakeCloudFront('example-content', () => now, 25_000);
    await create(cf, 'r1', files(2000));
    await expect(create(cf, 'r2', files(1001, 2000))).rejects.toMatchObject({
      name: 'TooManyInvalidationsInProgress',
    });
    expect(cf.stats).toMatchObject({ calls: 2, refused: 1, pathsBilled: 3001, maxFiles: 2000 });
    now = 25_000;
    await create(cf, 'r3', files(1001, 2000));
    const list = await cf.client.send(
      new ListInvalidationsCommand({ DistributionId: DISTRIBUTION_ID }),
    );
    expect(list.InvalidationList?.Items?.map((i) => i.Status)).toEqual(['InProgress', 'Completed']);
  });

  it('refuses a 16th wildcard in flight and a misplaced "*"', async () => {
    const cf = new FakeCloudFront('example-content', () => 0, 25_000);
    await create(
      cf,
      'w1',
      Array.from({ length: 15 }, (_, i) => `/w${i}/*`),
    );
    await expect(create(cf, 'w2', ['/w15/*'])).rejects.toMatchObject({
      name: 'TooManyInvalidationsInProgress',
    });
    await expect(create(cf, 'w3', ['/a*b'])).rejects.toMatchObject({ name: 'InvalidArgument' });
  });

  it('returns the earlier invalidation for a repeated reference and refuses it with other paths', async () => {
    const cf = new FakeCloudFront('example-content', () => 0, 25_000);
    const first = await create(cf, 'same', ['/a.js']);
    const again = await create(cf, 'same', ['/a.js']);
    expect(again.Invalidation?.Id).toBe(first.Invalidation?.Id);
    expect(cf.stats.pathsBilled).toBe(1);
    await expect(create(cf, 'same', ['/b.js'])).rejects.toMatchObject({
      name: 'InvalidationBatchAlreadyExists',
    });
  });

  it('lists a prefix of the fake bucket page by page', async () => {
    const s3 = fakeS3('example-content', ['a/1', 'a/2', 'a/3', 'b/1']);
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: 'example-content', Prefix: 'a/', MaxKeys: 2 }),
    );
    expect(page.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2']);
    const next = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'example-content',
        Prefix: 'a/',
        ContinuationToken: page.NextContinuationToken!,
      }),
    );
    expect(next.Contents?.map((c) => c.Key)).toEqual(['a/3']);
    expect(next.IsTruncated).toBe(false);
  });
});
