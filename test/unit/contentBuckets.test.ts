/**
 * The packaging-time choice of content bucket(s) (resources/contentBuckets.cjs) and the existing
 * buckets' wiring (resources/existingBuckets.cjs), as osls calls them: with a `resolveVariable`
 * that answers `param:<name>`. Bad values are refused naming the parameter.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Resolve = { resolveVariable: (name: string) => Promise<unknown> };
interface Settings {
  existing: boolean;
  names: string;
  bucketArns: unknown;
  objectArns: unknown;
  healthBucket: unknown;
  resources: string;
}
const require = createRequire(import.meta.url);
const contentBuckets = require('../../resources/contentBuckets.cjs') as {
  settings: (r: Resolve) => Promise<Settings>;
  MAX_BUCKETS: number;
};
const existingBuckets = require('../../resources/existingBuckets.cjs') as ((r: Resolve) => Promise<{
  Resources?: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}>) & {
  customResourceId: (bucket: string) => string;
};

const params = (buckets: string, prefixes = '') => ({
  resolveVariable: async (name: string) =>
    ({ 'param:contentBuckets': buckets, 'param:contentPrefixes': prefixes })[name],
});
const arn = (path: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${path}` });

describe('contentBuckets settings', () => {
  it('keeps the stack’s own bucket when the parameter is empty', async () => {
    expect(await contentBuckets.settings(params(''))).toEqual({
      existing: false,
      names: '${self:custom.contentBucketName}',
      bucketArns: arn('${self:custom.contentBucketName}'),
      objectArns: arn('${self:custom.contentBucketName}/*'),
      healthBucket: { 'Fn::Sub': '${self:custom.contentBucketName}' },
      resources: 'bucket.yml',
    });
  });

  it('scopes to each existing bucket, objects whole without prefixes', async () => {
    expect(await contentBuckets.settings(params(' charts-prod , renders.prod '))).toEqual({
      existing: true,
      names: 'charts-prod,renders.prod',
      bucketArns: [arn('charts-prod'), arn('renders.prod')],
      objectArns: [arn('charts-prod/*'), arn('renders.prod/*')],
      healthBucket: 'charts-prod',
      resources: 'existingBuckets.cjs',
    });
  });

  it('scopes objects per bucket and prefix; one bucket is one ARN, not a list', async () => {
    const one = await contentBuckets.settings(params('charts-prod', 'charts/'));
    expect(one.bucketArns).toEqual(arn('charts-prod'));
    expect(one.objectArns).toEqual(arn('charts-prod/charts/*'));
    const two = await contentBuckets.settings(params('a-bucket,b-bucket', 'x/,y'));
    expect(two.objectArns).toEqual([
      arn('a-bucket/x/*'),
      arn('a-bucket/y*'),
      arn('b-bucket/x/*'),
      arn('b-bucket/y*'),
    ]);
  });

  it.each([
    ['Charts', 'contentBuckets: "Charts" is not a bucket name'],
    ['charts_prod', 'contentBuckets: "charts_prod" is not a bucket name'],
    ['ab', 'contentBuckets: "ab" is not a bucket name'],
    ['charts..prod', 'two adjacent periods'],
    ['192.168.1.10', 'formatted as an IP address'],
    ['xn--charts', 'a reserved prefix'],
    ['charts-s3alias', 'a reserved suffix'],
    ['charts-prod,charts-prod', 'contentBuckets: "charts-prod" is listed twice'],
  ])('refuses contentBuckets=%s', async (value, message) => {
    await expect(contentBuckets.settings(params(value))).rejects.toThrow(message);
  });

  it('refuses more buckets than a stack takes', async () => {
    const many = Array.from({ length: contentBuckets.MAX_BUCKETS + 1 }, (_, i) => `bucket-${i}`);
    await expect(contentBuckets.settings(params(many.join(',')))).rejects.toThrow(
      `contentBuckets: ${many.length} buckets; at most ${contentBuckets.MAX_BUCKETS} per stack`,
    );
  });

  it.each([
    ['charts/*', 'contentPrefixes: "charts/*" has a wildcard'],
    ['char?s/', 'has a wildcard'],
    ['${AWS::Region}/', 'has a wildcard or "${"'],
    ['a/,a/', 'contentPrefixes: "a/" is listed twice'],
  ])('refuses contentPrefixes=%s', async (value, message) => {
    await expect(contentBuckets.settings(params('charts-prod', value))).rejects.toThrow(message);
  });

  it('refuses contentPrefixes without contentBuckets', async () => {
    await expect(contentBuckets.settings(params('', 'charts/'))).rejects.toThrow(
      'contentPrefixes: needs contentBuckets',
    );
  });
});

describe('existing buckets wiring', () => {
  it('is empty without contentBuckets', async () => {
    expect(await existingBuckets(params(''))).toEqual({});
  });

  it('matches the whole buckets without prefixes (no object filter)', async () => {
    const wiring = await existingBuckets(params('charts-prod,renders-prod'));
    expect(wiring.Resources!.ObjectCreatedRule!.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['charts-prod', 'renders-prod'] } },
    });
  });

  it('gives each bucket a stable custom resource id, distinct for names differing in . and -', () => {
    const id = existingBuckets.customResourceId;
    expect(id('charts-prod')).toBe(id('charts-prod'));
    expect(id('charts-prod')).toMatch(/^BucketEventsChartsProd[0-9a-f]{8}$/);
    expect(id('charts-prod')).not.toBe(id('charts.prod'));
    expect(id('charts-prod')).not.toBe(id('chartsprod'));
  });

  it('refuses buckets and prefixes whose event pattern EventBridge would refuse', async () => {
    const buckets = Array.from(
      { length: 20 },
      (_, i) => `a-rather-long-bucket-name-for-the-render-farm-output-${i}`,
    );
    const prefixes = Array.from(
      { length: 10 },
      (_, i) => `${'renders-of-the-farm/'.repeat(5)}${i}/`,
    );
    await expect(
      contentBuckets.settings(params(buckets.join(','), prefixes.join(','))),
    ).rejects.toThrow('contentBuckets / contentPrefixes: the event pattern would be');
  });
});
