/**
 * LOCAL ONLY. The key ledger table as serverless.yml's KeyLedgerTable declares it
 * (resources/keyLedger.yml): `pk` (S), on-demand, items expire by `expiresAt` (epoch seconds).
 * For the local bootstrap and the tests; on AWS the stack owns the table. The logs function's
 * table of counted log files (LogFilesTable) has the same shape, and is made by the same call.
 */
import {
  CreateTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** `cdn-pipeline-<stage>-log-files` (resources/standardLogs.yml's LogFilesTable: the same shape). */
export const logFilesTableName = (prefix: string): string => `${prefix}-log-files`;

/** `cdn-pipeline-<stage>-key-ledger`, from the stage's resource prefix. */
export const keyLedgerTableName = (prefix: string): string => `${prefix}-key-ledger`;

export async function ensureKeyLedgerTable(dynamodb: DynamoDBClient, name: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    if (
      error instanceof ResourceInUseException ||
      (error as { name?: string }).name === 'ResourceInUseException'
    )
      return;
    throw error;
  }
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
}
