/**
 * A private prefix end to end on the emulator: the provisioning workflow (the ASL, run locally)
 * creates the public key and the key group from the spec and a behaviour `reports/*` trusting it
 * ahead of `*.mp4`; running it again creates no second key or group and changes nothing; then the
 * local edge (reading the key group's public keys from the distribution) checks URLs signed by
 * `signedUrl()` and cookies signed by the pinned signer with its own verifier: unsigned, expired,
 * tampered, wrong key and outside the IP range refused with 403, valid URL and cookies served.
 * The private key is never given to provisioning; a spec carrying one is refused without the key
 * reaching the logs or the mail.
 */
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import {
  CreateDistributionCommand,
  GetDistributionConfigCommand,
  ListKeyGroupsCommand,
  ListPublicKeysCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { previewAdoption } from '../../functions/provision/adoptionPreview.js';
import { startEdge, type Edge } from '../../local/edge/server.js';
import { emulatorData } from '../../local/emulator.js';
import { installLocalCloudFrontShims, provisionLocally } from '../../local/provision.js';
import { MANAGED_POLICY_IDS } from '../../shared/catalogue.js';
import { createClients } from '../../shared/clients.js';
import { parseDistributionSpec } from '../../shared/distributionSpec.js';
import { logger } from '../../shared/observability.js';
import { signedUrl } from '../../shared/urls.js';
import {
  startTestEmulator,
  TEST_CREDENTIALS,
  TEST_REGION,
  type TestEmulator,
} from '../helpers/emulator.js';

const BUCKET = 'private-reports';
const KEY = 'reports/q3 report.pdf';
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = signer.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PUBLIC_KEY = signer.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const OTHER_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
/** A line of the private key's base64: it must appear nowhere. */
const SECRET_LINE = PRIVATE_KEY.split('\n')[3]!;
const SPEC = {
  bucket: BUCKET,
  name: 'reports',
  privatePrefixes: [{ pathPattern: 'reports/*', publicKey: PUBLIC_KEY }],
};

let emu: TestEmulator;
let topicArn: string;
let edge: Edge | undefined;
let distributionId: string;
let domain: string;
let keyPairId: string;

/** One provisioning run as a new process would do it: fresh clients, commands recorded. */
async function run(spec: unknown) {
  const { adopt, ...rest } =
    spec !== null && typeof spec === 'object' && 'adopt' in spec
      ? (spec as { spec: unknown; adopt: { distributionId: string } })
      : { spec, adopt: undefined };
  const clients = createClients({
    endpoint: emu.endpoint,
    credentials: { ...TEST_CREDENTIALS },
    region: TEST_REGION,
  });
  const sent: string[] = [];
  clients.cloudfront.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'recordCommands' },
  );
  const outputs: unknown[] = [];
  const result = await provisionLocally({
    clients,
    alertsTopicArn: topicArn,
    spec: rest.spec,
    ...(adopt ? { adopt } : {}),
    stage: 'private',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
    onEvent: (e) => outputs.push(e),
  });
  return { result, sent, outputs };
}

async function mails(): Promise<string> {
  return JSON.stringify((await emulatorData(emu.endpoint)) as { sns?: unknown });
}

beforeAll(async () => {
  emu = await startTestEmulator();
  const { s3, sns } = emu.clients;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const [Key, Body] of [
    [KEY, 'quarterly numbers'],
    ['reports/briefing.mp4', 'video bytes'],
    ['public/a.txt', 'open'],
  ] as const) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  }
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'private-alerts' }))).TopicArn!;
}, 60_000);
afterAll(async () => {
  await edge?.close();
  await emu?.stop();
});

describe('provisioning a spec with a private prefix', () => {
  it('creates one public key, one key group and a private behaviour ahead of the class ones', async () => {
    const { result, sent } = await run(SPEC);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ action: 'created' });
    ({ distributionId, domainName: domain } = result.output as {
      distributionId: string;
      domainName: string;
    });
    expect(sent.filter((c) => /^Create(PublicKey|KeyGroup)/.test(c))).toEqual([
      'CreatePublicKeyCommand',
      'CreateKeyGroupCommand',
    ]);
    const { cloudfront } = emu.clients;
    const keys = (await cloudfront.send(new ListPublicKeysCommand({}))).PublicKeyList?.Items ?? [];
    const groups = (await cloudfront.send(new ListKeyGroupsCommand({}))).KeyGroupList?.Items ?? [];
    expect(keys).toHaveLength(1);
    expect(groups).toHaveLength(1);
    keyPairId = keys[0]!.Id!;
    expect(keys[0]!.EncodedKey).toBe(PUBLIC_KEY);
    expect(groups[0]!.KeyGroup!.KeyGroupConfig!.Items).toEqual([keyPairId]);

    const config = (await cloudfront.send(new GetDistributionConfigCommand({ Id: distributionId })))
      .DistributionConfig!;
    const behaviours = config.CacheBehaviors!.Items!;
    expect(behaviours[0]).toMatchObject({
      PathPattern: 'reports/*',
      TrustedKeyGroups: { Enabled: true, Quantity: 1, Items: [groups[0]!.KeyGroup!.Id] },
    });
    expect(behaviours.findIndex((b) => b.PathPattern === '*.mp4')).toBeGreaterThan(0);
  });

  it('creates no second key or group and changes nothing when run again', async () => {
    const { result, sent } = await run(SPEC);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ action: 'unchanged', changes: [] });
    expect(sent.filter((c) => /^(Create|Update)/.test(c))).toEqual([]);
    const { cloudfront } = emu.clients;
    expect((await cloudfront.send(new ListPublicKeysCommand({}))).PublicKeyList?.Quantity).toBe(1);
    expect((await cloudfront.send(new ListKeyGroupsCommand({}))).KeyGroupList?.Quantity).toBe(1);
  });

  it('refuses a spec carrying the private key, keeping it out of the logs and the mail', async () => {
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
    let outcome: Awaited<ReturnType<typeof run>>;
    logger.setLogLevel('DEBUG');
    try {
      outcome = await run({
        ...SPEC,
        privatePrefixes: [{ pathPattern: 'reports/*', publicKey: PRIVATE_KEY }],
      });
    } finally {
      logger.setLogLevel('SILENT');
      for (const spy of spies) spy.mockRestore();
    }
    expect(outcome.result.status).toBe('FAILED');
    expect(outcome.result.error?.Error).toBe('InvalidSpec');
    expect(outcome.result.error?.Cause).toMatch(
      /privatePrefixes\[0\]\.publicKey: is a PRIVATE key/,
    );
    expect(outcome.result.error?.Cause).not.toContain(SECRET_LINE);
    expect(written.join('')).toMatch(/validate failed.*PRIVATE key/);
    expect(written.join('')).not.toContain(SECRET_LINE);
    expect(await mails()).toMatch(/PRIVATE key/);
    expect(await mails()).not.toContain(SECRET_LINE);
  });
});

describe('adopting a distribution whose own behaviours would shadow a private prefix', () => {
  const ADOPTED = { ...SPEC, name: 'adopted' };
  let adoptedId: string;
  /** A preview as a new CLI process makes it: fresh clients with the LOCAL-ONLY shims. */
  const preview = () => {
    const clients = createClients({
      endpoint: emu.endpoint,
      credentials: { ...TEST_CREDENTIALS },
      region: TEST_REGION,
    });
    installLocalCloudFrontShims(clients);
    return previewAdoption(clients, parseDistributionSpec(ADOPTED), adoptedId);
  };

  beforeAll(async () => {
    const team = {
      TargetOriginId: 'reports-bucket',
      ViewerProtocolPolicy: 'redirect-to-https' as const,
      CachePolicyId: MANAGED_POLICY_IDS.cache.cachingOptimized,
    };
    const config: DistributionConfig = {
      CallerReference: 'set-up-by-hand',
      Comment: 'reports, by hand',
      Enabled: true,
      Origins: {
        Quantity: 1,
        Items: [{ Id: 'reports-bucket', DomainName: `${BUCKET}.s3.us-east-1.amazonaws.com` }],
      },
      DefaultCacheBehavior: team,
      CacheBehaviors: { Quantity: 1, Items: [{ ...team, PathPattern: '*.pdf' }] },
    };
    const out = await emu.clients.cloudfront.send(
      new CreateDistributionCommand({ DistributionConfig: config }),
    );
    adoptedId = out.Distribution!.Id!;
  });

  it("previews the private behaviour and its key group, then adopts it ahead of the team's *.pdf", async () => {
    const before = await preview();
    expect(before.creates).toContainEqual(expect.stringMatching(/^cdnp-adopted-keys-/));
    expect(before.changes.map((c) => c.path)).toContainEqual('CacheBehaviors[reports/*]');

    const { result, sent } = await run({ spec: ADOPTED, adopt: { distributionId: adoptedId } });
    expect(result.status).toBe('SUCCEEDED');
    // The key is the same public key as the first spec's: reused, not uploaded again.
    expect(sent).not.toContain('CreatePublicKeyCommand');
    expect(sent).toContain('CreateKeyGroupCommand');
    const config = (
      await emu.clients.cloudfront.send(new GetDistributionConfigCommand({ Id: adoptedId }))
    ).DistributionConfig!;
    const patterns = config.CacheBehaviors!.Items!.map((b) => b.PathPattern);
    expect(patterns.indexOf('reports/*')).toBe(0);
    expect(patterns).toContain('*.pdf');
    expect(config.CacheBehaviors!.Items![0]!.TrustedKeyGroups).toMatchObject({
      Enabled: true,
      Quantity: 1,
    });
  });

  it('changes nothing when adopted again, and previews no change', async () => {
    const { result } = await run({ spec: ADOPTED, adopt: { distributionId: adoptedId } });
    expect(result.output).toMatchObject({ action: 'unchanged', changes: [] });
    const after = await preview();
    expect(after.changes).toEqual([]);
    expect(after.creates).toEqual([]);
  });
});

/** A GET to the edge as a viewer at 127.0.0.1 would send it. */
function get(url: string, headers: Record<string, string> = {}) {
  const { pathname, search } = new URL(url);
  return new Promise<{ status: number; body: string; xCache: string | undefined }>(
    (resolve, reject) => {
      const req = request(
        `${edge!.url}${pathname}${search}`,
        { headers: { host: domain, ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              xCache: res.headers['x-cache'] as string | undefined,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

const sign = (options: Record<string, unknown> = {}) =>
  signedUrl(KEY, {
    domain,
    keyPairId,
    privateKey: PRIVATE_KEY,
    expiresInSeconds: 300,
    ...options,
  } as Parameters<typeof signedUrl>[1]).url;

describe('the local edge on the provisioned distribution', () => {
  beforeAll(async () => {
    edge = await startEdge({
      clients: emu.clients,
      port: 0,
      distributionIds: [distributionId],
      logs: false,
      metrics: false,
      onError: () => undefined,
    });
  }, 30_000);

  it('read the key group of the private behaviour from the distribution', () => {
    const [d] = edge!.distributions();
    expect(d!.behaviours[0]!.pathPattern).toBe('reports/*');
    expect([...d!.behaviours[0]!.trustedKeys!.keys()]).toEqual([keyPairId]);
  });

  it.each<[string, () => string]>([
    ['unsigned', () => `https://${domain}/reports/q3%20report.pdf`],
    [
      'unsigned, under a class behaviour it precedes',
      () => `https://${domain}/reports/briefing.mp4`,
    ],
    ['expired', () => sign({ expiresInSeconds: 60, now: new Date(Date.now() - 120_000) })],
    ['tampered (another path)', () => sign().replace('q3%20report', 'q4%20report')],
    ['tampered (a later expiry)', () => sign().replace(/Expires=\d+/, 'Expires=4102444800')],
    ['signed with another key', () => sign({ privateKey: OTHER_KEY })],
    ['outside its IP range (custom policy)', () => sign({ ipAddress: '192.0.2.0/24' })],
  ])('refuses a request %s with 403', async (_what, url) => {
    const answer = await get(url());
    expect(answer.status).toBe(403);
    expect(answer.xCache).toBe('Error from cloudfront');
    expect(answer.body).not.toContain('quarterly numbers');
  });

  it.each<[string, () => string]>([
    ['a canned-policy URL', () => sign()],
    ['a custom-policy URL for its IP range', () => sign({ ipAddress: '127.0.0.0/8' })],
  ])('serves %s signed by signedUrl()', async (_what, url) => {
    const answer = await get(url());
    expect([answer.status, answer.body]).toEqual([200, 'quarterly numbers']);
  });

  it('serves signed cookies for the prefix', async () => {
    const cookies = getSignedCookies({
      keyPairId,
      privateKey: PRIVATE_KEY,
      policy: JSON.stringify({
        Statement: [
          {
            Resource: `https://${domain}/reports/*`,
            Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(Date.now() / 1000) + 300 } },
          },
        ],
      }),
    });
    const cookie = Object.entries(cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const answer = await get(`https://${domain}/reports/q3%20report.pdf`, { cookie });
    expect([answer.status, answer.body]).toEqual([200, 'quarterly numbers']);
  });

  it('serves the public paths unsigned', async () => {
    const answer = await get(`https://${domain}/public/a.txt`);
    expect([answer.status, answer.body]).toEqual([200, 'open']);
  });
});
