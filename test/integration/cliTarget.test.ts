/**
 * Which stack the commands talk to, against the emulator: a stage set up the way npm start sets
 * it up (stage local, its bucket provisioned with the workflow), then every command run with
 * only AWS_ENDPOINT_URL exported, with --local and --port and nothing exported, and with the
 * stage wrong — where "nothing found" says where it looked and what it found elsewhere.
 */
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { bootstrapLocalStack, type LocalStack } from '../../local/bootstrap.js';
import { provisionLocally } from '../../local/provision.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let stack: LocalStack;
let distributionId: string;
let port: string;
let stdout: string[];
let stderr: string[];

beforeAll(async () => {
  emu = await startTestEmulator();
  port = new URL(emu.endpoint).port;
  // What npm start makes: the local stage's resources and its bucket's distribution.
  stack = await bootstrapLocalStack(emu.clients, { stage: 'local' });
  const run = await provisionLocally({
    clients: emu.clients,
    alertsTopicArn: stack.alertsTopicArn,
    spec: { bucket: stack.bucket },
    stage: 'local',
    pollSecondsOverride: 0,
    retryIntervalMsOverride: 0,
  });
  expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
  distributionId = (run.output as { distributionId: string }).distributionId;
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});
beforeEach(() => {
  // No keys exported: the local target signs with test credentials.
  vi.stubEnv('AWS_ACCESS_KEY_ID', '');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
  vi.stubEnv('CDN_PIPELINE_LOCAL_PORT', '');
});
afterEach(() => vi.restoreAllMocks());

function capture(): void {
  stdout = [];
  stderr = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    stdout.push(args.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    stderr.push(args.join(' '));
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
}

const run = (...args: string[]) => main(['node', 'cdn-pipeline', ...args]);
const json = () => JSON.parse(stdout.join('\n')) as Record<string, unknown>;

/** Every command that reads the stack, with what proves it found the local stage. */
const finds: Array<[string, () => string[], () => void]> = [
  [
    'status',
    () => ['status', '--json'],
    () => {
      const { distributions } = json() as { distributions: Array<{ id: string; stage: string }> };
      expect(distributions).toEqual([expect.objectContaining({ id: distributionId })]);
      expect(distributions[0]!.stage).toBe('local');
    },
  ],
  [
    'report',
    () => ['report', '--json', '--since', '15m'],
    () => {
      const report = json() as { stage: string; distributions: Array<{ distributionId: string }> };
      expect(report.stage).toBe('local');
      expect(report.distributions.map((d) => d.distributionId)).toEqual([distributionId]);
    },
  ],
  [
    'url',
    () => ['url', '--json', '--bucket', stack.bucket, 'a b.png'],
    () => {
      const [url] = json() as unknown as Array<{ distributionId: string; url: string }>;
      expect(url).toMatchObject({ distributionId, kind: 'cdn' });
      expect(url!.url).toMatch(/^https:\/\/\w+\.cloudfront\.net\/a%20b\.png$/);
    },
  ],
  [
    'health',
    () => ['health', '--json', '--bucket', stack.bucket],
    () => {
      const { checks } = json() as { checks: Array<{ name: string; ok: unknown; detail: string }> };
      const oac = checks.find((c) => c.name === `${distributionId} origin access control`);
      // The emulator's gap is known: a local target gets it as a warning.
      expect(oac).toMatchObject({ ok: 'warn', detail: expect.stringMatching(/emulator/) });
    },
  ],
];

describe('with only AWS_ENDPOINT_URL exported', () => {
  beforeEach(() => vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint));

  it.each(finds)('%s finds the local stage', async (_name, args, check) => {
    capture();
    expect(await run(...args()), stderr.join('\n')).toBe(0);
    check();
  });

  it('invalidate invalidates on the local distribution', async () => {
    capture();
    expect(await run('invalidate', '--json', '--bucket', stack.bucket, 'docs/a.pdf')).toBe(0);
    const { invalidations } = json() as {
      invalidations: Array<{ distributionId: string; invalidationId: string }>;
    };
    expect(invalidations).toEqual([expect.objectContaining({ distributionId })]);
  });
});

describe('with --local and --port, nothing exported', () => {
  beforeEach(() => vi.stubEnv('AWS_ENDPOINT_URL', ''));

  it.each(finds)('%s finds the local stage', async (_name, args, check) => {
    capture();
    expect(await run(...args(), '--local', '--port', port), stderr.join('\n')).toBe(0);
    check();
  });

  it('--port alone means the emulator, and CDN_PIPELINE_LOCAL_PORT stands in for it', async () => {
    capture();
    expect(await run('status', '--json', '--port', port)).toBe(0);
    expect(json().distributions).toHaveLength(1);
    vi.stubEnv('CDN_PIPELINE_LOCAL_PORT', port);
    capture();
    expect(await run('status', '--json', '--local')).toBe(0);
    expect(json().distributions).toHaveLength(1);
  });

  it('invalidate --local invalidates on the emulator', async () => {
    capture();
    const args = ['invalidate', '--local', '--port', port, '--json', '--bucket', stack.bucket];
    expect(await run(...args, 'img/x.png')).toBe(0);
    const { invalidations } = json() as {
      invalidations: Array<{ distributionId: string; invalidationId: string }>;
    };
    expect(invalidations).toHaveLength(1);
    const got = await emu.clients.cloudfront.send(
      new GetInvalidationCommand({
        DistributionId: distributionId,
        Id: invalidations[0]!.invalidationId,
      }),
    );
    expect(got.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/img/x.png']);
  });

  it('--local refuses an AWS_ENDPOINT_URL that is not this machine, before any call', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'https://cloudfront.example.com');
    capture();
    expect(await run('invalidate', '--local', '--bucket', stack.bucket, 'x.png')).toBe(2);
    expect(stderr.join('\n')).toContain(
      '--local means the emulator on this machine, but AWS_ENDPOINT_URL is https://cloudfront.example.com',
    );
    expect(stdout).toEqual([]);
  });
});

describe('nothing found says where it looked and what is elsewhere', () => {
  beforeEach(() => vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint));

  it('report of another stage names the stage that has distributions', async () => {
    capture();
    expect(await run('report', '--stage', 'dev', '--since', '15m')).toBe(0);
    expect(stderr.join('\n')).toContain(
      `no managed distributions for stage dev in the emulator at ${emu.endpoint}; 1 for stage local: add --stage local`,
    );
    capture();
    expect(await run('report', '--stage', 'dev', '--since', '15m', '--json')).toBe(0);
    expect(json().hint).toMatch(/^no managed distributions for stage dev .*: add --stage local$/);
  });

  it('status of another stage does the same', async () => {
    capture();
    expect(await run('status', '--stage', 'dev')).toBe(0);
    expect(stdout.join('\n')).toContain(
      `of stage dev in the emulator at ${emu.endpoint}; 1 for stage local: add --stage local.`,
    );
  });

  it('invalidate, url and health of a bucket nothing serves name the buckets that are served', async () => {
    const served = `managed distributions there serve s3://${stack.bucket}`;
    capture();
    expect(await run('invalidate', '--bucket', 'typo-content', 'x.png')).toBe(0);
    expect(stdout.join('\n')).toContain(
      `No enabled distribution serves bucket typo-content. (looked in the emulator at ${emu.endpoint}; ${served})`,
    );
    capture();
    expect(await run('url', '--bucket', 'typo-content', 'x.png')).toBe(0);
    expect(stderr.join('\n')).toContain(
      `no enabled distribution serves s3://typo-content (looked in the emulator at ${emu.endpoint}; ${served})`,
    );
    capture();
    expect(await run('health', '--bucket', 'typo-content')).toBe(1);
    expect(stdout.join('\n')).toContain(`looked in the emulator at ${emu.endpoint}; ${served}`);
  });
});
