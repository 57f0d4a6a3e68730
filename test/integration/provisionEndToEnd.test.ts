/**
 * The provisioning workflow end to end: the real ASL, run in-process, with the real task
 * functions against the emulator (distributions held InProgress for a few polls).
 */
import {
  GetDistributionCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront';
import { GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { emulatorData, setDistributionDeployDelay } from '../../local/emulator.js';
import { provisionLocally } from '../../local/provision.js';
import type { WorkflowEvent } from '../../local/stepfunctions.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let res: LocalStack;

beforeAll(async () => {
  emu = await startTestEmulator();
  res = await bootstrapLocalStack(emu.clients, { stage: 'pe' });
}, 60_000);
afterAll(() => emu?.stop());

function provision(spec: Record<string, unknown>, extra: { maxWaitSeconds?: number } = {}) {
  const events: WorkflowEvent[] = [];
  const run = provisionLocally({
    clients: emu.clients,
    alertsTopicArn: res.alertsTopicArn,
    spec: { bucket: res.bucket, ...spec },
    options: { pollSeconds: 5, ...extra },
    stage: 'pe',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
    onEvent: (e) => events.push(e),
  });
  return run.then((result) => ({ result, events }));
}

async function mails(): Promise<Array<{ subject: string; message: string }>> {
  const data = (await emulatorData(emu.endpoint)) as {
    sns?: { Topic?: Array<{ sent_notifications?: unknown[][] }> };
  };
  return (data.sns?.Topic ?? [])
    .flatMap((t) => t.sent_notifications ?? [])
    .map((n) => ({ message: String(n[1]), subject: String(n[2]) }));
}

async function managedFor(name: string): Promise<string[]> {
  const list = await emu.clients.cloudfront.send(new ListDistributionsCommand({}));
  const ids: string[] = [];
  for (const d of list.DistributionList?.Items ?? []) {
    const tags = await emu.clients.cloudfront.send(
      new ListTagsForResourceCommand({ Resource: d.ARN }),
    );
    if (tags.Tags?.Items?.some((t) => t.Key === 'cdn-pipeline:name' && t.Value === name)) {
      ids.push(d.Id!);
    }
  }
  return ids;
}

const spec = {
  name: 'media',
  aliases: ['cdn.example.com'],
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b3f7c4e-example',
  priceClass: 'PriceClass_100',
  geo: { type: 'block', countries: ['KP'] },
};

describe('provisioning workflow on the emulator', () => {
  it('provisions, waits through InProgress polls until Deployed, and mails "ready"', async () => {
    await setDistributionDeployDelay(emu.endpoint, 3);
    const { result, events } = await provision(spec);
    expect(result.status).toBe('SUCCEEDED');
    const output = result.output as {
      distributionId: string;
      url: string;
      aliases: string[];
      polls: number;
    };
    expect(output.url).toMatch(/^https:\/\/[a-z0-9]+\.cloudfront\.net\/$/);
    expect(output.aliases).toEqual(['cdn.example.com']);
    expect(output.polls).toBeGreaterThanOrEqual(2);
    const checks = events.filter((e) => e.type === 'StateEntered' && e.state === 'CheckDeployment');
    expect(checks.length).toBe(output.polls);
    const got = await emu.clients.cloudfront.send(
      new GetDistributionCommand({ Id: output.distributionId }),
    );
    expect(got.Distribution?.Status).toBe('Deployed');
    expect(got.Distribution?.DistributionConfig?.Aliases?.Items).toEqual(['cdn.example.com']);
    const ready = (await mails()).filter((m) => m.subject.includes('ready'));
    expect(ready.at(-1)!.subject).toContain(output.distributionId);
    expect(ready.at(-1)!.subject.length).toBeLessThanOrEqual(100);
    expect(result.transitions).toBe(3 * output.polls + 13);
  });

  it('is idempotent: a second run finds the same distribution and keeps one policy statement', async () => {
    const first = await managedFor('media');
    const { result } = await provision(spec);
    expect(result.status).toBe('SUCCEEDED');
    expect(await managedFor('media')).toEqual(first);
    expect(first).toHaveLength(1);
    const policy = await emu.clients.s3.send(new GetBucketPolicyCommand({ Bucket: res.bucket }));
    const statements = (JSON.parse(policy.Policy!) as { Statement: Array<{ Sid?: string }> })
      .Statement;
    expect(statements.filter((s) => s.Sid === `cdnp-${first[0]}`)).toHaveLength(1);
    expect(result.output).toMatchObject({ action: 'unchanged' });
  });

  it('updates the distribution when the spec changes', async () => {
    const { result } = await provision({ ...spec, priceClass: 'PriceClass_All' });
    expect(result.status).toBe('SUCCEEDED');
    const id = (result.output as { distributionId: string }).distributionId;
    const got = await emu.clients.cloudfront.send(new GetDistributionCommand({ Id: id }));
    expect(got.Distribution?.DistributionConfig?.PriceClass).toBe('PriceClass_All');
    expect(result.output).toMatchObject({ action: 'updated', changes: ['PriceClass'] });
    expect(await managedFor('media')).toEqual([id]);
  });

  it('ends in DistributionNotDeployed after the bounded wait, and mails the timeout', async () => {
    await setDistributionDeployDelay(emu.endpoint, 1000);
    const { result } = await provision({ name: 'slow' }, { maxWaitSeconds: 15 });
    await setDistributionDeployDelay(emu.endpoint, 0);
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('DistributionNotDeployed');
    const last = (await mails()).at(-1)!;
    expect(last.subject).toMatch(/not deployed/i);
    expect(last.subject.length).toBeLessThanOrEqual(100);
  });

  it('fails on an invalid spec before creating anything, naming the field in the mail', async () => {
    const before = (await emu.clients.cloudfront.send(new ListDistributionsCommand({})))
      .DistributionList?.Quantity;
    const { result } = await provision({ name: 'bad', priceClass: 'PriceClass_50' });
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('InvalidSpec');
    const last = (await mails()).at(-1)!;
    expect(last.subject).toMatch(/failed/i);
    expect(last.message).toContain('priceClass');
    const after = (await emu.clients.cloudfront.send(new ListDistributionsCommand({})))
      .DistributionList?.Quantity;
    expect(after).toBe(before);
  });
});
