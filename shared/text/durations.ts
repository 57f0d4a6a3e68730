/**
 * Durations, written once. Each reader gets the precision it needs, and each form has one
 * function here: a setting in whole units (`7 d`), a TTL with its seconds (`3,600 s (1 h)`), a
 * report window (`24 h`), a wait (`6 min 12 s`), a step's time (`850 ms`, `1.2 s`) and a
 * progress column (`0.9s`, `1m15s`).
 */
import { formatInteger } from './numbers.js';

const WHOLE_UNITS = [
  [31_536_000, 'y'],
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'min'],
] as const;

/** The largest unit that divides `seconds` exactly, or undefined (`0`, `90`). */
function wholeUnit(seconds: number): string | undefined {
  const unit = WHOLE_UNITS.find(([size]) => seconds >= size && seconds % size === 0);
  return unit ? `${seconds / unit[0]} ${unit[1]}` : undefined;
}

/** A setting in its largest whole unit: `7 d`, `1 h`, `15 min`, `90 s`. */
export function formatWholeDuration(seconds: number): string {
  return wholeUnit(seconds) ?? `${seconds} s`;
}

/** A TTL: `90 s`, `3,600 s (1 h)`, `604,800 s (7 d)`. */
export function formatSeconds(seconds: number): string {
  const unit = wholeUnit(seconds);
  return `${formatInteger(seconds)} s${unit ? ` (${unit})` : ''}`;
}

/** A span rounded to what a reader of a report needs: `45 min`, `24 h`, `3 days`. */
export function formatRoughDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** A wait, to the second: `12 s`, `6 min 12 s`, `45 min`, `1 h 5 min`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 ? `${min} min ${s % 60} s` : `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
}

/** How long one step took: `850 ms`, `1.2 s`. */
export function formatStepTime(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A progress column, short enough to pad: `900` → `0.9s`, `75_000` → `1m15s`. */
export function formatStopwatch(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** A moment to the minute: `2025-06-01 08:15 UTC`. */
export function formatTime(t: Date | string): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
