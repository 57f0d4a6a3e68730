/**
 * The logs function's table of log files counted (resources/standardLogs.yml, LogFilesTable): the
 * table, the function's environment and the least-privilege grant on it.
 */
import { describe, expect, it } from 'vitest';
import { loadLogsConfig } from '../../functions/logs/config.js';
import { CLAIM_LEASE_MS } from '../../functions/logs/logFiles.js';
import { FUNCTIONS } from './expected.js';
import { PREFIX } from './runs.js';
import { usePackagedStack } from './stack.js';
import { asArray, props, resourcesOfType, roleStatements, target, type Cfn } from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;
const TABLE_ARN = { 'Fn::GetAtt': ['LogFilesTable', 'Arn'] };

describe('log files table', () => {
  it('is stage-scoped, on demand, encrypted, keyed by pk, items expiring on expiresAt', () => {
    const table = props(t(), 'LogFilesTable', 'AWS::DynamoDB::Table');
    expect(table.TableName).toBe(`${PREFIX}-log-files`);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('holds a claim longer than the function runs, and the queue retries after the claim expires', () => {
    // A younger claim may belong to a running attempt; an older one to an attempt that died.
    expect(props(t(), FUNCTIONS.logs.id).Timeout * 1000).toBeLessThan(CLAIM_LEASE_MS);
    // A message left for retry (fresh claim) comes back when the claim can be taken over.
    expect(props(t(), 'LogEventsQueue').VisibilityTimeout * 1000).toBeGreaterThan(CLAIM_LEASE_MS);
  });

  it('gives the logs function the table by Ref, which its config parser accepts', () => {
    const env = props(t(), FUNCTIONS.logs.id).Environment.Variables;
    expect(target(env.LOG_FILES_TABLE)).toBe('LogFilesTable');
    const config = loadLogsConfig({ ...env, LOG_FILES_TABLE: `${PREFIX}-log-files` });
    expect(config.logFilesTable).toBe(`${PREFIX}-log-files`);
  });

  it('lets logs claim and mark items of that table only, and no other role touch it', () => {
    const tableStatements = (roleId: string) =>
      roleStatements(t(), roleId).filter((s) =>
        asArray(s.Resource as Cfn[]).some((r) => JSON.stringify(r) === JSON.stringify(TABLE_ARN)),
      );
    const statements = tableStatements(FUNCTIONS.logs.role);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Effect).toBe('Allow');
    expect(asArray(statements[0]!.Action).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(statements[0]!.Resource).toEqual(TABLE_ARN);
    for (const [roleId] of resourcesOfType(t(), 'AWS::IAM::Role')) {
      if (roleId === FUNCTIONS.logs.role) continue;
      expect(tableStatements(roleId), roleId).toEqual([]);
    }
  });
});
