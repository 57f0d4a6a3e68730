/**
 * What a check records of each alarm step `applyStep` took: the transition in the result, the
 * mail subject, and the log line (mailed, mail failed and taken back or lost, or a concurrent run).
 */
import type { ReportAlarmMetric } from './classAlarmKeys.js';
import type { ApplyResult } from '../../shared/alarms/alarmState.js';
import { describeError } from '../../shared/alarms/publishMail.js';
import type { CheckResult, ReportCoreDeps } from './types.js';

/** The check's result while it is being built. */
export type MutableCheckResult = {
  -readonly [K in keyof CheckResult]: CheckResult[K];
};

/**
 * Records what `applyStep` did with a transition (result and log). `subject` is the mail's, as
 * built by the announcement (empty when it never got that far).
 */
export function recordTransition(
  result: MutableCheckResult,
  log: NonNullable<ReportCoreDeps['log']>,
  applied: ApplyResult<string>,
  key: { distributionId: string; metric: ReportAlarmMetric; value: number | undefined },
  subject: string,
): void {
  const { distributionId, metric, value } = key;
  if (applied.status === 'transition' && applied.transition) {
    result.mails.push(subject);
    result.transitions.push({
      distributionId,
      metric,
      transition: applied.transition,
      value,
      status: 'mailed',
      subject,
    });
    log.info(`alarm ${applied.transition}`, {
      distributionId,
      metric,
      value,
      state: applied.state.state,
      subject,
    });
  } else if (applied.status === 'announce-failed' && applied.transition) {
    result.transitions.push({
      distributionId,
      metric,
      transition: applied.transition,
      value,
      status: 'mail-failed',
      subject,
    });
    const takenBack = applied.state.state === applied.previous.state;
    log.error(
      takenBack
        ? 'alarm mail could not be published: transition not stored, retried at the next check'
        : 'alarm mail could not be published and the transition could not be taken back: this mail is lost',
      {
        distributionId,
        metric,
        transition: applied.transition,
        error: describeError(applied.error),
      },
    );
  } else if (applied.status === 'conflict') {
    log.warn('alarm state changed under this check (concurrent run): not counted', {
      distributionId,
      metric,
    });
  }
}
