/**
 * The two mails of the scheduled health check: the chain started failing (each failed check with
 * its fix), and it passes again.
 */
import type { Transition } from '../report/alarmRule.js';
import type { Mail } from '../report/mail.js';
import type { HealthCheck } from './check.js';

export interface HealthMailContext {
  readonly stage: string;
  readonly region: string;
  readonly bucket: string;
}

export function healthMail(
  context: HealthMailContext,
  transition: Transition,
  failed: readonly HealthCheck[],
  since: string | undefined,
): Mail {
  const where = `s3://${context.bucket}`;
  const tag = `[cdn-pipeline ${context.stage}]`;
  const rerun = `Re-run by hand: npx cdn-pipeline health --bucket ${context.bucket}`;
  if (transition === 'alarm') {
    const lines = failed.flatMap((c) => [
      `✗ ${c.name}: ${c.detail}`,
      ...(c.fix ? [`  fix: ${c.fix}`] : []),
    ]);
    return {
      subject: `${tag} ALARM: health check failing for ${where}`,
      body: [
        `The scheduled health check of ${where} (${context.region}) found ${failed.length} failed check${failed.length === 1 ? '' : 's'}${since ? ` at ${since}` : ''}:`,
        '',
        ...lines,
        '',
        'You get one more mail when every check passes again.',
        rerun,
      ].join('\n'),
    };
  }
  return {
    subject: `${tag} RESOLVED: health check passing again for ${where}`,
    body: [
      `Every check of ${where} (${context.region}) passes again${since ? ` since ${since}` : ''}.`,
      '',
      rerun,
    ].join('\n'),
  };
}
