/**
 * LOCAL ONLY. What `npm start` prints once running (the ready block is in `ready.ts`): a
 * readable line group for each ingest outcome and each invalidate report, a line per report check and digest, and a line per
 * mail that landed in the local outbox. Plain text, aligned; colour only when the stream is
 * a terminal and NO_COLOR is unset. The formatters are pure (they return lines) so tests can
 * read them without a terminal.
 */
import type { IngestOutcome } from '../functions/ingest/types.js';
import type { InvalidateReport } from '../functions/invalidate/types.js';
import type { CheckResult, DigestResult } from '../functions/report/types.js';
import { ALARM_METRICS } from '../shared/alarms/alarmState.js';
import { OBJECT_TAG_PREFIX } from '../shared/catalogue.js';
import {
  formatStepTime as elapsed,
  formatWholeDuration as duration,
} from '../shared/text/durations.js';
import { plural } from '../shared/text/numbers.js';

type Paint = (text: string) => string;

export interface Palette {
  readonly bold: Paint;
  readonly dim: Paint;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const plain: Paint = (text) => text;
export const NO_COLOR_PALETTE: Palette = {
  bold: plain,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
  cyan: plain,
};
export const COLOR_PALETTE: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
};

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export function useColor(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

export const LABEL_WIDTH = 12;
const INDENT = ' '.repeat(10);
export const MAX_LISTED_PATHS = 5;

function clock(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

/** `hh:mm:ss  label       text`, the label padded before it is painted so columns stay aligned. */
function row(time: string, label: string, text: string, paintLabel: Paint = plain): string {
  return `${time.padEnd(INDENT.length)}${paintLabel(label.padEnd(LABEL_WIDTH))}${text}`;
}

/** A continuation line under the text column. */
function more(text: string): string {
  return `${INDENT}${' '.repeat(LABEL_WIDTH)}${text}`;
}

const REASONS: Record<string, string> = {
  overwrite: 'overwrite: a previous version exists',
  'new-object': 'new object: nothing cached yet',
  'policy-all': 'INVALIDATE_ON=all',
  'policy-none': 'INVALIDATE_ON=none',
  'unversioned-bucket': 'bucket not versioned: every upload counts as an overwrite',
  'object-gone': 'object gone before it was tagged',
};

/** First `max` items, then "… N more". */
export function truncateList(items: readonly string[], max = MAX_LISTED_PATHS): string[] {
  if (items.length <= max) return [...items];
  return [...items.slice(0, max), `… ${items.length - max} more`];
}

function failure(p: Palette, time: string, what: string, error: string, field?: string): string[] {
  // Errors often start with their field already ("body: is not JSON"): name it once.
  const message = field && error.startsWith(`${field}: `) ? error.slice(field.length + 2) : error;
  const named = field ? `field ${p.bold(field)}: ` : '';
  return [p.red(row(time, 'FAILED', what)), more(p.red(`${named}${message}`))];
}

export function formatIngestOutcome(
  outcome: IngestOutcome,
  p: Palette,
  now = new Date(),
): string[] {
  const time = clock(now);
  if (outcome.status === 'skipped') {
    return [p.dim(row(time, 'ingest', `skipped message ${outcome.messageId}: ${outcome.reason}`))];
  }
  if (outcome.status === 'failed') {
    return failure(
      p,
      time,
      `ingest, message ${outcome.messageId} (will be retried, then the DLQ)`,
      outcome.error,
      outcome.field,
    );
  }
  const c = outcome.classification;
  const tags = Object.entries(outcome.tags);
  const ours = tags.filter(([k]) => k.startsWith(OBJECT_TAG_PREFIX));
  const kept = tags.length - ours.length;
  const decision =
    outcome.invalidation === 'requested'
      ? p.yellow(`invalidation requested (${REASONS[outcome.reason] ?? outcome.reason})`)
      : p.dim(`no invalidation (${REASONS[outcome.reason] ?? outcome.reason})`);
  const lines = [
    row(time, 'ingest', p.bold(outcome.key), p.cyan),
    more(`class ${p.bold(c.contentClass)}, cache ${c.cacheClass} (${duration(c.ttlSeconds)})`),
    more(
      `tags  ${ours.map(([k, v]) => `${k}=${v}`).join('  ') || '(none written)'}${kept ? p.dim(`  (+${kept} kept)`) : ''}`,
    ),
    more(decision),
  ];
  for (const warning of outcome.warnings) lines.push(more(p.yellow(`warning: ${warning}`)));
  return lines;
}

export function formatInvalidateReport(
  report: InvalidateReport,
  p: Palette,
  now = new Date(),
): string[] {
  const time = clock(now);
  const lines: string[] = [];
  for (const inv of report.invalidations) {
    lines.push(
      row(
        time,
        'invalidate',
        `${p.bold(inv.distributionId)}  invalidation ${p.bold(inv.invalidationId)}  ` +
          `${plural(inv.paths.length, 'path')}${inv.wildcards ? ` (${inv.wildcards} wildcard)` : ''} for ${plural(inv.requests, 'request')}`,
        p.cyan,
      ),
    );
    for (const path of truncateList(inv.paths)) lines.push(more(path));
  }
  if (report.deferred.length) {
    const byReason = new Map<string, number>();
    for (const d of report.deferred) byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
    lines.push(
      p.yellow(
        row(
          time,
          'deferred',
          `${plural(report.deferred.length, 'request')}, back through SQS after the visibility timeout`,
        ),
      ),
    );
    for (const [reason, n] of byReason) lines.push(more(p.yellow(`${n} × ${reason}`)));
  }
  for (const r of report.rejected) {
    lines.push(
      ...failure(
        p,
        time,
        `invalidate, message ${r.messageId} (will be retried, then the DLQ)`,
        r.error,
        r.field,
      ),
    );
  }
  if (report.unserved && !report.invalidations.length) {
    lines.push(
      p.dim(
        row(
          time,
          'invalidate',
          `${plural(report.unserved, 'request')} for keys no distribution serves`,
        ),
      ),
    );
  }
  return lines;
}

/** `2025-01-02T03:04:00.000Z` → `03:04` (UTC). */
function hhmm(iso: string): string {
  return iso.slice(11, 16);
}

/** What a check line says, timing aside: a check that would print the same line is not shown. */
export function checkKey(result: CheckResult): string {
  const alarms = result.alarms.map(
    (a) => `${a.distributionId}:${a.metric}:${a.state}:${a.breaching}`,
  );
  return JSON.stringify([result.window.end, result.distributions.length, alarms, result.skipped]);
}

/** One line per check: what it read, and which alarms are raised; skipped ones in yellow. */
export function formatCheck(
  result: CheckResult,
  ms: number,
  p: Palette,
  now = new Date(),
): string[] {
  const time = clock(now);
  const requests = result.distributions.reduce((n, s) => n + s.requests, 0);
  const raised = result.alarms
    .filter((a) => a.state === 'ALARM')
    .map((a) => `${a.distributionId} ${ALARM_METRICS[a.metric].label}`);
  const judged = result.alarms.some((a) => a.breaching !== undefined);
  const state = raised.length
    ? p.red(`in ALARM: ${raised.join(', ')}`)
    : judged
      ? 'all OK'
      : 'nothing judged (too few requests or no data)';
  const text =
    `${plural(result.distributions.length, 'distribution')}, ${hhmm(result.window.start)}-${hhmm(result.window.end)} UTC, ` +
    `${plural(requests, 'request')}: ${state}  ${p.dim(`(${elapsed(ms)})`)}`;
  const lines = [raised.length ? row(time, 'check', text) : p.dim(row(time, 'check', text))];
  for (const s of result.skipped)
    lines.push(more(p.yellow(`skipped ${s.distributionId}: ${s.reason}`)));
  return lines;
}

export function formatDigest(
  result: DigestResult,
  ms: number,
  p: Palette,
  now = new Date(),
): string[] {
  const time = clock(now);
  const mailed = result.mails.length ? 'mailed' : p.red('not mailed');
  return [
    p.dim(
      row(
        time,
        'digest',
        `${plural(result.distributions.length, 'distribution')}, ` +
          `${plural(result.recommendations.length, 'recommendation')}, ${mailed}  (${elapsed(ms)})`,
      ),
    ),
  ];
}

/** A mail the outbox received: its subject and the file to open. */
export function formatMail(subject: string, file: string, p: Palette, now = new Date()): string[] {
  return [row(clock(now), 'mail', `${p.bold(subject)}  → ${file}`, p.yellow)];
}

/** A message that reached a DLQ: the queue, its id, the receives and why, when known. */
export function formatDlqArrival(
  arrival: {
    readonly dlq: string;
    readonly source: string;
    readonly messageId: string;
    readonly receiveCount: number | undefined;
    readonly reason: string | undefined;
    readonly at: Date;
  },
  p: Palette,
): string[] {
  const receives =
    arrival.receiveCount === undefined
      ? 'receives unknown'
      : plural(arrival.receiveCount, 'receive');
  return [
    row(
      clock(arrival.at),
      'dlq',
      `${p.bold(arrival.dlq)}  message ${arrival.messageId}  (${receives} from ${arrival.source})`,
      p.red,
    ),
    more(arrival.reason ? `reason: ${arrival.reason}` : 'reason: not seen by this run'),
  ];
}
