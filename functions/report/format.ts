/** Numbers as people read them in a plain-text mail (monospace, no locale surprises). */

/** `62.5 %`; two decimals under 1 % (`0.25 %`). */
export function formatPercent(value: number): string {
  return `${value < 1 ? value.toFixed(2) : value.toFixed(1)} %`;
}

/** `12,345`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** `3,600 s (1 h)`. */
export function formatSeconds(seconds: number): string {
  const units = [
    [31_536_000, 'y'],
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
  ] as const;
  const unit = units.find(([size]) => seconds >= size && seconds % size === 0);
  return `${formatCount(seconds)} s${unit ? ` (${seconds / unit[0]} ${unit[1]})` : ''}`;
}

/** `1.5 GB` (decimal units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${i === 0 ? value : value.toFixed(1)} ${units[i]}`;
}
