/**
 * URLs in local runs (CDN_LOCAL_EDGE_URL): cdnUrl, urlFor and signedUrl point at the local edge,
 * with the same encoded path; a signature still covers the URL CloudFront checks
 * (`https://<domain><path>`), verified here with node:crypto, not the signer.
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { cdnUrl, loadUrlConfig, signedUrl, urlFor } from '../../shared/urls.js';

const DOMAIN = 'd111111abcdef8.cloudfront.net';
const EDGE = 'http://127.0.0.1:4580';

describe('cdnUrl with the local edge', () => {
  it('returns the edge URL with the path cdnUrl would use on CloudFront', () => {
    const key = 'videos/intro film+1.mp4';
    const cloudfront = cdnUrl(key, { domain: DOMAIN });
    expect(cdnUrl(key, { domain: DOMAIN, edgeUrl: EDGE })).toBe(
      `${EDGE}${cloudfront.slice(`https://${DOMAIN}`.length)}`,
    );
  });

  it('keeps a path prefix (another distribution by id) and drops a trailing slash', () => {
    expect(
      cdnUrl('prod/a.png', {
        domain: DOMAIN,
        originPath: '/prod',
        edgeUrl: 'http://localhost:4590/_edge/E2ABC/',
      }),
    ).toBe('http://localhost:4590/_edge/E2ABC/a.png');
  });

  it.each([
    ['a host that is not this machine', 'http://cdn.example.com:4580', 'on this machine'],
    ['another scheme', 'ftp://127.0.0.1:4580', 'http://'],
    ['a query', 'http://127.0.0.1:4580/?x=1', 'no query'],
    ['no URL at all', '127.0.0.1:4580', 'must be'],
  ])('throws naming edgeUrl for %s', (_, edgeUrl, text) => {
    expect(() => cdnUrl('a.png', { domain: DOMAIN, edgeUrl })).toThrow(/^edgeUrl: /);
    expect(() => cdnUrl('a.png', { domain: DOMAIN, edgeUrl })).toThrow(text);
  });
});

describe('signedUrl and urlFor with the local edge', () => {
  it('signs the CloudFront URL and hands out the edge URL', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const now = new Date('2026-12-01T12:00:00Z');
    const { url } = signedUrl('docs/q3.pdf', {
      domain: DOMAIN,
      edgeUrl: EDGE,
      keyPairId: 'K2JCJMDEHXQW5F',
      privateKey,
      expiresInSeconds: 600,
      now,
    });
    expect(url.startsWith(`${EDGE}/docs/q3.pdf?Expires=`)).toBe(true);
    const params = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    const policy = JSON.stringify({
      Statement: [
        {
          Resource: `https://${DOMAIN}/docs/q3.pdf`,
          Condition: { DateLessThan: { 'AWS:EpochTime': Number(params.get('Expires')) } },
        },
      ],
    });
    const signature = Buffer.from(
      params.get('Signature')!.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'),
      'base64',
    );
    expect(verify('RSA-SHA1', Buffer.from(policy), pair.publicKey, signature)).toBe(true);
  });

  it('returns an edge URL from urlFor for public content', async () => {
    expect(await urlFor('images/a.png', { domain: DOMAIN, edgeUrl: EDGE })).toEqual({
      url: `${EDGE}/images/a.png`,
      kind: 'cdn',
    });
  });
});

describe('loadUrlConfig CDN_LOCAL_EDGE_URL', () => {
  it('reads the local edge URL', () => {
    expect(loadUrlConfig({ CDN_LOCAL_EDGE_URL: 'http://127.0.0.1:4580/' }).edgeUrl).toBe(EDGE);
  });

  it('ignores it when CloudFront is off', () => {
    expect(
      loadUrlConfig({ CDN_LOCAL_EDGE_URL: EDGE, CDN_ENABLED: 'false' }).edgeUrl,
    ).toBeUndefined();
  });

  it('throws a ConfigError naming the variable for a host off this machine', () => {
    expect(() => loadUrlConfig({ CDN_LOCAL_EDGE_URL: 'http://cdn.example.com' })).toThrow(
      ConfigError,
    );
    expect(() => loadUrlConfig({ CDN_LOCAL_EDGE_URL: 'http://cdn.example.com' })).toThrow(
      /CDN_LOCAL_EDGE_URL/,
    );
  });
});
