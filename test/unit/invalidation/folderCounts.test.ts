/**
 * Folder listings: a listing with pages left stops once more than the maximum of unchanged
 * objects is seen (capped count, incomplete); a folder that fits one page is counted in full;
 * the remembered key → path mapping gives each origin path its own answer.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeS3 } from '../../../bench/fakeAws.js';
import { loadInvalidateConfig } from '../../../functions/invalidate/config.js';
import { folderCounts, forgetListedPaths } from '../../../functions/invalidate/folderCounts.js';
import type { InvalidationTarget } from '../../../functions/invalidate/types.js';
import type { BucketOrigin } from '../../../shared/distributions.js';

const BUCKET = 'example-content';
const origin = (originPath: string): BucketOrigin => ({
  distributionId: 'EEXAMPLE',
  arn: 'arn:aws:cloudfront::123456789012:distribution/EEXAMPLE',
  domainName: 'd111111abcdef8.cloudfront.net',
  originId: `s3${originPath}`,
  originPath,
  routes: [{ pathPattern: '*', targetOriginId: `s3${originPath}` }],
  groupIds: [],
  missingObjectErrorTtl: 10,
});
const keys = (folder: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${folder}/${String(i).padStart(5, '0')}.ts`);
const config = loadInvalidateConfig({});
const max = config.wildcardMaxUnchanged;
const noneInFlight = { files: 0, wildcards: 0 };

function target(o: BucketOrigin, requested: readonly string[]): InvalidationTarget {
  return {
    origin: o,
    bucket: BUCKET,
    requests: requested.map((key, i) => ({ id: `m${i}`, path: `/${key}` })),
  };
}

describe('folderCounts', () => {
  beforeEach(() => forgetListedPaths());

  it('stops a listing with pages left once more than the maximum is unchanged', async () => {
    const all = [...keys('big', 2500)].sort();
    const s3 = fakeS3(BUCKET, all);
    const requested = all.slice(0, 30);
    const counts = await folderCounts(
      { s3, config },
      [target(origin(''), requested)],
      noneInFlight,
    );
    expect(counts?.get('/big/')).toMatchObject({ unchanged: max + 1, complete: false });
  });

  it('counts a folder that fits one page in full', async () => {
    const all = [...keys('small', 600)].sort();
    const s3 = fakeS3(BUCKET, all, () => 0);
    const requested = all.slice(0, 30);
    const counts = await folderCounts(
      { s3, config },
      [target(origin(''), requested)],
      noneInFlight,
      { since: 1, invalidatedAt: (path) => (path.endsWith('00100.ts') ? 5 : -Infinity) },
    );
    // 600 listed, 30 requested, one invalidated after it changed.
    expect(counts?.get('/small/')).toMatchObject({ unchanged: 569, complete: true, newest: 0 });
  });

  it('maps listed keys through each origin path on its own', async () => {
    const all = [...keys('prod/site', 300)].sort();
    const s3 = fakeS3(BUCKET, all, () => 0);
    const covered = new Set(['/prod/site/00200.ts', '/site/00201.ts']);
    const at = (path: string) => (covered.has(path) ? 5 : -Infinity);
    const count = async (o: BucketOrigin, requested: string[]) =>
      (
        await folderCounts({ s3, config }, [target(o, requested)], noneInFlight, {
          since: 1,
          invalidatedAt: at,
        })
      )?.get(o.originPath ? '/site/' : '/prod/site/')?.unchanged;
    const rootRequested = all.slice(0, 30);
    const prodRequested = all.slice(0, 30).map((k) => k.slice('prod/'.length));
    expect(await count(origin(''), rootRequested)).toBe(269);
    expect(await count(origin('/prod'), prodRequested)).toBe(269);
    expect(await count(origin(''), rootRequested)).toBe(269);
  });
});
