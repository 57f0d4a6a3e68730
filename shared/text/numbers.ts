/**
 * Numbers as people read them in mail, the CLI and the local console: plain ASCII, no locale
 * surprises, and `n/a` for a value that is not known (never a made-up number). One spelling
 * everywhere: `61.2%` (no space before the sign), `12.3k`, `1,234`, `12.3 GB`, `240 ms`.
 */

const known = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

/** `n` with at most `digits` decimals and no trailing zeros: `80`, `0.5`. */
export function trimDecimals(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** `61.2%`, `0.35%` (two decimals below 1 %), `0.0%`, `n/a`. */
export function formatPercent(v: number | undefined): string {
  if (!known(v)) return 'n/a';
  return `${v.toFixed(Math.abs(v) < 1 && v !== 0 ? 2 : 1)}%`;
}

/** A percentage as configured, without padding decimals: `80%`, `0.5%`. */
export function formatPercentSetting(v: number): string {
  return `${trimDecimals(v, 2)}%`;
}

/** `950`, `12.3k`, `1.23M`, `4.56G`; `n/a`. */
export function formatCount(v: number | undefined): string {
  if (!known(v)) return 'n/a';
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

/** Decimal units: `512 B`, `1.5 MB`, `12.3 GB`; `n/a`. */
export function formatBytes(v: number | undefined): string {
  if (!known(v)) return 'n/a';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let x = v;
  while (Math.abs(x) >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(x)} B` : `${Number(x.toPrecision(3))} ${units[i]}`;
}

/** `240 ms`; `n/a`. */
export function formatMs(v: number | undefined): string {
  return known(v) ? `${Math.round(v)} ms` : 'n/a';
}

/** `$12.34`. */
export function formatUsd(v: number): string {
  return `$${v.toFixed(2)}`;
}

const signed = (s: string, v: number) => (v > 0 ? `+${s}` : s);

/** Change of a rate in percentage points (`+1.5 pt`), of a count as a percentage (`-12.0%`). */
export function formatChange(change: number | undefined, kind: 'rate' | 'count'): string {
  if (!known(change)) return 'n/a';
  if (kind === 'rate') {
    if (Math.abs(change) < 0.005) return '0.0 pt';
    return signed(`${change.toFixed(Math.abs(change) < 1 ? 2 : 1)} pt`, change);
  }
  return signed(`${(change * 100).toFixed(1)}%`, change);
}

/** `1 check`, `3 checks`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
