import { readFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliEnv } from '../../cli/context.js';
import { loadInvalidateConfig } from '../../functions/invalidate/config.js';
import { ENV_ALIASES, ENV_SCHEMA, parseEnv, resolveAliases } from '../../shared/env.js';
import { loadUrlConfig, urlFor } from '../../shared/urls.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

afterEach(() => vi.unstubAllEnvs());

describe('resolveAliases', () => {
  it.each<[string, Record<string, string>, string | undefined, string | undefined]>([
    [
      'the project name over both aliases',
      {
        CDN_DOMAIN: 'a.example.com',
        AWS_CLOUDFRONT_DOMAIN: 'b.example.com',
        CLOUDFRONT_DOMAIN: 'c.example.com',
      },
      'a.example.com',
      undefined,
    ],
    [
      'the AWS_* alias over the plain one',
      { AWS_CLOUDFRONT_DOMAIN: 'b.example.com', CLOUDFRONT_DOMAIN: 'c.example.com' },
      'b.example.com',
      'AWS_CLOUDFRONT_DOMAIN',
    ],
    [
      'the plain alias alone',
      { CLOUDFRONT_DOMAIN: 'c.example.com' },
      'c.example.com',
      'CLOUDFRONT_DOMAIN',
    ],
    [
      'an alias when the project name is empty',
      { CDN_DOMAIN: '', CLOUDFRONT_DOMAIN: 'c.example.com' },
      'c.example.com',
      'CLOUDFRONT_DOMAIN',
    ],
    ['nothing when none is set', {}, undefined, undefined],
  ])('returns %s', (_title, env, domain, from) => {
    const resolved = resolveAliases(env);
    expect(resolved.env.CDN_DOMAIN || undefined).toBe(domain);
    expect(resolved.from.CDN_DOMAIN).toBe(from);
  });
});

describe('aliases wherever config is read', () => {
  it('gives the URL helpers their domain from CLOUDFRONT_DOMAIN or AWS_CLOUDFRONT_DOMAIN', () => {
    expect(loadUrlConfig({ CLOUDFRONT_DOMAIN: 'cdn.example.com' }).domain).toBe('cdn.example.com');
    expect(
      loadUrlConfig({ CLOUDFRONT_DOMAIN: 'c.example.com', AWS_CLOUDFRONT_DOMAIN: 'b.example.com' })
        .domain,
    ).toBe('b.example.com');
  });

  it('names the alias the user set when its value is bad', () => {
    expect(() => loadUrlConfig({ CLOUDFRONT_DOMAIN: 'https://cdn.example.com/' })).toThrow(
      /CLOUDFRONT_DOMAIN/,
    );
    expect(() => loadUrlConfig({ AWS_ENABLE_CLOUDFRONT: 'maybe' })).toThrow(
      /AWS_ENABLE_CLOUDFRONT: must be one of true, 1, yes, on, false, 0, no, off \(got "maybe"\)/,
    );
    expect(() =>
      parseEnv(ENV_SCHEMA.pick({ DISTRIBUTION_IDS: true }), {
        AWS_CLOUDFRONT_DISTRIBUTION_ID: 'not an id',
      }),
    ).toThrow(/AWS_CLOUDFRONT_DISTRIBUTION_ID/);
  });

  it('gives invalidate its distribution from AWS_CLOUDFRONT_DISTRIBUTION_ID, the project name first', () => {
    const base = { INVALIDATION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/q' };
    expect(
      loadInvalidateConfig({ ...base, AWS_CLOUDFRONT_DISTRIBUTION_ID: 'E2EXAMPLE1ABCD' })
        .distributionIds,
    ).toEqual(['E2EXAMPLE1ABCD']);
    expect(
      loadInvalidateConfig({
        ...base,
        DISTRIBUTION_IDS: 'E1A,E1B',
        AWS_CLOUDFRONT_DISTRIBUTION_ID: 'E2X',
      }).distributionIds,
    ).toEqual(['E1A', 'E1B']);
  });

  it('gives the CLI the project names through its one environment', () => {
    vi.stubEnv('CDN_DOMAIN', '');
    vi.stubEnv('AWS_CLOUDFRONT_DOMAIN', 'cdn.example.com');
    expect(cliEnv().CDN_DOMAIN).toBe('cdn.example.com');
  });

  it('turns CloudFront URLs off with AWS_ENABLE_CLOUDFRONT=false: presigned S3 URLs instead', async () => {
    const config = loadUrlConfig({ CDN_DOMAIN: 'cdn.example.com', AWS_ENABLE_CLOUDFRONT: 'false' });
    expect(config.cdnEnabled).toBe(false);
    expect(config.domain).toBeUndefined();
    const s3 = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const url = await urlFor('charts/q3.png', {
      ...config,
      presign: { s3, bucket: 'charts-prod' },
    });
    expect(url.kind).toBe('presigned');
    expect(url.url).toContain('charts-prod');
    expect(loadUrlConfig({ CDN_DOMAIN: 'cdn.example.com', CDN_ENABLED: 'on' }).domain).toBe(
      'cdn.example.com',
    );
  });
});

describe('the README', () => {
  it('documents every alias beside the variable it stands for, in precedence order', () => {
    for (const [variable, aliases] of Object.entries(ENV_ALIASES)) {
      const row = README.split('\n').find((l) => l.startsWith(`| \`${variable}\``));
      expect(row, `README: a row for ${variable}`).toBeDefined();
      const named = [...row!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]);
      expect(named.slice(1, 1 + aliases.length)).toEqual([...aliases]);
    }
  });
});
