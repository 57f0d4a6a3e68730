/**
 * The client factories: one place for endpoint, region, credentials and retries
 * (shared/clients/settings.ts), each client built on first use and kept, and the settings read
 * once, up front, so a bad variable fails with its name before any client is built.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../shared/clients.js';
import { lazyClients } from '../../shared/clients/lazy.js';
import { s3Client } from '../../shared/clients/s3.js';
import type { ClientSettings } from '../../shared/clients/settings.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

afterEach(() => vi.unstubAllEnvs());

describe('lazyClients', () => {
  it('builds a client when it is first read, once, and only the clients it is given', () => {
    const built: string[] = [];
    const clients = lazyClients({
      a: (s: ClientSettings) => (built.push('a'), { region: s.region }),
      b: () => (built.push('b'), {}),
    });
    expect(built).toEqual([]);
    expect(clients.a).toBe(clients.a);
    expect(built).toEqual(['a']);
    expect(Object.keys(clients)).toEqual(['a', 'b']);
  });

  it('fails at once, naming the variable, when AWS_ENDPOINT_URL is not a URL', () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'not a url');
    expect(() => lazyClients({ s3: s3Client })).toThrow(/AWS_ENDPOINT_URL/);
  });
});

describe('createClients', () => {
  it('points every client at the endpoint, regional ones at the region, global ones at us-east-1', async () => {
    const clients = createClients({
      endpoint: 'http://127.0.0.1:4566',
      region: 'eu-west-1',
      credentials,
      cloudfrontMaxAttempts: 2,
    });
    expect(await clients.s3.config.region()).toBe('eu-west-1');
    expect(clients.s3.config.forcePathStyle).toBe(true);
    expect(await clients.cloudfront.config.region()).toBe('us-east-1');
    expect(await clients.cloudfront.config.maxAttempts()).toBe(2);
    expect(await clients.cloudwatchGlobal.config.region()).toBe('us-east-1');
    expect(await clients.cloudwatch.config.region()).toBe('eu-west-1');
    expect(await clients.cloudwatch.config.disableRequestCompression()).toBe(true);
    const endpoint = await clients.sqs.config.endpoint!();
    expect(endpoint.hostname).toBe('127.0.0.1');
    expect(clients.cloudwatch).not.toBe(clients.cloudwatchGlobal);
  });

  it('keeps the SDK defaults on AWS: virtual-hosted S3, five CloudFront attempts', async () => {
    const clients = createClients({ region: 'eu-west-1', credentials });
    expect(clients.s3.config.forcePathStyle).toBe(false);
    expect(await clients.cloudfront.config.maxAttempts()).toBe(5);
    expect(await clients.cloudwatchGlobal.config.disableRequestCompression()).toBe(false);
  });
});
