/**
 * The provisioning mail, as pure functions: a subject SNS accepts (printable ASCII, under 100
 * characters) and a plain-text body whose values line up in a monospace font. For failures, the
 * cause is read from the Step Functions error (for Lambda errors `Cause` is the JSON
 * `{"errorType","errorMessage","trace"}`; the trace is left out) and paired with a hint a person
 * can act on.
 */
import { formatDuration } from '../../shared/text/durations.js';
import { clip, fitSubject } from '../../shared/text/layout.js';
import { consoleUrl, executionUrl } from '../../shared/text/links.js';
import type { NotifyInput, StepFunctionsError } from './types.js';

const SUBJECT_PREFIX = '[cdn-pipeline]';
const LABEL_WIDTH = 14;
const WRAP_AT = 76;
const MAX_MESSAGE_CHARS = 1_000;

/** No credentials in mail: access key ids and presigned-URL signatures are masked. */
export function redact(text: string): string {
  return text
    .replace(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '$1****************')
    .replace(/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"]+/gi, '$1****');
}

/** The failure's type and message, from what a Catch put at its ResultPath. */
export function parseCause(error: StepFunctionsError | undefined): {
  errorType: string;
  errorMessage: string;
} {
  if (!error) return { errorType: 'Unknown', errorMessage: 'no error details were passed' };
  let errorType = error.Error || 'Unknown';
  let errorMessage = error.Cause ?? '';
  try {
    const parsed = JSON.parse(error.Cause) as { errorType?: unknown; errorMessage?: unknown };
    if (parsed && typeof parsed === 'object') {
      if (typeof parsed.errorType === 'string' && parsed.errorType) errorType = parsed.errorType;
      if (typeof parsed.errorMessage === 'string') errorMessage = parsed.errorMessage;
    }
  } catch {
    // Not JSON: a States.* error's Cause is plain text.
  }
  errorMessage = redact(errorMessage.replace(/\s+/g, ' ').trim());
  errorMessage = clip(errorMessage, MAX_MESSAGE_CHARS);
  return { errorType, errorMessage: errorMessage || '(no message)' };
}

/** The state that most likely raised an error of this type, when the input does not say. */
export function inferStep(errorType: string): string | undefined {
  const steps: Record<string, string> = {
    InvalidSpec: 'Validate',
    BucketNotFound: 'Validate',
    DistributionConflict: 'EnsureDistribution',
    DistributionNotDeployed: 'WaitForDeployment',
  };
  return steps[errorType];
}

/** What a person can do about it. */
export function hintFor(errorType: string, errorMessage: string): string {
  if (errorType === 'InvalidSpec') {
    return 'Fix the field named in the cause and run provision again; nothing was created.';
  }
  if (errorType === 'BucketNotFound') {
    return 'Create the bucket (or fix the bucket name, account or region in the spec), then run provision again.';
  }
  if (errorType === 'DistributionConflict' && /CNAMEAlreadyExists/.test(errorMessage)) {
    return 'An alias is attached to another distribution: remove it there or from the spec, then run provision again.';
  }
  if (errorType === 'DistributionConflict') {
    return 'Someone else is changing the distribution; wait until they are done and run provision again.';
  }
  if (/AccessDenied|Forbidden|UnauthorizedOperation/.test(errorType)) {
    return "The task's IAM role lacks a permission the cause names: add it (serverless.yml) and run provision again.";
  }
  if (/InvalidViewerCertificate/.test(errorType)) {
    return 'The ACM certificate must be in us-east-1, issued, and cover every alias; fix it and run provision again.';
  }
  if (errorType === 'TransientError' || /Timeout|TaskFailed/.test(errorType)) {
    return 'AWS kept failing or throttling; run provision again: it reuses everything already created.';
  }
  return 'Run provision again after fixing the cause: it reuses everything already created.';
}

/** `label         value`, long values wrapped under the value column. */
function line(label: string, value: string): string {
  const indent = ' '.repeat(2 + LABEL_WIDTH);
  const words = value.split(' ');
  const rows: string[] = [];
  let row = '';
  for (const word of words) {
    if (row && indent.length + row.length + 1 + word.length > WRAP_AT) {
      rows.push(row);
      row = word;
    } else row = row ? `${row} ${word}` : word;
  }
  rows.push(row);
  return `  ${label.padEnd(LABEL_WIDTH)}${rows.join(`\n${indent}`)}`;
}

function table(rows: Array<[string, string | undefined]>): string {
  return rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
    .map(([label, value]) => line(label, value))
    .join('\n');
}

interface Facts {
  id?: string;
  domain?: string;
  aliases: string[];
  host?: string;
  exampleUrl?: string;
  bucket?: string;
  elapsed?: string;
  waited?: string;
}

function facts(input: NotifyInput, now: Date): Facts {
  const id = input.distribution?.distributionId;
  const domain = input.distribution?.domainName;
  const aliases = [...(input.validated?.spec?.aliases ?? [])];
  const host = aliases.find((a) => !a.startsWith('*.')) ?? domain;
  const started = input.startedAt ? Date.parse(input.startedAt) : NaN;
  const elapsed = Number.isFinite(started) ? formatDuration(now.getTime() - started) : undefined;
  const poll = input.validated?.pollSeconds;
  const maxPolls = input.wait?.maxPolls ?? input.validated?.maxPolls;
  const waited =
    poll !== undefined && maxPolls !== undefined ? formatDuration(poll * maxPolls * 1000) : elapsed;
  return {
    id,
    domain,
    aliases,
    host,
    exampleUrl: host ? `https://${host}/` : undefined,
    bucket: input.validated?.spec?.bucket,
    elapsed,
    waited,
  };
}

function subjectFor(input: NotifyInput, f: Facts): string {
  const which = f.id ? `${f.id}${f.host ? ` (${f.host})` : ''}` : (f.bucket ?? 'unknown');
  if (input.outcome === 'ready') return `${SUBJECT_PREFIX} distribution ready: ${which}`;
  if (input.outcome === 'timeout') {
    return `${SUBJECT_PREFIX} distribution ${which} not deployed after ${f.waited ?? 'the maximum wait'}`;
  }
  const { errorType, errorMessage } = parseCause(input.error);
  const step = input.step ?? inferStep(errorType) ?? 'an unknown step';
  return `${SUBJECT_PREFIX} distribution failed at ${step}: ${errorType}: ${errorMessage}`;
}

function distributionRows(input: NotifyInput, f: Facts): Array<[string, string | undefined]> {
  return [
    ['Distribution', f.id],
    ['Domain', f.domain],
    ['Aliases', f.aliases.length > 0 ? f.aliases.join(', ') : f.id ? '(none)' : undefined],
    ['Example URL', f.id ? f.exampleUrl : undefined],
    ['Bucket', f.bucket],
    ['Status', input.wait?.status ?? input.distribution?.status],
    ['Action', input.distribution?.action],
    [
      'Changes',
      input.distribution?.changes && input.distribution.changes.length > 0
        ? input.distribution.changes.join(', ')
        : undefined,
    ],
    ['Elapsed', f.elapsed],
    ['Console', f.id ? consoleUrl(f.id) : undefined],
    ['Execution', input.execution ? (executionUrl(input.execution) ?? input.execution) : undefined],
  ];
}

/** Subject and body of the mail for one outcome. */
export function formatNotification(
  input: NotifyInput,
  now: Date = new Date(),
): { subject: string; body: string } {
  const f = facts(input, now);
  const subject = fitSubject(subjectFor(input, f));
  const sections: string[] = [];
  if (input.outcome === 'ready') {
    sections.push(
      `Distribution ${f.id ?? ''} is deployed${f.exampleUrl ? ` and serving ${f.exampleUrl}` : ''}.`,
      table(distributionRows(input, f)),
      f.bucket && f.host
        ? `Objects in s3://${f.bucket} are served at https://${f.host}/<key>.`
        : '',
    );
  } else if (input.outcome === 'timeout') {
    sections.push(
      `Distribution ${f.id ?? ''} was still ${input.wait?.status ?? 'InProgress'} after ${f.waited ?? 'the maximum wait'}.`,
      table(distributionRows(input, f)),
      'It keeps deploying on its own: check its status in the console, or run provision again\n' +
        'to wait for it (nothing is created twice).',
    );
  } else {
    const { errorType, errorMessage } = parseCause(input.error);
    const step = input.step ?? inferStep(errorType) ?? 'an unknown step';
    sections.push(
      `Provisioning failed at ${step}.`,
      table([
        ['Step', step],
        ['Error', errorType],
        ['Cause', errorMessage],
        ['What to do', hintFor(errorType, errorMessage)],
      ]),
      table(distributionRows(input, f)),
    );
  }
  const body = sections.filter((s) => s.trim() !== '').join('\n\n');
  return { subject, body: `${body}\n\n-- cdn-pipeline\n` };
}
