/**
 * The invalidate function's shared in-flight budget (resources/invalidationLedger.yml): the
 * table, its output, the function's environment and the least-privilege grant on it.
 */
import { describe, expect, it } from 'vitest';
import { loadInvalidateConfig } from '../../functions/invalidate/config.js';
import { localResourceNames } from '../../local/resources.js';
import { FUNCTIONS, LEDGER_TABLE, SCHEMA_DEFAULTS } from './expected.js';
import { PREFIX, STAGE } from './runs.js';
import { usePackagedStack } from './stack.js';
import { asArray, props, resourcesOfType, roleStatements, target, type Cfn } from './template.js';

const stack = usePackagedStack();
const t = () => stack.base.template;
const TABLE_ARN = { 'Fn::GetAtt': ['InvalidationLedgerTable', 'Arn'] };

describe('invalidation ledger', () => {
  it('keeps the budget in a stage-scoped, on-demand, encrypted table keyed by distribution, items expiring', () => {
    const table = props(t(), 'InvalidationLedgerTable', 'AWS::DynamoDB::Table');
    expect(table.TableName).toBe(`${PREFIX}-invalidation-ledger`);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.KeySchema).toEqual([{ AttributeName: 'distributionId', KeyType: 'HASH' }]);
    expect(table.AttributeDefinitions).toEqual([
      { AttributeName: 'distributionId', AttributeType: 'S' },
    ]);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });

  it('names the table as the CLI and the local run expect it', () => {
    const table = props(t(), 'InvalidationLedgerTable', 'AWS::DynamoDB::Table');
    expect(table.TableName).toBe(localResourceNames(STAGE).invalidationLedgerTable);
    expect(target(t().Outputs?.InvalidationLedgerTableName?.Value)).toBe('InvalidationLedgerTable');
  });

  it('gives invalidate the table by Ref, which its config parser accepts', () => {
    const env = props(t(), FUNCTIONS.invalidate.id).Environment.Variables;
    expect(target(env.INVALIDATION_LEDGER_TABLE)).toBe('InvalidationLedgerTable');
    const config = loadInvalidateConfig({ ...env, INVALIDATION_LEDGER_TABLE: LEDGER_TABLE });
    expect(config).toEqual({ ...SCHEMA_DEFAULTS.invalidate, ledgerTable: LEDGER_TABLE });
  });

  it('lets invalidate read and conditionally write that table only, and no other role touch it', () => {
    const ledgerStatements = (roleId: string) =>
      roleStatements(t(), roleId).filter((s) =>
        asArray(s.Resource as Cfn[]).some((r) => JSON.stringify(r) === JSON.stringify(TABLE_ARN)),
      );
    const statements = ledgerStatements(FUNCTIONS.invalidate.role);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Effect).toBe('Allow');
    expect(asArray(statements[0]!.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(statements[0]!.Resource).toEqual(TABLE_ARN);
    for (const [roleId] of resourcesOfType(t(), 'AWS::IAM::Role')) {
      if (roleId === FUNCTIONS.invalidate.role) continue;
      expect(ledgerStatements(roleId), roleId).toEqual([]);
    }
  });
});
