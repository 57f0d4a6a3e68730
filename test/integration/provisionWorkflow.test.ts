/**
 * The provisioning state machine as deployed (`statemachines/provision.asl.json`), run locally by
 * `runProvisionWorkflow` with stub task handlers: the ASL's data flow, wait loop, Retry and Catch,
 * and the number of state transitions a run is billed for. The real handlers against the emulator
 * are exercised end to end elsewhere.
 */
import { describe, expect, it } from 'vitest';
import {
  runProvisionWorkflow,
  type TaskHandler,
  type TaskHandlers,
  type WorkflowEvent,
} from '../../local/stepfunctions.js';

/** Errors named as the real tasks name them (Step Functions matches `name`). */
class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type Input = Record<string, unknown>;

const DISTRIBUTION = {
  distributionId: 'E2EXAMPLE',
  arn: 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE',
  domainName: 'd111111abcdef8.cloudfront.net',
  status: 'InProgress',
  action: 'created',
  changes: [],
};

/** Plain stubs that succeed; `deployAfter` polls until Deployed (never when undefined). */
function stubs(opts: { deployAfter?: number; maxPolls?: number; pollSeconds?: number } = {}) {
  const calls: Record<string, Input[]> = {};
  const record =
    (name: string, fn: (input: Input) => unknown): TaskHandler =>
    async (input: never) => {
      (calls[name] ??= []).push(input);
      return fn(input);
    };
  const handlers: Record<string, TaskHandler> = {
    validate: record('validate', (input) => ({
      spec: {
        bucket: (input.spec as { bucket: string }).bucket,
        name: 'site',
        aliases: ['cdn.example.com'],
        additionalMetrics: false,
        standardLogging: false,
      },
      callerReference: 'cdnp-0123456789abcdef',
      pollSeconds: opts.pollSeconds ?? 30,
      maxPolls: opts.maxPolls ?? 90,
      stage: input.stage,
    })),
    ensureOriginAccessControl: record('ensureOriginAccessControl', () => ({
      originAccessControlId: 'E1OAC',
      created: true,
    })),
    ensurePolicies: record('ensurePolicies', () => ({
      cachePolicyIds: { 'cdnp-site-default': 'cp-1' },
      responseHeadersPolicyId: 'rhp-1',
      created: ['cdnp-site-default', 'cdnp-site-headers'],
    })),
    ensureDistribution: record('ensureDistribution', () => DISTRIBUTION),
    mergeBucketPolicy: record('mergeBucketPolicy', () => ({
      changed: true,
      sid: 'cdnp-E2EXAMPLE',
    })),
    ensureMonitoring: record('ensureMonitoring', () => ({ enabled: false, changed: false })),
    ensureLogging: record('ensureLogging', () => ({ enabled: false, changed: false })),
    checkDeployment: record('checkDeployment', (input) => {
      const polls = (input.polls as number) + 1;
      const maxPolls = input.maxPolls as number;
      const deployed = opts.deployAfter !== undefined && polls >= opts.deployAfter;
      return {
        status: deployed ? 'Deployed' : 'InProgress',
        deployed,
        polls,
        maxPolls,
        timedOut: !deployed && polls >= maxPolls,
      };
    }),
    notify: record('notify', (input) => ({
      messageId: `msg-${String(input.outcome)}`,
      subject: `provision ${String(input.outcome)}`,
    })),
  };
  return { calls, handlers };
}

/** Fails the first `times` calls with the error, then behaves as `handler`. */
function failing(times: number, error: () => Error, handler: TaskHandler): TaskHandler {
  let n = 0;
  return async (input, context) => {
    if (n++ < times) throw error();
    return handler(input, context);
  };
}

const run = (input: unknown, handlers: TaskHandlers, onEvent?: (e: WorkflowEvent) => void) =>
  runProvisionWorkflow({
    input,
    handlers,
    pollSecondsOverride: 0.005,
    retryIntervalMsOverride: 5,
    ...(onEvent ? { onEvent } : {}),
  });

const entered = (events: WorkflowEvent[]) =>
  events.filter((e) => e.type === 'StateEntered').map((e) => e.state);

/** State transitions of a run that polls `n` times and succeeds, without retries. */
const successTransitions = (n: number) => 3 * n + 13;

describe('runProvisionWorkflow on statemachines/provision.asl.json', () => {
  it('provisions and waits two polls, in 3N + 13 = 19 transitions, when deployed on the 2nd poll', async () => {
    const { calls, handlers } = stubs({ deployAfter: 2 });
    const events: WorkflowEvent[] = [];
    const result = await run({ spec: { bucket: 'my-content' } }, handlers, (e) => events.push(e));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.error).toBeUndefined();
    expect(result.output).toEqual({
      distributionId: 'E2EXAMPLE',
      arn: DISTRIBUTION.arn,
      domainName: DISTRIBUTION.domainName,
      status: 'Deployed',
      action: 'created',
      changes: [],
      url: 'https://d111111abcdef8.cloudfront.net/',
      aliases: ['cdn.example.com'],
      polls: 2,
      notification: { messageId: 'msg-ready', subject: 'provision ready' },
    });
    expect(result.transitions).toBe(19);
    expect(result.transitions).toBe(successTransitions(2));
    expect(entered(events)).toEqual([
      'ApplyDefaults',
      'MergeDefaults',
      'Validate',
      'EnsureOriginAccessControl',
      'EnsurePolicies',
      'GrantFirst',
      'EnsureDistribution',
      'MergeBucketPolicy',
      'EnsureMonitoring',
      'EnsureLogging',
      'InitWait',
      'CheckDeployment',
      'IsDeployed',
      'WaitForDeployment',
      'CheckDeployment',
      'IsDeployed',
      'AfterDeployment',
      'NotifyReady',
      'Provisioned',
    ]);

    // Absent options and stage reach Validate as their defaults.
    expect(calls.validate).toEqual([
      { spec: { bucket: 'my-content' }, options: {}, stage: '', adopt: {} },
    ]);
    // Each task gets exactly its Parameters slice.
    expect(calls.ensureOriginAccessControl![0]).toEqual({
      spec: expect.objectContaining({ bucket: 'my-content' }),
    });
    expect(calls.ensureDistribution![0]).toEqual({
      spec: expect.objectContaining({ bucket: 'my-content' }),
      callerReference: 'cdnp-0123456789abcdef',
      oac: { originAccessControlId: 'E1OAC', created: true },
      policies: expect.objectContaining({ responseHeadersPolicyId: 'rhp-1' }),
      stage: '',
      adopt: {},
    });
    expect(calls.mergeBucketPolicy).toEqual([
      { bucket: 'my-content', distributionArn: DISTRIBUTION.arn },
    ]);
    expect(calls.ensureMonitoring).toEqual([{ distributionId: 'E2EXAMPLE', enabled: false }]);
    expect(calls.ensureLogging).toEqual([
      { distributionId: 'E2EXAMPLE', distributionArn: DISTRIBUTION.arn, enabled: false },
    ]);
    expect(calls.checkDeployment).toEqual([
      { distributionId: 'E2EXAMPLE', polls: 0, maxPolls: 90 },
      { distributionId: 'E2EXAMPLE', polls: 1, maxPolls: 90 },
    ]);
    expect(calls.notify).toHaveLength(1);
    expect(calls.notify![0]).toMatchObject({
      outcome: 'ready',
      execution: result.executionArn,
      distribution: DISTRIBUTION,
      validated: expect.objectContaining({ callerReference: 'cdnp-0123456789abcdef' }),
      wait: expect.objectContaining({ deployed: true, polls: 2 }),
    });
    expect(calls.notify![0]!.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Progress events: entered/exited pairs with elapsed time, CheckDeployment's status visible.
    const exits = events.filter((e) => e.type === 'StateExited');
    expect(exits).toHaveLength(19);
    for (const e of events) expect(e.elapsedMs).toBeGreaterThanOrEqual(0);
    const lastCheck = exits.filter((e) => e.state === 'CheckDeployment').at(-1)!;
    expect((lastCheck.output as { wait: { status: string } }).wait.status).toBe('Deployed');
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('passes options and stage through to Validate and EnsureDistribution', async () => {
    const { calls, handlers } = stubs({ deployAfter: 1, pollSeconds: 5 });
    const result = await run(
      {
        spec: { bucket: 'my-content' },
        options: { pollSeconds: 5, maxWaitSeconds: 600 },
        stage: 'prod',
      },
      handlers,
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(calls.validate).toEqual([
      {
        spec: { bucket: 'my-content' },
        options: { pollSeconds: 5, maxWaitSeconds: 600 },
        stage: 'prod',
        adopt: {},
      },
    ]);
    expect(calls.ensureDistribution![0]!.stage).toBe('prod');
    expect(result.transitions).toBe(successTransitions(1));
  });

  it('retries a TransientError (twice) and succeeds, each retry one more transition', async () => {
    const { calls, handlers } = stubs({ deployAfter: 1 });
    const flaky = failing(
      2,
      () => new NamedError('TransientError', 'Throttling: Rate exceeded'),
      handlers.ensurePolicies!,
    );
    const events: WorkflowEvent[] = [];
    const result = await run(
      { spec: { bucket: 'my-content' } },
      { ...handlers, ensurePolicies: flaky },
      (e) => events.push(e),
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(calls.ensurePolicies).toHaveLength(1);
    const retries = events.filter((e) => e.type === 'StateRetried');
    expect(retries.map((e) => [e.state, e.attempt])).toEqual([
      ['EnsurePolicies', 1],
      ['EnsurePolicies', 2],
    ]);
    const failures = events.filter((e) => e.type === 'StateFailed');
    expect(failures.map((e) => e.error?.Error)).toEqual(['TransientError', 'TransientError']);
    expect(result.transitions).toBe(successTransitions(1) + 2);
    expect(calls.notify!.map((n) => n.outcome)).toEqual(['ready']);
  });

  it('retries Lambda service errors too, but gives up after MaxAttempts (6) and reports the failure', async () => {
    const { calls, handlers } = stubs({ deployAfter: 1 });
    let attempts = 0;
    const down: TaskHandler = async () => {
      attempts++;
      throw new NamedError('Lambda.ServiceException', 'Lambda is having a bad day');
    };
    const result = await run(
      { spec: { bucket: 'my-content' } },
      { ...handlers, ensureMonitoring: down },
    );

    expect(attempts).toBe(7);
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('Lambda.ServiceException');
    expect(calls.notify).toEqual([
      expect.objectContaining({ outcome: 'failed', step: 'EnsureMonitoring' }),
    ]);
    expect(calls.checkDeployment).toBeUndefined();
  });

  it('does not retry InvalidSpec: notifies the failure with the state and the error, then fails with InvalidSpec', async () => {
    const { calls, handlers } = stubs({ deployAfter: 1 });
    let validations = 0;
    const invalid: TaskHandler = async () => {
      validations++;
      throw new NamedError('InvalidSpec', 'spec.priceClass: must be one of PriceClass_100, …');
    };
    const events: WorkflowEvent[] = [];
    const result = await run(
      { spec: { bucket: 'my-content', priceClass: 'PriceClass_1' } },
      { ...handlers, validate: invalid },
      (e) => events.push(e),
    );

    expect(validations).toBe(1);
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('InvalidSpec');
    // Cause is what Lambda gives Step Functions: a JSON string with errorType and errorMessage.
    const cause = JSON.parse(result.error!.Cause) as Record<string, unknown>;
    expect(cause).toMatchObject({
      errorType: 'InvalidSpec',
      errorMessage: 'spec.priceClass: must be one of PriceClass_100, …',
    });

    expect(calls.notify).toHaveLength(1);
    const mail = calls.notify![0]!;
    expect(mail).toMatchObject({
      outcome: 'failed',
      step: 'Validate',
      execution: result.executionArn,
      error: { Error: 'InvalidSpec', Cause: result.error!.Cause },
      // Nothing exists yet: the slots are empty, not missing.
      validated: {},
      distribution: {},
      wait: {},
    });
    expect(calls.ensureOriginAccessControl).toBeUndefined();
    expect(entered(events)).toEqual([
      'ApplyDefaults',
      'MergeDefaults',
      'Validate',
      'ValidateFailed',
      'NotifyFailure',
      'ProvisioningFailed',
    ]);
    expect(result.transitions).toBe(6);
  });

  it('fails with BucketNotFound (not retried) and names EnsureDistribution when that step conflicts', async () => {
    const missing = stubs();
    const r1 = await run(
      { spec: { bucket: 'nope' } },
      {
        ...missing.handlers,
        validate: failing(
          1,
          () => new NamedError('BucketNotFound', 'bucket "nope" does not exist'),
          missing.handlers.validate!,
        ),
      },
    );
    expect(r1.error?.Error).toBe('BucketNotFound');
    expect(missing.calls.notify![0]).toMatchObject({ step: 'Validate' });

    const conflict = stubs();
    const r2 = await run(
      { spec: { bucket: 'my-content' } },
      {
        ...conflict.handlers,
        ensureDistribution: async () => {
          throw new NamedError('DistributionConflict', 'alias cdn.example.com is used elsewhere');
        },
      },
    );
    expect(r2.status).toBe('FAILED');
    expect(r2.error?.Error).toBe('DistributionConflict');
    expect(conflict.calls.notify![0]).toMatchObject({
      outcome: 'failed',
      step: 'EnsureDistribution',
      validated: expect.objectContaining({ callerReference: 'cdnp-0123456789abcdef' }),
      distribution: {},
    });
  });

  it('stops waiting at maxPolls: notifies the timeout, then fails with DistributionNotDeployed', async () => {
    const { calls, handlers } = stubs({ maxPolls: 3 });
    const events: WorkflowEvent[] = [];
    const result = await run({ spec: { bucket: 'my-content' } }, handlers, (e) => events.push(e));

    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('DistributionNotDeployed');
    expect(result.error?.Cause).toMatch(/still InProgress when the wait loop ended/);
    expect(calls.checkDeployment).toHaveLength(3);
    expect(calls.notify).toHaveLength(1);
    expect(calls.notify![0]).toMatchObject({
      outcome: 'timeout',
      distribution: { distributionId: 'E2EXAMPLE' },
      wait: { deployed: false, timedOut: true, polls: 3, maxPolls: 3 },
    });
    expect(entered(events).slice(-3)).toEqual([
      'IsDeployed',
      'NotifyTimeout',
      'DeploymentTimedOut',
    ]);
    // 3 per poll, 12 around the loop (success has one more: the choice after Deployed).
    expect(result.transitions).toBe(3 * 3 + 12);
  });

  it('still fails with the original error when the failure mail cannot be sent', async () => {
    const { handlers } = stubs();
    const result = await run(
      { spec: { bucket: 'my-content' } },
      {
        ...handlers,
        mergeBucketPolicy: async () => {
          throw new NamedError('AccessDenied', 'not allowed to PutBucketPolicy');
        },
        notify: async () => {
          throw new NamedError('AuthorizationError', 'not allowed to publish');
        },
      },
    );
    expect(result.status).toBe('FAILED');
    expect(result.error?.Error).toBe('AccessDenied');
  });

  it('stops when the signal aborts, as StopExecution does', async () => {
    const { handlers } = stubs();
    const controller = new AbortController();
    const result = await runProvisionWorkflow({
      input: { spec: { bucket: 'my-content' } },
      handlers: {
        ...handlers,
        checkDeployment: async (input, context) => {
          controller.abort();
          return handlers.checkDeployment!(input, context);
        },
      },
      pollSecondsOverride: 5,
      signal: controller.signal,
    });
    expect(result.status).toBe('ABORTED');
    expect(result.elapsedMs).toBeLessThan(4_000);
  });

  it('refuses to start when a task has no handler', async () => {
    const { handlers } = stubs();
    const { notify: _notify, ...rest } = handlers;
    await expect(run({ spec: { bucket: 'b' } }, rest)).rejects.toThrow(
      /no local handler for NotifyReady/,
    );
  });
});
