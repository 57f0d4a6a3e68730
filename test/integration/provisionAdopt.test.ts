/**
 * Adopting a distribution a team set up by hand, on the emulator, through the real workflow
 * (`provisionLocally`: the ASL and the task functions): the preview, the adoption, OAI → OAC
 * with the bucket policy granting at least one of them after every state, the re-run, and the
 * bad inputs (changed since the preview, an origin that is not the bucket, an unknown id).
 *
 * moto lacks OAIs and changing ETags, and drops origins' S3OriginConfig: the LOCAL-ONLY shims
 * (`installLocalCloudFrontShims`) are on this file's client. moto also drops behaviours' function
 * associations, so keeping those is proven by the unit tests of `adoptedConfig`.
 */
import {
  CreateCloudFrontOriginAccessIdentityCommand,
  CreateDistributionWithTagsCommand,
  GetCloudFrontOriginAccessIdentityCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListTagsForResourceCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewAdoption } from '../../functions/provision/adoptionPreview.js';
import {
  installLocalCloudFrontShims,
  localProvisionTasks,
  provisionLocally,
} from '../../local/provision.js';
import { runProvisionWorkflow } from '../../local/stepfunctions.js';
import { emulatorData } from '../../local/emulator.js';
import type { WorkflowEvent } from '../../local/stepfunctions.js';
import {
  oacStatementFor,
  oaiPrincipalArn,
  oaiStatementsFor,
  policyStatements,
} from '../../shared/bucketPolicy.js';
import { parseDistributionSpec } from '../../shared/distributionSpec.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const BUCKET = 'charts-prod';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000002';
const WAF =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const TLS_ONLY = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

let emu: TestEmulator;
let topicArn: string;

beforeAll(async () => {
  emu = await startTestEmulator();
  installLocalCloudFrontShims(emu.clients);
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  topicArn = (await emu.clients.sns.send(new CreateTopicCommand({ Name: 'adopt-alerts' })))
    .TopicArn!;
});
afterAll(() => emu?.stop());

async function createOai(comment: string): Promise<string> {
  const out = await emu.clients.cloudfront.send(
    new CreateCloudFrontOriginAccessIdentityCommand({
      CloudFrontOriginAccessIdentityConfig: { CallerReference: comment, Comment: comment },
    }),
  );
  return out.CloudFrontOriginAccessIdentity!.Id!;
}

/** The team's hand-made distribution: an OAI bucket origin, an app origin, their own extras. */
async function teamDistribution(ref: string, oaiId: string, bucket = BUCKET): Promise<string> {
  const config: DistributionConfig = {
    CallerReference: ref,
    Comment: `charts, set up by hand (${ref})`,
    Enabled: true,
    Aliases: { Quantity: 1, Items: [`${ref}.example.com`] },
    ViewerCertificate: {
      ACMCertificateArn: CERT,
      SSLSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      CloudFrontDefaultCertificate: false,
    },
    WebACLId: WAF,
    Logging: {
      Enabled: true,
      IncludeCookies: false,
      Bucket: 'team-logs.s3.amazonaws.com',
      Prefix: 'cf/',
    },
    Origins: {
      Quantity: 2,
      Items: [
        {
          Id: 'charts-origin',
          DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
          OriginPath: '',
          S3OriginConfig: { OriginAccessIdentity: `origin-access-identity/cloudfront/${oaiId}` },
        },
        {
          Id: 'app',
          DomainName: 'app.example.com',
          CustomOriginConfig: {
            HTTPPort: 80,
            HTTPSPort: 443,
            OriginProtocolPolicy: 'https-only',
          },
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: 'charts-origin',
      ViewerProtocolPolicy: 'allow-all',
      ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
      MinTTL: 0,
      DefaultTTL: 86_400,
      MaxTTL: 31_536_000,
    },
    CacheBehaviors: {
      Quantity: 1,
      Items: [
        {
          PathPattern: '/api/*',
          TargetOriginId: 'app',
          ViewerProtocolPolicy: 'https-only',
          ForwardedValues: { QueryString: true, Cookies: { Forward: 'all' } },
          MinTTL: 0,
          DefaultTTL: 0,
          MaxTTL: 0,
        },
      ],
    },
  };
  const out = await emu.clients.cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: {
        DistributionConfig: config,
        Tags: { Items: [{ Key: 'team', Value: 'charts' }] },
      },
    }),
  );
  return out.Distribution!.Id!;
}

async function policyOf(bucket = BUCKET): Promise<string | undefined> {
  try {
    return (await emu.clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  } catch {
    return undefined;
  }
}

async function configOf(id: string) {
  return emu.clients.cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
}

function adopt(spec: Record<string, unknown>, distributionId: string, ifMatch?: string) {
  const events: WorkflowEvent[] = [];
  return provisionLocally({
    clients: emu.clients,
    alertsTopicArn: topicArn,
    spec,
    stage: 'prod',
    adopt: { distributionId, ...(ifMatch ? { ifMatch } : {}) },
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
    onEvent: (e) => events.push(e),
  }).then((result) => ({ result, events }));
}

async function readyMails(): Promise<string[]> {
  const data = (await emulatorData(emu.endpoint)) as {
    sns?: { Topic?: Array<{ sent_notifications?: unknown[][] }> };
  };
  return (data.sns?.Topic ?? [])
    .flatMap((t) => t.sent_notifications ?? [])
    .map((n) => String(n[2]))
    .filter((s) => /ready/.test(s));
}

describe('adopting a hand-made OAI distribution', () => {
  let oaiId: string;
  let distributionId: string;
  let etag: string;

  beforeAll(async () => {
    oaiId = await createOai('charts-oai');
    distributionId = await teamDistribution('charts', oaiId);
    await emu.clients.s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            TLS_ONLY,
            {
              Sid: 'TeamOai',
              Effect: 'Allow',
              Principal: { AWS: oaiPrincipalArn(oaiId) },
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${BUCKET}/*`,
            },
          ],
        }),
      }),
    );
  });

  it('previews the change field by field and changes nothing', async () => {
    const before = await configOf(distributionId);
    const policyBefore = await policyOf();
    const preview = await previewAdoption(
      emu.clients,
      parseDistributionSpec({ bucket: BUCKET }),
      distributionId,
      'prod',
    );
    etag = preview.etag;
    expect(etag).toBe(before.ETag);
    const paths = preview.changes.map((c) => c.path);
    expect(paths).toContain('Origins[charts-origin].OriginAccessControlId');
    expect(paths).toContain('Origins[charts-origin].S3OriginConfig.OriginAccessIdentity');
    expect(paths).toContain('DefaultCacheBehavior.CachePolicyId');
    expect(preview.changes).toContainEqual({
      path: 'DefaultCacheBehavior.ViewerProtocolPolicy',
      before: 'allow-all',
      after: 'redirect-to-https',
    });
    expect(paths).toContain('CacheBehaviors[*.mp4]');
    expect(paths.some((p) => p.startsWith('CacheBehaviors[/api/*]'))).toBe(false);
    expect(paths.some((p) => /^(Aliases|WebACLId|Logging|ViewerCertificate)/.test(p))).toBe(false);
    expect(preview.creates).toContain('cdnp-charts-prod-oac');
    expect(preview.grantStatement).toBe(`cdnp-${distributionId}`);
    expect(preview.originAccessIdentities).toEqual([
      { id: oaiId, grantInPolicy: true, alsoUsedBy: [] },
    ]);
    expect(preview.tags.map((t) => t.key)).toContain('cdn-pipeline:managed');
    // Nothing changed.
    expect((await configOf(distributionId)).ETag).toBe(before.ETag);
    expect(await policyOf()).toBe(policyBefore);
  });

  it('refuses when the distribution changed since the preview, and changes nothing', async () => {
    const current = await configOf(distributionId);
    const config = structuredClone(current.DistributionConfig!);
    config.Comment = 'edited by a teammate after the preview';
    await emu.clients.cloudfront.send(
      new UpdateDistributionCommand({
        Id: distributionId,
        IfMatch: current.ETag,
        DistributionConfig: config,
      }),
    );
    const edited = await configOf(distributionId);
    expect(edited.ETag).not.toBe(etag);
    const { result } = await adopt({ bucket: BUCKET }, distributionId, etag);
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('DistributionChanged');
    expect(result.error?.Cause).toContain(
      `distribution ${distributionId} changed since the preview`,
    );
    expect((await configOf(distributionId)).ETag).toBe(edited.ETag);
    expect(oaiStatementsFor(policyStatements(await policyOf()), { id: oaiId })).toHaveLength(1);
    etag = edited.ETag!;
  });

  it('adopts it: OAC, policies, behaviours, tags; keeps the rest; the bucket is readable after every state', async () => {
    const mailsBefore = (await readyMails()).length;
    // After every task: what the distribution reads with, and what the bucket policy grants.
    const steps: Array<{ task: string; uses: string; oai: boolean; oac: boolean }> = [];
    const record = async (task: string) => {
      const origin = (await configOf(distributionId)).DistributionConfig!.Origins!.Items!.find(
        (o) => o.Id === 'charts-origin',
      )!;
      const statements = policyStatements(await policyOf());
      const arn = (
        await emu.clients.cloudfront.send(new GetDistributionCommand({ Id: distributionId }))
      ).Distribution!.ARN!;
      steps.push({
        task,
        uses: origin.S3OriginConfig?.OriginAccessIdentity ? 'oai' : 'oac',
        oai: oaiStatementsFor(statements, { id: oaiId }).length > 0,
        oac: oacStatementFor(statements, arn) !== undefined,
      });
    };
    await record('before');
    const tasks = localProvisionTasks(emu.clients, topicArn) as unknown as Record<
      string,
      (input: never) => Promise<unknown>
    >;
    const handlers = Object.fromEntries(
      Object.entries(tasks).map(([name, fn]) => [
        name,
        async (input: never) => {
          const out = await fn(input);
          await record(name);
          return out;
        },
      ]),
    );
    const events: WorkflowEvent[] = [];
    const result = await runProvisionWorkflow({
      input: { spec: { bucket: BUCKET }, stage: 'prod', adopt: { distributionId, ifMatch: etag } },
      handlers,
      pollSecondsOverride: 0,
      retryIntervalMsOverride: 0,
      onEvent: (e) => events.push(e),
    });
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(events.filter((e) => e.type === 'StateEntered').map((e) => e.state)).toEqual(
      expect.arrayContaining(['GrantBeforeSwitch', 'RetireOriginAccessIdentity', 'NotifyReady']),
    );
    // Never a moment where the bucket grants neither, nor one where it lacks what the
    // distribution reads with: OAI until the switch, both while it deploys, OAC at the end.
    for (const step of steps) {
      expect(step.oai || step.oac, JSON.stringify(step)).toBe(true);
      expect(step.uses === 'oai' ? step.oai : step.oac, JSON.stringify(step)).toBe(true);
    }
    expect(steps[0]).toMatchObject({ uses: 'oai', oai: true, oac: false });
    expect(steps.find((s) => s.task === 'ensureDistribution')).toMatchObject({
      uses: 'oac',
      oai: true,
      oac: true,
    });
    expect(steps.at(-1)).toMatchObject({ task: 'notify', uses: 'oac', oai: false, oac: true });

    const after = (await configOf(distributionId)).DistributionConfig!;
    const origin = after.Origins!.Items!.find((o) => o.Id === 'charts-origin')!;
    expect(origin.OriginAccessControlId).toMatch(/\w+/);
    expect(origin.S3OriginConfig?.OriginAccessIdentity ?? '').toBe('');
    expect(after.Origins!.Items!.find((o) => o.Id === 'app')?.DomainName).toBe('app.example.com');
    expect(after.DefaultCacheBehavior!.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(after.DefaultCacheBehavior!.CachePolicyId).toMatch(/\w+/);
    const patterns = after.CacheBehaviors!.Items!.map((b) => b.PathPattern);
    expect(patterns[0]).toBe('/api/*');
    expect(patterns).toContain('*.mp4');
    const api = after.CacheBehaviors!.Items![0]!;
    expect(api.TargetOriginId).toBe('app');
    expect(api.CachePolicyId ?? '').toBe('');
    expect(after.Aliases!.Items).toEqual(['charts.example.com']);
    expect(after.WebACLId).toBe(WAF);
    expect(after.Logging).toMatchObject({ Enabled: true, Prefix: 'cf/' });
    expect(after.Comment).toBe('edited by a teammate after the preview');
    const arn = (result.output as { arn: string }).arn;
    const tags = await emu.clients.cloudfront.send(
      new ListTagsForResourceCommand({ Resource: arn }),
    );
    const tag = (k: string) => tags.Tags?.Items?.find((t) => t.Key === k)?.Value;
    expect(tag('team')).toBe('charts');
    expect(tag('cdn-pipeline:managed')).toBe('true');
    expect(tag('cdn-pipeline:bucket')).toBe(BUCKET);

    // The bucket policy: the OAC's statement added, the OAI's grant gone, the team's deny kept.
    const statements = policyStatements(await policyOf());
    expect(oacStatementFor(statements, arn)).toBeDefined();
    expect(oaiStatementsFor(statements, { id: oaiId })).toEqual([]);
    expect(statements.find((s) => s.Sid === 'DenyInsecureTransport')).toEqual(TLS_ONLY);
    // The OAI is deleted: no distribution reads through it any more.
    await expect(
      emu.clients.cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: oaiId })),
    ).rejects.toMatchObject({ name: 'NoSuchCloudFrontOriginAccessIdentity' });
    expect(await readyMails()).toHaveLength(mailsBefore + 1);
  });

  it('is idempotent: adopting again, or provisioning the spec plainly, changes nothing and mails nothing', async () => {
    const mailsBefore = (await readyMails()).length;
    const before = await configOf(distributionId);
    const again = await adopt({ bucket: BUCKET }, distributionId, before.ETag);
    expect(again.result.status).toBe('SUCCEEDED');
    expect(again.result.output).toMatchObject({ distributionId, action: 'unchanged' });
    const plain = await provisionLocally({
      clients: emu.clients,
      alertsTopicArn: topicArn,
      spec: { bucket: BUCKET },
      stage: 'prod',
      pollSecondsOverride: 0,
      retryIntervalMsOverride: 0,
    });
    expect(plain.status).toBe('SUCCEEDED');
    expect(plain.output).toMatchObject({ distributionId, action: 'unchanged' });
    expect((await configOf(distributionId)).ETag).toBe(before.ETag);
    expect(await readyMails()).toHaveLength(mailsBefore);
  });
});

describe('adoption refused, nothing half-done', () => {
  /** Custom policies and OACs in the account: none may appear when an adoption is refused. */
  async function createdSoFar() {
    const data = (await emulatorData(emu.endpoint)) as {
      cloudfront?: { OriginAccessControl?: unknown[] };
    };
    return JSON.stringify(data.cloudfront?.OriginAccessControl ?? []);
  }

  it('names the distribution and its origins when none of them is the bucket', async () => {
    await emu.clients.s3.send(new CreateBucketCommand({ Bucket: 'reports-prod' }));
    const oai = await createOai('other-oai');
    const other = await teamDistribution('other', oai, 'someone-elses-bucket');
    const before = await configOf(other);
    const oacs = await createdSoFar();
    const { result } = await adopt({ bucket: 'reports-prod' }, other);
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('AdoptionRefused');
    const cause = (JSON.parse(result.error!.Cause) as { errorMessage: string }).errorMessage;
    expect(cause).toContain(`distribution ${other} does not read bucket "reports-prod"`);
    expect(cause).toContain(
      'someone-elses-bucket.s3.us-east-1.amazonaws.com (origin charts-origin)',
    );
    expect((await configOf(other)).ETag).toBe(before.ETag);
    expect(await createdSoFar()).toBe(oacs);
    expect(await policyOf('reports-prod')).toBeUndefined();
  });

  it('says a distribution id that does not exist does not exist', async () => {
    const preview = previewAdoption(
      emu.clients,
      parseDistributionSpec({ bucket: BUCKET }),
      'E0DOESNOTEXIST',
    );
    await expect(preview).rejects.toMatchObject({
      name: 'AdoptionRefused',
      message: expect.stringContaining('distribution E0DOESNOTEXIST does not exist'),
    });
    const { result } = await adopt({ bucket: BUCKET, name: 'ghost' }, 'E0DOESNOTEXIST');
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('AdoptionRefused');
  });

  it('keeps an OAI, and its grant, that another distribution still reads through', async () => {
    const bucket = 'shared-oai-bucket';
    await emu.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const shared = await createOai('shared-oai');
    const first = await teamDistribution('first', shared, bucket);
    const second = await teamDistribution('second', shared, bucket);
    const grant = {
      Sid: 'SharedOai',
      Effect: 'Allow',
      Principal: { AWS: oaiPrincipalArn(shared) },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
    };
    await emu.clients.s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [grant] }),
      }),
    );
    const preview = await previewAdoption(emu.clients, parseDistributionSpec({ bucket }), first);
    expect(preview.originAccessIdentities).toEqual([
      { id: shared, grantInPolicy: true, alsoUsedBy: [second] },
    ]);
    const { result } = await adopt({ bucket }, first, preview.etag);
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const statements = policyStatements(await policyOf(bucket));
    expect(statements.find((s) => s.Sid === 'SharedOai')).toEqual(grant);
    await expect(
      emu.clients.cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: shared })),
    ).resolves.toBeDefined();
  });
});
