/**
 * `cdn-pipeline provision` and `cdn-pipeline status`, run in-process. Local runs go against the
 * emulator with the real workflow; deployed runs against aws-sdk-client-mock for CloudFormation
 * and Step Functions (the emulator has no Step Functions).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output,
} from '@aws-sdk/client-cloudformation';
import { ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { createTaggedDistribution } from '../helpers/distributions.js';
import { executionName } from '../../cli/provision.js';
import { specInput } from '../../cli/provisionSpec.js';
import { setDistributionDeployDelay } from '../../local/emulator.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const BUCKET = 'cli-provision-content';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000001';

let emu: TestEmulator;
/** Everything printed, in order. */
let out: string[];
/** stdout only (console.log). */
let stdout: string[];

beforeAll(async () => {
  emu = await startTestEmulator();
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu?.stop();
});
afterEach(() => vi.restoreAllMocks());

function capture() {
  out = [];
  stdout = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
    stdout.push(args.join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    out.push(args.join(' '));
  });
  // commander writes usage errors itself
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
}

const run = (...args: string[]) => main(['node', 'cdn-pipeline', ...args]);

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const text = () => out.join('\n');

async function distributionCount(): Promise<number> {
  const list = await emu.clients.cloudfront.send(new ListDistributionsCommand({}));
  return list.DistributionList?.Quantity ?? 0;
}

/** With --json, stdout holds one JSON object and nothing else. */
function printedJson(): Record<string, unknown> {
  return JSON.parse(stdout.join('\n')) as Record<string, unknown>;
}

describe('cdn-pipeline provision --local', () => {
  let distributionId: string;

  it('provisions the bucket, shows the states and the InProgress polls, and ends with the URL', async () => {
    await setDistributionDeployDelay(emu.endpoint, 3);
    capture();
    const code = await run(
      'provision',
      '--local',
      '--bucket',
      BUCKET,
      '--name',
      'media',
      '--poll-seconds',
      '5',
    );
    expect(code, text()).toBe(0);
    const lines = text();
    for (const state of ['Validate', 'EnsurePolicies', 'EnsureDistribution', 'CheckDeployment']) {
      expect(lines).toMatch(new RegExp(`^\\s+\\d+\\.\\ds {2}${state}$`, 'm'));
    }
    expect(lines).toMatch(/InProgress \(poll 1 of 540\)/);
    expect(lines).toMatch(/InProgress \(poll 2 of 540\)/);
    expect(lines).toMatch(/Deployed \(poll 3 of 540\)/);
    distributionId = /Distribution ready: (\w+) \(created\)/.exec(lines)?.[1] ?? '';
    expect(distributionId).not.toBe('');
    const domain = /^ {2}domain +(\S+)$/m.exec(lines)?.[1] ?? '';
    expect(domain).toMatch(/\.cloudfront\.net$/);
    expect(lines).toMatch(new RegExp(`^ {2}url +https://${domain.replace(/\./g, '\\.')}/$`, 'm'));
    expect(lines).toMatch(/^ {2}status +Deployed after 3 polls$/m);
    expect(lines).toMatch(/^ {2}transitions +\d+$/m);
  });

  it('finds the same distribution on a second run and changes nothing', async () => {
    capture();
    expect(await run('provision', '--local', '--bucket', BUCKET, '--name', 'media')).toBe(0);
    expect(text()).toContain(`Distribution ready: ${distributionId} (unchanged)`);
    expect(text()).toMatch(/^ {2}action +unchanged$/m);
  });

  it('prints one JSON object with --json, progress kept off stdout', async () => {
    capture();
    expect(await run('provision', '--local', '--bucket', BUCKET, '--name', 'media', '--json')).toBe(
      0,
    );
    const report = printedJson();
    expect(report).toMatchObject({
      outcome: 'ready',
      mode: 'local',
      distributionId,
      action: 'unchanged',
      status: 'Deployed',
      changes: [],
    });
    expect(report.url).toMatch(/^https:\/\/.+\.cloudfront\.net\/$/);
    expect(text()).toContain('EnsureDistribution'); // the progress went to stderr
  });

  it('fails at Validate with BucketNotFound when the bucket does not exist', async () => {
    capture();
    const before = await distributionCount();
    expect(await run('provision', '--local', '--bucket', 'cli-no-such-bucket')).toBe(1);
    expect(text()).toMatch(/provisioning failed at Validate: BucketNotFound/);
    expect(text()).toContain('bucket "cli-no-such-bucket" does not exist');
    expect(await distributionCount()).toBe(before);
  });

  it('reports the failure as JSON with --json', async () => {
    capture();
    expect(await run('provision', '--local', '--bucket', 'cli-no-such-bucket', '--json')).toBe(1);
    expect(printedJson()).toMatchObject({
      outcome: 'failed',
      step: 'Validate',
      error: 'BucketNotFound',
    });
  });

  it('says how to reach the emulator when none answers at the --local endpoint', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', '');
    try {
      const port = await closedPort();
      capture();
      expect(await run('provision', '--local', '--port', String(port), '--bucket', BUCKET)).toBe(1);
      expect(text()).toContain(
        `no emulator answers at http://127.0.0.1:${port}: start the local pipeline with npm start`,
      );
    } finally {
      vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
    }
  });
});

describe('cdn-pipeline provision: bad input is refused before anything is created', () => {
  it.each([
    {
      what: 'an unknown price class',
      args: ['--price-class', 'PriceClass_50'],
      field: 'priceClass',
      says: 'must be one of PriceClass_100, PriceClass_200, PriceClass_All',
    },
    {
      what: 'a certificate outside us-east-1',
      args: [
        '--alias',
        'cdn.example.com',
        '--certificate',
        'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000001',
      ],
      field: 'certificateArn',
      says: 'only uses ACM certificates from us-east-1',
    },
    {
      what: 'an alias that is not a hostname',
      args: ['--alias', 'cdn_example', '--certificate', CERT],
      field: 'aliases[0]',
      says: 'is not a hostname',
    },
    {
      what: 'a geo code that is not ISO 3166',
      args: ['--geo-block', 'RU,UK'],
      field: 'geo.countries[1]',
      says: 'the United Kingdom is GB',
    },
  ])('exits 2 on $what and names the field', async ({ args, field, says }) => {
    const before = await distributionCount();
    capture();
    // Both modes: the spec is checked before a stack is looked up or a workflow started.
    expect(await run('provision', '--local', '--bucket', 'cli-invalid-spec', ...args)).toBe(2);
    expect(await run('provision', '--bucket', 'cli-invalid-spec', ...args)).toBe(2);
    expect(out).toHaveLength(2);
    expect(out[0]).toContain(`cdn-pipeline: invalid spec: ${field}: `);
    expect(out[0]).toContain(says);
    expect(await distributionCount()).toBe(before);
  });

  it('exits 2 when no bucket is given', async () => {
    capture();
    expect(await run('provision', '--local')).toBe(2);
    expect(text()).toContain('invalid spec: bucket: is required');
  });

  it('exits 2 on conflicting or malformed flags', async () => {
    capture();
    expect(
      await run('provision', '--bucket', BUCKET, '--geo-allow', 'DE', '--geo-block', 'RU'),
    ).toBe(2);
    expect(await run('provision', '--bucket', BUCKET, '--poll-seconds', 'soon')).toBe(2);
    expect(await run('provision', '--bucket', BUCKET, '--local', '--poll-seconds', '1')).toBe(2);
    expect(text()).toContain('invalid option: --poll-seconds: must be between 5 and 600');
    expect(await run('provision', '--bucket', BUCKET, '--local', '--no-wait')).toBe(2);
    expect(await run('provision', '--bucket', BUCKET, '--local', '--stage', 'Bad Stage')).toBe(2);
  });

  it('exits 2 when the spec file is missing or not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdnp-spec-'));
    writeFileSync(join(dir, 'bad.json'), '{ bucket: ');
    capture();
    expect(await run('provision', '--spec', join(dir, 'absent.json'))).toBe(2);
    expect(await run('provision', '--spec', join(dir, 'bad.json'))).toBe(2);
    expect(text()).toMatch(/--spec .*absent\.json: cannot read it/);
    expect(text()).toMatch(/--spec .*bad\.json: not valid JSON/);
  });
});

describe('the spec from --spec and flags', () => {
  it('takes the file and lets flags override its fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdnp-spec-'));
    const file = join(dir, 'spec.json');
    writeFileSync(
      file,
      JSON.stringify({
        bucket: 'from-file',
        priceClass: 'PriceClass_All',
        geo: { type: 'allow', countries: ['DE'] },
        cors: { allowOrigins: ['https://a.example.com'], maxAgeSeconds: 60 },
        tags: { team: 'media' },
      }),
    );
    expect(
      await specInput({
        spec: file,
        bucket: 'from-flag',
        geoBlock: ['RU'],
        corsOrigin: ['https://b.example.com'],
        alias: ['cdn.example.com', 'img.example.com'],
        logBucket: 'my-logs',
      }),
    ).toEqual({
      bucket: 'from-flag',
      priceClass: 'PriceClass_All',
      geo: { type: 'block', countries: ['RU'] },
      cors: { allowOrigins: ['https://b.example.com'], maxAgeSeconds: 60 },
      tags: { team: 'media' },
      aliases: ['cdn.example.com', 'img.example.com'],
      logging: { bucket: 'my-logs' },
    });
  });

  it('names executions <name>-<UTC timestamp>', () => {
    expect(executionName('media', new Date('2025-03-04T05:06:07.890Z'))).toBe(
      'media-20250304T050607Z',
    );
  });
});

// ── Deployed runs: CloudFormation and Step Functions mocked ─────────────────────────────────

const STATE_MACHINE =
  'arn:aws:states:us-east-1:123456789012:stateMachine:cdn-pipeline-dev-provision';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:cdn-pipeline-dev-provision:x';
const T0 = new Date('2025-01-01T00:00:00Z');
const DISTRIBUTION = {
  distributionId: 'E2EXAMPLE',
  arn: 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE',
  domainName: 'd111111abcdef8.cloudfront.net',
  status: 'InProgress',
  action: 'updated',
  changes: ['PriceClass'],
};

/** A deployed execution's history, built in order; ids and timestamps count up. */
class History {
  readonly events: HistoryEvent[] = [];
  private at = 0;
  private add(
    event: Omit<HistoryEvent, 'id' | 'timestamp' | 'type'> & { type: string },
    seconds: number,
  ) {
    this.at += seconds;
    this.events.push({
      ...event,
      type: event.type as HistoryEvent['type'],
      id: this.events.length + 1,
      timestamp: new Date(T0.getTime() + this.at * 1000),
    });
    return this;
  }
  state(type: string, name: string, seconds = 1, output?: unknown) {
    this.add({ type: `${type}StateEntered`, stateEnteredEventDetails: { name } }, seconds);
    if (type === 'Task') this.add({ type: 'LambdaFunctionScheduled' }, 0);
    return this.add(
      {
        type: `${type}StateExited`,
        stateExitedEventDetails: { name, output: JSON.stringify(output ?? {}) },
      },
      seconds,
    );
  }
  taskFails(name: string, error: string) {
    this.add({ type: 'TaskStateEntered', stateEnteredEventDetails: { name } }, 1);
    this.add({ type: 'LambdaFunctionScheduled' }, 0);
    return this.add(
      { type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error } },
      1,
    );
  }
  poll(status: string, polls: number, maxPolls = 90) {
    this.state('Task', 'CheckDeployment', 1, { wait: { status, polls, maxPolls } });
    this.state('Choice', 'IsDeployed', 0);
    return status === 'Deployed' ? this : this.state('Wait', 'WaitForDeployment', 30);
  }
  upToTheWait() {
    this.add({ type: 'ExecutionStarted' }, 0);
    for (const name of ['ApplyDefaults', 'MergeDefaults']) this.state('Pass', name, 0);
    for (const name of ['Validate', 'EnsureOriginAccessControl', 'EnsurePolicies']) {
      this.state('Task', name);
    }
    this.state('Task', 'EnsureDistribution', 1, { distribution: DISTRIBUTION });
    for (const name of ['MergeBucketPolicy', 'EnsureMonitoring']) this.state('Task', name);
    return this.state('Pass', 'InitWait', 0);
  }
}

describe('cdn-pipeline provision (deployed)', () => {
  const cfn = mockClient(CloudFormationClient);
  const sfn = mockClient(SFNClient);
  const outputs: Output[] = [{ OutputKey: 'ProvisionStateMachineArn', OutputValue: STATE_MACHINE }];

  beforeEach(() => {
    // A deployed run: no emulator endpoint exported (a loopback one would mean the local
    // stage); the emulator npm start would run is this file's, so hints name it.
    vi.stubEnv('AWS_ENDPOINT_URL', '');
    vi.stubEnv('CDN_PIPELINE_LOCAL_PORT', new URL(emu.endpoint).port);
    cfn.reset();
    sfn.reset();
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'cdn-pipeline-dev',
          CreationTime: T0,
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: outputs,
        },
      ],
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: T0 });
  });
  afterAll(() => {
    cfn.restore();
    sfn.restore();
    vi.stubEnv('CDN_PIPELINE_LOCAL_PORT', undefined as unknown as string);
    vi.stubEnv('AWS_ENDPOINT_URL', emu.endpoint);
  });

  /**
   * The execution as Step Functions shows it while it runs: each DescribeExecution reveals the
   * next slice of history; GetExecutionHistory pages it 4 events at a time with nextTokens.
   */
  function serve(history: History, slices: number[], end: Record<string, unknown>) {
    let visible = 0;
    let describes = 0;
    sfn.on(DescribeExecutionCommand).callsFake(() => {
      visible = slices[Math.min(describes, slices.length - 1)]!;
      describes++;
      const done = describes >= slices.length;
      return done
        ? {
            executionArn: EXECUTION,
            startDate: T0,
            stopDate: new Date(T0.getTime() + 300_000),
            ...end,
          }
        : { executionArn: EXECUTION, startDate: T0, status: 'RUNNING' };
    });
    sfn.on(GetExecutionHistoryCommand).callsFake((input: { nextToken?: string }) => {
      const from = Number(input.nextToken ?? 0);
      const to = Math.min(from + 4, visible);
      return {
        events: history.events.slice(from, to),
        ...(to < visible ? { nextToken: String(to) } : {}),
      };
    });
  }

  it('starts the stack state machine with the spec and prints the progress until it succeeds', async () => {
    const history = new History().upToTheWait().poll('InProgress', 1).poll('InProgress', 2);
    const midway = history.events.length;
    history.poll('Deployed', 3).state('Task', 'NotifyReady').state('Pass', 'Provisioned', 0);
    serve(history, [9, midway, history.events.length], {
      status: 'SUCCEEDED',
      output: JSON.stringify({
        ...DISTRIBUTION,
        status: 'Deployed',
        url: `https://${DISTRIBUTION.domainName}/`,
        aliases: ['cdn.example.com'],
        polls: 3,
      }),
    });
    capture();
    const code = await run(
      'provision',
      '--bucket',
      'my-content',
      '--name',
      'media',
      '--alias',
      'cdn.example.com',
      '--certificate',
      CERT,
      '--price-class',
      'PriceClass_100',
      '--poll-seconds',
      '30',
      '--watch-seconds',
      '0.01',
    );
    expect(code, text()).toBe(0);

    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE);
    expect(start.name).toMatch(/^media-\d{8}T\d{6}Z$/);
    expect(JSON.parse(start.input!)).toEqual({
      spec: {
        bucket: 'my-content',
        name: 'media',
        aliases: ['cdn.example.com'],
        certificateArn: CERT,
        priceClass: 'PriceClass_100',
      },
      options: { pollSeconds: 30 },
      stage: 'dev',
    });
    expect(cfn.commandCalls(DescribeStacksCommand)[0]!.args[0].input.StackName).toBe(
      'cdn-pipeline-dev',
    );

    const lines = text();
    const states = [...lines.matchAll(/^\s+[\dm.]+s {2}(\w+)$/gm)].map((m) => m[1]);
    expect(states).toEqual([
      'Validate',
      'EnsureOriginAccessControl',
      'EnsurePolicies',
      'EnsureDistribution',
      'MergeBucketPolicy',
      'EnsureMonitoring',
      'CheckDeployment',
      'NotifyReady',
    ]);
    expect(lines).toMatch(/updated E2EXAMPLE \(d111111abcdef8\.cloudfront\.net\)/);
    expect(lines).toMatch(/^\s+\d+\.\ds {4}InProgress \(poll 1 of 90\)$/m);
    expect(lines).toMatch(/^\s+1m\d\ds {4}InProgress \(poll 2 of 90\)$/m);
    expect(lines).toMatch(/Deployed \(poll 3 of 90\)/);
    expect(lines).toMatch(/^ {2}url +https:\/\/cdn\.example\.com\/$/m);
    expect(lines).toMatch(/^ {2}action +updated: PriceClass$/m);
    expect(lines).toMatch(/^ {2}elapsed +5m00s$/m);
    // Each event printed once, though the history was read three times.
    expect(lines.match(/EnsureDistribution$/gm)).toHaveLength(1);
  });

  it('prints the execution ARN and returns at once with --no-wait', async () => {
    capture();
    expect(await run('provision', '--bucket', 'my-content', '--no-wait')).toBe(0);
    expect(out).toEqual([EXECUTION]);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('uses --state-machine-arn (or its variable) instead of the stack', async () => {
    vi.stubEnv('CDN_PIPELINE_STATE_MACHINE_ARN', `${STATE_MACHINE}-env`);
    try {
      capture();
      expect(await run('provision', '--bucket', 'my-content', '--no-wait', '--json')).toBe(0);
      expect(printedJson()).toMatchObject({ outcome: 'started', executionArn: EXECUTION });
      expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
      expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe(
        `${STATE_MACHINE}-env`,
      );
    } finally {
      vi.stubEnv('CDN_PIPELINE_STATE_MACHINE_ARN', undefined as unknown as string);
    }
  });

  it('says to deploy the stack when it does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id cdn-pipeline-prod does not exist'), {
        name: 'ValidationError',
      }),
    );
    capture();
    expect(await run('provision', '--bucket', 'my-content', '--stage', 'prod')).toBe(1);
    expect(text()).toContain(
      'stack cdn-pipeline-prod does not exist in us-east-1: deploy the stack first: npx sls deploy --stage prod',
    );
    // Where else it looked: the emulator of npm start answers.
    expect(text()).toContain(
      `; the emulator at http://127.0.0.1:${new URL(emu.endpoint).port} answers: add --local to provision there`,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('says to deploy the stack when it lacks the state machine output', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'x', CreationTime: T0, StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    capture();
    expect(await run('provision', '--bucket', 'my-content')).toBe(1);
    expect(text()).toContain('has no output ProvisionStateMachineArn: deploy the stack first');
  });

  it('exits 4 and says re-running resumes when the distribution is still deploying', async () => {
    const history = new History().upToTheWait().poll('InProgress', 1, 2).poll('InProgress', 2, 2);
    history.state('Task', 'NotifyTimeout');
    history.state('Fail', 'DeploymentTimedOut', 0);
    serve(history, [history.events.length], {
      status: 'FAILED',
      error: 'DistributionNotDeployed',
      cause: 'The distribution was still InProgress when the wait loop ended.',
    });
    capture();
    expect(await run('provision', '--bucket', 'my-content', '--watch-seconds', '0.01')).toBe(4);
    expect(text()).toContain('cdn-pipeline: distribution E2EXAMPLE is still deploying');
    expect(text()).toContain('Run the same provision command again to resume waiting');
  });

  it('names the failing step and the cause from the history', async () => {
    const history = new History();
    history.state('Pass', 'ApplyDefaults', 0).state('Pass', 'MergeDefaults', 0);
    history.taskFails('Validate', 'BucketNotFound');
    history.state('Pass', 'ValidateFailed', 0).state('Task', 'NotifyFailure');
    history.state('Fail', 'ProvisioningFailed', 0);
    serve(history, [history.events.length], {
      status: 'FAILED',
      error: 'BucketNotFound',
      cause: JSON.stringify({
        errorType: 'BucketNotFound',
        errorMessage: 'bucket "my-content" does not exist (HeadBucket: 404)',
        trace: [],
      }),
    });
    capture();
    expect(await run('provision', '--bucket', 'my-content', '--watch-seconds', '0.01')).toBe(1);
    expect(text()).toMatch(/✗ Validate failed: BucketNotFound/);
    expect(text()).toContain('provisioning failed at Validate: BucketNotFound');
    expect(text()).toContain('  bucket "my-content" does not exist (HeadBucket: 404)');
  });
});

// ── status ──────────────────────────────────────────────────────────────────────────────────

describe('cdn-pipeline status', () => {
  let minimal: string;

  beforeAll(async () => {
    // A distribution tagged managed, but without bucket and name tags (one made by hand).
    minimal = await createTaggedDistribution(
      emu.clients.cloudfront,
      'clistatus-minimal',
      { 'cdn-pipeline:managed': 'true', 'cdn-pipeline:stage': 'clistatus' },
      { originBucket: 'cdn-pipeline-clistatus-content' },
    );
    capture();
    // Idempotent: the distribution of the provisioning tests, or a new one when run alone.
    expect(await run('provision', '--local', '--bucket', BUCKET, '--name', 'media')).toBe(0);
    vi.restoreAllMocks();
  });

  it('lists the managed distributions with their bucket and name', async () => {
    capture();
    expect(await run('status')).toBe(0);
    const lines = text().split('\n');
    expect(lines[0]).toMatch(
      /^id\s+status\s+enabled\s+domain\s+aliases\s+bucket\s+name\s+last modified$/,
    );
    const row = lines.find((l) => l.includes(BUCKET));
    expect(row).toMatch(
      /^\w+\s+Deployed\s+yes\s+\S+\.cloudfront\.net\s+-\s+cli-provision-content\s+media\s+\d{4}-\d\d-\d\d \d\d:\d\dZ$/,
    );
  });

  it('finds the bucket of a distribution without a bucket tag from its origin', async () => {
    capture();
    // Of its stage: the bootstrap tagged it clistatus.
    expect(
      await run('status', '--bucket', 'cdn-pipeline-clistatus-content', '--stage', 'clistatus'),
    ).toBe(0);
    const lines = text().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      new RegExp(`^${minimal}\\s.*\\scdn-pipeline-clistatus-content\\s+-\\s`),
    );
  });

  it('prints JSON for scripts', async () => {
    capture();
    expect(await run('status', '--json', '--local')).toBe(0);
    const { distributions } = JSON.parse(text());
    expect(distributions).toContainEqual(
      expect.objectContaining({
        bucket: BUCKET,
        name: 'media',
        status: 'Deployed',
        stage: 'local',
      }),
    );
  });

  it('lists only the distributions of the stage, and names the stage that has them', async () => {
    capture();
    expect(await run('status', '--json', '--stage', 'clistatus')).toBe(0);
    const { distributions } = JSON.parse(text()) as { distributions: Array<{ id: string }> };
    expect(distributions.map((d) => d.id)).toEqual([minimal]);
    capture();
    expect(await run('status', '--bucket', 'cdn-pipeline-clistatus-content')).toBe(0);
    expect(text()).toContain(
      `of stage local in the emulator at ${emu.endpoint}; 1 for stage clistatus: add --stage clistatus.`,
    );
  });

  it('says so when no managed distribution serves the bucket', async () => {
    capture();
    expect(await run('status', '--bucket', 'other')).toBe(0);
    expect(text()).toContain('No distributions managed by cdn-pipeline for bucket other');
    capture();
    expect(await run('status', '--bucket', 'other', '--json')).toBe(0);
    expect(JSON.parse(text())).toEqual({ distributions: [] });
  });
});
