/**
 * Plain-text mail layout, written once: 7-bit ASCII, words wrapped to a phone's width (a URL stays
 * whole on its own line, so it stays clickable), labelled rows that line up in a monospace font,
 * and subjects SNS accepts.
 */

/** SNS: subjects "must be less than 100 characters long". */
export const SNS_SUBJECT_MAX_CHARS = 99;
/** Mail bodies: what a phone shows in a monospace font without scrolling. */
export const MAX_LINE_WIDTH = 72;

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

export const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
export const padRight = (s: string, n: number) =>
  s.length >= n ? s : s + ' '.repeat(n - s.length);

/** Shortens `s` to `n` characters with a trailing `...`. */
export function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 3))}...`;
}

/** Printable ASCII only (SNS), at most `max` characters, cut with "...". */
export function fitSubject(text: string, max = SNS_SUBJECT_MAX_CHARS): string {
  const flat = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 3).trimEnd()}...`;
}

/** `  label           value`: labelled rows whose values start in one column. */
export function labelledRows(
  rows: ReadonlyArray<readonly [string, string]>,
  labelWidth: number,
  indent = '  ',
): string[] {
  return rows.map(([k, v]) => `${indent}${padRight(k, labelWidth)}${v}`);
}
