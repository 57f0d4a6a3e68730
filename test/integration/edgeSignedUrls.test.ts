/**
 * A private behaviour at the local edge (local/edge/signedRequests.ts): the trusted key group and
 * its public key read from the emulator, URLs signed by the pipeline's own `signedUrl()` and
 * cookies by the pinned signer, verified by the edge's independent check (node:crypto): canned
 * and custom policies served; unsigned, expired, not yet valid, wrong key, tampered and outside
 * the IP range refused with 403.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  CreateKeyGroupCommand,
  CreatePublicKeyCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequestId } from '../../local/edge/cloudfrontErrors.js';
import { EdgeCache } from '../../local/edge/EdgeCache.js';
import { toEdgeDistribution, type EdgeDistribution } from '../../local/edge/edgeDistributions.js';
import { handleEdgeRequest, type EdgeDeps } from '../../local/edge/handleRequest.js';
import { MANAGED_POLICY_IDS } from '../../shared/catalogue.js';
import { signedUrl } from '../../shared/urls.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const BUCKET = 'edge-private';
const DOMAIN = 'd111111abcdef8.cloudfront.net';
const NOW = Date.parse('2026-12-02T00:00:00Z');
let emu: TestEmulator;
let keyId: string;
let distribution: EdgeDistribution;
const trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = trusted.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

beforeAll(async () => {
  emu = await startTestEmulator();
  const { cloudfront, s3 } = emu.clients;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: 'private/report q3.pdf', Body: 'secret' }),
  );
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'public/a.txt', Body: 'open' }));
  const key = await cloudfront.send(
    new CreatePublicKeyCommand({
      PublicKeyConfig: {
        CallerReference: 'edge-test',
        Name: 'edge-test',
        EncodedKey: trusted.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    }),
  );
  keyId = key.PublicKey!.Id!;
  const group = await cloudfront.send(
    new CreateKeyGroupCommand({ KeyGroupConfig: { Name: 'edge-test', Items: [keyId] } }),
  );
  const common = {
    TargetOriginId: 's3',
    ViewerProtocolPolicy: 'redirect-to-https' as const,
    CachePolicyId: MANAGED_POLICY_IDS.cache.cachingOptimized,
  };
  const config: DistributionConfig = {
    CallerReference: 'edge-private',
    Comment: '',
    Enabled: true,
    Origins: {
      Quantity: 1,
      Items: [{ Id: 's3', DomainName: `${BUCKET}.s3.us-east-1.amazonaws.com` }],
    },
    DefaultCacheBehavior: common,
    CacheBehaviors: {
      Quantity: 1,
      Items: [
        {
          ...common,
          PathPattern: '/private/*',
          TrustedKeyGroups: { Enabled: true, Quantity: 1, Items: [group.KeyGroup!.Id!] },
        },
      ],
    },
  };
  distribution = await toEdgeDistribution('E2PRIVATE', DOMAIN, config, emu.clients);
}, 60_000);
afterAll(() => emu?.stop());

function get(url: string, headers: Record<string, string> = {}, clientIp = '127.0.0.1') {
  const deps: EdgeDeps = {
    distributions: () => [distribution],
    cache: new EdgeCache(),
    s3: emu.clients.s3,
    now: () => NOW,
    pop: 'LCL1-P1',
    viaHost: 'abc.cloudfront.net',
  };
  const { pathname, search } = new URL(url);
  return handleEdgeRequest(deps, {
    method: 'GET',
    url: `${pathname}${search}`,
    headers: { host: '127.0.0.1:4580', ...headers },
    headerBytes: 100,
    requestId: newRequestId(),
    clientIp,
  });
}

const sign = (options: Record<string, unknown> = {}) =>
  signedUrl('private/report q3.pdf', {
    domain: DOMAIN,
    keyPairId: keyId,
    privateKey,
    expiresInSeconds: 3_600,
    now: new Date(NOW),
    ...options,
  } as Parameters<typeof signedUrl>[1]).url;

describe('a private behaviour', () => {
  it('read its trusted key from the emulator', () => {
    expect([...distribution.behaviours[0]!.trustedKeys!.keys()]).toEqual([keyId]);
    expect(distribution.behaviours[1]!.trustedKeys).toBeUndefined();
  });

  it.each([
    ['a canned-policy URL', () => sign()],
    ['a custom-policy URL with an IP range', () => sign({ ipAddress: '127.0.0.0/8' })],
    [
      'a custom-policy URL valid from a past time',
      () => sign({ notBefore: new Date(NOW - 60_000) }),
    ],
  ])('serves %s signed by signedUrl()', async (_what, url) => {
    const answer = await get(url());
    expect([answer.status, answer.body.toString()]).toEqual([200, 'secret']);
  });

  it('serves signed cookies (canned and custom) from the pinned signer', async () => {
    const url = `https://${DOMAIN}/private/report%20q3.pdf`;
    const canned = getSignedCookies({
      url,
      keyPairId: keyId,
      privateKey,
      dateLessThan: new Date(NOW + 3_600_000).toISOString(),
    });
    const custom = getSignedCookies({
      keyPairId: keyId,
      privateKey,
      policy: JSON.stringify({
        Statement: [
          {
            Resource: `https://${DOMAIN}/private/*`,
            Condition: { DateLessThan: { 'AWS:EpochTime': NOW / 1000 + 3_600 } },
          },
        ],
      }),
    });
    for (const cookies of [canned, custom]) {
      const cookie = Object.entries(cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
      const answer = await get(url, { cookie });
      expect([answer.status, answer.body.toString()]).toEqual([200, 'secret']);
    }
  });

  it.each([
    ['unsigned', () => `https://${DOMAIN}/private/report%20q3.pdf`, 'MissingKey'],
    ['expired', () => sign({ expiresInSeconds: 60, now: new Date(NOW - 120_000) }), 'AccessDenied'],
    ['not yet valid', () => sign({ notBefore: new Date(NOW + 60_000) }), 'AccessDenied'],
    ['signed with another key', () => sign({ privateKey: otherKey }), 'AccessDenied'],
    ['for an unknown key pair id', () => sign({ keyPairId: 'K0000000000000' }), 'InvalidKey'],
    ['tampered: another path', () => sign().replace('report%20q3', 'report%20q4'), 'AccessDenied'],
    [
      'tampered: a later expiry',
      () => sign().replace(/Expires=\d+/, 'Expires=9999999999'),
      'AccessDenied',
    ],
    ['outside its IP range', () => sign({ ipAddress: '192.0.2.0/24' }), 'AccessDenied'],
  ])('refuses a URL %s with 403', async (_what, url, code) => {
    const answer = await get(url());
    expect(answer.status).toBe(403);
    expect(answer.headers['x-cache']).toBe('Error from cloudfront');
    expect(answer.body.toString()).toContain(`<Code>${code}</Code>`);
  });

  it('leaves the public behaviours alone', async () => {
    expect((await get(`https://${DOMAIN}/public/a.txt`)).status).toBe(200);
  });
});
