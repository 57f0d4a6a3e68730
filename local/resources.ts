/**
 * LOCAL ONLY. Names of the resources `npm start` creates on the emulator for a stage. They mirror
 * what serverless.yml creates in AWS (`${service}-${stage}-…`), so a log line or a command copied
 * from a local run reads the same as one from a deployed stage.
 */
export const SERVICE = 'cdn-pipeline';
export const DEFAULT_STAGE = 'local';

export interface LocalResourceNames {
  readonly stage: string;
  readonly bucket: string;
  readonly objectEventsQueue: string;
  readonly objectEventsDlq: string;
  readonly invalidationRequestsQueue: string;
  readonly invalidationRequestsDlq: string;
  readonly alertsTopic: string;
  /** The in-flight budget every invoker shares (serverless.yml's InvalidationLedgerTable). */
  readonly invalidationLedgerTable: string;
}

const STAGE_PATTERN = /^[a-z0-9][a-z0-9-]{0,19}$/;

export function localResourceNames(stage: string = DEFAULT_STAGE): LocalResourceNames {
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(
      `stage: must be 1-20 lower-case letters, digits or "-" (got "${stage}"); it becomes part of a bucket name`,
    );
  }
  const prefix = `${SERVICE}-${stage}`;
  return Object.freeze({
    stage,
    bucket: `${prefix}-content`,
    objectEventsQueue: `${prefix}-object-events`,
    objectEventsDlq: `${prefix}-object-events-dlq`,
    invalidationRequestsQueue: `${prefix}-invalidation-requests`,
    invalidationRequestsDlq: `${prefix}-invalidation-requests-dlq`,
    alertsTopic: `${prefix}-alerts`,
    invalidationLedgerTable: `${prefix}-invalidation-ledger`,
  });
}
