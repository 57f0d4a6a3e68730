/**
 * The report's mail, as plain text: alarm, recovery and cleared-alarm mails here, the digest in
 * `digestMail.ts`, both with the subject and footer below. Pure.
 *
 * Built for a phone and a monospace font: ASCII only, lines of at most 72 columns (a URL stands
 * alone on its line and may run longer: it cannot be wrapped and stay clickable), a small table
 * per distribution rather than one wide table. SNS subjects must be ASCII and shorter than 100
 * characters. A value that is not known reads "n/a" with the reason: never a made-up number. No
 * secrets: no ARNs of topics, no account data beyond the distribution ids and domains. Numbers,
 * durations, links and layout come from `shared/text/`.
 */
import { formatRoughDuration, formatTime } from '../../shared/text/durations.js';
import {
  ascii,
  clip,
  labelledRows,
  SNS_SUBJECT_MAX_CHARS,
  wrap,
} from '../../shared/text/layout.js';
import { consoleUrl, dashboardUrl } from '../../shared/text/links.js';
import {
  formatCount,
  formatMs,
  formatPercent,
  formatPercentSetting,
  plural,
  trimDecimals,
} from '../../shared/text/numbers.js';
import type { AlarmMetric, ThresholdTransition } from '../../shared/alarms/alarmState.js';
import { classOfAlarm, metricDef, type ReportAlarmMetric } from './classAlarmKeys.js';
import type { MailMessage } from '../../shared/alarms/publishMail.js';

/** A report mail: subject and plain-text body (what shared/alarms/publishMail.ts sends). */
export type Mail = MailMessage;

export interface MailContext {
  readonly stage: string;
  /** The stack's region (where the dashboard is). */
  readonly region: string;
  readonly dashboardName?: string | undefined;
}

export interface DistributionLabel {
  readonly id: string;
  /** The first alias, else the cloudfront.net domain. */
  readonly domain?: string | undefined;
}

/** A threshold as configured: `80%`, `0.5%`, `1000 ms`. */
function formatThreshold(metric: ReportAlarmMetric, v: number): string {
  return metricDef(metric).unit === '%' ? formatPercentSetting(v) : `${trimDecimals(v, 0)} ms`;
}

function formatValue(metric: ReportAlarmMetric, v: number | undefined): string {
  return metricDef(metric).unit === '%' ? formatPercent(v) : formatMs(v);
}

/** `E123 (cdn.example.com)`, or the id alone. */
export function label(distribution: DistributionLabel): string {
  return distribution.domain ? `${distribution.id} (${distribution.domain})` : distribution.id;
}

/** Console links of the distributions named, and of the dashboard. */
export function footer(ctx: MailContext, distributionIds: readonly string[]): string[] {
  const lines: string[] = [''];
  for (const id of distributionIds) lines.push(`CloudFront console, ${id}:`, consoleUrl(id));
  if (ctx.dashboardName) {
    lines.push('CloudWatch dashboard:', dashboardUrl(ctx.region, ctx.dashboardName));
  }
  return lines;
}

/** `[cdn-pipeline <stage>] <text>`, ASCII, cut to the subject limit (the domain goes first). */
export function subject(ctx: MailContext, text: string, domain?: string): string {
  const prefix = `[cdn-pipeline ${ascii(ctx.stage)}] `;
  const base = prefix + ascii(text);
  if (!domain) return clip(base, SNS_SUBJECT_MAX_CHARS);
  const room = SNS_SUBJECT_MAX_CHARS - base.length - 3; // " (" + ")"
  if (room < 8) return clip(base, SNS_SUBJECT_MAX_CHARS);
  return `${base} (${clip(ascii(domain), room)})`;
}

// ── Alarm and recovery ──────────────────────────────────────────────────────────────────

export interface AlarmMailInput {
  readonly distribution: DistributionLabel;
  readonly metric: ReportAlarmMetric;
  readonly transition: ThresholdTransition;
  /** The value of the check that caused the transition. */
  readonly value: number | undefined;
  readonly threshold: number;
  /** K: the consecutive checks it took. */
  readonly checks: number;
  /** The window of the check that caused the transition. */
  readonly window: { readonly start: Date; readonly end: Date };
  readonly requests: number | undefined;
  /** For a recovery: when the alarm was raised. */
  readonly alarmSince?: string | undefined;
}

const HINTS: Record<AlarmMetric, string> = {
  hitRate:
    'Where to look: short TTLs (Cache-Control max-age), query strings, cookies or headers in the ' +
    'cache key, a burst of invalidations, or new content that is requested once.',
  errorRate5xx:
    'Where to look: the origin (S3 5xx or throttling), the bucket policy statement that lets ' +
    'this distribution read through OAC (its SourceArn), and any edge functions.',
  errorRate4xx:
    'Where to look: missing objects (404: broken links, deleted keys), denied reads (403: ' +
    'bucket policy, signed URLs or cookies, geo restriction).',
  originLatencyMs:
    'Where to look: large objects fetched on a miss, S3 request rates per prefix, and whether ' +
    'Origin Shield would take load off the origin.',
};

const CLASS_HINT =
  'Where to look: the TTL of this class (its cache behaviours and Cache-Control max-age), ' +
  'query strings, cookies or headers in its cache key, and invalidations of its paths.';
const CLASS_NOTE =
  'Class hit rate: from CloudFront standard logs, (Hit + RefreshHit) / (Hit + RefreshHit + ' +
  'Miss) over the requests logged in the window; logs arrive minutes late.';

function comparison(metric: ReportAlarmMetric, transition: ThresholdTransition): string {
  const below = metricDef(metric).breachesWhen === 'below';
  if (transition === 'alarm') return below ? '<' : '>';
  return below ? '>=' : '<=';
}

export function alarmMail(ctx: MailContext, input: AlarmMailInput): Mail {
  const { metric, transition, distribution } = input;
  const def = metricDef(metric);
  const value = formatValue(metric, input.value);
  const threshold = formatThreshold(metric, input.threshold);
  const word = transition === 'alarm' ? 'ALARM' : 'RECOVERED';
  const op = comparison(metric, transition);
  const subjectText = `${word} ${def.label} ${value} ${op} ${threshold} on ${distribution.id}`;

  const minutes = Math.round((input.window.end.getTime() - input.window.start.getTime()) / 60_000);
  const side = def.breachesWhen === 'below' ? 'below' : 'above';
  const intro =
    transition === 'alarm'
      ? `The ${def.label} of ${label(distribution)} was ${side} the threshold of ` +
        `${threshold} for ${plural(input.checks, 'check')} in a row. Last check: ${value} over ` +
        `the ${plural(minutes, 'minute')} to ${formatTime(input.window.end)}.`
      : `The ${def.label} of ${label(distribution)} is back within the threshold of ` +
        `${threshold} for ${plural(input.checks, 'check')} in a row. Last check: ${value} over ` +
        `the ${plural(minutes, 'minute')} to ${formatTime(input.window.end)}.`;

  const rows: [string, string][] = [
    ['distribution', distribution.id],
    ...(distribution.domain
      ? [['domain', clip(ascii(distribution.domain), 54)] as [string, string]]
      : []),
    [def.label, value],
    ['threshold', `${def.breachesWhen === 'below' ? '<' : '>'} ${threshold} raises`],
    ['checks', `${input.checks} in a row (${minutes} min each)`],
    [
      'window',
      `${formatTime(input.window.start).replace(/ UTC$/, '')} to ${formatTime(input.window.end).slice(11)}`,
    ],
    ['requests', formatCount(input.requests)],
  ];
  if (transition === 'recovered' && input.alarmSince) {
    const lasted = input.window.end.getTime() - Date.parse(input.alarmSince);
    rows.push(['in alarm since', formatTime(input.alarmSince)]);
    if (lasted > 0) rows.push(['lasted', formatRoughDuration(lasted)]);
  }
  const body = [
    `${word}: ${def.label} on ${distribution.id}`,
    '',
    ...wrap(intro),
    '',
    ...labelledRows(rows, 16),
    '',
    ...(transition === 'alarm'
      ? wrap(classOfAlarm(metric) ? CLASS_HINT : HINTS[metric as AlarmMetric])
      : wrap('No action needed. You will be mailed again if it crosses the threshold.')),
    ...(metric === 'hitRate'
      ? ['', ...wrap('Hit rate: CloudFront CacheHitRate, weighted by requests per minute.')]
      : classOfAlarm(metric)
        ? ['', ...wrap(CLASS_NOTE)]
        : []),
    ...footer(ctx, [distribution.id]),
    '',
    ...wrap(
      `One mail when an alarm is raised, one when it clears: after ${input.checks} ` +
        'consecutive checks either way, never on missing data or light traffic.',
    ),
  ];
  return {
    subject: subject(ctx, subjectText, distribution.domain),
    body: body.join('\n') + '\n',
  };
}

// ── Closed without a verdict ────────────────────────────────────────────────────────────

export interface ClearedMailInput {
  readonly distribution: DistributionLabel;
  readonly metric: ReportAlarmMetric;
  /** `stale`: no data for `checks` checks; `unmonitored`: the check no longer finds it. */
  readonly kind: 'stale' | 'unmonitored';
  readonly threshold: number;
  /** The last value counted (the one that kept the alarm raised), if any. */
  readonly lastValue: number | undefined;
  /** When the alarm was raised. */
  readonly alarmSince: string | undefined;
  /** When it was closed: the end of the last window checked. */
  readonly closedAt: Date;
  /** `stale`: the consecutive checks without data. */
  readonly checks?: number | undefined;
  /** `stale`: the length of one check window. */
  readonly checkMinutes?: number | undefined;
  /** `unmonitored`: what the check knows (`deleted` when a listed id is gone). */
  readonly reason?: string | undefined;
}

export function clearedMail(ctx: MailContext, input: ClearedMailInput): Mail {
  const { metric, kind, distribution } = input;
  const def = metricDef(metric);
  const why = kind === 'stale' ? 'no data' : 'no longer monitored';
  // Shorter forms for a long stage name, so that the distribution id is never cut off.
  const room = SNS_SUBJECT_MAX_CHARS - `[cdn-pipeline ${ascii(ctx.stage)}] `.length;
  const subjectText =
    [
      `ALARM CLEARED (${why}) ${def.label} on ${distribution.id}`,
      `CLEARED (${why}) ${def.label} on ${distribution.id}`,
      `CLEARED (${why}) on ${distribution.id}`,
    ].find((text) => ascii(text).length <= room) ?? `CLEARED (${why}) on ${distribution.id}`;
  const threshold = formatThreshold(metric, input.threshold);
  const side = def.breachesWhen === 'below' ? 'below' : 'above';

  let intro: string;
  let after: string;
  if (kind === 'stale') {
    const checks = input.checks ?? 0;
    const lasted = formatRoughDuration(checks * (input.checkMinutes ?? 0) * 60_000);
    intro =
      `The ${def.label} of ${label(distribution)} was ${side} the threshold of ${threshold}, ` +
      `then had no data for ${plural(checks, 'check')} (${lasted}); the alarm is closed ` +
      'without a verdict. It is not known whether the condition cleared.';
    after =
      'Why no data: fewer requests per check than MIN_REQUESTS, the additional metrics ' +
      'turned off (hit rate, origin latency), or CloudFront publishing nothing. If the data ' +
      'returns and crosses the threshold again, a new ALARM is mailed.';
  } else {
    const gone =
      input.reason === 'deleted'
        ? 'was deleted'
        : 'is no longer checked (deleted, no longer tagged as managed for this stage, or ' +
          'removed from DISTRIBUTION_IDS)';
    intro =
      `${distribution.id} ${gone}; its ${def.label} alarm (${side} the threshold of ` +
      `${threshold}) is closed without a verdict.`;
    after =
      'No action needed if that was intended. If it is checked again and crosses the ' +
      'threshold, a new ALARM is mailed.';
  }

  const rows: [string, string][] = [
    ['distribution', distribution.id],
    ...(distribution.domain
      ? [['domain', clip(ascii(distribution.domain), 54)] as [string, string]]
      : []),
    [def.label, `${formatValue(metric, input.lastValue)} (last check with data)`],
    ['threshold', `${def.breachesWhen === 'below' ? '<' : '>'} ${threshold} raises`],
  ];
  if (kind === 'stale')
    rows.push([
      'no data for',
      `${input.checks ?? 0} checks in a row (${input.checkMinutes} min each)`,
    ]);
  if (input.alarmSince) {
    rows.push(['in alarm since', formatTime(input.alarmSince)]);
    const lasted = input.closedAt.getTime() - Date.parse(input.alarmSince);
    if (lasted > 0) rows.push(['lasted', formatRoughDuration(lasted)]);
  }
  rows.push(['closed', formatTime(input.closedAt)]);

  const body = [
    `ALARM CLEARED (${why}): ${def.label} on ${distribution.id}`,
    '',
    ...wrap(intro),
    '',
    ...labelledRows(rows, 16),
    '',
    ...wrap(after),
    ...footer(ctx, input.reason === 'deleted' ? [] : [distribution.id]),
    '',
    ...wrap(
      'An alarm without data is closed after a number of checks (ALARM_STALE_AFTER), and one ' +
        'of a distribution no longer checked at the next check: one mail each.',
    ),
  ];
  return {
    subject: subject(ctx, subjectText, distribution.domain),
    body: body.join('\n') + '\n',
  };
}
