/**
 * The report's mail, as plain text: alarm, recovery and cleared-alarm mails and the digest. Pure.
 *
 * Built for a phone and a monospace font: ASCII only, lines of at most 72 columns (a URL stands
 * alone on its line and may run longer: it cannot be wrapped and stay clickable), a small table
 * per distribution rather than one wide table. SNS subjects must be ASCII and shorter than 100
 * characters. A value that is not known reads "n/a" with the reason: never a made-up number. No
 * secrets: no ARNs of topics, no account data beyond the distribution ids and domains.
 */
import { ALARM_METRICS, type AlarmMetric, type ThresholdTransition } from './alarmState.js';
import type { TrafficSummary } from './metrics.js';
import { trend } from './metrics.js';
import type { Recommendation } from './recommendations.js';
import type { Spend } from './spend.js';

/** SNS: subjects "must be less than 100 characters long". */
export const MAX_SUBJECT_LENGTH = 99;
export const MAX_LINE_WIDTH = 72;

export interface Mail {
  readonly subject: string;
  readonly body: string;
}

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

export function consoleUrl(distributionId: string): string {
  return `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/${encodeURIComponent(distributionId)}`;
}

export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`;
}

// ── Number formatting ───────────────────────────────────────────────────────────────────

const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)));

/** `61.2%`, `0.35%` (two decimals below 1 %), `n/a`. */
export function formatPercent(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return `${v.toFixed(Math.abs(v) < 1 && v !== 0 ? 2 : 1)}%`;
}

/** A threshold as configured: `80%`, `0.5%`, `1000 ms`. */
function formatThreshold(metric: AlarmMetric, v: number): string {
  return ALARM_METRICS[metric].unit === '%' ? `${trim(v, 2)}%` : `${trim(v, 0)} ms`;
}

/** `950`, `12.3k`, `1.23M`, `4.56G`. */
export function formatCount(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(v) >= size) return `${Number((v / size).toPrecision(3))}${suffix}`;
  }
  return String(Math.round(v));
}

/** `1,234`. */
export function formatInteger(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

/** Decimal units: `512 B`, `12.3 GB`. */
export function formatBytes(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let x = v;
  while (Math.abs(x) >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(x)} B` : `${Number(x.toPrecision(3))} ${units[i]}`;
}

export function formatMs(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : `${Math.round(v)} ms`;
}

function formatValue(metric: AlarmMetric, v: number | undefined): string {
  return ALARM_METRICS[metric].unit === '%' ? formatPercent(v) : formatMs(v);
}

const signed = (s: string, v: number) => (v > 0 ? `+${s}` : s);

/** Change of a rate in percentage points, of a count as a percentage; `n/a` when unknown. */
export function formatChange(change: number | undefined, kind: 'rate' | 'count'): string {
  if (change === undefined || !Number.isFinite(change)) return 'n/a';
  if (kind === 'rate') {
    if (Math.abs(change) < 0.005) return '0.0 pt';
    return signed(`${change.toFixed(Math.abs(change) < 1 ? 2 : 1)} pt`, change);
  }
  return signed(`${(change * 100).toFixed(1)}%`, change);
}

/** `2025-06-01 08:15 UTC`. */
export function formatTime(t: Date | string): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `1 check`, `3 checks`. */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

// ── Text layout ─────────────────────────────────────────────────────────────────────────

/** Replaces what is not printable ASCII (mail bodies and subjects stay 7-bit). */
export function ascii(s: string): string {
  return s
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2264/g, '<=')
    .replace(/\u2265/g, '>=')
    .replace(/\u00d7/g, 'x')
    .replace(/\u2192/g, '->')
    .replace(/\u2248/g, '~')
    .replace(/\u2026/g, '...')
    .replace(/\s/g, (c) => (c === '\n' ? c : ' '))
    .replace(/[^\x20-\x7e\n]/g, '?');
}

/** Word-wraps `text` to `width` columns, every line prefixed by `indent` (the first by `first`). */
export function wrap(text: string, indent = '', first = indent, width = MAX_LINE_WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of ascii(text).split(/\s+/).filter(Boolean)) {
    const room = width - line.length - (empty ? 0 : 1);
    if (word.length <= room) {
      line += (empty ? '' : ' ') + word;
      empty = false;
      continue;
    }
    if (!empty) lines.push(line);
    line = lines.length || !empty ? indent : first;
    // A word longer than a line (a URL): on a line of its own, unbroken.
    if (/^https?:\/\//.test(word) || word.length <= width - line.length) {
      line += word;
      empty = false;
    } else {
      let rest = word;
      while (rest.length > width - line.length) {
        const cut = width - line.length;
        lines.push(line + rest.slice(0, cut));
        line = indent;
        rest = rest.slice(cut);
      }
      line += rest;
      empty = !rest;
    }
  }
  if (!empty || !lines.length) lines.push(line);
  return lines;
}

const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const padRight = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** Shortens `s` to `n` characters with a trailing `...`. */
function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 3))}...`;
}

function label(distribution: DistributionLabel): string {
  return distribution.domain ? `${distribution.id} (${distribution.domain})` : distribution.id;
}

function footer(ctx: MailContext, distributionIds: readonly string[]): string[] {
  const lines: string[] = [''];
  for (const id of distributionIds) lines.push(`CloudFront console, ${id}:`, consoleUrl(id));
  if (ctx.dashboardName) {
    lines.push('CloudWatch dashboard:', dashboardUrl(ctx.region, ctx.dashboardName));
  }
  return lines;
}

/** `[cdn-pipeline <stage>] <text>`, ASCII, cut to the subject limit (the domain goes first). */
function subject(ctx: MailContext, text: string, domain?: string): string {
  const prefix = `[cdn-pipeline ${ascii(ctx.stage)}] `;
  const base = prefix + ascii(text);
  if (!domain) return clip(base, MAX_SUBJECT_LENGTH);
  const room = MAX_SUBJECT_LENGTH - base.length - 3; // " (" + ")"
  if (room < 8) return clip(base, MAX_SUBJECT_LENGTH);
  return `${base} (${clip(ascii(domain), room)})`;
}

// ── Alarm and recovery ──────────────────────────────────────────────────────────────────

export interface AlarmMailInput {
  readonly distribution: DistributionLabel;
  readonly metric: AlarmMetric;
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

function comparison(metric: AlarmMetric, transition: ThresholdTransition): string {
  const below = ALARM_METRICS[metric].breachesWhen === 'below';
  if (transition === 'alarm') return below ? '<' : '>';
  return below ? '>=' : '<=';
}

export function alarmMail(ctx: MailContext, input: AlarmMailInput): Mail {
  const { metric, transition, distribution } = input;
  const def = ALARM_METRICS[metric];
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
      `${input.window.start.toISOString().slice(0, 16).replace('T', ' ')} to ${formatTime(input.window.end).slice(11)}`,
    ],
    ['requests', formatCount(input.requests)],
  ];
  if (transition === 'recovered' && input.alarmSince) {
    const lasted = input.window.end.getTime() - Date.parse(input.alarmSince);
    rows.push(['in alarm since', formatTime(input.alarmSince)]);
    if (lasted > 0) rows.push(['lasted', formatDuration(lasted)]);
  }
  const body = [
    `${word}: ${def.label} on ${distribution.id}`,
    '',
    ...wrap(intro),
    '',
    ...rows.map(([k, v]) => `  ${padRight(k, 16)}${v}`),
    '',
    ...(transition === 'alarm'
      ? wrap(HINTS[metric])
      : wrap('No action needed. You will be mailed again if it crosses the threshold.')),
    ...(metric === 'hitRate'
      ? ['', ...wrap('Hit rate: CloudFront CacheHitRate, weighted by requests per minute.')]
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
  readonly metric: AlarmMetric;
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
  const def = ALARM_METRICS[metric];
  const why = kind === 'stale' ? 'no data' : 'no longer monitored';
  // Shorter forms for a long stage name, so that the distribution id is never cut off.
  const room = MAX_SUBJECT_LENGTH - `[cdn-pipeline ${ascii(ctx.stage)}] `.length;
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
    const lasted = formatDuration(checks * (input.checkMinutes ?? 0) * 60_000);
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
    if (lasted > 0) rows.push(['lasted', formatDuration(lasted)]);
  }
  rows.push(['closed', formatTime(input.closedAt)]);

  const body = [
    `ALARM CLEARED (${why}): ${def.label} on ${distribution.id}`,
    '',
    ...wrap(intro),
    '',
    ...rows.map(([k, v]) => `  ${padRight(k, 16)}${v}`),
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

// ── Digest ──────────────────────────────────────────────────────────────────────────────

export interface DigestRow {
  readonly distribution: DistributionLabel;
  readonly current: TrafficSummary;
  /** Undefined when the previous window could not be read. */
  readonly previous: TrafficSummary | undefined;
}

export interface DigestRecommendation {
  readonly distributionId: string | undefined;
  readonly recommendation: Recommendation;
}

export interface DigestMailInput {
  readonly window: { readonly start: Date; readonly end: Date };
  readonly rows: readonly DigestRow[];
  /** Undefined when the spend could not be read (`spendError` says why). */
  readonly spend: Spend | undefined;
  readonly spendError?: string | undefined;
  readonly recommendations: readonly DigestRecommendation[];
  /** Distributions left out, and why (deleted, metrics unreadable). */
  readonly skipped: ReadonlyArray<{ readonly distributionId: string; readonly reason: string }>;
}

/** Why a hit rate is unknown (never shown as a number). */
function hitRateNote(s: TrafficSummary): string {
  if (!s.additionalMetrics) return 'n/a (additional metrics off)';
  return s.requests > 0 ? 'n/a (no cacheable requests)' : 'n/a (no requests)';
}

function overviewTable(rows: readonly DigestRow[]): string[] {
  // id 15 | requests 9 | hit 7 | 4xx 7 | 5xx 7 | origin 8 | bytes 9  → 62 columns
  const cols = [15, 9, 7, 7, 7, 8, 9] as const;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? padRight(clip(c, cols[0]), cols[0]) : padLeft(c, cols[i]!)))
      .join('')
      .trimEnd();
  const out = [line(['distribution', 'requests', 'hit', '4xx', '5xx', 'origin', 'bytes'])];
  for (const { distribution, current: s } of rows) {
    out.push(
      line([
        distribution.id,
        formatCount(s.requests),
        formatPercent(s.hitRate),
        formatPercent(s.errorRate4xx),
        formatPercent(s.errorRate5xx),
        formatMs(s.originLatencyMs),
        formatBytes(s.bytesDownloaded),
      ]),
    );
  }
  return out;
}

function detailTable(row: DigestRow, windowLabel: string): string[] {
  const { current: c, previous: p } = row;
  const head = `${row.distribution.id}${row.distribution.domain ? `  ${row.distribution.domain}` : ''}`;
  const line = (name: string, cur: string, prev: string, change: string) =>
    `  ${padRight(name, 16)}${padLeft(cur, 11)}${padLeft(prev, 11)}${padLeft(change, 11)}`.trimEnd();
  const rate = (name: string, cur: number | undefined, prev: number | undefined) =>
    line(
      name,
      formatPercent(cur),
      p ? formatPercent(prev) : 'n/a',
      formatChange(trend(cur, p ? prev : undefined, 'rate').change, 'rate'),
    );
  const count = (
    name: string,
    cur: number | undefined,
    prev: number | undefined,
    fmt: (v: number | undefined) => string,
  ) =>
    line(
      name,
      fmt(cur),
      p ? fmt(prev) : 'n/a',
      formatChange(trend(cur, p ? prev : undefined, 'count').change, 'count'),
    );
  const out = [
    clip(ascii(head), MAX_LINE_WIDTH),
    line('', `last ${windowLabel}`, 'previous', 'change'),
    count('requests', c.requests, p?.requests, formatCount),
    rate('hit rate', c.hitRate, p?.hitRate),
    rate('4xx errors', c.errorRate4xx, p?.errorRate4xx),
    rate('5xx errors', c.errorRate5xx, p?.errorRate5xx),
    count('origin latency', c.originLatencyMs, p?.originLatencyMs, formatMs),
    count('bytes out', c.bytesDownloaded, p?.bytesDownloaded, formatBytes),
  ];
  if (c.hitRate === undefined) out.push(`  hit rate: ${hitRateNote(c)}`);
  return out;
}

function spendLines(spend: Spend | undefined, error: string | undefined): string[] {
  const out = ['INVALIDATION SPEND this month (per account, 1,000 paths free)'];
  if (!spend) {
    out.push(...wrap(`could not be read${error ? `: ${error}` : ''}`, '  ', '  '));
    return out;
  }
  const row = (k: string, v: string) => `  ${padRight(k, 18)}${v}`;
  out.push(
    row(
      'paths billed',
      `${formatInteger(spend.pathsBilled)} of ${formatInteger(spend.freePaths)} free`,
    ),
  );
  out.push(
    row(
      'above free tier',
      spend.billablePaths > 0
        ? `${formatInteger(spend.billablePaths)} paths, about $${spend.estimatedUsd.toFixed(2)}`
        : 'none, $0.00',
    ),
  );
  if (spend.projectedPaths !== undefined)
    out.push(row('month projected', `${formatInteger(spend.projectedPaths)} paths`));
  return out;
}

const SEVERITY_ORDER = { critical: 0, warn: 1, info: 2 } as const;

function recommendationLines(recs: readonly DigestRecommendation[]): string[] {
  if (!recs.length) return ['RECOMMENDATIONS: none'];
  const sorted = [...recs].sort(
    (a, b) => SEVERITY_ORDER[a.recommendation.severity] - SEVERITY_ORDER[b.recommendation.severity],
  );
  const out = [`RECOMMENDATIONS (${recs.length})`];
  sorted.forEach(({ distributionId, recommendation: r }, i) => {
    const n = `${i + 1}. `;
    const pad = ' '.repeat(n.length);
    out.push('');
    out.push(
      ...wrap(`[${r.severity}] ${distributionId ? `${distributionId}: ` : ''}${r.title}`, pad, n),
    );
    out.push(...wrap(`Evidence: ${r.evidence}`, pad + '  ', pad));
    out.push(...wrap(`Expected: ${r.expectedEffect}`, pad + '  ', pad));
  });
  return out;
}

export function digestMail(ctx: MailContext, input: DigestMailInput): Mail {
  const windowMs = input.window.end.getTime() - input.window.start.getTime();
  const hours = Math.round(windowMs / 3_600_000);
  const label = formatDuration(windowMs);
  const n = input.rows.length;
  const recs = input.recommendations.length;
  const subjectText =
    `${hours === 24 ? 'daily' : label} report: ${n} distribution${n === 1 ? '' : 's'}, ` +
    `${recs} recommendation${recs === 1 ? '' : 's'}`;

  const body: string[] = [
    `cdn-pipeline ${ascii(ctx.stage)}: ${hours === 24 ? 'daily' : `${hours}-hour`} report`,
    ...wrap(
      `${formatTime(input.window.start)} to ${formatTime(input.window.end)}, ` +
        `compared with the ${label} before.`,
    ),
    '',
  ];
  if (n) {
    body.push(...overviewTable(input.rows));
    if (input.rows.some((r) => r.current.hitRate === undefined))
      body.push(...wrap('hit n/a: additional metrics off or no cacheable requests (see below).'));
    body.push(
      ...wrap('Rates are weighted by requests per minute; origin is the average origin latency.'),
    );
    for (const row of input.rows) body.push('', ...detailTable(row, label));
  } else {
    body.push('No distributions to report on.');
  }
  if (input.skipped.length) {
    body.push('', 'NOT INCLUDED');
    for (const s of input.skipped)
      body.push(...wrap(`${s.distributionId}: ${s.reason}`, '    ', '  '));
  }
  body.push('', ...spendLines(input.spend, input.spendError));
  body.push('', ...recommendationLines(input.recommendations));
  body.push(
    ...footer(
      ctx,
      input.rows.map((r) => r.distribution.id),
    ),
  );
  return { subject: subject(ctx, subjectText), body: body.join('\n') + '\n' };
}
