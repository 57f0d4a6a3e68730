/**
 * The functions in the packaged stack: runtime, names, timeouts and memory, log groups, and
 * environments their config loaders accept, with the schema's defaults where no parameter is set.
 */
import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import { loadInvalidateConfig } from '../../functions/invalidate/config.js';
import { loadScheduledHealthConfig } from '../../functions/health/config.js';
import { loadReportConfig } from '../../functions/report/config.js';
import {
  ALARM_TABLE,
  FUNCTIONS,
  HEALTH,
  KEY_LEDGER_TABLE,
  LEDGER_TABLE,
  NAMES,
  PROVISION,
  PROVISION_NAMES,
  QUEUE_URL,
  REPORT,
  REPORT_NAMES,
  SCHEMA_DEFAULTS,
  SCHEMA_OWNED_VARIABLES,
  TOPIC_ARN,
  provisionFunctionId,
  provisionRoleId,
} from './expected.js';
import { PARAMS, PREFIX, STAGE } from './runs.js';
import { usePackagedStack } from './stack.js';
import { props, resourcesOfType, target } from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;
const envOf = (template: typeof stack.base.template, id: string) =>
  props(template, id).Environment.Variables as Record<string, unknown>;

describe('functions', () => {
  it('are ingest, invalidate, the eight provisioning tasks, the two report functions and the health check, on nodejs22.x and arm64, with stage-scoped names', () => {
    const functions = resourcesOfType(t(), 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(
      [
        'IngestLambdaFunction',
        'InvalidateLambdaFunction',
        'LogsLambdaFunction',
        ...PROVISION_NAMES.map(provisionFunctionId),
        ...REPORT_NAMES.map((name) => REPORT[name].id),
        HEALTH.id,
      ].sort(),
    );
    for (const [id, fn] of functions) {
      expect(fn.Properties?.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties?.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties?.FunctionName, id).toMatch(new RegExp(`^${PREFIX}-`));
    }
  });

  it.each(NAMES)('gives %s its timeout, memory and a log group with retention', (name) => {
    const fn = props(t(), FUNCTIONS[name].id);
    expect(fn.Timeout).toBe(FUNCTIONS[name].timeout);
    expect(fn.MemorySize).toBe(512);
    const logGroups = resourcesOfType(t(), 'AWS::Logs::LogGroup').filter(
      ([, g]) => g.Properties?.LogGroupName === `/aws/lambda/${fn.FunctionName}`,
    );
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]![1].Properties?.RetentionInDays).toBe(30);
  });

  it.each(NAMES)('sets the Powertools and source-map environment of %s', (name) => {
    const env = props(t(), FUNCTIONS[name].id).Environment.Variables;
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: FUNCTIONS[name].service,
      POWERTOOLS_METRICS_NAMESPACE: 'CdnPipeline',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('gives ingest an environment its config parser accepts, with the queue URL by Ref', () => {
    const env = props(t(), FUNCTIONS.ingest.id).Environment.Variables;
    expect(target(env.INVALIDATION_QUEUE_URL)).toBe('InvalidationRequestsQueue');
    // The key ledger table comes by Ref too (resources/keyLedger.yml).
    expect(target(env.KEY_LEDGER_TABLE)).toBe('KeyLedgerTable');
    const config = loadIngestConfig({
      ...env,
      INVALIDATION_QUEUE_URL: QUEUE_URL,
      KEY_LEDGER_TABLE: KEY_LEDGER_TABLE,
    });
    expect(config.invalidateOn).toBe(SCHEMA_DEFAULTS.ingest.invalidateOn);
    expect(config).toEqual({ ...SCHEMA_DEFAULTS.ingest, keyLedgerTable: KEY_LEDGER_TABLE });
    expect(config.invalidationQueueUrl).toMatch(/^https:/);
  });

  it('gives invalidate an environment its config parser accepts, discovery on by default', () => {
    const env = props(t(), FUNCTIONS.invalidate.id).Environment.Variables;
    // The ledger table comes by Ref (test/package/invalidationLedger.test.ts); the rest are strings.
    const { INVALIDATION_LEDGER_TABLE: ledger, ...settings } = env;
    expect(target(ledger)).toBe('InvalidationLedgerTable');
    for (const value of Object.values(settings)) expect(typeof value).toBe('string');
    const config = loadInvalidateConfig({ ...settings, INVALIDATION_LEDGER_TABLE: LEDGER_TABLE });
    expect(config).toEqual({ ...SCHEMA_DEFAULTS.invalidate, ledgerTable: LEDGER_TABLE });
    expect(config.distributionIds).toBeUndefined();
  });
});

describe('function settings', () => {
  const cases = [
    ['ingest', FUNCTIONS.ingest.id],
    ['invalidate', FUNCTIONS.invalidate.id],
    ['report', REPORT.reportCheck.id],
    ['report', REPORT.reportDigest.id],
  ] as const;

  it.each(cases)(
    'leaves the %s settings out of %s when no parameter sets them (the schema default applies)',
    (owner, id) => {
      const names = Object.keys(envOf(t(), id));
      for (const variable of SCHEMA_OWNED_VARIABLES[owner]) {
        expect(names, `${id}: ${variable}`).not.toContain(variable);
      }
    },
  );

  it('passes a set parameter through to the environment, as a string', () => {
    expect(envOf(stack.withParams.template, FUNCTIONS.ingest.id).INVALIDATE_ON).toBe(
      PARAMS.invalidateOn,
    );
    expect(envOf(stack.withParams.template, FUNCTIONS.invalidate.id).MAX_INFLIGHT_PATHS).toBe(
      PARAMS.maxInflightPaths,
    );
    for (const name of REPORT_NAMES) {
      expect(envOf(stack.withParams.template, REPORT[name].id).HIT_RATE_MIN, name).toBe(
        PARAMS.hitRateMin,
      );
    }
  });
});

describe('provisioning functions', () => {
  it.each(PROVISION_NAMES)(
    'runs %s from its own entry in functions/provision/tasks/, 30 s and 256 MB, with its own role',
    (name) => {
      const fn = props(t(), provisionFunctionId(name));
      expect(fn.Handler).toBe(`functions/provision/tasks/${PROVISION[name].export}.handler`);
      expect(fn.Timeout).toBe(30);
      expect(fn.MemorySize).toBe(256);
      expect(fn.FunctionName).toBe(`${PREFIX}-${name}`);
      expect(target(fn.Role)).toBe(provisionRoleId(name));
      expect(fn.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: `${PREFIX}-provision`,
        NODE_OPTIONS: '--enable-source-maps',
      });
    },
  );

  it('gives notify the alerts topic, and no other function an SNS grant', () => {
    const env = props(t(), provisionFunctionId('provisionNotify')).Environment.Variables;
    expect(target(env.ALERTS_TOPIC_ARN)).toBe('AlertsTopic');
  });

  it("keeps the generated role names within IAM's 64 characters, with stage and region", () => {
    for (const name of PROVISION_NAMES) {
      const roleName = props(t(), provisionRoleId(name), 'AWS::IAM::Role').RoleName as string;
      expect(roleName.length, roleName).toBeLessThanOrEqual(64);
      expect(roleName).toMatch(new RegExp(`^${PREFIX}-us-east-1-prov-`));
    }
  });
});

describe('report functions', () => {
  it.each(REPORT_NAMES)(
    'gives %s an environment its config parser accepts, with its own service name',
    (name) => {
      const fn = props(t(), REPORT[name].id);
      expect(fn.Handler).toBe(`${REPORT[name].file}.${REPORT[name].export}`);
      expect(target(fn.Role)).toBe(REPORT[name].role);
      const env = fn.Environment.Variables;
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(REPORT[name].service);
      expect(target(env.ALERTS_TOPIC_ARN)).toBe('AlertsTopic');
      expect(target(env.ALARM_TABLE)).toBe('AlarmStateTable');
      const config = loadReportConfig({ ...env, ALERTS_TOPIC_ARN: TOPIC_ARN, ALARM_TABLE });
      const defaults = SCHEMA_DEFAULTS.report;
      expect(config).toMatchObject({
        thresholds: defaults.thresholds,
        alarmAfter: defaults.alarmAfter,
        recoverAfter: defaults.recoverAfter,
        staleAfter: defaults.staleAfter,
        checkWindowMinutes: defaults.checkWindowMinutes,
        digestWindowHours: defaults.digestWindowHours,
        distributionIds: [],
        dashboardName: PREFIX,
        metricsNamespace: 'CdnPipeline',
        // Spend reads the EMF of the invalidate function of this stage.
        invalidateServiceName: FUNCTIONS.invalidate.service,
        stage: STAGE,
      });
      const withParamsEnv = props(stack.withParams.template, REPORT[name].id).Environment.Variables;
      expect(withParamsEnv.HIT_RATE_MIN).toBe(PARAMS.hitRateMin);
    },
  );
});

describe('scheduled health function', () => {
  it('checks the content bucket, keeps its state in the alarm table and mails the alerts topic', () => {
    const fn = props(t(), HEALTH.id);
    expect(fn.Handler).toBe(`functions/health/handler.${HEALTH.export}`);
    const env = fn.Environment.Variables;
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(HEALTH.service);
    expect(target(env.ALERTS_TOPIC_ARN)).toBe('AlertsTopic');
    expect(target(env.ALARM_TABLE)).toBe('AlarmStateTable');
    expect(env.HEALTH_BUCKET).toEqual(props(t(), 'ContentBucket').BucketName);
    const bucket = `${PREFIX}-content-123456789012-us-east-1`;
    const config = loadScheduledHealthConfig({
      ...env,
      HEALTH_BUCKET: bucket,
      ALERTS_TOPIC_ARN: TOPIC_ARN,
      ALARM_TABLE,
      AWS_REGION: 'us-east-1',
    });
    expect(config).toEqual({
      bucket,
      alertsTopicArn: TOPIC_ARN,
      alarmTable: ALARM_TABLE,
      stage: STAGE,
      region: 'us-east-1',
    });
  });
});
