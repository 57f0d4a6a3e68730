/**
 * The provisioning workflow: a Standard state machine whose every Task invokes one of the eight
 * provisioning functions, with retries and a catch, and a role that can do nothing else.
 */
import { describe, expect, it } from 'vitest';
import {
  PROVISION_NAMES,
  STAR_ONLY_ACTIONS,
  STATE_MACHINE_ID,
  provisionFunctionId,
} from './expected.js';
import { PREFIX } from './runs.js';
import { usePackagedStack } from './stack.js';
import {
  asArray,
  props,
  resource,
  roleStatements,
  target,
  type Cfn,
  type CfnObject,
  type Loose,
} from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

describe('provision state machine', () => {
  const machine = () => props(t(), STATE_MACHINE_ID, 'AWS::StepFunctions::StateMachine');
  /** The definition as deployed: the Fn::Sub template and its variables. */
  const definition = () => {
    const [template, vars] = machine().DefinitionString['Fn::Sub'] as [string, Record<string, Cfn>];
    return { asl: JSON.parse(template) as { States: Record<string, Loose> }, vars };
  };

  it('is a Standard workflow with a stage-scoped name', () => {
    expect(machine().StateMachineName).toBe(`${PREFIX}-provision`);
    expect(machine().StateMachineType).toBe('STANDARD');
  });

  it('resolves every Task to one of the eight provisioning functions by Fn::GetAtt', () => {
    const { asl, vars } = definition();
    const targets = new Set<string>();
    for (const [name, state] of Object.entries(asl.States)) {
      if (state.Type !== 'Task') continue;
      const placeholder = /^\$\{([^}]+)\}$/.exec(state.Resource as string);
      expect(placeholder, `${name}: Resource ${state.Resource}`).not.toBeNull();
      const value = vars[placeholder![1]!] as CfnObject;
      expect(value['Fn::GetAtt'], name).toBeDefined();
      targets.add(target(value)!);
    }
    expect([...targets].sort()).toEqual(PROVISION_NAMES.map(provisionFunctionId).sort());
    for (const id of targets) resource(t(), id, 'AWS::Lambda::Function');
  });

  /** The log delivery CloudWatch Logs needs for the execution log (AWS allows it on "*" only). */
  const LOG_DELIVERY = [
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ];
  const isLogDelivery = (statement: { Action?: string | readonly string[] }) =>
    asArray(statement.Action).every((a) => a.startsWith('logs:'));

  it('lets its role do nothing but invoke the eight functions and deliver its log', () => {
    expect(target(machine().RoleArn)).toBe(`${STATE_MACHINE_ID}Role`);
    const all = roleStatements(t(), `${STATE_MACHINE_ID}Role`);
    const logging = all.filter(isLogDelivery);
    expect(logging).toHaveLength(1);
    expect(logging[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect([...asArray(logging[0]!.Action)].sort()).toEqual([...LOG_DELIVERY].sort());
    for (const action of LOG_DELIVERY) expect(STAR_ONLY_ACTIONS).toContain(action);
    const statements = all.filter((st) => !isLogDelivery(st));
    expect(statements.length).toBeGreaterThan(0);
    const invoked = new Set<string>();
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(asArray(statement.Action)).toEqual(['lambda:InvokeFunction']);
      for (const r of asArray(statement.Resource as Cfn[])) {
        // The function's ARN, or the same ARN with a version/alias qualifier (`<arn>:*`).
        const sub = (r as CfnObject)['Fn::Sub'] as [string, Record<string, Cfn>] | undefined;
        if (sub) expect(sub[0]).toBe('${functionArn}:*');
        const arn = sub ? sub[1].functionArn : r;
        expect((arn as CfnObject)['Fn::GetAtt'], JSON.stringify(r)).toBeDefined();
        invoked.add(target(arn)!);
      }
    }
    expect([...invoked].sort()).toEqual(PROVISION_NAMES.map(provisionFunctionId).sort());
  });

  it('retries transient and Lambda service errors with capped, jittered backoff on every Task', () => {
    const { asl } = definition();
    for (const [name, state] of Object.entries(asl.States)) {
      if (state.Type !== 'Task') continue;
      expect(state.Retry, name).toEqual([
        {
          ErrorEquals: [
            'TransientError',
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException',
          ],
          IntervalSeconds: 2,
          BackoffRate: 2,
          MaxAttempts: 6,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
      ]);
      expect(state.Catch, name).toHaveLength(1);
      expect(state.Catch[0].ErrorEquals, name).toEqual(['States.ALL']);
    }
  });

  it('logs errors only, without execution data, to a log group with a retention', () => {
    expect(machine().LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [
        {
          CloudWatchLogsLogGroup: {
            LogGroupArn: { 'Fn::GetAtt': ['ProvisionStateMachineLogGroup', 'Arn'] },
          },
        },
      ],
    });
    expect(props(t(), 'ProvisionStateMachineLogGroup', 'AWS::Logs::LogGroup')).toEqual({
      LogGroupName: `/aws/vendedlogs/states/${PREFIX}-provision`,
      RetentionInDays: 30,
    });
  });

  it('is in the outputs as ProvisionStateMachineArn', () => {
    expect(t().Outputs?.ProvisionStateMachineArn?.Value).toEqual({ Ref: STATE_MACHINE_ID });
  });
});
