/**
 * The two mails of the scheduled health check: the chain started failing (each failed check with
 * its fix), and it passes again. Plain text in the shared layout (shared/text/layout.ts): 7-bit
 * ASCII, wrapped to a phone's width, subjects SNS accepts.
 */
import { fitSubject, wrap } from '../../shared/text/layout.js';
import type { Transition } from '../../shared/alarms/alarmRule.js';
import type { MailMessage } from '../../shared/alarms/publishMail.js';
import type { HealthCheck } from './check.js';

export interface HealthMailContext {
  readonly stage: string;
  readonly region: string;
  readonly bucket: string;
}

const SIGNATURE = '-- cdn-pipeline';

export function healthMail(
  context: HealthMailContext,
  transition: Transition,
  failed: readonly HealthCheck[],
  since: string | undefined,
): MailMessage {
  const where = `s3://${context.bucket}`;
  const tag = `[cdn-pipeline ${context.stage}]`;
  const rerun = wrap(`Check by hand: npx cdn-pipeline health --bucket ${context.bucket}`);
  if (transition === 'alarm') {
    const count = `${failed.length} check${failed.length === 1 ? '' : 's'}`;
    return {
      subject: fitSubject(`${tag} ALARM: health check failing for ${where}`),
      body: [
        ...wrap(
          `The scheduled health check of ${where} (${context.region}) found ${count} failing${since ? ` at ${since}` : ''}:`,
        ),
        '',
        // Continuation lines unindented: a long URL in a detail stays whole on its own line.
        ...failed.flatMap((c) => [
          ...wrap(`${c.name}: ${c.detail}`, '', 'FAIL '),
          ...(c.fix ? wrap(c.fix, '', '  fix: ') : []),
        ]),
        '',
        ...wrap('You get one more mail when every check passes again.'),
        ...rerun,
        '',
        SIGNATURE,
      ].join('\n'),
    };
  }
  return {
    subject: fitSubject(`${tag} RESOLVED: health check passing again for ${where}`),
    body: [
      ...wrap(
        `Every check of ${where} (${context.region}) passes again${since ? ` since ${since}` : ''}.`,
      ),
      '',
      ...rerun,
      '',
      SIGNATURE,
    ].join('\n'),
  };
}
